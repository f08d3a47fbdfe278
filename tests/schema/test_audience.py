"""Members-only content, property-based: no read path shows a members item to anyone but its
own tenant's members and staff.

Random worlds of items (two tenants, every kind, statuses, audiences, shared flags) are read by
random callers (anonymous, a viewer token of either tenant, in either tenant's scope or the
platform's) through lists, lookups, `node(id:)`, a relation (a resource's authors) and search
(hits, total, facets, highlights). What each caller may see comes from `may_read`, the rule
restated from the issue's words, never from the code under test. Hypothesis draws the worlds up
front because the database lives on the test's event loop.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from cms import models
from cms.app import create_app
from cms.config import Settings
from cms.models import Audience, Status
from cms.services import generations
from schema.core.ids import to_global_id
from tests import factories
from tests.support.api import KNOWN_CODES, graphql

pytestmark = pytest.mark.anyio

SHAREABLE = ("resources", "videos", "profiles", "organisations")
OWNED = ("events", "news", "pages")
TYPE_NAMES = {
    "resources": "Resource",
    "videos": "Video",
    "profiles": "Profile",
    "organisations": "Organisation",
    "events": "Event",
    "news": "NewsItem",
    "pages": "Page",
}
LOOKUPS = {
    "resources": "resource(slug: $key, tenant: $tenant)",
    "videos": "video(slug: $key, tenant: $tenant)",
    "profiles": "profile(slug: $key, tenant: $tenant)",
    "organisations": "organisation(slug: $key, tenant: $tenant)",
    "events": "event(slug: $key)",
    "news": "newsItem(slug: $key)",
    "pages": "page(path: $key)",
}
INDEXED = ("resources", "videos", "events", "news", "pages", "profiles")
FACTORIES = {
    "resources": factories.resource,
    "videos": factories.video,
    "profiles": factories.profile,
    "organisations": factories.organisation,
    "events": factories.event,
    "news": factories.news_item,
    "pages": factories.page,
}


def list_query(kind: str) -> str:
    shared = "(first: 100, includeShared: true)" if kind in SHAREABLE else "(first: 100)"
    return f"{{ items: {kind}{shared} {{ totalCount edges {{ node {{ slug audience }} }} }} }}"


def lookup_query(kind: str) -> str:
    arguments = "$key: String!, $tenant: String" if kind in SHAREABLE else "$key: String!"
    return f"query ({arguments}) {{ item: {LOOKUPS[kind]} {{ slug }} }}"


NODE = "query ($id: ID!) { node(id: $id) { ... on Content { slug } } }"
AUTHORS = """
query ($tenant: String) { resource(slug: "pointer", tenant: $tenant) { authors { slug } } }
"""
SEARCH = """
query ($q: String!, $scope: SearchScope) {
  search(query: $q, scope: $scope, first: 100) {
    totalCount
    edges { node { item { ... on Content { slug } } highlights { snippet } } }
    facets { field values { value count } }
  }
}
"""


@dataclass(frozen=True)
class Spec:
    kind: str
    owner: str  # "a" or "b"
    live: bool  # published in the past, else a draft
    members: bool
    shared: bool

    @property
    def shareable(self) -> bool:
        return self.kind in SHAREABLE


@dataclass(frozen=True)
class Caller:
    scope: str | None  # the tenant the request addresses
    token: str | None  # the tenant of its viewer token (None: anonymous)

    @property
    def member(self) -> bool:
        """Reads the scope's members-only items: any token of that very tenant."""
        return self.token is not None and self.token == self.scope

    @property
    def preview(self) -> bool:
        return self.member  # a viewer may preview its own tenant


def may_read(caller: Caller, spec: Spec, *, listed: bool) -> bool:
    """The rule: live (or previewed own), own or shared, and public or the reader's own members
    item. A list shows live items only (previewers ask for others by status)."""
    own = spec.owner == caller.scope
    if caller.preview and own and not listed:
        return True
    if not spec.live:
        return False
    if caller.scope is None:
        where = spec.shareable and spec.shared
    else:
        where = own or (spec.shareable and spec.shared)
    readable = not spec.members or (caller.member and own)
    return where and readable


specs = st.builds(
    Spec,
    kind=st.sampled_from(sorted(TYPE_NAMES)),
    owner=st.sampled_from(["a", "b"]),
    live=st.booleans(),
    members=st.booleans(),
    shared=st.booleans(),
)
callers = st.builds(
    Caller, scope=st.sampled_from([None, "a", "b"]), token=st.sampled_from([None, "a", "b"])
)
WORLDS: list[tuple[list[Spec], list[Caller]]] = []


@settings(max_examples=6, deadline=None, database=None)
@given(
    world=st.lists(specs, min_size=1, max_size=10),
    readers=st.lists(callers, min_size=2, max_size=4, unique=True),
)
def _draw(world: list[Spec], readers: list[Caller]) -> None:
    WORLDS.append((world, readers))


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0, data_dir=tmp_path, max_query_cost=1_000_000
    )


@pytest.fixture
def app(app_settings: Settings, clean_database: None) -> Starlette:
    return create_app(app_settings, manage_database=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    ) as http:
        yield http
    app.state.search.searching.close()


async def _data(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None,
    caller: Caller,
    tokens: dict[str, str],
) -> dict[str, Any]:
    headers = factories.bearer(tokens[caller.token]) if caller.token else None
    response = await graphql(client, query, variables, tenant=caller.scope, headers=headers)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def _make(spec: Spec, owner: models.Tenant, marker: str, n: int) -> models.ContentModel:
    values: dict[str, Any] = {
        "status": Status.PUBLISHED if spec.live else Status.DRAFT,
        "published_at": factories.PAST,
        "audience": Audience.MEMBERS if spec.members else Audience.PUBLIC,
    }
    slug = f"{marker}-{n}"
    if spec.kind == "pages":
        values["path"] = slug
    else:
        values["slug"] = slug
    if spec.shareable:
        values["shared"] = spec.shared
    if spec.kind in ("profiles", "organisations"):
        values["name"] = f"{marker} knowledge {n}"
    else:
        values["title"] = f"{marker} knowledge {n}"
    return await FACTORIES[spec.kind](owner, **values)


async def test_no_read_path_shows_a_members_item_to_a_non_member(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    WORLDS.clear()
    _draw()
    tenants = {"a": await factories.tenant(slug="a"), "b": await factories.tenant(slug="b")}
    tokens = {slug: (await factories.token(t, "viewer"))[1] for slug, t in tenants.items()}
    for world, readers in WORLDS:
        marker = f"zq{uuid.uuid4().hex[:10]}"
        rows = [
            (spec, await _make(spec, tenants[spec.owner], marker, n))
            for n, spec in enumerate(world)
        ]
        profiles = [row for spec, row in rows if spec.kind == "profiles"]
        await factories.resource(
            tenants["a"], slug="pointer", shared=True, authors=profiles, title="Pointer"
        )
        for tenant in tenants.values():  # written past the services: say so to the caches
            await generations.bump(tenant.id, shared=True)
        await app.state.search.rebuild()
        for caller in readers:
            await _check(client, caller, tokens, rows, marker)
        # The next world starts empty (the pointer's slug is reused).
        for model in (models.ResourceAuthor, *(type(row) for _, row in rows), models.Resource):
            await model.all().delete()


async def _check(
    client: httpx.AsyncClient,
    caller: Caller,
    tokens: dict[str, str],
    rows: list[tuple[Spec, models.ContentModel]],
    marker: str,
) -> None:
    for kind in TYPE_NAMES:
        data = await _data(client, list_query(kind), None, caller, tokens)
        shown = {e["node"]["slug"] for e in data["items"]["edges"]}
        expected = {
            row.slug
            for spec, row in rows
            if spec.kind == kind and may_read(caller, spec, listed=True)
        }
        assert shown & {row.slug for _, row in rows} == expected, (kind, caller)
        assert data["items"]["totalCount"] == len(data["items"]["edges"])
        if caller.scope is None or not caller.member:
            assert all(e["node"]["audience"] == "PUBLIC" for e in data["items"]["edges"])
    for spec, row in rows:
        expected_seen = may_read(caller, spec, listed=False)
        node = await _data(
            client, NODE, {"id": to_global_id(TYPE_NAMES[spec.kind], row.id)}, caller, tokens
        )
        assert (node["node"] is not None) == expected_seen, ("node", spec, caller)
        key = getattr(row, "path", None) or row.slug
        variables: dict[str, Any] = {"key": key}
        if spec.shareable:
            variables["tenant"] = spec.owner
        looked = await _data(client, lookup_query(spec.kind), variables, caller, tokens)
        # An owned kind is looked up in the request's own tenant only.
        reachable = spec.shareable or spec.owner == caller.scope
        assert (looked["item"] is not None) == (expected_seen and reachable), (spec, caller)
    # The pointer is public, live and shared: everyone reads it, and only some of its authors.
    authors = await _data(client, AUTHORS, {"tenant": "a"}, caller, tokens)
    expected_authors = {
        row.slug
        for spec, row in rows
        if spec.kind == "profiles" and may_read(caller, spec, listed=False)
    }
    assert {p["slug"] for p in authors["resource"]["authors"]} == expected_authors, caller
    await _check_search(client, caller, tokens, rows, marker)


async def _check_search(
    client: httpx.AsyncClient,
    caller: Caller,
    tokens: dict[str, str],
    rows: list[tuple[Spec, models.ContentModel]],
    marker: str,
) -> None:
    for scope in ("SITE", "KNOWLEDGE_BASE"):
        data = await _data(client, SEARCH, {"q": marker, "scope": scope}, caller, tokens)
        found = data["search"]
        site = scope == "SITE" and caller.scope is not None
        expected = set()
        for spec, row in rows:
            if spec.kind not in INDEXED:
                continue
            own = spec.owner == caller.scope
            shared = spec.shareable and spec.shared
            readable = not spec.members or (caller.member and own)
            if spec.live and readable and (shared or (site and own)):
                expected.add(row.slug)
            elif caller.preview and own and (site or shared):
                expected.add(row.slug)  # a previewer finds its own drafts too
        # The pointer (a's public shared resource) is found by the names of its live public
        # authors: shared ones for everyone, a's own for readers in a; never a members-only one.
        if any(
            spec.kind == "profiles"
            and spec.live
            and not spec.members
            and (spec.shared or (spec.owner == "a" and caller.scope == "a"))
            for spec, _ in rows
        ):
            expected.add("pointer")
        hits = {e["node"]["item"]["slug"] for e in found["edges"]}
        assert hits == expected, (scope, caller)
        assert found["totalCount"] == len(expected)
        for facet in found["facets"]:
            if facet["field"] in ("kind", "tenant"):
                assert sum(v["count"] for v in facet["values"]) == len(expected)
        snippets = " ".join(h["snippet"] for e in found["edges"] for h in e["node"]["highlights"])
        for _, row in rows:
            if row.slug not in expected:
                title = getattr(row, "title", None) or getattr(row, "name", "")
                assert title not in snippets.replace("<mark>", "").replace("</mark>", "")


# -- the caches: a member's answer is never stored for, nor served to, the public ------------

PAGES = "{ pages(first: 50) { totalCount edges { node { slug audience } } } }"
PAGE = "query ($path: String!) { page(path: $path) { slug audience body } }"


@pytest.fixture
async def world(clean_database: None) -> dict[str, Any]:
    a = await factories.tenant(slug="a")
    b = await factories.tenant(slug="b")
    await factories.page(a, path="open")
    await factories.page(a, path="inner", audience=Audience.MEMBERS, body="<p>for members</p>")
    await factories.page(b, path="b-inner", audience=Audience.MEMBERS)
    viewer_a = factories.bearer((await factories.token(a, "viewer"))[1])
    viewer_b = factories.bearer((await factories.token(b, "viewer"))[1])
    return {"a": a, "b": b, "member": viewer_a, "other": viewer_b}


def _slugs(response: httpx.Response) -> set[str]:
    body = response.json()
    assert "errors" not in body, body
    return {edge["node"]["slug"] for edge in body["data"]["pages"]["edges"]}


async def test_a_members_list_is_never_stored_for_the_public(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    member = await graphql(client, PAGES, tenant="a", headers=world["member"])
    assert _slugs(member) == {"open", "inner"}
    assert member.headers["cache-control"] == "private, no-store"
    # The same document anonymously: neither the stored answer nor the kept statement is the
    # member's (statements are kept per shape, and being a member changes the shape).
    assert _slugs(await graphql(client, PAGES, tenant="a")) == {"open"}
    assert _slugs(await graphql(client, PAGES, tenant="a")) == {"open"}  # now stored
    # A stored public answer is not served to a member either.
    assert _slugs(await graphql(client, PAGES, tenant="a", headers=world["member"])) == {
        "open",
        "inner",
    }
    # Another tenant's token is no member of a; a's token is none of b's.
    assert _slugs(await graphql(client, PAGES, tenant="a", headers=world["other"])) == {"open"}
    assert _slugs(await graphql(client, PAGES, tenant="b", headers=world["member"])) == set()
    assert _slugs(await graphql(client, PAGES, tenant="b", headers=world["other"])) == {"b-inner"}


async def test_a_statement_built_for_a_member_is_not_reused_for_the_public(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    from schema.core.statements import STATEMENTS

    STATEMENTS.entries.clear()
    for path in ("inner", "open"):
        found = await graphql(client, PAGE, {"path": path}, tenant="a", headers=world["member"])
        assert found.json()["data"]["page"]["slug"] == path
    made = len(STATEMENTS.entries)
    public = await graphql(client, PAGE, {"path": "inner"}, tenant="a")
    assert public.json()["data"]["page"] is None
    assert len(STATEMENTS.entries) > made  # a shape of its own, not the member's bound anew
    flags = {key[3] for key in STATEMENTS.entries}
    assert (False, False, False) in flags and (True, True, False) in flags


async def test_a_member_search_never_reads_or_fills_the_public_result_cache(
    app: Starlette, client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    await factories.page(world["a"], path="notes", title="Kestrel notes")
    await factories.page(
        world["a"], path="secret", title="Kestrel secret", audience=Audience.MEMBERS
    )
    await app.state.search.rebuild()
    query = '{ search(query: "kestrel") { totalCount } }'
    cache = app.state.search.cache
    assert cache is not None and len(cache) == 0
    member = (await graphql(client, query, tenant="a", headers=world["member"])).json()
    assert member["data"]["search"]["totalCount"] == 2
    assert len(cache) == 0
    public = (await graphql(client, query, tenant="a")).json()
    assert public["data"]["search"]["totalCount"] == 1
    assert len(cache) == 1
    member = (await graphql(client, query, tenant="a", headers=world["member"])).json()
    assert member["data"]["search"]["totalCount"] == 2  # not the public page from the cache


# -- writes: the audience is an input, validated, kept in revisions ---------------------------

CREATE_PAGE = """
mutation ($input: CreatePageInput!) {
  createPage(input: $input) { page { id audience } errors { field code } }
}"""
UPDATE_PAGE = """
mutation ($id: ID!, $input: UpdatePageInput!) {
  updatePage(id: $id, input: $input) {
    page { audience version revisions { snapshot } } errors { field code }
  }
}"""


async def test_the_audience_is_written_validated_and_kept_in_revisions(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    editor = factories.bearer((await factories.token(world["a"], "editor"))[1])
    created = await graphql(
        client,
        CREATE_PAGE,
        {"input": {"title": "Circle", "path": "circle", "audience": "MEMBERS"}},
        tenant="a",
        headers=editor,
    )
    page = created.json()["data"]["createPage"]["page"]
    assert page["audience"] == "MEMBERS"
    row = await models.Page.get(path="circle")
    assert row.audience is Audience.MEMBERS
    updated = await graphql(
        client,
        UPDATE_PAGE,
        {"id": page["id"], "input": {"audience": "PUBLIC", "expectedVersion": 1}},
        tenant="a",
        headers=editor,
    )
    result = updated.json()["data"]["updatePage"]
    assert result["page"]["audience"] == "PUBLIC"
    assert [r["snapshot"]["audience"] for r in result["page"]["revisions"]] == [
        "members",
        "public",
    ]
    # A value outside the enum is refused before anything is written.
    wrong = await graphql(
        client,
        UPDATE_PAGE,
        {"id": page["id"], "input": {"audience": "FRIENDS", "expectedVersion": 2}},
        tenant="a",
        headers=editor,
    )
    assert wrong.json()["errors"]
    assert (await models.Page.get(path="circle")).version == 2


async def test_feeds_and_sitemaps_never_list_members_items(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    await factories.news_item(world["a"], slug="open-news")
    await factories.news_item(world["a"], slug="inner-news", audience=Audience.MEMBERS)
    await factories.event(world["a"], slug="inner-event", audience=Audience.MEMBERS)
    for path in ("sitemap.xml", "news.rss", "events.ics"):
        response = await client.get(f"/sites/a/{path}", headers=world["member"])
        assert response.status_code == 200, (path, response.text)
        assert "inner" not in response.text, path
    sitemap = (await client.get("/sites/a/sitemap.xml")).text
    assert "open" in sitemap and "open-news" in sitemap


# -- the seeded example of the README ----------------------------------------------------------

SEEDED = """
{ page(path: "members-space") { title audience }
  pages(first: 50) { totalCount }
  search(query: "safe space") { totalCount } }
"""


async def test_stem_powers_seeded_members_space_is_read_by_its_members_only(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    from seeds import load_seed

    await load_seed()
    await app.state.search.rebuild()
    stem_power = await models.Tenant.get(slug="stem-power")
    member = factories.bearer((await factories.token(stem_power, "viewer"))[1])
    genera = await models.Tenant.get(slug="genera")
    other = factories.bearer((await factories.token(genera, "viewer"))[1])
    public = (await graphql(client, SEEDED, tenant="stem-power")).json()["data"]
    assert public["page"] is None
    assert public["pages"]["totalCount"] == 4
    assert public["search"]["totalCount"] == 1
    for headers in (other, None):
        seen = (await graphql(client, SEEDED, tenant="stem-power", headers=headers)).json()
        assert seen["data"] == public
    read = (await graphql(client, SEEDED, tenant="stem-power", headers=member)).json()["data"]
    assert read["page"] == {"title": "The members' space", "audience": "MEMBERS"}
    assert read["pages"]["totalCount"] == 5
    assert read["search"]["totalCount"] == 2
