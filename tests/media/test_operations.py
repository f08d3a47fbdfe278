"""Pure parts of media: specs, storage keys, Pillow inspection and rendering."""

from __future__ import annotations

import pytest

from cms.config import Settings
from cms.errors import InvalidInput
from media import operations, specs
from media.specs import Fit, Format
from media.storage import Storage, UnsafeKey, check_key, content_hash, original_key
from tests.support import samples

LADDER = specs.Ladder.of(Settings())
MAX_PIXELS = LADDER.max_pixels


def make(*args, **kwargs) -> specs.Spec:
    return specs.make(*args, ladder=LADDER, **kwargs)


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"),
     ("GIF", "image/gif"), ("AVIF", "image/avif")],
)  # fmt: skip
def test_inspect_decides_the_format_from_the_bytes(fmt, content_type):
    info = operations.inspect(samples.photo((300, 200), fmt))
    assert (info.content_type, info.width, info.height) == (content_type, 300, 200)
    assert info.placeholder.startswith("data:image/webp;base64,")
    assert len(info.placeholder) < 600


def test_inspect_applies_the_exif_orientation():
    info = operations.inspect(samples.photo((300, 200), orientation=6))
    assert (info.width, info.height) == (200, 300)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.truncated(), "DAMAGED_IMAGE"),
        (samples.bomb(), "TOO_MANY_PIXELS"),
        (samples.bomb(8000, 6000), "TOO_MANY_PIXELS"),  # under Pillow's limit, over ours
        (samples.SVG, "UNSUPPORTED_FORMAT"),
        (b"<html><body>hi</body></html>", "UNSUPPORTED_FORMAT"),
        (samples.pdf("not a picture"), "UNSUPPORTED_FORMAT"),
        (samples.polyglot(), "POLYGLOT"),
        (samples.zip_polyglot(), "POLYGLOT"),
        (samples.photo((50, 50), "BMP", gps=False), "UNSUPPORTED_FORMAT"),
    ],
    ids=["truncated", "bomb", "bomb-small", "svg", "html", "pdf", "html-polyglot",
         "zip-polyglot", "bmp"],
)  # fmt: skip
def test_inspect_refuses_bad_images_with_a_code(data, code):
    with pytest.raises(operations.ImageProblem) as raised:
        operations.inspect(data)
    assert raised.value.code == code
    assert raised.value.message


def test_render_has_the_size_of_the_spec_and_no_metadata():
    data = samples.photo((1200, 800))
    out = samples.open_image(operations.render(data, make(800, None, Fit.CONTAIN), MAX_PIXELS))
    assert (out.format, out.size) == ("WEBP", (800, 533))
    assert dict(out.getexif()) == {}
    assert samples.GPS_IFD not in out.getexif()
    assert "exif" not in out.info and "xmp" not in out.info


@pytest.mark.parametrize("fmt", list(Format))
def test_render_every_format_without_exif(fmt):
    spec = make(120, 90, Fit.COVER, fmt)
    out = samples.open_image(operations.render(samples.photo((400, 300)), spec, MAX_PIXELS))
    assert out.size == (128, 96)  # on the ladder: 120 -> 128, the 4:3 box kept
    assert out.format == {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}[fmt]
    assert dict(out.getexif()) == {}


def test_render_applies_the_orientation_and_never_enlarges():
    data = samples.photo((300, 200), orientation=6)
    out = samples.open_image(operations.render(data, make(1000, None, Fit.CONTAIN), MAX_PIXELS))
    assert out.size == (200, 300)


@pytest.mark.parametrize(("focal_x", "colour"), [(0.1, "red"), (0.9, "blue")])
def test_cover_crops_around_the_focal_point(focal_x, colour):
    spec = make(100, 100, Fit.COVER, Format.PNG, focal=(focal_x, 0.5))
    out = samples.open_image(
        operations.render(samples.halves((400, 200)), spec, MAX_PIXELS)
    ).convert("RGB")
    red, _, blue = out.getpixel((50, 50))  # type: ignore[misc]
    assert (red > 200 and blue < 50) if colour == "red" else (blue > 200 and red < 50)


def test_spec_names_round_trip_and_anything_else_is_refused():
    spec = make(800, 450, Fit.COVER, Format.WEBP, 75, focal=(0.25, 0.75))
    assert spec.name == "w800-h450-cover-q80-f250x750.webp"
    assert specs.parse(spec.name, LADDER) == spec
    assert specs.parse("w800-h0-contain-q80.webp", LADDER) == make(800, None, Fit.CONTAIN)
    for name in [
        "w800-h0-contain-q80-f1x1.webp",
        "w0-h0-cover-q80.webp",
        "w9999-h0-cover-q80.png",
        "w800-h0-cover-q0.png",
        "w800-h0-cover-q80.gif",
        "w0800-h0-cover-q80.png",
        "../w800-h0-cover-q80.png",
        "w800-h450-cover-q80-f1001x5.webp",
    ]:
        with pytest.raises(InvalidInput):
            specs.parse(name, LADDER)


@pytest.mark.parametrize(
    ("args", "field"),
    [((None, None), "width"), ((0, 0), "width"), ((5000, None), "width"), ((10, -1), "height")],
)
def test_spec_bounds(args, field):
    with pytest.raises(InvalidInput) as raised:
        make(*args)
    assert raised.value.field == field
    with pytest.raises(InvalidInput):
        make(100, None, quality=101)


def test_output_size():
    cover = make(800, 450, Fit.COVER)
    assert specs.output_size((2400, 1600), cover, MAX_PIXELS) == (800, 450)
    assert specs.output_size((400, 300), cover, MAX_PIXELS) == (400, 225)
    assert specs.output_size((2400, 1600), make(800, 800, Fit.CONTAIN), MAX_PIXELS) == (800, 533)
    assert specs.output_size((2400, 1600), make(None, 400, Fit.CONTAIN), MAX_PIXELS) == (600, 400)


@pytest.mark.parametrize(
    "key",
    ["../secret_key", "originals/../../etc/passwd", "/etc/passwd", "originals/a\\b", "",
     "originals//x", "originals/.hidden", "originals/a b"],
)  # fmt: skip
def test_unsafe_keys_are_refused(key, tmp_path):
    with pytest.raises(UnsafeKey):
        check_key(key)
    with pytest.raises(UnsafeKey):
        Storage(tmp_path).path(key)


def test_the_same_bytes_are_stored_once(tmp_path):
    storage = Storage(tmp_path)
    data = samples.photo((50, 50))
    key = original_key(content_hash(data), "jpg")
    assert storage.put(key, data) is True
    assert storage.put(key, data) is False
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [f"{content_hash(data)}.jpg"]
