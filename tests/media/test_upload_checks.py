"""Uploads that are more than an image (polyglots, markup in metadata) are refused, as images
and as files; a PDF's text is extracted within a page, character and time budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms import models
from cms.config import Settings
from tests.support import samples
from tests.support.uploads import UPLOAD_FILE, UPLOAD_IMAGE, editor, stored_files, upload, uploaded

pytestmark = pytest.mark.anyio

POLYGLOTS = {
    "jpeg+zip": samples.jpeg_zip,
    "png+zip": samples.png_zip,
    "gif+zip": samples.gif_zip,
    "avif+trailing": samples.avif_trailing,
    "webp+trailing": samples.webp_trailing,
    "jpeg-comment-markup": samples.jpeg_comment_markup,
    "jpeg-comment-zip": samples.jpeg_zip_in_comment,
    "png-compressed-script": samples.png_compressed_script,
    "webp-xmp-markup": samples.webp_xmp_markup,
}


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    overrides = getattr(request, "param", {})
    return settings.with_overrides(
        tenant_cache_seconds=0.0,
        media_visibility_seconds=0.0,
        data_dir=tmp_path,
        pdf_max_pages=2,
        **overrides,
    )


@pytest.mark.parametrize("name", list(POLYGLOTS))
@pytest.mark.parametrize(
    ("mutation", "field"), [(UPLOAD_IMAGE, "uploadImage"), (UPLOAD_FILE, "uploadFile")]
)
async def test_polyglots_and_markup_in_metadata_are_refused(
    client, media_root, name, mutation, field
):
    token = await editor()
    result = await uploaded(
        await upload(
            client,
            mutation,
            POLYGLOTS[name](),
            "photo.jpg",
            {"alt": "x", "title": "x"},
            token=token,
        ),
        field,
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "POLYGLOT")]
    assert "polyglot" in result["errors"][0]["message"]
    assert stored_files(media_root) == []
    assert await models.Image.all().count() == 0 and await models.File.all().count() == 0


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP", "AVIF"])
async def test_honest_images_with_metadata_are_still_accepted(client, fmt):
    token = await editor()
    result = await uploaded(
        await upload(
            client, UPLOAD_IMAGE, samples.photo((120, 80), fmt), "p", {"alt": ""}, token=token
        ),
        "uploadImage",
    )
    assert result["errors"] == []


async def test_a_pdf_over_a_pypdf_limit_is_a_damaged_file(client, media_root):
    token = await editor()
    result = await uploaded(
        await upload(
            client,
            UPLOAD_FILE,
            samples.pdf_over_a_pypdf_limit(),
            "x.pdf",
            {"title": ""},
            token=token,
        ),
        "uploadFile",
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "DAMAGED_FILE")]
    assert stored_files(media_root) == []


async def test_only_the_first_pages_of_a_pdf_are_read(client):
    token = await editor()
    data = samples.pdf_pages("alpha one", "beta two", "gamma three")
    result = await uploaded(
        await upload(client, UPLOAD_FILE, data, "x.pdf", {"title": ""}, token=token), "uploadFile"
    )
    assert result["file"]["text"] == "alpha one\nbeta two"  # pdf_max_pages=2


@pytest.mark.parametrize("app_settings", [{"pdf_max_chars": 12}], indirect=True)
async def test_pdf_text_stops_at_the_character_cap(client):
    token = await editor()
    data = samples.pdf_pages("alpha one", "beta two", "gamma three")
    result = await uploaded(
        await upload(client, UPLOAD_FILE, data, "x.pdf", {"title": ""}, token=token), "uploadFile"
    )
    assert result["file"]["text"] == "alpha one\nbe"


@pytest.mark.parametrize("app_settings", [{"pdf_max_seconds": 0.0}], indirect=True)
async def test_pdf_text_stops_at_the_deadline_between_pages(client):
    token = await editor()
    data = samples.pdf_pages("alpha one", "beta two", "gamma three")
    result = await uploaded(
        await upload(client, UPLOAD_FILE, data, "x.pdf", {"title": ""}, token=token), "uploadFile"
    )
    assert result["errors"] == []
    assert result["file"]["text"] == "alpha one"  # the first page, then the budget is spent
