"""The public search result cache: exact while found, never for previews, within its bytes.

Also what query time keeps between searches: facets and highlights only when asked for, and
parses reused.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from cms.app import create_app
from cms.models import Audience as ItemAudience
from cms.models import Status
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from cms.services.tokens import create_token
from search_index import query as search_query
from search_index.cache import ResultCache, page_bytes
from search_index.documents import make_document
from search_index.query import Filters, Hit, Searching, SearchPage
from search_index.store import IndexStore
from search_index.visibility import Audience, SearchScope
from tests import factories
from tests.support.api import KNOWN_CODES, data_of, graphql
from tests.support.search import index

SEARCH = """
query S($q: String!, $scope: SearchScope) {
  search(query: $q, scope: $scope, first: 50) {
    totalCount
    edges { node { item { __typename slug status } highlights { field snippet } } }
    facets { field values { value count } }
  }
}
"""
BARE = """
query S($q: String!) { search(query: $q, first: 5) { totalCount edges { node { score } } } }
"""


def _slugs(data):
    return sorted(e["node"]["item"]["slug"] for e in data["edges"])


@pytest.fixture
async def world(clean_database):
    """Two CoPs: shared, unshared, draft, scheduled and expired items on one word."""
    home = await factories.tenant(slug="home")
    other = await factories.tenant(slug="other")
    now = datetime.now(UTC)
    await factories.resource(home, slug="shared", title="Quokka guide", shared=True)
    await factories.resource(home, slug="own", title="Quokka notes", shared=False)
    await factories.resource(
        home, slug="draft", title="Quokka draft", shared=True, status=Status.DRAFT
    )
    await factories.resource(
        home, slug="later", title="Quokka later", shared=True, published_at=now + timedelta(days=1)
    )
    await factories.resource(
        home, slug="gone", title="Quokka gone", shared=True, expires_at=now - timedelta(hours=1)
    )
    await factories.resource(other, slug="theirs", title="Quokka theirs", shared=False)
    await factories.video(other, slug="clip", title="Quokka clip", shared=True)
    return {"home": home, "other": other}


# (tenant, scope) -> what the public may find
EXPECTED = {
    (None, None): ["clip", "shared"],
    ("home", None): ["clip", "own", "shared"],
    ("home", "KNOWLEDGE_BASE"): ["clip", "shared"],
    ("other", None): ["clip", "shared", "theirs"],
}


@pytest.mark.anyio
@pytest.mark.parametrize("cached", [True, False], ids=["cache-on", "cache-off"])
async def test_every_reader_sees_only_what_it_may_with_the_cache_on_and_off(
    settings, tmp_path, world, cached
):
    app = create_app(
        settings.with_overrides(tenant_cache_seconds=0.0, data_dir=tmp_path, search_cache=cached),
        manage_database=False,
    )
    assert (app.state.search.cache is not None) is cached
    await app.state.search.rebuild()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    ) as client:
        _, value = await create_token("previewer", "editor", "home")
        preview = {"Authorization": f"Bearer {value}", "X-CMS-Tenant": "home"}
        for _round in range(2):  # the second round is answered from the cache when it is on
            for (tenant, scope), expected in EXPECTED.items():
                data = await data_of(client, SEARCH, {"q": "quokka", "scope": scope}, tenant=tenant)
                assert _slugs(data["search"]) == expected
                assert data["search"]["totalCount"] == len(expected)
                facets = {f["field"]: f["values"] for f in data["search"]["facets"]}
                assert sum(v["count"] for v in facets["kind"]) == len(expected)
            body = (await graphql(client, SEARCH, {"q": "quokka"}, headers=preview)).json()
            found = _slugs(body["data"]["search"])
            assert "draft" in found and "later" in found and "theirs" not in found
    if cached:
        assert app.state.search.cache.hits == len(EXPECTED)
    app.state.search.searching.close()


@pytest.mark.anyio
async def test_a_preview_search_never_gets_nor_fills_the_public_answer(app, client, world):
    await app.state.search.rebuild()
    cache = app.state.search.cache
    _, value = await create_token("previewer", "editor", "home")
    preview = {"Authorization": f"Bearer {value}", "X-CMS-Tenant": "home"}
    # The preview first: it must leave nothing behind for the public.
    body = (await graphql(client, SEARCH, {"q": "quokka"}, headers=preview)).json()
    assert "draft" in _slugs(body["data"]["search"])
    assert len(cache) == 0
    public = await data_of(client, SEARCH, {"q": "quokka"}, tenant="home")
    assert "draft" not in _slugs(public["search"])
    assert len(cache) == 1 and cache.hits == 0
    # The public answer cached: the preview still gets its own, and takes nothing from it.
    body = (await graphql(client, SEARCH, {"q": "quokka"}, headers=preview)).json()
    assert "draft" in _slugs(body["data"]["search"])
    assert len(cache) == 1 and cache.hits == 0
    # A token without preview is a principal too: not cached either way.
    _, viewer = await create_token("reader", "viewer", "other")
    headers = {"Authorization": f"Bearer {viewer}", "X-CMS-Tenant": "home"}
    body = (await graphql(client, SEARCH, {"q": "quokka"}, headers=headers)).json()
    assert "draft" not in _slugs(body["data"]["search"])
    assert len(cache) == 1 and cache.hits == 0
    await data_of(client, SEARCH, {"q": "quokka"}, tenant="home")
    assert cache.hits == 1


@pytest.mark.anyio
async def test_a_write_that_reaches_the_index_changes_the_cached_answer(app, client, world):
    await app.state.search.rebuild()
    before = await data_of(client, SEARCH, {"q": "quokka"})
    assert await data_of(client, SEARCH, {"q": "quokka"}) == before
    assert app.state.search.cache.hits == 1
    row = await content.create(
        SYSTEM,
        world["other"],
        KINDS["Resource"],
        {"title": "Quokka news", "kind": "report", "shared": True},
    )
    await content.publish(SYSTEM, KINDS["Resource"], row.id)
    generation = app.state.search.store.current_name()
    assert await index(app) > 0  # committed to the live index: a new generation of it
    assert app.state.search.store.current_name() == generation
    after = await data_of(client, SEARCH, {"q": "quokka"})
    assert _slugs(after["search"]) == ["clip", row.slug, "shared"]
    assert after["search"]["totalCount"] == before["search"]["totalCount"] + 1


def _row(n, title, **values):
    return SimpleNamespace(
        id=n,
        tenant_id=values.get("tenant_id", 1),
        shared=values.get("shared", True),
        status=values.get("status", Status.PUBLISHED),
        audience=values.get("audience", ItemAudience.PUBLIC),
        published_at=values.get("published_at"),
        expires_at=values.get("expires_at"),
        language="en",
        thematic_areas=[],
        title=title,
        summary="",
        body="",
    )


def test_a_scheduled_item_appears_and_an_expiring_one_goes_at_their_time_cache_or_not():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    rows = [
        _row(1, "Wombat live", published_at=now - timedelta(days=1)),
        _row(2, "Wombat scheduled", published_at=now + timedelta(minutes=5)),
        _row(3, "Wombat expiring", published_at=now - timedelta(days=1),
             expires_at=now + timedelta(minutes=10)),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as root:
        store = IndexStore(Path(root))
        writer = store.open_or_create().writer()
        for row in rows:
            writer.add_document(**make_document("Resource", row, "t1", [], []))
        writer.commit()
        searching, cache = Searching(store), ResultCache(2**20)
        try:
            for minutes, expected in ((0, {1, 3}), (6, {1, 2, 3}), (11, {1, 2}), (0, {1, 3})):
                audience = Audience(None, now + timedelta(minutes=minutes))
                for _ in range(2):  # the second from the cache
                    page = searching.search("wombat", audience, cache=cache)
                    assert {h.object_id for h in page.hits} == expected
                    assert page.total == len(expected)
                    assert dict(page.facets["kind"]) == {"Resource": len(expected)}
                    uncached = searching.search("wombat", audience)
                    assert uncached == page
            # Each instant's second search, and the return to the first window's instant.
            assert cache.hits == 5
        finally:
            searching.close()


def _page(n: int, words: int) -> SearchPage:
    hit = Hit("Resource", n, 1.0, "t1", "x" * words, (("body", "y" * words),))
    return SearchPage(total=1, offset=0, hits=[hit])


def test_the_cache_keeps_within_its_bytes_dropping_the_least_recently_used():
    size = page_bytes(_page(0, 1000))
    cache = ResultCache(size * 3 + size // 2)
    for n in range(3):
        cache.put(("q", n), _page(n, 1000))
    assert len(cache) == 3
    assert cache.get(("q", 0)) is not None  # now the most recently used
    cache.put(("q", 3), _page(3, 1000))
    assert len(cache) == 3 and cache.bytes <= cache.max_bytes
    assert cache.get(("q", 1)) is None  # the least recently used went
    assert cache.get(("q", 0)) is not None and cache.get(("q", 3)) is not None
    cache.put(("big",), _page(9, 10 * size))  # larger than the whole budget: not kept
    assert cache.get(("big",)) is None and len(cache) == 3


@pytest.mark.anyio
async def test_facets_and_highlights_are_made_only_when_the_query_asks(
    app, client, world, monkeypatch
):
    await app.state.search.rebuild()
    app.state.search.cache = None
    calls = {"facets": 0, "highlights": 0}
    count, offsets = search_query.count_facets, search_query.offsets

    def counting(*args):
        calls["facets"] += 1
        return count(*args)

    def marking(*args):
        calls["highlights"] += 1
        return offsets(*args)

    monkeypatch.setattr(search_query, "count_facets", counting)
    monkeypatch.setattr(search_query, "offsets", marking)
    data = await data_of(client, BARE, {"q": "quokka"})
    assert data["search"]["totalCount"] == 2
    assert calls == {"facets": 0, "highlights": 0}
    data = await data_of(client, SEARCH, {"q": "quokka"})
    assert calls == {"facets": 1, "highlights": 1}
    assert all(e["node"]["highlights"] for e in data["search"]["edges"])
    # Asked through fragments, they are asked for all the same.
    fragments = """
    query S($q: String!) { search(query: $q) { ...F } }
    fragment F on SearchConnection {
      facets { field } edges { node { ... on SearchHit { highlights { snippet } } } } }
    """
    data = await data_of(client, fragments, {"q": "quokka"})
    assert calls == {"facets": 2, "highlights": 2}
    assert "<mark>Quokka</mark>" in data["search"]["edges"][0]["node"]["highlights"][0]["snippet"]


def test_a_query_is_parsed_once_and_reused(monkeypatch):
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as root:
        store = IndexStore(Path(root))
        writer = store.open_or_create().writer()
        writer.add_document(
            **make_document("Resource", _row(1, "Numbat", published_at=now), "t1", [], [])
        )
        writer.commit()
        searching = Searching(store)
        parses = []
        original = search_query._parse_only

        def parse_only(*args, **kwargs):
            parses.append(args[1])
            return original(*args, **kwargs)

        monkeypatch.setattr(search_query, "_parse_only", parse_only)
        try:
            audience = Audience(1, now, scope=SearchScope.SITE)
            for _ in range(3):
                assert searching.search("numbat", audience, Filters()).total == 1
            assert parses == ["numbat"]
        finally:
            searching.close()
