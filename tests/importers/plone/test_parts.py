"""The parts of the Plone importer: rich text rewriting, field mapping and reading exports."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image as PILImage

from cms import models
from importers.plone import import_plone, mapping
from importers.plone.html import Target, make_safe, referenced_uids, rewrite_links
from importers.plone.source import ExportError, FolderBlobs, ItemProblem, ZipBlobs, open_export
from tests import factories

UID = "0123456789abcdef0123456789abcdef"
BRUSSELS = ZoneInfo("Europe/Brussels")


def _resolve(uid: str) -> Target | None:
    if uid != UID:
        return None
    return Target("/about/team", download_url="/media/x.pdf", image=None)


def _image_target(uid: str) -> Target | None:
    return Target("/media/o.png", image=lambda w: f"/r/{w}" if w else "/media/o.png")


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (f"resolveuid/{UID}", "/about/team"),
        (f"../resolveuid/{UID}", "/about/team"),
        (f"http://localhost:8080/Plone/resolveuid/{UID}#contact", "/about/team#contact"),
        (f"resolveUid/{UID.upper()}/view", "/about/team"),
        (f"resolveuid/{UID}/@@download/file", "/media/x.pdf"),
        ("resolveuid/" + "f" * 32, "resolveuid/" + "f" * 32),
        ("https://example.org/resolveuid-is-not-this", "https://example.org/resolveuid-is-not-this"),
    ],
)  # fmt: skip
def test_resolveuid_links_become_the_imported_items_addresses(href, expected):
    result = rewrite_links(f'<p><a href="{href}">x</a></p>', _resolve)
    assert f'href="{expected}"' in result.html
    assert result.unresolved == (["ffffffffffffffffffffffffffffffff"] if "ffff" in href else [])


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (f"resolveuid/{UID}/@@images/image/preview", "/r/400"),
        (f"resolveuid/{UID}/@@images/image/large", "/r/800"),
        (f"resolveuid/{UID}/image_thumb", "/r/128"),
        (f"resolveuid/{UID}/@@images/image", "/media/o.png"),
        (f"resolveuid/{UID}", "/media/o.png"),
    ],
)
def test_image_scales_become_renditions_about_as_wide(src, expected):
    assert f'src="{expected}"' in rewrite_links(f'<img src="{src}">', _image_target).html


def test_referenced_uids_are_found_in_links_and_images():
    text = f'<a href="resolveuid/{UID}">a</a><img src="../resolveuid/{"a" * 32}/image_mini">'
    assert referenced_uids(text) == {UID, "a" * 32}


def test_frames_become_links_and_active_content_is_removed():
    text = (
        '<p onclick="steal()">Hi</p><iframe src="//www.youtube.com/embed/abc"></iframe>'
        "<script>alert(1)</script>"
    )
    safe, removed = make_safe(text)
    assert '<a href="https://www.youtube.com/embed/abc"' in safe
    assert "onclick" not in safe and "<script" not in safe and "alert" not in safe
    assert removed[0].startswith("an embedded frame") and len(removed) == 2


def test_naive_dates_are_read_in_the_zone_and_bad_ones_refuse_the_item():
    assert mapping.parse_date("2024-03-05T10:00:00", BRUSSELS, "effective") == datetime(
        2024, 3, 5, 10, tzinfo=BRUSSELS
    )
    aware = mapping.parse_date("2024-03-05T10:00:00+00:00", BRUSSELS, "effective")
    assert aware is not None and aware.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert mapping.parse_date(None, BRUSSELS, "expires") is None
    with pytest.raises(ItemProblem, match="effective"):
        mapping.parse_date("next tuesday", BRUSSELS, "effective")


def test_events_map_whole_days_open_ends_and_online_formats():
    whole = mapping.event_fields(
        {"start": "2025-06-12T09:00:00+02:00", "end": "2025-06-13T10:00:00+02:00",
         "whole_day": True, "location": "Brussels"}, BRUSSELS,
    )  # fmt: skip
    assert whole["start"] == datetime(2025, 6, 12, tzinfo=BRUSSELS)
    assert whole["end"] == datetime(2025, 6, 13, 23, 59, 59, tzinfo=BRUSSELS)
    assert whole["format"] == models.EventFormat.IN_PERSON
    open_end = mapping.event_fields(
        {"start": "2025-06-12T18:00:00", "open_end": True, "location": "Webinar on Teams",
         "contact_email": "not an email", "event_url": "javascript:alert(1)"}, BRUSSELS,
    )  # fmt: skip
    assert open_end["end"] == datetime(2025, 6, 12, 23, 59, 59, tzinfo=BRUSSELS)
    assert open_end["format"] == models.EventFormat.ONLINE
    assert open_end["contact_email"] == "" and open_end["registration_url"] == ""
    with pytest.raises(ItemProblem, match="no start"):
        mapping.event_fields({"end": "2025-06-12T18:00:00"}, BRUSSELS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", "pt"), ("##DEFAULT##", "pt"), (None, "pt"), ("en", "en"), ("pt_BR", "pt-BR"),
     ("EN-gb", "en-gb"), ("not a language!", "pt"), ({"token": "es"}, "es")],
)  # fmt: skip
def test_languages_are_normalised_and_empty_ones_are_the_tenants(value, expected):
    assert mapping.language({"language": value}, "pt") == expected


def test_segments_come_from_plone_ids_without_file_extensions():
    assert mapping.segment("Annual_Report.PDF", "", UID) == "annual-report"
    assert mapping.segment("", "Über uns", UID) == "uber-uns"
    assert mapping.segment("...", "", UID) == f"item-{UID[:8]}"


def test_subjects_become_unique_tag_slugs():
    assert mapping.subjects({"subjects": ["Gender budgeting", "gender  budgeting", "GEP", 3]}) == [
        ("gender-budgeting", "Gender budgeting"), ("gep", "GEP"),
    ]  # fmt: skip


def test_blob_paths_cannot_leave_their_folder(tmp_path):
    (tmp_path / "blobs").mkdir()
    (tmp_path / "blobs" / "a.bin").write_bytes(b"ok")
    (tmp_path / "secret").write_bytes(b"secret")
    (tmp_path / "blobs" / "link").symlink_to(tmp_path / "secret")
    blobs = FolderBlobs(tmp_path / "blobs")
    assert blobs.read("a.bin", 100) == b"ok"
    for bad in ("../secret", "/etc/passwd", "link", "x/../../secret", "", "C:/windows"):
        with pytest.raises(ItemProblem):
            blobs.read(bad, 100)
    with pytest.raises(ItemProblem, match="upload limit"):
        blobs.read("a.bin", 1)


def test_zip_blobs_are_checked_by_name_and_size_before_inflating():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content/u/file/a.pdf", b"%PDF-" + b"0" * 10_000)
        archive.writestr("outside.txt", b"no")
    blobs = ZipBlobs(zipfile.ZipFile(buffer), "content/")
    assert blobs.read("u/file/a.pdf", 100_000).startswith(b"%PDF-")
    with pytest.raises(ItemProblem, match="upload limit"):
        blobs.read("u/file/a.pdf", 100)
    with pytest.raises(ItemProblem, match="leaves"):
        blobs.read("../outside.txt", 100)
    with pytest.raises(ItemProblem, match="names no file"):
        blobs.read("u/file/missing.pdf", 100)


def test_a_zip_without_content_is_refused(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ExportError, match="content"):
        open_export(path)


def test_malformed_item_files_of_a_plone_exportimport_folder_are_skipped_alone(tmp_path):
    content = tmp_path / "content"
    (content / "good").mkdir(parents=True)
    (content / "good" / "data.json").write_text(json.dumps({"UID": "g" * 32, "@type": "Folder"}))
    (content / "bad").mkdir()
    (content / "bad" / "data.json").write_text("{nope")
    export = open_export(tmp_path)
    problems = {item.origin: item.problem for item in export.items}
    assert problems["content/good/data.json"] is None
    assert "not valid JSON" in (problems["content/bad/data.json"] or "")


@pytest.mark.anyio
async def test_image_scales_in_bodies_are_signed_renditions_that_serve(
    client, settings, clean_database, tmp_path
):
    await factories.tenant(slug="wide")
    buffer = io.BytesIO()
    PILImage.new("RGB", (1200, 800), (20, 120, 200)).save(buffer, "PNG")
    import base64

    root = {"@id": "http://x/Plone", "@type": "Plone Site", "UID": "f" * 32}
    image_uid, page_uid = "1" * 32, "2" * 32
    items = [
        {"@type": "Image", "UID": image_uid, "id": "photo.png", "title": "Photo", "parent": root,
         "image": {"data": base64.b64encode(buffer.getvalue()).decode(), "encoding": "base64",
                   "filename": "photo.png", "content-type": "image/png"}},
        {"@type": "Document", "UID": page_uid, "id": "gallery", "title": "Gallery",
         "review_state": "published", "effective": "2024-01-01T00:00:00", "parent": root,
         "text": {"data": f'<img src="resolveuid/{image_uid}/@@images/image/preview">',
                  "content-type": "text/html"}},
    ]  # fmt: skip
    export = tmp_path / "export.json"
    export.write_text(json.dumps(items))
    report = await import_plone(settings, "wide", export)
    assert report.total("imported") == 2
    page = await models.Page.get(source_uid=page_uid)
    src = page.body.split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/media/renditions/") and "w400-h0-contain" in src
    response = await client.get(src)
    assert response.status_code == 200
    assert PILImage.open(io.BytesIO(response.content)).size == (400, 267)


def test_a_missing_blobs_folder_is_refused(tmp_path):
    export = tmp_path / "export.json"
    export.write_text("[]")
    with pytest.raises(ExportError, match="blobs folder"):
        open_export(export, Path(tmp_path / "nowhere"))
