"""Real files made in memory: photos with EXIF GPS, broken images, a bomb, an SVG, a PDF."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(
    size: tuple[int, int] = (1200, 800),
    fmt: str = "JPEG",
    *,
    gps: bool = True,
    orientation: int | None = None,
    colour: tuple[int, int, int] = (40, 120, 200),
) -> bytes:
    """A picture with a gradient (so encoders have work), EXIF GPS and an orientation tag."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(image, Image.new("RGB", size, colour), 0.5)
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        info = exif.get_ifd(GPS_IFD)
        info[1] = "N"
        info[2] = (50.0, 51.0, 0.0)
        info[3] = "E"
        info[4] = (4.0, 21.0, 0.0)
    buffer = io.BytesIO()
    options: dict[str, object] = {"exif": exif}
    if fmt == "GIF":
        options = {}
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def halves(size: tuple[int, int] = (400, 200)) -> bytes:
    """Red on the left half, blue on the right: shows where a crop was taken."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def truncated() -> bytes:
    data = photo((600, 400), gps=False)
    return data[: len(data) // 2]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims 50,000 x 50,000 pixels: 2.5 billion when decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * (width + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)


def polyglot() -> bytes:
    """A valid JPEG with an HTML page appended: an image viewer and a browser see two files."""
    return photo((200, 100), gps=False) + b"<html><script>alert(document.cookie)</script></html>"


def zip_polyglot() -> bytes:
    """A JPEG with a ZIP archive after its end (a classic 'GIFAR'-style polyglot)."""
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hidden")
    return photo((200, 100), gps=False) + archive.getvalue()


def pdf(*lines: str) -> bytes:
    """A real one-page PDF with these lines of text, written by hand (Helvetica)."""
    text = (
        "BT /F1 12 Tf 72 720 Td 14 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    stream = text.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _zip(comment: bytes) -> bytes:
    """A ZIP archive holding an HTML page, whose comment makes the file end like an image."""
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("index.html", "<script>alert(document.domain)</script>")
        z.comment = comment
    return archive.getvalue()


def small(fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg_zip() -> bytes:
    """JPEG + ZIP, the archive's comment ending in EOI (FF D9): 'ends like a JPEG'."""
    return small("JPEG") + _zip(b"\xff\xd9")


def png_zip() -> bytes:
    """PNG + ZIP, the archive's comment being an IEND chunk."""
    return small("PNG") + _zip(_chunk(b"IEND", b""))


def gif_zip() -> bytes:
    return small("GIF") + _zip(b";")


def avif_trailing() -> bytes:
    return small("AVIF") + _zip(b"")


def jpeg_comment_markup() -> bytes:
    """A JPEG whose COM segment holds an HTML element with an event handler."""
    data = small("JPEG")
    comment = b"<img src=x onerror=alert(document.domain)>"
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def jpeg_zip_in_comment() -> bytes:
    """A ZIP archive inside a JPEG comment (zip readers find its directory from the end)."""
    data = small("JPEG")
    archive = _zip(b"")
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(archive) + 2) + archive + data[2:]


def png_compressed_script() -> bytes:
    """A PNG whose zTXt chunk inflates to a script (no marker in the file's own bytes)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(document.domain)</script>", zip=True)
    return small("PNG", pnginfo=info)


def webp_xmp_markup() -> bytes:
    return small("WEBP", xmp=b"<x:xmpmeta><a href=javascript:alert(1)>x</a></x:xmpmeta>")


def webp_trailing() -> bytes:
    return small("WEBP") + _zip(b"")


def _pdf(objects: list[bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def pdf_pages(*pages: str) -> bytes:
    """A PDF with one line of text on each page."""
    font = 3 + 2 * len(pages)
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages),
    ]
    for i, line in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode("latin-1")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (4 + 2 * i, font)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return _pdf(objects)


def pdf_page_cycle() -> bytes:
    """A PDF whose page tree contains itself: pypdf stops with a LimitReachedError."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 2 >>",
        ]
    )


def pdf_over_a_pypdf_limit() -> bytes:
    """A PDF whose font maps a 20-byte character code: pypdf raises LimitReachedError."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"1 beginbfchar <" + b"41" * 20 + b"> <0041> endbfchar\n"
        b"endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    stream = b"BT /F1 12 Tf 72 720 Td (A) Tj ET"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
        ]
    )
