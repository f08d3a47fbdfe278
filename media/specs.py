"""Rendition specs: what a rendition is, parsed from and printed to its URL name, with bounds.

A spec prints as `w800-h0-contain-q80.webp` or `w800-h450-cover-q80-f500x300.webp` (the
focal point in thousandths, only for COVER). `parse` accepts exactly what `name` prints, so
every rendition has one name, one cache file and one signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cms.errors import InvalidInput

MAX_DIMENSION = 4000
MAX_SRCSET_WIDTHS = 12


class Fit(StrEnum):
    COVER = "cover"  # fill the box, cropping around the focal point
    CONTAIN = "contain"  # fit inside the box, keeping the whole image


class Format(StrEnum):
    WEBP = "webp"
    AVIF = "avif"
    JPEG = "jpeg"
    PNG = "png"


EXTENSIONS = {Format.WEBP: "webp", Format.AVIF: "avif", Format.JPEG: "jpg", Format.PNG: "png"}
CONTENT_TYPES = {
    Format.WEBP: "image/webp",
    Format.AVIF: "image/avif",
    Format.JPEG: "image/jpeg",
    Format.PNG: "image/png",
}
DEFAULT_QUALITY = {Format.WEBP: 80, Format.AVIF: 60, Format.JPEG: 82, Format.PNG: 100}
_BY_EXTENSION = {ext: fmt for fmt, ext in EXTENSIONS.items()}
_NAME = re.compile(
    r"^w(?P<w>0|[1-9][0-9]{0,3})-h(?P<h>0|[1-9][0-9]{0,3})-(?P<fit>cover|contain)"
    r"-q(?P<q>[1-9][0-9]{0,2})(?:-f(?P<fx>[0-9]{1,4})x(?P<fy>[0-9]{1,4}))?"
    r"\.(?P<ext>webp|avif|jpg|png)$"
)


@dataclass(frozen=True)
class Spec:
    """One rendition: a box (0 = free), how to fit it, the format, quality and focal point."""

    width: int
    height: int
    fit: Fit
    format: Format
    quality: int
    focal: tuple[int, int] = (500, 500)  # thousandths of width and height

    @property
    def name(self) -> str:
        base = f"w{self.width}-h{self.height}-{self.fit}-q{self.quality}"
        if self.crops:
            base += f"-f{self.focal[0]}x{self.focal[1]}"
        return f"{base}.{EXTENSIONS[self.format]}"

    @property
    def crops(self) -> bool:
        return self.fit is Fit.COVER and self.width > 0 and self.height > 0

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def make(
    width: int | None,
    height: int | None,
    fit: Fit = Fit.COVER,
    format: Format = Format.WEBP,
    quality: int | None = None,
    focal: tuple[float, float] = (0.5, 0.5),
) -> Spec:
    """A checked spec from API arguments; InvalidInput names the argument at fault."""
    w, h = width or 0, height or 0
    for name, value in (("width", w), ("height", h)):
        if not 0 <= value <= MAX_DIMENSION:
            raise InvalidInput(f"`{name}` must be between 1 and {MAX_DIMENSION}.", field=name)
    if w == 0 and h == 0:
        raise InvalidInput("Give a `width`, a `height` or both.", field="width")
    q = DEFAULT_QUALITY[format] if quality is None else quality
    if not 1 <= q <= 100:
        raise InvalidInput("`quality` must be between 1 and 100.", field="quality")
    fx, fy = (min(1000, max(0, round(v * 1000))) for v in focal)
    spec = Spec(w, h, fit, format, q, (fx, fy))
    return spec if spec.crops else Spec(w, h, fit, format, q)


def parse(name: str) -> Spec:
    """The spec a URL names; InvalidInput for anything `Spec.name` would not print."""
    match = _NAME.match(name)
    if match is None:
        raise InvalidInput("Not a rendition name.", field="spec")
    focal = (500, 500)
    if match["fx"] is not None:
        focal = (int(match["fx"]), int(match["fy"]))
    spec = make(
        int(match["w"]),
        int(match["h"]),
        Fit(match["fit"]),
        _BY_EXTENSION[match["ext"]],
        int(match["q"]),
        (focal[0] / 1000, focal[1] / 1000),
    )
    if spec.name != name:  # e.g. a focal point on CONTAIN, or one out of range
        raise InvalidInput("Not a rendition name.", field="spec")
    return spec


def output_size(source: tuple[int, int], spec: Spec) -> tuple[int, int]:
    """The pixel size a rendition of an image of `source` size has: never larger than the
    source, the aspect ratio of the box for COVER, of the source otherwise."""
    sw, sh = max(1, source[0]), max(1, source[1])
    if spec.crops:
        scale = min(1.0, sw / spec.width, sh / spec.height)
        return max(1, round(spec.width * scale)), max(1, round(spec.height * scale))
    scales = [1.0]
    if spec.width:
        scales.append(spec.width / sw)
    if spec.height:
        scales.append(spec.height / sh)
    scale = min(scales)
    return max(1, round(sw * scale)), max(1, round(sh * scale))
