"""Rendition specs: what a rendition is, parsed from and printed to its URL name, with bounds.

A spec prints as `w800-h0-contain-q80.webp` or `w800-h450-cover-q80-f500x300.webp` (the
focal point in thousandths, only for COVER). `parse` accepts exactly what `name` prints, so
every rendition has one name, one cache file and one signature.

Sizes and qualities come from a `Ladder` (settings): a requested width or height is rounded up
to the next step, as image CDNs do, a COVER box takes the nearest common aspect ratio, and a
quality the nearest allowed one. So one image has a bounded number of renditions, whatever
callers ask, and `parse` refuses any name off the ladder.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from cms.config import Settings
from cms.errors import InvalidInput

MAX_DIMENSION = 4000
MAX_SRCSET_WIDTHS = 12
# Aspect ratios (width / height) a COVER box is rounded to: the ones sites actually use.
ASPECT_RATIOS = tuple(
    sorted(
        {
            1 / 3,
            9 / 21,
            1 / 2,
            9 / 16,
            2 / 3,
            3 / 4,
            4 / 5,
            1.0,
            5 / 4,
            4 / 3,
            3 / 2,
            16 / 10,
            16 / 9,
            2.0,
            21 / 9,
            3.0,
        }
    )
)


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


@dataclass(frozen=True)
class Ladder:
    """The sizes and qualities renditions may have, and the most pixels one may hold."""

    widths: tuple[int, ...]
    qualities: tuple[int, ...]
    max_pixels: int

    @classmethod
    def of(cls, settings: Settings) -> Ladder:
        return cls(
            settings.rendition_widths, settings.rendition_qualities, settings.rendition_max_pixels
        )

    def size(self, value: int) -> int:
        """The smallest step at least `value` (the largest step beyond the ladder); 0 stays 0."""
        if value <= 0:
            return 0
        return next((step for step in self.widths if step >= value), self.widths[-1])

    def quality(self, format: Format, value: int) -> int:
        """The allowed quality nearest `value` (ties go up); PNG, being lossless, has one."""
        if format is Format.PNG:
            return self.qualities[-1]
        return min(self.qualities, key=lambda q: (abs(q - value), -q))

    def snap(self, spec: Spec) -> Spec:
        """The spec on the ladder that serves a request for `spec`."""
        quality = self.quality(spec.format, spec.quality)
        if spec.fit is Fit.COVER and spec.width and spec.height:
            width = self.size(spec.width)
            wanted = math.log(spec.width / spec.height)
            ratio = min(ASPECT_RATIOS, key=lambda r: abs(math.log(r) - wanted))
            height = max(1, round(width / ratio))
            return Spec(width, height, spec.fit, spec.format, quality, spec.focal)
        width, height = self.size(spec.width), self.size(spec.height)
        return Spec(width, height, spec.fit, spec.format, quality)

    def allows(self, spec: Spec) -> bool:
        return self.snap(spec) == spec


def make(
    width: int | None,
    height: int | None,
    fit: Fit = Fit.COVER,
    format: Format = Format.WEBP,
    quality: int | None = None,
    focal: tuple[float, float] = (0.5, 0.5),
    *,
    ladder: Ladder,
) -> Spec:
    """A checked spec from API arguments, snapped to the ladder; InvalidInput names the
    argument at fault."""
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
    spec = ladder.snap(Spec(w, h, fit, format, q, (fx, fy)))
    return spec if spec.crops else Spec(spec.width, spec.height, fit, format, spec.quality)


def parse(name: str, ladder: Ladder) -> Spec:
    """The spec a URL names; InvalidInput for anything `Spec.name` would not print or the
    ladder does not allow."""
    match = _NAME.match(name)
    if match is None:
        raise InvalidInput("Not a rendition name.", field="spec")
    focal = (500, 500)
    if match["fx"] is not None:
        focal = (int(match["fx"]), int(match["fy"]))
    spec = Spec(
        int(match["w"]),
        int(match["h"]),
        Fit(match["fit"]),
        _BY_EXTENSION[match["ext"]],
        int(match["q"]),
        focal,
    )
    if not spec.crops:
        spec = Spec(spec.width, spec.height, spec.fit, spec.format, spec.quality)
    # e.g. a focal point on CONTAIN, one out of range, or a size or quality off the ladder
    empty = spec.width == 0 and spec.height == 0
    if spec.name != name or empty or max(focal) > 1000 or not ladder.allows(spec):
        raise InvalidInput("Not a rendition name.", field="spec")
    return spec


def output_size(source: tuple[int, int], spec: Spec, max_pixels: int) -> tuple[int, int]:
    """The pixel size a rendition of an image of `source` size has: never larger than the
    source nor than `max_pixels`, the aspect ratio of the box for COVER, of the source
    otherwise."""
    sw, sh = max(1, source[0]), max(1, source[1])
    if spec.crops:
        w, h = spec.width, spec.height
    else:
        w, h = sw, sh
    scales = [1.0, math.sqrt(max_pixels / (w * h))]
    if spec.crops:
        scales += [sw / w, sh / h]
    else:
        if spec.width:
            scales.append(spec.width / sw)
        if spec.height:
            scales.append(spec.height / sh)
    scale = min(scales)
    return max(1, round(w * scale)), max(1, round(h * scale))
