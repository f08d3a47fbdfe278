"""What an anonymous caller can make the server render: sizes and qualities from a ladder,
capped pixels, a few renders at a time, and a store that keeps to its budget."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cms.config import Settings
from media import operations, renditions, specs
from tests.support import samples
from tests.support.api import data_of
from tests.support.uploads import (
    UPLOAD_IMAGE,
    editor,
    published_resource,
    upload,
    upload_photo_and_pdf,
    uploaded,
)

pytestmark = pytest.mark.anyio

RENDITION = """
query ($slug: String!, $w: Int, $h: Int, $q: Int, $fit: RenditionFit!, $format: RenditionFormat!) {
  resource(slug: $slug) { coverImage { rendition(width: $w, height: $h, quality: $q, fit: $fit,
    format: $format) { url width height } } }
}
"""


CAP = 1_000_000


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0,
        media_visibility_seconds=0.0,
        data_dir=tmp_path,
        rendition_concurrency=1,
        rendition_store_mb=4,
        rendition_max_pixels=CAP,
    )


async def a_published_photo(client, data: bytes | None = None) -> tuple[str, str]:
    """A published resource with a cover photo; (token, slug)."""
    token = await editor()
    image_id, file_id = await upload_photo_and_pdf(client, token)
    if data is not None:
        image_id = (
            await uploaded(
                await upload(client, UPLOAD_IMAGE, data, "noise.jpg", {"alt": "n"}, token=token),
                "uploadImage",
            )
        )["image"]["id"]
    return token, await published_resource(client, token, "Photo", image_id, file_id)


async def rendition(client, slug: str, **args: Any) -> dict[str, Any]:
    variables = {"slug": slug, "fit": "CONTAIN", "format": "WEBP", **args}
    data = await data_of(client, RENDITION, variables, tenant="act")
    return data["resource"]["coverImage"]["rendition"]


async def test_sizes_and_qualities_snap_to_the_ladder(client):
    _, slug = await a_published_photo(client)
    urls = set()
    for width, quality in [(1000, 43), (1011, 52), (1024, 54)]:
        made = await rendition(client, slug, w=width, q=quality)
        assert made["url"].endswith("/w1024-h0-contain-q50.webp")
        assert (made["width"], made["height"]) == (1024, 683)
        urls.add(made["url"])
    assert len(urls) == 1  # one rendition, whatever the caller asked
    cover = await rendition(client, slug, w=700, h=390, fit="COVER")
    assert cover["url"].rsplit("/", 1)[1].startswith("w800-h450-cover-q80")  # 16:9 kept
    tall = await rendition(client, slug, h=1100)
    assert tall["url"].rsplit("/", 1)[1] == "w0-h1280-contain-q80.webp"


async def test_a_signed_spec_off_the_ladder_is_refused_before_any_work(
    client, app_settings, monkeypatch
):
    _, slug = await a_published_photo(client)
    made = await rendition(client, slug, w=800)
    source = made["url"].split("/", 4)[4].rsplit("/", 1)[0]

    def must_not_render(*args: Any) -> bytes:
        raise AssertionError("rendered an off-ladder spec")

    monkeypatch.setattr(operations, "render", must_not_render)
    signer = renditions.signer_for(app_settings)
    for name in (
        "w1000-h0-contain-q80.webp",
        "w800-h0-contain-q43.webp",
        "w800-h333-cover-q80.webp",
    ):
        path = f"{source}/{name}"
        response = await client.get(f"/media/renditions/{signer.sign(path)}/{path}")
        assert response.status_code == 404, name


async def test_output_pixels_are_capped(client):
    _, slug = await a_published_photo(client)  # 2400 x 1600
    made = await rendition(client, slug, w=3200)
    assert made["url"].endswith("/w3200-h0-contain-q80.webp")
    assert made["width"] * made["height"] <= CAP < 2400 * 1600
    served = await client.get(made["url"])
    assert samples.open_image(served.content).size == (made["width"], made["height"])


async def test_renders_run_under_the_concurrency_limit(client, monkeypatch):
    _, slug = await a_published_photo(client)
    urls = [(await rendition(client, slug, w=w))["url"] for w in (256, 400, 640, 800)]
    active, most = 0, 0
    guard = threading.Lock()
    real = operations.render

    def tracking(data: bytes, spec: Any, max_pixels: int) -> bytes:
        nonlocal active, most
        with guard:
            active += 1
            most = max(most, active)
        time.sleep(0.05)  # long enough for the others to start, were they allowed to
        try:
            return real(data, spec, max_pixels)
        finally:
            with guard:
                active -= 1

    monkeypatch.setattr(operations, "render", tracking)
    responses = await asyncio.gather(*(client.get(url) for url in urls))
    assert [r.status_code for r in responses] == [200] * 4
    assert most == 1  # rendition_concurrency=1 here


def noise(size: tuple[int, int] = (2400, 1800)) -> bytes:
    image = Image.effect_noise(size, 90).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def store_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "renditions").rglob("*") if p.is_file())


async def test_the_store_keeps_to_its_budget_evicting_the_least_recently_used(
    client, media_root, monkeypatch
):
    _, slug = await a_published_photo(client, noise())
    budget = 4 * 1024 * 1024
    calls: list[str] = []
    real = operations.render

    def counting(data: bytes, spec: Any, max_pixels: int) -> bytes:
        calls.append(spec.name)
        return real(data, spec, max_pixels)

    monkeypatch.setattr(operations, "render", counting)
    urls = [(await rendition(client, slug, w=w, format="PNG"))["url"] for w in (1280, 1600, 1920)]
    for url in urls:
        assert (await client.get(url)).status_code == 200
        assert store_bytes(media_root) <= budget
    assert len(calls) == 3
    newest = media_root / "renditions" / urls[-1].split("/", 4)[4]
    oldest = media_root / "renditions" / urls[0].split("/", 4)[4]
    assert newest.is_file() and not oldest.is_file()
    assert (await client.get(urls[0])).status_code == 200  # made again on demand
    assert len(calls) == 4
    assert store_bytes(media_root) <= budget


def test_pillow_refuses_bombs_at_our_limit():
    assert Image.MAX_IMAGE_PIXELS == operations.MAX_PIXELS
    assert specs.Ladder.of(Settings()).max_pixels == Settings().rendition_max_pixels


def test_ladder_settings_come_from_the_environment():
    from cms.config import SettingsError

    settings = Settings.from_env(
        {
            "CMS_RENDITION_WIDTHS": "800, 400,800",
            "CMS_RENDITION_QUALITIES": "75",
            "CMS_RENDITION_STORE_MB": "64",
            "CMS_PDF_MAX_SECONDS": "2.5",
        }
    )
    assert settings.rendition_widths == (400, 800)
    assert settings.rendition_qualities == (75,)
    assert (settings.rendition_store_mb, settings.pdf_max_seconds) == (64, 2.5)
    for env in (
        {"CMS_RENDITION_WIDTHS": "800,wide"},
        {"CMS_RENDITION_WIDTHS": "8"},
        {"CMS_RENDITION_QUALITIES": "0,50"},
        {"CMS_PDF_MAX_SECONDS": "-1"},
    ):
        with pytest.raises(SettingsError):
            Settings.from_env(env)


def test_every_snapped_spec_is_its_own_snap():
    """One canonical name per rendition: snapping is idempotent over the whole ladder."""
    ladder = specs.Ladder.of(Settings())
    for width in range(1, 4001, 7):
        for height in (0, 1, 90, 333, 1000, 4000):
            for fit in specs.Fit:
                spec = specs.make(width, height, fit, specs.Format.WEBP, 77, ladder=ladder)
                assert ladder.allows(spec), spec
                assert specs.parse(spec.name, ladder) == spec
