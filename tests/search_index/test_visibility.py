"""The visibility invariant, property-based: no search shows what its reader may not see.

The index-level properties run the real documents, filter and query code on random worlds
(tenants, statuses, audiences, publication and expiry times, shared flags, languages) and random
queries, with shrinking. The end-to-end property drives the GraphQL endpoint over the database;
Hypothesis draws its worlds up front because the database lives on the test's event loop.
"""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.models import Audience as ItemAudience
from cms.models import Status
from search_index.budget import Budget, SearchLimits
from search_index.documents import make_document
from search_index.matching import documents, matching
from search_index.query import Filters, Searching, _collect
from search_index.store import IndexStore
from search_index.visibility import (
    Audience,
    SearchScope,
    Visibility,
    index_filter,
    visible_docs,
)
from tests import factories
from tests.support.api import graphql

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = ["alpha", "bravo", "charlie", "delta", "echo"]
TENANTS = [1, 2, 3]

items = st.fixed_dictionaries(
    {
        "tenant_id": st.sampled_from(TENANTS),
        "status": st.sampled_from(list(Status)),
        "published_at": st.sampled_from([None, NOW - timedelta(days=3), NOW + timedelta(days=3),
                                         NOW - timedelta(seconds=1), NOW + timedelta(seconds=1)]),
        "expires_at": st.sampled_from([None, NOW - timedelta(days=3), NOW + timedelta(days=3),
                                       NOW - timedelta(seconds=1), NOW,
                                       NOW + timedelta(seconds=1)]),
        "shared": st.booleans(),
        "audience": st.sampled_from(list(ItemAudience)),
        "language": st.sampled_from(["en", "es", "de", "fr", "pt-BR", "sw", ""]),
        "words": st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
        "in_title": st.booleans(),
    }
)  # fmt: skip
audiences = st.builds(
    Audience,
    tenant_id=st.sampled_from([None, *TENANTS]),
    now=st.just(NOW),
    preview=st.booleans(),
    scope=st.sampled_from(list(SearchScope)),
    member=st.booleans(),
).map(lambda a: a if a.tenant_id is not None else Audience(None, NOW, False, a.scope))
queries = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from([f'"{a} {b}"' for a in WORDS for b in WORDS]),
    st.sampled_from([f"{a} OR {b}" for a in WORDS for b in WORDS]),
    st.sampled_from([f"{a} NOT {b}" for a in WORDS for b in WORDS]),
    st.sampled_from(["al*", "title:alpha", "body:bravo", "alpah~", "*", "NOT alpha", "AND"]),
    st.text(max_size=40),
)


def may_see(audience: Audience, item: dict) -> bool:
    """The rule, stated once more from the issue's words."""
    live = (
        item["status"] == Status.PUBLISHED
        and item["published_at"] is not None
        and item["published_at"] <= audience.now
        and (item["expires_at"] is None or item["expires_at"] > audience.now)
    )
    own = audience.tenant_id is not None and item["tenant_id"] == audience.tenant_id
    # Members-only items: their own tenant's members alone, shared or not.
    readable = item["audience"] == ItemAudience.PUBLIC or (audience.member and own)
    if audience.scope is SearchScope.KNOWLEDGE_BASE or audience.tenant_id is None:
        where = item["shared"]
        preview = audience.preview and own and item["shared"]
    else:
        where = own or item["shared"]
        preview = audience.preview and own
    return (where and live and readable) or preview


def _row(n: int, item: dict) -> SimpleNamespace:
    text = " ".join(item["words"])
    return SimpleNamespace(
        id=n,
        tenant_id=item["tenant_id"],
        shared=item["shared"],
        status=item["status"],
        audience=item["audience"],
        published_at=item["published_at"],
        expires_at=item["expires_at"],
        language=item["language"],
        thematic_areas=[],
        title=text if item["in_title"] else f"Item {n}",
        summary="" if item["in_title"] else text,
        body="",
    )


def _build(root: Path, world: list[dict]) -> IndexStore:
    store = IndexStore(root)
    writer = store.open_or_create().writer()
    for n, item in enumerate(world, start=1):
        row = _row(n, item)
        writer.add_document(**make_document("Resource", row, f"t{item['tenant_id']}", [], []))
    writer.commit()
    return store


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=st.lists(items, min_size=1, max_size=12), audience=audiences, query=queries)
def test_hits_counts_facets_and_highlights_only_show_what_the_reader_may_see(
    world, audience, query
):
    with tempfile.TemporaryDirectory() as root:
        searching = Searching(_build(Path(root), world))
        try:
            page = searching.search(query, audience, Filters(), first=100)
        except Exception as error:  # only clear input errors may come out
            from cms.errors import InvalidInput

            assert isinstance(error, InvalidInput)
            return
        finally:
            searching.close()
    visible = {n for n, item in enumerate(world, start=1) if may_see(audience, item)}
    assert {h.object_id for h in page.hits} <= visible
    assert page.total <= len(visible)
    assert len(page.hits) == page.total
    kinds = dict(page.facets.get("kind", []))
    assert sum(kinds.values()) == page.total
    tenants = dict(page.facets.get("tenant", []))
    assert sum(tenants.values()) == page.total
    for slug, count in tenants.items():
        owner = int(slug[1:])
        assert count <= sum(1 for n in visible if world[n - 1]["tenant_id"] == owner)
    if query in WORDS:  # a single word: exactly the visible items that have it
        expected = {n for n in visible if query in world[n - 1]["words"]}
        assert {h.object_id for h in page.hits} == expected
    if page.suggestion:
        assert (
            page.suggestion.split()[0] in " ".join(" ".join(world[n - 1]["words"]) for n in visible)
            or page.total < 3
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=st.lists(items, min_size=1, max_size=12), audience=audiences)
def test_the_column_reading_filter_is_the_index_filter(world, audience):
    with tempfile.TemporaryDirectory() as root:
        store = _build(Path(root), world)
        # A second segment with replaced and deleted documents, as the indexer leaves them.
        writer = store.open_or_create().writer()
        writer.delete_by_term("key", "Resource:1")
        writer.commit()
        searching = Searching(store)
        try:
            with searching.pool.lend() as (name, searcher):
                expected = set(searcher.docs_for_query(index_filter(audience)))
                assert visible_docs(searcher, audience, []) == expected
                # The filter kept between searches, per segment, with the deletion cleared.
                generation = (name, searcher.reader().generation())
                kept = Visibility()
                for _ in range(2):  # made, then found again
                    allowed, (since, until) = kept.allowed(searcher, generation, audience, [])
                    assert set(allowed) == expected
                    assert since <= int(audience.now.timestamp()) < until
        finally:
            searching.close()
    visible = {n for n, item in enumerate(world, start=1) if may_see(audience, item) and n != 1}
    assert len(expected) == len(visible)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=st.lists(items, min_size=1, max_size=12), audience=audiences, query=queries)
def test_counting_by_bitmaps_matches_what_whoosh_matches(world, audience, query):
    with tempfile.TemporaryDirectory() as root:
        store = _build(Path(root), world)
        writer = store.open_or_create().writer()  # a second segment and a deletion
        writer.delete_by_term("key", "Resource:1")
        writer.add_document(**make_document("Resource", _row(99, world[0]), "t1", [], []))
        writer.commit()
        searching = Searching(store)
        try:
            with searching.pool.lend() as (name, searcher):
                generation = (name, searcher.reader().generation())
                allowed, _ = searching.visibility.allowed(searcher, generation, audience, [])
                try:
                    parsed = searching.parse(searcher, query, ["en", "xx"], audience=audience)
                except Exception as error:
                    from cms.errors import InvalidInput

                    assert isinstance(error, InvalidInput)
                    return
                if parsed is None:
                    return
                budget = Budget(SearchLimits())
                found = documents(matching(searcher, parsed, allowed.bits, budget))
                expected = sorted(d for d in searcher.docs_for_query(parsed) if d in allowed)
                assert found == expected
                # And the page: the same hits, scores and order as Whoosh's own search.
                collected = _collect(searcher, parsed, allowed, 5, budget)
                assert sorted(collected.docs) == expected
                # (An empty filter is no filter to Whoosh: none allowed, none to compare.)
                theirs = searcher.search(parsed, filter=set(allowed), limit=5) if allowed else []
                assert [d for _, d in collected.top] == [hit.docnum for hit in theirs]
                assert [round(s, 9) for s, _ in collected.top] == [
                    round(hit.score, 9) for hit in theirs
                ]
        finally:
            searching.close()


# --- end to end through GraphQL and the database --------------------------------------------

SEARCH = """
query S($q: String!, $scope: SearchScope) {
  search(query: $q, scope: $scope, first: 100) {
    totalCount
    edges { node {
      item { __typename id status publishedAt expiresAt tenant { slug }
             ... on Resource { shared } ... on Video { shared } }
      highlights { snippet } } }
    facets { field values { value count } }
  }
}
"""
e2e_items = st.fixed_dictionaries(
    {
        "owner": st.integers(0, 2),
        "status": st.sampled_from(list(Status)),
        "future": st.booleans(),
        "expired": st.booleans(),
        "shared": st.booleans(),
        "kind": st.sampled_from(["resource", "video", "news_item", "page"]),
    }
)
E2E_WORLDS: list = []


@settings(max_examples=10, deadline=None, database=None)
@given(
    world=st.lists(e2e_items, min_size=1, max_size=8),
    reader=st.sampled_from([None, 0, 1, 2]),
    scope=st.sampled_from([None, "SITE", "KNOWLEDGE_BASE"]),
)
def _draw_e2e(world, reader, scope):
    E2E_WORLDS.append((world, reader, scope))


@pytest.mark.anyio
async def test_graphql_search_never_shows_a_draft_scheduled_expired_archived_or_unshared_item(
    app, client
):
    E2E_WORLDS.clear()
    _draw_e2e()
    now = datetime.now(UTC)
    for world, reader, scope in E2E_WORLDS:
        marker = f"zq{uuid.uuid4().hex[:10]}"  # far from earlier markers, even for typo matching
        owners = [await factories.tenant() for _ in range(3)]
        rows = []
        for spec in world:
            owner = owners[spec["owner"]]
            published_at = now + timedelta(days=2) if spec["future"] else now - timedelta(days=2)
            expires_at = now - timedelta(hours=1) if spec["expired"] else None
            values = {
                "status": spec["status"],
                "published_at": published_at,
                "expires_at": expires_at,
            }
            text = f"{marker} knowledge"
            if spec["kind"] == "resource":
                row = await factories.resource(owner, title=text, shared=spec["shared"], **values)
            elif spec["kind"] == "video":
                row = await factories.video(owner, title=text, shared=spec["shared"], **values)
            elif spec["kind"] == "news_item":
                row = await factories.news_item(owner, title=text, **values)
            else:
                row = await factories.page(owner, title=text, **values)
            rows.append((spec, owner, row))
        await app.state.search.rebuild()
        tenant = owners[reader].slug if reader is not None else None
        variables = {"q": marker, "scope": scope}
        body = (await graphql(client, SEARCH, variables, tenant=tenant)).json()
        assert "errors" not in body, body
        data = body["data"]["search"]
        site = scope != "KNOWLEDGE_BASE" and reader is not None
        expected = set()
        for spec, owner, row in rows:
            live = spec["status"] == Status.PUBLISHED and not spec["future"] and not spec["expired"]
            shared = spec["shared"] and spec["kind"] in ("resource", "video")
            own = reader is not None and owner.id == owners[reader].id
            if live and (shared or (site and own)):
                expected.add(row.slug)
        assert data["totalCount"] == len(expected)
        for edge in data["edges"]:
            item = edge["node"]["item"]
            assert item["status"] == "PUBLISHED"
            assert datetime.fromisoformat(item["publishedAt"]) <= datetime.now(UTC)
            assert item["expiresAt"] is None
            if not (site and item["tenant"]["slug"] == tenant):
                assert item.get("shared") is True
        for facet in data["facets"]:
            assert sum(v["count"] for v in facet["values"]) >= (
                len(expected) if facet["field"] in ("kind", "tenant", "language") else 0
            )
            if facet["field"] in ("kind", "tenant"):
                assert sum(v["count"] for v in facet["values"]) == len(expected)
