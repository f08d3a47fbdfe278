"""Pure Pillow work: inspect an upload's bytes, make a rendition. No I/O, no database.

Both are CPU-bound and run in a worker thread (see media/uploads.py and media/renditions.py).
"""

from __future__ import annotations

import base64
import io
import math
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from cms.errors import ErrorCode
from media import containers
from media.sniffing import looks_like_markup
from media.specs import Format, Spec, output_size

# Far above any photo a CoP site shows, far below what would exhaust memory when decoded.
MAX_PIXELS = 40_000_000
# Pillow's own guard, set deliberately rather than left at its default (89 MP): it warns above
# MAX_PIXELS (which `_open` turns into TOO_MANY_PIXELS) and refuses above twice that on its
# own, for any code path of this process that opens an image. `_open` also checks the size
# itself, before any pixel is decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ACCEPTED = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "AVIF": "avif"}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}
# Markup that browsers or interpreters would act on: no honest image contains these bytes.
_MARKUP = (b"<script", b"<html", b"<svg", b"<?php", b"<iframe", b"<body", b"<!doctype")
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_PIL_FORMATS = {Format.WEBP: "WEBP", Format.AVIF: "AVIF", Format.JPEG: "JPEG", Format.PNG: "PNG"}


class ImageProblem(ValueError):
    """Bytes that are not an image we accept; `code` says why."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Inspected:
    """What an accepted upload is: its format and its size as displayed (orientation applied)."""

    extension: str
    content_type: str
    width: int
    height: int
    placeholder: str


def contains_markup(data: bytes) -> bool:
    """Markup hidden inside binary data: no honest image has it."""
    lowered = data.lower()
    return any(marker in lowered for marker in _MARKUP)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    if looks_like_markup(data):
        raise ImageProblem(
            ErrorCode.UNSUPPORTED_FORMAT,
            "SVG, HTML and other markup are not accepted as images (they can carry scripts); "
            "upload a JPEG, PNG, WebP, GIF or AVIF.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except UnidentifiedImageError:
        raise ImageProblem(
            ErrorCode.UNSUPPORTED_FORMAT,
            "The file is not an image in a format we accept (JPEG, PNG, WebP, GIF, AVIF).",
        ) from None
    except (OSError, SyntaxError, ValueError, struct.error):
        raise _damaged() from None
    if image.format not in ACCEPTED:
        raise ImageProblem(
            ErrorCode.UNSUPPORTED_FORMAT,
            f"{image.format} images are not accepted; upload a JPEG, PNG, WebP, GIF or AVIF.",
        )
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    return image


def _too_many_pixels(max_pixels: int) -> ImageProblem:
    return ImageProblem(
        ErrorCode.TOO_MANY_PIXELS,
        f"The image has more than {max_pixels:,} pixels (a possible decompression bomb); "
        "scale it down before uploading.",
    )


def _damaged() -> ImageProblem:
    return ImageProblem(
        ErrorCode.DAMAGED_IMAGE, "The image is truncated or damaged and cannot be read."
    )


def inspect(data: bytes, max_pixels: int = MAX_PIXELS) -> Inspected:
    """Decide the format from the bytes, decode them fully, and describe the image."""
    image = _open(data, max_pixels)
    extension = ACCEPTED[image.format or ""]
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, struct.error):
        raise _damaged() from None
    try:
        containers.check(image.format or "", data)
        if contains_markup(data):
            raise containers.Problem("It contains markup.")
    except containers.Problem as problem:
        raise ImageProblem(
            ErrorCode.POLYGLOT,
            f"The file is an image with other data hidden in it (a polyglot): {problem} "
            "Save it again from an image editor and upload that.",
        ) from None
    width, height = image.size
    if image.getexif().get(0x0112) in _ROTATED:
        width, height = height, width
    return Inspected(extension, CONTENT_TYPES[extension], width, height, _placeholder(image))


def _placeholder(image: Image.Image) -> str:
    """A 16-pixel blurred WebP as a data: URI (a few hundred bytes), shown while loading."""
    small = ImageOps.exif_transpose(image.copy())
    small = small.convert("RGBA" if _has_alpha(small) else "RGB")
    small.thumbnail((16, 16))
    small = small.filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    small.save(buffer, "WEBP", quality=40)
    return "data:image/webp;base64," + base64.b64encode(buffer.getvalue()).decode()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def render(data: bytes, spec: Spec, max_pixels: int) -> bytes:
    """The rendition of an accepted original: oriented, cropped or fitted, re-encoded, and
    without any metadata (EXIF, GPS, XMP) of the original; at most `max_pixels` pixels."""
    with _open(data, MAX_PIXELS) as image:
        return _render(image, spec, max_pixels)


def _render(image: Image.Image, spec: Spec, max_pixels: int) -> bytes:
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    orientation = image.getexif().get(0x0112)
    shown = image.size[::-1] if orientation in _ROTATED else image.size
    out_w, out_h = output_size(shown, spec, max_pixels)
    box = _crop_box(shown, (out_w, out_h), spec) if spec.crops else (0, 0, *shown)
    if image.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves enough pixels.
        scale = out_w / (box[2] - box[0])
        need = (math.ceil(shown[0] * scale), math.ceil(shown[1] * scale))
        image.draft("RGB", need[::-1] if orientation in _ROTATED else need)
        now = image.size[::-1] if orientation in _ROTATED else image.size
        fx, fy = shown[0] / now[0], shown[1] / now[1]
        box = (
            max(0.0, box[0] / fx),
            max(0.0, box[1] / fy),
            min(float(now[0]), box[2] / fx),
            min(float(now[1]), box[3] / fy),
        )
    image = ImageOps.exif_transpose(image)
    icc = image.info.get("icc_profile")
    alpha = _has_alpha(image) and spec.format is not Format.JPEG
    if spec.format is Format.JPEG and _has_alpha(image):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    else:
        image = image.convert("RGBA" if alpha else "RGB")
    result = image.resize((out_w, out_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    result.info = {}  # nothing of the original's metadata may be written out
    options: dict[str, object] = {"quality": spec.quality}
    if spec.format is Format.JPEG:
        options.update(optimize=True, progressive=True)
    elif spec.format is Format.WEBP:
        options.update(method=4)
    elif spec.format is Format.AVIF:
        options.update(speed=8)
    elif spec.format is Format.PNG:
        options = {"compress_level": 6}
    if icc:
        options["icc_profile"] = icc  # colour, not metadata about the photo
    buffer = io.BytesIO()
    result.save(buffer, _PIL_FORMATS[spec.format], **options)
    return buffer.getvalue()


def _crop_box(
    size: tuple[int, int], out: tuple[int, int], spec: Spec
) -> tuple[float, float, float, float]:
    """The largest region of the box's aspect ratio, centred on the focal point as far as
    the image's edges allow."""
    width, height = size
    aspect = out[0] / out[1]
    crop_w = min(float(width), height * aspect)
    crop_h = crop_w / aspect
    cx, cy = spec.focal[0] / 1000 * width, spec.focal[1] / 1000 * height
    x0 = min(max(0.0, cx - crop_w / 2), width - crop_w)
    y0 = min(max(0.0, cy - crop_h / 2), height - crop_h)
    return (x0, y0, x0 + crop_w, y0 + crop_h)
