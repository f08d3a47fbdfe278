"""`cms import-plone`: both export formats into a tenant, read back through GraphQL over HTTP.

The fixtures (fixtures/README.md beside this file lists every item) are a
collective.exportimport export of 40 items with blobs and a translations file, and a
plone.exportimport folder that the tests zip.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cms import models
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from importers.plone import IMPORTER, ExportError, ImportReport, import_plone
from tests import factories
from tests.importers.plone.fixtures.make_zip import make_zip
from tests.support.api import data_of

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CEI = FIXTURES / "cei"
EXPORT = CEI / "export.json"
BLOBS = CEI / "blobs"
TRANSLATIONS = CEI / "translations.json"
BRUSSELS = ZoneInfo("Europe/Brussels")
TEAM = "d0c50000000000000000000000000001"
HOW_TO_JOIN = "d0c50000000000000000000000000002"
INTERNAL_NOTES = "d0c50000000000000000000000000003"
TOOLKIT_NEWS = "4e550000000000000000000000000001"
WEBINAR_NEWS = "4e550000000000000000000000000002"
PRIVATE_NEWS = "4e550000000000000000000000000005"
ONLINE_EVENT = "e7e40000000000000000000000000003"


def _items() -> list[dict[str, Any]]:
    return json.loads(EXPORT.read_text())


def _by_uid(items: list[dict[str, Any]], uid: str) -> dict[str, Any]:
    return next(item for item in items if item["UID"] == uid)


def _write(items: list[dict[str, Any]], tmp_path: Path, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items))
    return path


async def _import(settings: Any, path: Path = EXPORT, tenant: str = "genera", **kw: Any) -> Any:
    kw.setdefault("blobs", BLOBS)
    kw.setdefault("translations", TRANSLATIONS)
    return await import_plone(settings, tenant, path, **kw)


async def _state() -> dict[str, Any]:
    """Every table an import writes: content rows (with versions), media, tags, history."""
    state = await factories.database_state()
    for model in (models.Image, models.File):
        rows = await model.all().order_by("id").values_list("id", "content_hash", "source_uid")
        state[f"{model.__name__}:rows"] = [tuple(r) for r in rows]
    return state


def _live(item: dict[str, Any], now: datetime) -> bool:
    """Whether Plone's anonymous visitors see the item: published, effective, not expired."""
    if item.get("review_state") != "published":
        return False
    for key, test in (("effective", lambda d: d <= now), ("expires", lambda d: d > now)):
        if item.get(key):
            when = datetime.fromisoformat(item[key])
            when = when if when.tzinfo else when.replace(tzinfo=BRUSSELS)
            if not test(when):
                return False
    return True


@pytest.fixture
async def genera(clean_database: None) -> models.Tenant:
    return await factories.tenant(slug="genera", name="GENERA", default_language="en")


# -- the "Done when" scenario ------------------------------------------------------------


async def test_an_export_becomes_the_same_public_site_and_a_second_run_changes_nothing(
    client, settings, genera
):
    report = await _import(settings)
    items = _items()
    now = datetime.now(UTC)
    assert report.total("imported") == 38 and report.total("updated") == 0
    assert report.counts["Collection"]["skipped"] == 1
    assert report.counts["FormFolder"]["skipped"] == 1

    counts = await data_of(
        client,
        """{ pages(first: 100) { totalCount } news(first: 100) { totalCount }
             events(first: 100, filter: {when: ALL}) { totalCount } }""",
        tenant="genera",
    )
    live = lambda types: sum(1 for i in items if i["@type"] in types and _live(i, now))  # noqa: E731
    assert counts["pages"]["totalCount"] == live({"Document", "Folder"}) == 12
    assert counts["news"]["totalCount"] == live({"News Item"}) == 4
    assert counts["events"]["totalCount"] == live({"Event"}) == 5

    plone = _by_uid(items, TOOLKIT_NEWS)
    news = (
        await data_of(
            client,
            """{ newsItem(slug: "gender-budgeting-toolkit-published") {
                 title summary publishedAt sourceUid tags { slug name }
                 image { url alt width } } }""",
            tenant="genera",
        )
    )["newsItem"]
    assert news["title"] == plone["title"] and news["summary"] == plone["description"]
    assert news["sourceUid"] == TOOLKIT_NEWS
    assert {t["name"] for t in news["tags"]} == set(plone["subjects"])
    effective = datetime.fromisoformat(plone["effective"]).replace(tzinfo=BRUSSELS)
    assert datetime.fromisoformat(news["publishedAt"]) == effective
    assert news["image"]["alt"] == plone["image_caption"]
    lead = await client.get(news["image"]["url"])
    assert lead.status_code == 200 and lead.headers["content-type"].startswith("image/")

    team = (
        await data_of(
            client, '{ page(path: "about/team") { body translations { path language } } }',
            tenant="genera",
        )
    )["page"]  # fmt: skip
    assert 'href="/about/how-to-join"' in team["body"] and "resolveuid" not in team["body"]
    linked = await data_of(client, '{ page(path: "about/how-to-join") { sourceUid } }',
                           tenant="genera")  # fmt: skip
    assert linked["page"]["sourceUid"] == HOW_TO_JOIN
    for url in _urls(team["body"], "/media/"):  # the embedded photo and the charter PDF
        assert (await client.get(url)).status_code == 200, url
    assert team["translations"] == [{"path": "sobre/equipo", "language": "es"}]

    toolkit = (
        await data_of(
            client,
            """{ resource(slug: "gender-budgeting-toolkit") { kind attachments { url text } } }""",
            tenant="genera",
        )
    )["resource"]
    assert toolkit["kind"] == "REPORT"
    assert "gender budgeting toolkit" in toolkit["attachments"][0]["text"].lower()
    assert (await client.get(toolkit["attachments"][0]["url"])).status_code == 200

    before = await _state()
    again = await _import(settings)
    assert (again.total("imported"), again.total("updated")) == (0, 0)
    assert again.total("unchanged") == 38
    assert await _state() == before


def _urls(html: str, prefix: str) -> list[str]:
    import re

    return [u for u in re.findall(r'(?:href|src)="([^"]+)"', html) if u.startswith(prefix)]


async def test_every_item_is_written_through_the_services_with_history(settings, genera):
    await _import(settings)
    for model, name in ((models.Page, "Page"), (models.NewsItem, "NewsItem")):
        for row in await model.filter(tenant=genera):
            revisions = await models.Revision.filter(content_type=name, object_id=row.id)
            assert revisions and all(r.author_name == IMPORTER.name for r in revisions)
            assert await models.OutboxEvent.filter(content_type=name, object_id=row.id).exists()
            assert await models.AuditEntry.filter(content_type=name, object_id=row.id).exists()


async def test_workflow_states_dates_and_events_map_as_documented(settings, genera):
    await _import(settings)
    assert (await models.Page.get(source_uid=INTERNAL_NOTES)).status == models.Status.DRAFT
    assert (await models.NewsItem.get(source_uid=PRIVATE_NEWS)).status == models.Status.DRAFT
    scheduled = await models.NewsItem.get(slug="support-packages-call-2031")
    assert scheduled.status == models.Status.PUBLISHED
    assert scheduled.published_at == datetime(2031, 1, 1, 9, tzinfo=BRUSSELS)
    expired = await models.NewsItem.get(slug="call-for-abstracts-2019")
    assert expired.expires_at == datetime(2020, 1, 31, 23, 59, tzinfo=BRUSSELS)
    online = await models.Event.get(source_uid=ONLINE_EVENT)
    assert online.format == models.EventFormat.ONLINE
    assert online.registration_url.startswith("https://zoom.us/")
    whole_day = await models.Event.get(slug="gep-implementation-day")
    start, end = whole_day.start.astimezone(BRUSSELS), whole_day.end.astimezone(BRUSSELS)
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 23, 59)
    naive = await models.Event.get(slug="annual-assembly-2025")
    assert naive.start == datetime(2025, 11, 6, 10, tzinfo=BRUSSELS)
    media = await models.Page.get(tenant=genera, path="media")
    assert media.show_in_menu is False
    welcome = await models.Page.get(tenant=genera, path="welcome")
    assert welcome.language == "en"  # empty in Plone: the tenant's default
    embed = await models.Page.get(tenant=genera, path="about/video-embed")
    assert "<script" not in embed.body and "onclick" not in embed.body
    assert 'href="https://www.youtube.com/embed/' in embed.body  # the frame kept as a link


async def test_naive_dates_are_read_in_the_timezone_asked_for(settings, genera):
    await _import(settings, timezone="America/New_York")
    news = await models.NewsItem.get(source_uid=TOOLKIT_NEWS)
    assert news.published_at == datetime(2024, 3, 5, 10, tzinfo=ZoneInfo("America/New_York"))
    with pytest.raises(ExportError, match="timezone"):
        await _import(settings, timezone="Mars/Olympus")


async def test_a_plone_exportimport_zip_imports_with_its_translations(
    client, settings, genera, tmp_path
):
    archive = make_zip(FIXTURES / "exportimport", tmp_path / "export.zip")
    report = await import_plone(settings, "genera", archive)
    assert report.format == "plone.exportimport"
    assert report.total("imported") == 10 and report.total("skipped") == 0
    data = await data_of(
        client,
        """{ front: page(path: "front-page") { body language }
             contact: page(path: "about/contact") { body }
             mission: page(path: "about/mission") { translations { path language } }
             draft: page(path: "about/internal-minutes") { title }
             news(first: 5) { edges { node { title image { url } } } } }""",
        tenant="genera",
    )
    assert "<p>" in data["front"]["body"] and data["front"]["language"] == "en"
    assert 'href="/about/mission"' in data["contact"]["body"]
    assert data["mission"]["translations"] == [{"path": "mision", "language": "es"}]
    assert data["draft"] is None
    [news] = data["news"]["edges"]
    assert (await client.get(news["node"]["image"]["url"])).status_code == 200
    again = await import_plone(settings, "genera", FIXTURES / "exportimport")  # the folder
    assert (again.total("imported"), again.total("updated"), again.total("unchanged")) == (
        0, 0, 10,
    )  # fmt: skip


# -- repeat, newer exports, edits made here ------------------------------------------------


async def test_a_newer_export_updates_what_changed_as_new_revisions(settings, genera, tmp_path):
    await _import(settings)
    items = _items()
    _by_uid(items, HOW_TO_JOIN)["title"] = "How to join GenBUDGET"
    _by_uid(items, PRIVATE_NEWS)["review_state"] = "published"
    _by_uid(items, PRIVATE_NEWS)["effective"] = "2025-06-30T12:00:00"
    _by_uid(items, TOOLKIT_NEWS)["subjects"] = ["Gender budgeting"]
    page = await models.Page.get(source_uid=HOW_TO_JOIN)

    report = await _import(settings, _write(items, tmp_path))

    assert report.total("updated") == 3 and report.total("imported") == 0
    page_now = await models.Page.get(source_uid=HOW_TO_JOIN)
    assert page_now.title == "How to join GenBUDGET" and page_now.version == page.version + 1
    revisions = await models.Revision.filter(content_type="Page", object_id=page.id)
    assert [r.snapshot["title"] for r in revisions][-1] == "How to join GenBUDGET"
    news = await models.NewsItem.get(source_uid=PRIVATE_NEWS)
    assert news.status == models.Status.PUBLISHED
    assert news.published_at == datetime(2025, 6, 30, 12, tzinfo=BRUSSELS)
    toolkit = await models.NewsItem.get(source_uid=TOOLKIT_NEWS)
    assert [t.slug for t in await toolkit.tags.all()] == ["gender-budgeting"]


async def test_an_item_edited_here_is_not_overwritten_by_a_reimport(settings, genera, tmp_path):
    await _import(settings)
    page = await models.Page.get(source_uid=HOW_TO_JOIN)
    edited = await content.update(
        SYSTEM, KINDS["Page"], page.id, {"title": "Joining (edited here)"}, page.version
    )
    items = _items()
    _by_uid(items, HOW_TO_JOIN)["title"] = "How to join (changed in Plone)"

    report = await _import(settings, _write(items, tmp_path))

    kept = await models.Page.get(source_uid=HOW_TO_JOIN)
    assert kept.title == "Joining (edited here)" and kept.version == edited.version
    assert any(
        HOW_TO_JOIN in who and "changed here by system" in why for who, why in report.skipped
    )


async def test_a_dry_run_reports_the_real_counts_and_writes_nothing(settings, genera):
    before = await _state()
    media = settings.data_dir / "media"
    files_before = sorted(media.rglob("*")) if media.exists() else []
    dry = await _import(settings, dry_run=True)
    assert await _state() == before
    assert (sorted(media.rglob("*")) if media.exists() else []) == files_before
    real = await _import(settings)
    assert dry.dry_run and "nothing was written" in str(dry)
    assert dry.counts == real.counts and dry.skipped == real.skipped


# -- bad input ----------------------------------------------------------------------------


def _bad_items() -> list[dict[str, Any]]:
    items = _items()
    root = copy.deepcopy(_by_uid(items, TOOLKIT_NEWS)["parent"])
    news = _by_uid(items, TOOLKIT_NEWS)

    def variant(uid: str, slug: str, **changes: Any) -> dict[str, Any]:
        item = copy.deepcopy(news)
        item.update({"UID": uid, "id": slug, "title": f"Bad {slug}", "parent": root, **changes})
        item["@id"] = f"http://localhost:8080/Plone/news/{slug}"
        return item

    png = {"filename": "x.png", "content-type": "image/png"}
    items += [
        variant("bad00000000000000000000000000001", "broken-base64",
                image={**png, "data": "!!not base64!!", "encoding": "base64"}),
        variant("bad00000000000000000000000000002", "escaping-blob",
                image={**png, "blob_path": "../../../../etc/passwd"}),
        variant("bad00000000000000000000000000003", "not-an-image",
                image={**png, "data": base64.b64encode(b"GIF89a but not really").decode(),
                       "encoding": "base64"}),
        variant("bad00000000000000000000000000004", "orphan",
                parent={"@id": "http://localhost:8080/Plone/gone", "@type": "Folder",
                        "UID": "bad0000000000000000000000000dead"}),
        # Valid lead image, invalid title: the image written first must be rolled back too.
        variant("bad00000000000000000000000000005", "too-long-title"),
        "not an item",
    ]  # fmt: skip
    items[-2]["title"] = "x" * 400
    return items


async def test_bad_items_are_reported_and_skipped_and_leave_nothing_behind(
    settings, genera, tmp_path
):
    report = await _import(settings, _write(_bad_items(), tmp_path))

    reasons = dict(report.skipped)
    why = lambda uid: next(r for who, r in reasons.items() if uid in who)  # noqa: E731
    assert "not valid base64" in why("bad00000000000000000000000000001")
    assert "leaves the blobs folder" in why("bad00000000000000000000000000002")
    assert "image" in why("bad00000000000000000000000000003").lower()
    assert "not in the export" in why("bad00000000000000000000000000004")
    assert "title" in why("bad00000000000000000000000000005")
    assert any("not a JSON object" in r for r in reasons.values())
    assert report.total("imported") == 38  # the rest imported
    for n in range(1, 6):
        uid = f"bad0000000000000000000000000000{n}"
        assert not await models.NewsItem.filter(source_uid=uid).exists()
        assert not await models.Image.filter(source_uid=f"{uid}/image").exists()
    assert not await models.Revision.filter(
        content_type="NewsItem", object_id__in=await _ids_of_bad_news()
    ).exists()


async def _ids_of_bad_news() -> list[int]:
    return list(await models.NewsItem.filter(title__startswith="Bad ").values_list("id", flat=True))


async def test_a_malformed_item_file_in_a_folder_export_is_skipped_alone(
    settings, genera, tmp_path
):
    folder = tmp_path / "items"
    folder.mkdir()
    items = _items()
    for n, item in enumerate(items[:3]):  # about, the charter file, how-to-join
        (folder / f"{n:03}.json").write_text(json.dumps(item))
    (folder / "999.json").write_text('{"@type": "Document", "UID": ')
    report = await _import(settings, folder)
    assert report.total("imported") == 3
    assert [r for _, r in report.skipped if "999.json" in r or "not valid JSON" in r]


async def test_an_unreadable_export_is_refused_before_anything_is_written(
    settings, genera, tmp_path
):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"@type": "Document",')
    before = await _state()
    with pytest.raises(ExportError, match="not valid JSON"):
        await _import(settings, broken)
    not_a_list = tmp_path / "object.json"
    not_a_list.write_text('{"@type": "Document"}')
    with pytest.raises(ExportError, match="JSON list"):
        await _import(settings, not_a_list)
    with pytest.raises(ExportError, match="no tenant"):
        await _import(settings, tenant="nobody")
    with pytest.raises(ExportError, match="no such file"):
        await _import(settings, tmp_path / "missing.json")
    assert await _state() == before


async def test_blob_paths_need_the_blobs_folder(settings, genera):
    report = await _import(settings, blobs=None)
    reasons = [why for _, why in report.skipped]
    assert any("--blobs" in why for why in reasons)
    assert not await models.Image.filter(source_uid="1a6e0000000000000000000000000002").exists()


# -- tenancy ------------------------------------------------------------------------------


async def test_imported_drafts_and_items_stay_inside_their_tenant(client, settings, genera):
    other = await factories.tenant(slug="other")
    await _import(settings)
    private = await models.NewsItem.get(source_uid=PRIVATE_NEWS)
    page = await models.Page.get(source_uid=HOW_TO_JOIN)
    from schema.core.ids import to_global_id

    query = """query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id }
               draft: newsItem(slug: "newsletter-june-2025-draft") { id }
               news(first: 50) { edges { node { sourceUid } } } }"""
    ids = {"a": to_global_id("NewsItem", private.id), "b": to_global_id("Page", page.id)}
    own = await data_of(client, query, ids, tenant="genera")
    assert own["a"] is None and own["draft"] is None and own["b"] is not None
    assert PRIVATE_NEWS not in {e["node"]["sourceUid"] for e in own["news"]["edges"]}
    elsewhere = await data_of(client, query, ids, tenant=other.slug)
    assert elsewhere["a"] is None and elsewhere["b"] is None and elsewhere["news"]["edges"] == []


async def test_the_same_export_imports_into_two_tenants_separately(settings, genera):
    await factories.tenant(slug="second")
    await _import(settings)
    report = await _import(settings, tenant="second")
    assert report.total("imported") == 38  # matched by UID within a tenant only
    assert await models.Page.filter(source_uid=TEAM).count() == 2


# -- the command --------------------------------------------------------------------------


def test_the_cli_imports_reports_and_exits_2_on_an_unusable_export(tmp_path):
    env = {
        **os.environ,
        "CMS_DATA_DIR": str(tmp_path / "data"),
        "CMS_DATABASE_URL": f"sqlite://{tmp_path / 'cli.sqlite3'}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
    }
    env.pop("CMS_SECRET_KEY", None)

    def cms(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cms.cli", *args], env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip

    assert cms("seed").returncode == 0
    command = ("import-plone", str(EXPORT), "--tenant", "genera", "--blobs", str(BLOBS),
               "--translations", str(TRANSLATIONS))  # fmt: skip
    dry = cms(*command, "--dry-run", "--quiet")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run (nothing was written)" in dry.stdout
    first = cms(*command)
    assert first.returncode == 0, first.stderr
    assert "total" in first.stdout and "items" in first.stderr  # the report, the progress bar
    total = next(line for line in first.stdout.splitlines() if line.startswith("total"))
    assert total.split()[1:] == ["38", "0", "0", "2"]
    again = cms(*command, "--quiet")
    total = next(line for line in again.stdout.splitlines() if line.startswith("total"))
    assert total.split()[1:] == ["0", "0", "38", "2"]
    refused = cms("import-plone", str(tmp_path / "missing.json"), "--tenant", "genera")
    assert refused.returncode == 2 and "no such file" in refused.stderr
    unknown = cms(*command[:2], "--tenant", "nope")
    assert unknown.returncode == 2 and "no tenant" in unknown.stderr


def test_the_report_reads_as_a_table():
    report = ImportReport(format="collective.exportimport")
    report.add("Document", "imported")
    report.add("Document", "skipped")
    report.skipped.append(("Document abc 'X'", "its parent p is not in the export"))
    text = str(report)
    assert "its parent p is not in the export" in text
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line[:1].isalpha()}
    assert rows["Document"] == rows["total"] == ["1", "0", "0", "1"]


async def test_the_benchmarks_synthetic_export_imports_whole(settings, genera, tmp_path):
    from bench.plone_export import write_export

    export = write_export(tmp_path / "synthetic", items=120, seed=3)
    report = await _import(settings, export, blobs=export.parent / "blobs", translations=None)
    assert report.total("skipped") == 0, report.skipped
    assert report.total("imported") == 120
    again = await _import(settings, export, blobs=export.parent / "blobs", translations=None)
    assert again.total("unchanged") == 120


async def test_paths_and_slugs_taken_here_are_kept_and_the_import_moves_aside(settings, genera):
    mine = await factories.page(genera, path="about", title="Our own about page")
    await factories.news_item(genera, slug="webinar-series-2025", title="Ours")
    report = await _import(settings)
    assert (await models.Page.get(id=mine.id)).title == "Our own about page"
    team = await models.Page.get(source_uid=TEAM)
    assert team.path == "about-2/team"
    assert (await models.NewsItem.get(source_uid=WEBINAR_NEWS)).slug == "webinar-series-2025-2"
    assert "'about' is taken in this tenant; imported as 'about-2'" in report.warnings
    again = await _import(settings)
    assert again.total("unchanged") == 38 and (await models.Page.get(id=team.id)).path == team.path
