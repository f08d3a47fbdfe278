"""The structure of an accepted image file: where it ends, and what its metadata says.

A polyglot is a file that two programs read as two things: a JPEG and a ZIP archive, a PNG and
an HTML page. Pillow decodes the image and ignores the rest, so the rest is checked here by
walking the container itself: every byte must belong to the image's own structure, which ends
exactly at the end of the file (JPEG at its EOI marker, PNG at IEND, GIF at its 0x3B trailer,
WebP at the RIFF size, AVIF where its ISO-BMFF boxes end), and the metadata segments (JPEG
COM and APPn, PNG text chunks, decompressed too, GIF comments and application extensions, WebP
EXIF/XMP chunks, AVIF boxes other than the image data) must not carry markup or an archive.

Pure functions over bytes; `Problem` says what is wrong. Run in a worker thread with the rest
of the upload checks.
"""

from __future__ import annotations

import re
import struct
import zlib

# Markup a browser or an interpreter would act on, and the signatures of a ZIP archive (a
# file's local header and the central directory's end): no photo's metadata has them.
METADATA_MARKERS = (
    b"<script",
    b"<html",
    b"<svg",
    b"<?xml",
    b"<iframe",
    b"<body",
    b"<!doctype",
    b"<?php",
    b"<img",
    b"<object",
    b"<embed",
    b"<style",
    b"<meta",
    b"<link",
    b"<form",
    b"<math",
    b"<head",
    b"<base",
    b"<a ",
    b"javascript:",
    b"pk\x03\x04",
    b"pk\x05\x06",
)
# In entropy-coded data 0xFF is followed by 0x00 (a stuffed byte) or a restart marker (RSTn);
# any other 0xFF (a fill byte or a marker) ends the data. One regex finds it, in C.
_SEGMENT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")
MAX_INFLATED = 1 << 20  # bytes of a compressed text chunk worth reading: far above honest ones


class Problem(ValueError):
    """The file is not only an image (a polyglot), or its metadata carries markup."""


def check(image_format: str, data: bytes) -> None:
    """Raise Problem unless `data` is exactly one image of `image_format` (Pillow's name)
    with clean metadata."""
    walk = _WALKERS.get(image_format)
    if walk is None:
        raise Problem(f"{image_format} is not a format we can check.")
    try:
        metadata = walk(data)
    except (IndexError, struct.error, zlib.error) as error:
        raise Problem("The file's structure is broken.") from error
    for segment in metadata:
        lowered = segment.lower()
        for marker in METADATA_MARKERS:
            if marker in lowered:
                raise Problem("The image's metadata carries markup or an archive.")


def _be16(data: bytes, pos: int) -> int:
    return int(struct.unpack_from(">H", data, pos)[0])


def _be32(data: bytes, pos: int) -> int:
    return int(struct.unpack_from(">I", data, pos)[0])


def _jpeg(data: bytes) -> list[bytes]:
    metadata: list[bytes] = []
    end = _jpeg_stream(data, 0, metadata)
    if end != len(data):
        raise Problem("Data follows the JPEG's end (EOI).")
    return metadata


def _mpo(data: bytes) -> list[bytes]:
    """Multi-picture JPEG (camera stereo/depth images): whole JPEG streams back to back."""
    metadata: list[bytes] = []
    pos = _jpeg_stream(data, 0, metadata)
    while pos < len(data):
        pos = _jpeg_stream(data, pos, metadata)
    return metadata


def _jpeg_stream(data: bytes, pos: int, metadata: list[bytes]) -> int:
    """Walk one JPEG from its SOI; the offset just after its EOI."""
    n = len(data)
    if data[pos : pos + 2] != b"\xff\xd8":
        raise Problem("Not a JPEG stream.")
    pos += 2
    while True:
        if pos >= n or data[pos] != 0xFF:
            raise Problem("Bytes outside any JPEG segment.")
        while pos < n and data[pos] == 0xFF:  # fill bytes
            pos += 1
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # RSTn, TEM: no length
            continue
        if marker in (0x00, 0xD8):
            raise Problem("A misplaced JPEG marker.")
        length = _be16(data, pos)
        if length < 2 or pos + length > n:
            raise Problem("A JPEG segment runs past the end of the file.")
        if marker == 0xFE or 0xE0 <= marker <= 0xEF:  # COM, APP0-APP15
            metadata.append(data[pos + 2 : pos + length])
        pos += length
        if marker == 0xDA:  # SOS: entropy-coded data up to the next real marker
            found = _SEGMENT_MARKER.search(data, pos)
            if found is None:
                raise Problem("The JPEG has no end (EOI).")
            pos = found.start()  # a marker, maybe after fill bytes: the loop reads it


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_PIXELS = {b"IDAT", b"fdAT"}


def _png(data: bytes) -> list[bytes]:
    if not data.startswith(_PNG_SIGNATURE):
        raise Problem("Not a PNG.")
    metadata: list[bytes] = []
    pos, n = len(_PNG_SIGNATURE), len(data)
    while True:
        length = _be32(data, pos)
        kind = data[pos + 4 : pos + 8]
        body_end = pos + 8 + length
        if body_end + 4 > n:
            raise Problem("A PNG chunk runs past the end of the file.")
        body = data[pos + 8 : body_end]
        if zlib.crc32(kind + body) != _be32(data, body_end):
            raise Problem("A PNG chunk's checksum is wrong.")
        pos = body_end + 4
        if kind == b"IEND":
            if pos != n:
                raise Problem("Data follows the PNG's end (IEND).")
            return metadata
        if kind not in _PNG_PIXELS:
            metadata.append(body)
            metadata.extend(_png_text(kind, body))


def _png_text(kind: bytes, body: bytes) -> list[bytes]:
    """The inflated text of zTXt and compressed iTXt chunks (markup could hide compressed)."""
    if kind == b"zTXt":
        _, _, rest = body.partition(b"\x00")
        return [_inflate(rest[1:])]
    if kind == b"iTXt":
        _, _, rest = body.partition(b"\x00")
        compressed = rest[:1] == b"\x01"
        rest = rest[2:]
        for _ in range(2):  # language tag, translated keyword
            _, _, rest = rest.partition(b"\x00")
        return [_inflate(rest)] if compressed else []
    return []


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(data, MAX_INFLATED)
    if inflater.unconsumed_tail:
        raise Problem("A PNG text chunk inflates to more than we read.")
    return text


def _gif(data: bytes) -> list[bytes]:
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise Problem("Not a GIF.")
    metadata: list[bytes] = []
    flags = data[10]
    pos = 13 + (3 * (1 << ((flags & 7) + 1)) if flags & 0x80 else 0)
    while True:
        block = data[pos]
        if block == 0x3B:  # trailer
            if pos + 1 != len(data):
                raise Problem("Data follows the GIF's end (trailer).")
            return metadata
        if block == 0x21:  # extension: label, then sub-blocks
            label = data[pos + 1]
            pos, payload = _sub_blocks(data, pos + 2)
            if label != 0xF9:  # all but the graphic control block: comments, application…
                metadata.append(payload)
        elif block == 0x2C:  # image: descriptor, local colour table, LZW data
            flags = data[pos + 9]
            pos += 10 + (3 * (1 << ((flags & 7) + 1)) if flags & 0x80 else 0)
            pos, _ = _sub_blocks(data, pos + 1)
        else:
            raise Problem("Bytes outside any GIF block.")


def _sub_blocks(data: bytes, pos: int) -> tuple[int, bytes]:
    parts: list[bytes] = []
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return pos, b"".join(parts)
        if pos + size > len(data):
            raise Problem("A GIF block runs past the end of the file.")
        parts.append(data[pos : pos + size])
        pos += size


_WEBP_PIXELS = {b"VP8 ", b"VP8L", b"ALPH", b"ANMF", b"VP8X", b"ANIM"}


def _webp(data: bytes) -> list[bytes]:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise Problem("Not a WebP.")
    n = len(data)
    if struct.unpack_from("<I", data, 4)[0] + 8 != n:
        raise Problem("The WebP's RIFF size does not match the file.")
    metadata: list[bytes] = []
    pos = 12
    while pos < n:
        kind = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        end = pos + 8 + size
        if end > n:
            raise Problem("A WebP chunk runs past the end of the file.")
        if kind not in _WEBP_PIXELS:
            metadata.append(data[pos + 8 : end])
        pos = end + (size & 1)
    if pos != n:
        raise Problem("The WebP's chunks do not cover the file.")
    return metadata


def _avif(data: bytes) -> list[bytes]:
    """ISO-BMFF: top-level boxes that cover the file exactly (no box 'to the end of file')."""
    metadata: list[bytes] = []
    pos, n = 0, len(data)
    first = True
    while pos < n:
        size = _be32(data, pos)
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1:
            size = int(struct.unpack_from(">Q", data, pos + 8)[0])
            header = 16
        if first and kind != b"ftyp":
            raise Problem("The AVIF does not start with its file type box.")
        if size < header or pos + size > n:
            raise Problem("An AVIF box runs past the end of the file (or to it, unsized).")
        if kind != b"mdat":
            metadata.append(data[pos + header : pos + size])
        pos += size
        first = False
    return metadata


_WALKERS = {"JPEG": _jpeg, "MPO": _mpo, "PNG": _png, "GIF": _gif, "WEBP": _webp, "AVIF": _avif}
