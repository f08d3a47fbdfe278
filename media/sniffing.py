"""What a file's bytes are: the content type and extension they show, whatever the file is
called. Pure functions over bytes, no I/O.
"""

from __future__ import annotations

import io
import zipfile

_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm", "webm"),
    (b"OggS", 0, "audio/ogg", "ogg"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"PK\x03\x04", 0, "application/zip", "zip"),
)
_OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}


def looks_like_markup(data: bytes) -> bool:
    """SVG, HTML or XML: text a browser would run, whatever the file is called."""
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def sniff(data: bytes) -> tuple[str | None, str]:
    """The content type and extension the bytes show; (None, "") for markup we refuse."""
    if looks_like_markup(data):
        return None, ""
    for magic, offset, content_type, extension in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            if extension == "zip":
                return _zip_type(data)
            return content_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif", "avif"
        if brand.startswith(b"qt"):
            return "video/quicktime", "mov"
        return "video/mp4", "mp4"
    try:
        text = data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        is_csv = "," in text.split("\n", 1)[0] and "\n" in text
        return ("text/csv", "csv") if is_csv else ("text/plain", "txt")
    return "application/octet-stream", "bin"


def _zip_type(data: bytes) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return "application/octet-stream", "bin"
    if "[Content_Types].xml" in names:
        for prefix, found in _OFFICE.items():
            if any(n.startswith(prefix) for n in names):
                return found
    if "mimetype" in names and any(n == "content.xml" for n in names):
        return "application/vnd.oasis.opendocument.text", "odt"
    return "application/zip", "zip"
