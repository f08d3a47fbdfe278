"""Feeds, calendar and sitemap of a tenant: valid for real parsers, public items only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

import feedparser
import httpx
import icalendar
import pytest

from cms import models
from tests import factories

pytestmark = pytest.mark.anyio
NOW = datetime.now(UTC)


async def _tenant_with_items() -> tuple[models.Tenant, dict[str, list[str]]]:
    """A tenant with live, draft, scheduled and expired items; another tenant's shared ones."""
    mine = await factories.tenant(website="https://act.example.org")
    other = await factories.tenant()
    live = {
        "news": [(await factories.news_item(mine, title="Live & well <news>")).slug],
        "resources": [(await factories.resource(mine, title="Toolkit")).slug],
        "events": [
            (
                await factories.event(
                    mine,
                    title="Summer school, Brussels; day 1",
                    start=datetime(2027, 7, 1, 8, 0, tzinfo=UTC),
                    end=datetime(2027, 7, 1, 16, 0, tzinfo=UTC),
                    timezone="Europe/Brussels",
                )
            ).slug
        ],
        "pages": [(await factories.page(mine, path="about", title="About")).slug],
    }
    hidden = {"status": models.Status.DRAFT, "published_at": None}
    scheduled = {"published_at": NOW + timedelta(days=3)}
    expired = {"expires_at": NOW - timedelta(days=1)}
    for overrides in (hidden, scheduled, expired):
        await factories.news_item(mine, title="Hidden news", **overrides)
        await factories.resource(mine, title="Hidden resource", **overrides)
        await factories.event(mine, title="Hidden event", **overrides)
    await factories.news_item(other, title="Other news")
    await factories.resource(other, title="Other shared", shared=True)
    await factories.event(other, title="Other event")
    return mine, live


async def test_rss_and_atom_list_what_the_public_sees(client: httpx.AsyncClient) -> None:
    tenant, live = await _tenant_with_items()
    for feed in ("news", "resources"):
        for fmt in ("rss", "atom"):
            response = await client.get(f"/sites/{tenant.slug}/{feed}.{fmt}")
            assert response.status_code == 200
            parsed = feedparser.parse(response.content)
            assert not parsed.bozo, parsed.bozo_exception
            assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
            links = [entry.link for entry in parsed.entries]
            segment = "news" if feed == "news" else "resources"
            assert links == [f"https://act.example.org/{segment}/{s}" for s in live[feed]]
    rss = feedparser.parse((await client.get(f"/sites/{tenant.slug}/news.rss")).content)
    assert rss.entries[0].title == "Live & well <news>"


async def test_the_calendar_parses_with_times_right(client: httpx.AsyncClient) -> None:
    tenant, live = await _tenant_with_items()
    response = await client.get(f"/sites/{tenant.slug}/events.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    events = parsed.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Summer school, Brussels; day 1"]
    start = events[0].decoded("DTSTART")
    assert start == datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    # 10:00 in Brussels (summer time), the same instant.
    assert start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Brussels")).hour == 10
    assert events[0].decoded("DTEND") == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
    # Every time is UTC (`…Z`): no TZID is named, so no VTIMEZONE is needed.
    assert b"TZID" not in response.content and not parsed.walk("VTIMEZONE")
    assert str(events[0]["URL"]).endswith(f"/events/{live['events'][0]}")


async def test_the_sitemap_lists_public_pages_with_lastmod(client: httpx.AsyncClient) -> None:
    tenant, live = await _tenant_with_items()
    response = await client.get(f"/sites/{tenant.slug}/sitemap.xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = sorted(u.findtext("s:loc", namespaces=ns) or "" for u in root.findall("s:url", ns))
    base = "https://act.example.org"
    assert locs == sorted(
        [
            f"{base}/about",
            f"{base}/news/{live['news'][0]}",
            f"{base}/events/{live['events'][0]}",
            f"{base}/resources/{live['resources'][0]}",
        ]
    )
    for url in root.findall("s:url", ns):
        datetime.fromisoformat(url.findtext("s:lastmod", namespaces=ns) or "")


async def test_route_patterns_per_tenant_change_every_url(client: httpx.AsyncClient) -> None:
    tenant, live = await _tenant_with_items()
    _, admin = await factories.token(tenant, "admin")
    mutation = """mutation { setSiteRoutes(baseUrl: "https://www.act.eu",
      patterns: [{kind: "NewsItem", pattern: "/actualites/{slug}"}])
      { baseUrl errors { code } } }"""
    response = await client.post(
        "/graphql",
        json={"query": mutation},
        headers={"X-CMS-Tenant": tenant.slug, **factories.bearer(admin)},
    )
    assert response.json()["data"]["setSiteRoutes"]["errors"] == []
    parsed = feedparser.parse((await client.get(f"/sites/{tenant.slug}/news.rss")).content)
    assert [e.link for e in parsed.entries] == [f"https://www.act.eu/actualites/{live['news'][0]}"]
    bad = mutation.replace("/actualites/{slug}", "/news/{title}")
    response = await client.post(
        "/graphql",
        json={"query": bad},
        headers={"X-CMS-Tenant": tenant.slug, **factories.bearer(admin)},
    )
    assert response.json()["data"]["setSiteRoutes"]["errors"] == [{"code": "INVALID_PATTERN"}]


async def test_etag_and_last_modified_answer_304_until_a_change(
    client: httpx.AsyncClient,
) -> None:
    tenant, _ = await _tenant_with_items()
    url = f"/sites/{tenant.slug}/news.atom"
    first = await client.get(url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
    assert (await client.get(url, headers={"If-Modified-Since": modified})).status_code == 304
    await factories.news_item(tenant, title="Fresh")
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_feeds_are_bounded(client: httpx.AsyncClient, app_settings: object) -> None:
    tenant = await factories.tenant()
    for _ in range(55):
        await factories.news_item(tenant)
    parsed = feedparser.parse((await client.get(f"/sites/{tenant.slug}/news.rss")).content)
    assert len(parsed.entries) == 50  # CMS_FEED_ITEMS


async def test_unknown_sites_and_feeds_are_404(client: httpx.AsyncClient) -> None:
    tenant = await factories.tenant()
    assert (await client.get("/sites/nobody/news.rss")).status_code == 404
    assert (await client.get(f"/sites/{tenant.slug}/drafts.rss")).status_code == 404
    assert (await client.get(f"/sites/{tenant.slug}/news.json")).status_code == 404
