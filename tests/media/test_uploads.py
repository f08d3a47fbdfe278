"""Uploads through the GraphQL multipart request spec: checks, storage, permissions, PDFs."""

from __future__ import annotations

import json

import pytest

from cms import models
from cms.config import Settings
from tests.support import samples
from tests.support.api import data_of
from tests.support.uploads import (
    UPLOAD_FILE,
    UPLOAD_IMAGE,
    editor,
    stored_files,
    upload,
    uploaded,
)

pytestmark = pytest.mark.anyio


async def test_an_editor_uploads_an_image(client, media_root):
    token = await editor()
    data = samples.photo((640, 480))
    response = await upload(
        client,
        UPLOAD_IMAGE,
        data,
        "holiday.jpg",
        {"alt": " Team ", "focal": {"x": 0.2, "y": 0.3}},
        token=token,
    )
    result = await uploaded(response, "uploadImage")
    assert result["errors"] == []
    image = result["image"]
    assert image["contentType"] == "image/jpeg"
    assert (image["width"], image["height"], image["size"]) == (640, 480, len(data))
    assert image["alt"] == "Team"
    assert image["focalPoint"] == {"x": 0.2, "y": 0.3}
    assert image["placeholder"].startswith("data:image/webp;base64,")
    assert image["url"].startswith("/media/originals/")
    [stored] = stored_files(media_root)
    assert stored.read_bytes() == data
    entry = await models.AuditEntry.get(content_type="Image")
    assert (entry.action, entry.token_name) == ("upload", "editor-act")


async def test_the_same_bytes_twice_are_stored_once(client, media_root):
    token = await editor()
    data = samples.photo((100, 80))
    first = await uploaded(
        await upload(client, UPLOAD_IMAGE, data, "a.jpg", {"alt": "a"}, token=token), "uploadImage"
    )
    second = await uploaded(
        await upload(client, UPLOAD_IMAGE, data, "b.jpg", {"alt": "b"}, token=token), "uploadImage"
    )
    assert first["image"]["id"] != second["image"]["id"]
    assert first["image"]["url"] == second["image"]["url"]
    assert len(stored_files(media_root)) == 1
    assert await models.Image.all().count() == 2


async def test_the_format_comes_from_the_bytes_not_the_name(client):
    token = await editor()
    response = await upload(
        client, UPLOAD_IMAGE, samples.photo((60, 40), "PNG"), "photo.jpg", {"alt": ""}, token=token
    )
    image = (await uploaded(response, "uploadImage"))["image"]
    assert image["contentType"] == "image/png"
    assert image["url"].endswith(".png")


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (samples.truncated(), "photo.jpg", "DAMAGED_IMAGE"),
        (samples.bomb(), "bomb.png", "TOO_MANY_PIXELS"),
        (samples.SVG, "logo.svg", "UNSUPPORTED_FORMAT"),
        (samples.SVG, "logo.png", "UNSUPPORTED_FORMAT"),
        (samples.polyglot(), "innocent.jpg", "POLYGLOT"),
        (samples.zip_polyglot(), "innocent.jpg", "POLYGLOT"),
        (samples.pdf("I am a PDF"), "photo.jpg", "UNSUPPORTED_FORMAT"),
        (b"", "empty.jpg", "EMPTY_FILE"),
    ],
    ids=["truncated", "bomb", "svg", "svg-named-png", "html-polyglot", "zip-polyglot",
         "pdf-named-jpg", "empty"],
)  # fmt: skip
async def test_bad_images_get_a_clear_error_and_store_nothing(
    client, media_root, data, filename, code
):
    token = await editor()
    result = await uploaded(
        await upload(client, UPLOAD_IMAGE, data, filename, {"alt": "x"}, token=token),
        "uploadImage",
    )
    assert result["image"] is None
    [error] = result["errors"]
    assert (error["field"], error["code"]) == ("file", code)
    assert error["message"]
    assert stored_files(media_root) == []
    assert await models.Image.all().count() == 0


async def test_focal_point_out_of_range_is_a_field_error(client, media_root):
    token = await editor()
    result = await uploaded(
        await upload(
            client,
            UPLOAD_IMAGE,
            samples.photo((60, 40)),
            "a.jpg",
            {"alt": "", "focal": {"x": 1.5, "y": 0.5}},
            token=token,
        ),
        "uploadImage",
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("focalPoint", "OUT_OF_RANGE")]
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("who", "tenant", "code"),
    [
        ("nobody", "act", "PERMISSION_DENIED"),
        ("viewer", "act", "PERMISSION_DENIED"),
        ("other-tenant", "act", "PERMISSION_DENIED"),
        ("editor", None, "TENANT_REQUIRED"),
    ],
)
async def test_uploads_need_a_token_that_may_create_in_the_tenant(
    client, media_root, who, tenant, code
):
    token = await editor("act")
    if who == "viewer":
        token = await editor("act", role="viewer")
    elif who == "other-tenant":
        token = await editor("inspire")
    result = await uploaded(
        await upload(
            client,
            UPLOAD_IMAGE,
            samples.photo((60, 40)),
            "a.jpg",
            {"alt": ""},
            token=None if who == "nobody" else token,
            tenant=tenant,
        ),
        "uploadImage",
    )
    assert [e["code"] for e in result["errors"]] == [code]
    result = await uploaded(
        await upload(
            client,
            UPLOAD_FILE,
            samples.pdf("x"),
            "a.pdf",
            {"title": ""},
            token=None if who == "nobody" else token,
            tenant=tenant,
        ),
        "uploadFile",
    )
    assert [e["code"] for e in result["errors"]] == [code]
    assert stored_files(media_root) == []


@pytest.fixture
def app_settings(settings: Settings, tmp_path) -> Settings:
    """Every upload here is small; a 1 MiB limit keeps the over-the-limit test fast."""
    return settings.with_overrides(tenant_cache_seconds=0.0, data_dir=tmp_path, max_upload_mb=1)


async def test_a_file_over_the_limit_is_refused(client, media_root):
    token = await editor()
    too_big = samples.pdf("big") + b"%" + b"x" * (1024 * 1024)  # just over 1 MiB
    result = await uploaded(
        await upload(client, UPLOAD_FILE, too_big, "big.pdf", {"title": ""}, token=token),
        "uploadFile",
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", "FILE_TOO_LARGE")]
    far_too_big = b"x" * (3 * 1024 * 1024)
    response = await upload(
        client, UPLOAD_FILE, far_too_big, "huge.bin", {"title": ""}, token=token
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert stored_files(media_root) == []


async def test_a_pdf_keeps_its_text_for_search(client, media_root):
    token = await editor()
    data = samples.pdf("Gender Equality Plans in research funding", "Résumé of the toolkit")
    result = await uploaded(
        await upload(
            client,
            UPLOAD_FILE,
            data,
            "../../GEP toolkit.pdf",
            {"title": "GEP toolkit"},
            token=token,
        ),
        "uploadFile",
    )
    file = result["file"]
    assert file["contentType"] == "application/pdf"
    assert file["filename"] == "GEP toolkit.pdf"  # the client's path is dropped
    assert "Gender Equality Plans in research funding" in file["text"]
    assert "Résumé" in file["text"]
    row = await models.File.get()
    assert "toolkit" in row.text
    assert file["url"].startswith("/media/files/")
    assert (await client.get(file["url"])).status_code == 404  # no published item uses it
    response = await client.get(file["url"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert response.headers["content-disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (b"name,role\nAna,expert\n", "people.csv", "text/csv"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64, "talk.mp4",
         "video/mp4"),
        (samples.photo((40, 30), "PNG"), "chart.pdf", "image/png"),
    ],
)  # fmt: skip
async def test_other_files_keep_their_sniffed_type(client, data, filename, content_type):
    token = await editor()
    result = await uploaded(
        await upload(client, UPLOAD_FILE, data, filename, {"title": ""}, token=token), "uploadFile"
    )
    assert result["file"]["contentType"] == content_type
    assert result["file"]["title"] == filename
    assert result["file"]["text"] == ""


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.SVG, "UNSUPPORTED_FORMAT"),
        (b"<!doctype html><script>alert(1)</script>", "UNSUPPORTED_FORMAT"),
        (b"%PDF-1.4\n" + b"\x00garbage" * 20, "DAMAGED_FILE"),
        (samples.truncated(), "DAMAGED_IMAGE"),
    ],
    ids=["svg", "html", "broken-pdf", "truncated-image"],
)
async def test_bad_files_get_a_clear_error_and_store_nothing(client, media_root, data, code):
    token = await editor()
    result = await uploaded(
        await upload(client, UPLOAD_FILE, data, "doc.pdf", {"title": ""}, token=token),
        "uploadFile",
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("file", code)]
    assert stored_files(media_root) == []
    assert await models.File.all().count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"map": "{}"}, "needs `operations` and `map`"),
        ({"operations": "[]", "map": "{}"}, "one JSON object"),
        ({"operations": "{", "map": "{}"}, "not valid JSON"),
        ({"operations": json.dumps({"query": "{ site { slug } }", "variables": {"file": None}}),
          "map": json.dumps({"0": ["variables.file"]})}, "missing file part"),
        ({"operations": json.dumps({"query": "{ site { slug } }", "variables": {}}),
          "map": json.dumps({"0": ["variables.nope"]})}, "names no variable"),
    ],
)  # fmt: skip
async def test_malformed_multipart_requests_are_request_errors(client, fields, message):
    files = {"0": ("a.txt", b"hello", "text/plain")} if "nope" in fields.get("map", "") else None
    response = await client.post("/graphql", data=fields, files=files or {"x": ("x", b"x")})
    assert response.status_code == 400, response.text
    assert message in response.json()["errors"][0]["message"]


async def test_json_requests_still_work_beside_uploads(client):
    await editor()
    assert await data_of(client, "{ site { slug } }", tenant="act") == {"site": {"slug": "act"}}
