"""The response cache of public reads and the HTTP caching headers (schema/cache.py), with the
content generations that invalidate it (cms/services/generations.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import schema.http as schema_http
from cms.app import create_app
from cms.config import Settings
from cms.models import Status
from cms.services import generations
from schema.cache import Entry, ResponseCache, ResponseStore
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import bearer
from tests.support import samples, uploads
from tests.support.api import KNOWN_CODES, graphql
from tests.support.database import SQLCounter

pytestmark = pytest.mark.anyio

RESOURCES = """
query ($shared: Boolean) {
  resources(first: 50, includeShared: $shared) { edges { node { slug title tags { slug } } } }
}"""
UPCOMING = "{ events(filter: {when: UPCOMING}) { edges { node { slug } } } }"
DRAFTS_TOO = "{ resources(filter: {status: [DRAFT, PUBLISHED]}) { edges { node { slug } } } }"
SEARCH = '{ search(query: "budgeting") { totalCount } }'
CREATE_RESOURCE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id version } errors { field code } }
}"""
UPDATE_RESOURCE = """
mutation ($id: ID!, $input: UpdateResourceInput!) {
  updateResource(id: $id, input: $input) { resource { id version } errors { field code } }
}"""
UPDATE_TAG = """
mutation ($id: ID!, $input: UpdateTagInput!) {
  updateTag(id: $id, input: $input) { tag { slug } errors { field code } }
}"""
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { node { id } errors { field code } } }"


def cache_of(app: Starlette) -> ResponseCache:
    """The response cache of an app's GraphQL endpoint."""
    route = next(r for r in app.routes if getattr(r, "path", None) == "/graphql")
    cache = route.app.cache  # type: ignore[attr-defined]
    assert isinstance(cache, ResponseCache)
    return cache


@pytest.fixture
async def app(app_settings: Settings, clean_database: None) -> Starlette:
    return create_app(app_settings, manage_database=False)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    ) as client:
        yield client


@pytest.fixture
async def tenants(clean_database: None) -> dict[str, Any]:
    a = await factories.tenant(slug="a")
    b = await factories.tenant(slug="b")
    return {"a": a, "b": b}


def slugs(response: httpx.Response, field: str = "resources") -> set[str]:
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return {edge["node"]["slug"] for edge in body["data"][field]["edges"]}


def titles(response: httpx.Response) -> set[str]:
    return {edge["node"]["title"] for edge in response.json()["data"]["resources"]["edges"]}


async def call(http: httpx.AsyncClient, query: str, variables: Any, token: str) -> dict[str, Any]:
    """A mutation that must succeed: its payload, without errors."""
    body = (await graphql(http, query, variables, tenant="a", headers=bearer(token))).json()
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert not payload.get("errors"), payload
    return payload  # type: ignore[no-any-return]


def read_statements(counter: SQLCounter) -> int:
    """Statements besides the tenant directory's (whose own cache is off in tests)."""
    return len([s for s in counter.statements if 'FROM "tenant"' not in s])


class Clock:
    """Moves the clock the endpoint reads (schema.http's `datetime`) by `offset`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def move(self, offset: timedelta) -> None:
        class Moved(datetime):
            @classmethod
            def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
                return datetime.now(tz) + offset

        self.monkeypatch.setattr(schema_http, "datetime", Moved)


# -- the store answers repeated public reads, and only while they are current -----------------


async def test_a_repeated_public_read_is_answered_with_one_statement(
    http, app, tenants, sql_counter
):
    await factories.resource(tenants["a"], slug="one")
    first = await graphql(http, RESOURCES, tenant="a")
    sql_counter.statements.clear()
    second = await graphql(http, RESOURCES, tenant="a")
    assert second.content == first.content and slugs(second) == {"one"}
    # The generation check, nothing else: the document did not execute again.
    assert read_statements(sql_counter) == 1, sql_counter.statements
    assert "content_generation" in sql_counter.statements[-1]
    assert len(cache_of(app).store.entries) == 1
    # Other variables, another operation name or another tenant are other answers.
    await graphql(http, RESOURCES, {"shared": True}, tenant="a")
    await graphql(http, RESOURCES, tenant="b")
    assert len(cache_of(app).store.entries) == 3


async def test_a_publish_through_the_api_is_in_the_next_public_read(http, tenants):
    token = (await factories.token(tenants["a"], "editor"))[1]
    created = await call(
        http, CREATE_RESOURCE, {"input": {"title": "Fresh", "kind": "GUIDE"}}, token
    )
    assert slugs(await graphql(http, RESOURCES, tenant="a")) == set()
    await call(http, PUBLISH, {"id": created["resource"]["id"]}, token)
    assert slugs(await graphql(http, RESOURCES, tenant="a")) == {"fresh"}
    await call(
        http,
        UPDATE_RESOURCE,
        {"id": created["resource"]["id"], "input": {"expectedVersion": 2, "title": "Renamed"}},
        token,
    )
    assert titles(await graphql(http, RESOURCES, tenant="a")) == {"Renamed"}


async def test_a_scheduled_item_appears_in_cached_answers_at_its_time(
    http, app, tenants, monkeypatch
):
    now = datetime.now(UTC)
    await factories.resource(tenants["a"], slug="soon", published_at=now + timedelta(hours=1))
    await factories.resource(
        tenants["a"],
        slug="going",
        published_at=now - timedelta(days=1),
        expires_at=now + timedelta(hours=2),
    )
    await factories.event(
        tenants["a"], slug="meeting", start=now - timedelta(hours=1), end=now + timedelta(hours=3)
    )
    await factories.resource(
        tenants["b"], slug="b-soon", shared=True, published_at=now + timedelta(minutes=30)
    )
    clock = Clock(monkeypatch)

    before = await graphql(http, RESOURCES, {"shared": True}, tenant="a")
    assert slugs(before) == {"going"}
    # A CDN may not keep it past the next change either (b's shared item, in 30 minutes).
    assert 0 < _max_age(before) <= 30 * 60
    assert slugs(await graphql(http, UPCOMING, tenant="a"), "events") == {"meeting"}
    clock.move(timedelta(minutes=29))
    assert slugs(await graphql(http, RESOURCES, {"shared": True}, tenant="a")) == {"going"}
    clock.move(timedelta(minutes=31))
    assert slugs(await graphql(http, RESOURCES, {"shared": True}, tenant="a")) == {
        "going",
        "b-soon",
    }
    clock.move(timedelta(hours=1, minutes=1))
    assert slugs(await graphql(http, RESOURCES, {"shared": True}, tenant="a")) == {
        "going",
        "b-soon",
        "soon",
    }
    clock.move(timedelta(hours=2, minutes=1))
    assert slugs(await graphql(http, RESOURCES, {"shared": True}, tenant="a")) == {"b-soon", "soon"}
    assert slugs(await graphql(http, UPCOMING, tenant="a"), "events") == {"meeting"}
    clock.move(timedelta(hours=3, minutes=1))
    assert slugs(await graphql(http, UPCOMING, tenant="a"), "events") == set()
    assert len(cache_of(app).store.entries) == 2


# -- principals and previews never touch it -----------------------------------------------------


async def test_a_token_or_preview_request_never_gets_or_fills_a_public_answer(http, app, tenants):
    await factories.resource(tenants["a"], slug="live")
    await factories.resource(tenants["a"], slug="draft", status=Status.DRAFT)
    editor = bearer((await factories.token(tenants["a"], "editor"))[1])
    viewer = bearer((await factories.token(tenants["b"], "viewer"))[1])
    store = cache_of(app).store

    previewed = await graphql(http, DRAFTS_TOO, tenant="a", headers=editor)
    assert slugs(previewed) == {"live", "draft"}
    assert previewed.headers["cache-control"] == "private, no-store"
    other = await graphql(http, DRAFTS_TOO, tenant="a", headers=viewer)  # a principal, no preview
    assert slugs(other) == {"live"} and other.headers["cache-control"] == "private, no-store"
    assert store.entries == {}

    public = await graphql(http, DRAFTS_TOO, tenant="a")
    assert slugs(public) == {"live"} and public.headers["cache-control"].startswith("public")
    assert len(store.entries) == 1
    # With a stored public answer, the editor still gets the preview, and nothing is stored.
    again = await graphql(http, DRAFTS_TOO, tenant="a", headers=editor)
    assert slugs(again) == {"live", "draft"}
    assert len(store.entries) == 1
    assert slugs(await graphql(http, DRAFTS_TOO, tenant="a")) == {"live"}


# -- shared writes reach every tenant; unshared ones only their own ----------------------------


async def test_a_shared_write_in_one_tenant_invalidates_another_tenants_answers(
    http, tenants, sql_counter
):
    tag = await factories.tag(tenants["a"], slug="budget")
    token = (await factories.token(tenants["a"], "editor"))[1]
    created = await call(
        http,
        CREATE_RESOURCE,
        {"input": {"title": "Shared", "kind": "GUIDE", "shared": True, "tags": ["budget"]}},
        token,
    )
    rid = created["resource"]["id"]
    await call(http, PUBLISH, {"id": rid}, token)
    assert titles(await graphql(http, RESOURCES, {"shared": True}, tenant="b")) == {"Shared"}

    await call(
        http, UPDATE_RESOURCE, {"id": rid, "input": {"expectedVersion": 2, "title": "New"}}, token
    )
    assert titles(await graphql(http, RESOURCES, {"shared": True}, tenant="b")) == {"New"}

    # A tag of a tenant with shared items shows on them elsewhere.
    await call(
        http, UPDATE_TAG, {"id": to_global_id("Tag", tag.id), "input": {"slug": "money"}}, token
    )
    tagged = (await graphql(http, RESOURCES, {"shared": True}, tenant="b")).json()
    assert tagged["data"]["resources"]["edges"][0]["node"]["tags"] == [{"slug": "money"}]

    # Unsharing is a shared write too: the item was shared before it.
    await call(
        http, UPDATE_RESOURCE, {"id": rid, "input": {"expectedVersion": 3, "shared": False}}, token
    )
    assert titles(await graphql(http, RESOURCES, {"shared": True}, tenant="b")) == set()


async def test_an_unshared_write_in_one_tenant_leaves_another_tenants_answers(
    http, tenants, sql_counter
):
    await factories.resource(tenants["b"], slug="b-own")
    token = (await factories.token(tenants["a"], "editor"))[1]
    created = await call(
        http, CREATE_RESOURCE, {"input": {"title": "Private", "kind": "GUIDE"}}, token
    )
    rid = created["resource"]["id"]
    await call(http, PUBLISH, {"id": rid}, token)
    before = await generations.current(tenants["b"].id)
    stored = await graphql(http, RESOURCES, {"shared": True}, tenant="b")
    await call(
        http, UPDATE_RESOURCE, {"id": rid, "input": {"expectedVersion": 2, "title": "New"}}, token
    )
    assert await generations.current(tenants["b"].id) == before
    sql_counter.statements.clear()
    again = await graphql(http, RESOURCES, {"shared": True}, tenant="b")
    assert again.content == stored.content
    assert read_statements(sql_counter) == 1  # still the stored answer
    # a's own answers did change.
    assert titles(await graphql(http, RESOURCES, tenant="a")) == {"New"}


async def test_tenant_changes_and_bulk_writes_bump_every_tenant(tenants):
    a, b = tenants["a"].id, tenants["b"].id
    before = (await generations.current(a), await generations.current(b))
    await generations.tenant_changed(a)
    after = (await generations.current(a), await generations.current(b))
    assert after[0][0] == before[0][0] + 1  # a's own
    assert after[0][1] == after[1][1] == before[1][1] + 1  # shared: every tenant's key holds it
    assert after[1][0] == before[1][0]


# -- what is never stored --------------------------------------------------------------------


async def test_errors_searches_and_mutations_are_not_stored(http, app, tenants):
    store = cache_of(app).store
    wrong = await graphql(http, "{ resources { edges { node { nope } } } }", tenant="a")
    assert wrong.json()["errors"] and wrong.headers["cache-control"] == "no-store"
    searched = await graphql(http, SEARCH, tenant="a")
    assert "errors" not in searched.json()
    assert searched.headers["cache-control"].startswith("public")  # a CDN may keep it briefly
    anonymous_write = await graphql(http, PUBLISH, {"id": to_global_id("Resource", 1)}, tenant="a")
    assert anonymous_write.headers["cache-control"] == "no-store"
    assert store.entries == {}


# -- bounded memory and the switch -----------------------------------------------------------


def test_the_store_keeps_its_byte_budget_dropping_the_least_recently_used():
    entry = Entry(b"x" * 600, '"e"', (1, 1), None)  # 1000 bytes with the overhead
    store = ResponseStore(budget_bytes=2500)
    store.put(b"one", entry)
    store.put(b"two", entry)
    assert store.get(b"one") is entry  # now the most recently used
    store.put(b"three", entry)
    assert set(store.entries) == {b"one", b"three"} and store.used == 2000
    store.put(b"huge", Entry(b"x" * 3000, '"h"', (1, 1), None))  # over the whole budget
    assert set(store.entries) == {b"one", b"three"}


async def test_the_budget_holds_for_real_answers(app_settings, clean_database, tenants):
    app = create_app(app_settings.with_overrides(response_cache_mb=1), manage_database=False)
    for n in range(30):
        await factories.resource(tenants["a"], slug=f"r-{n}", summary="s" * 5000)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        query = "query ($n: Int) { resources(first: $n) { edges { node { slug summary } } } }"
        for n in range(1, 31):
            await graphql(client, query, {"n": n}, tenant="a")
    store = cache_of(app).store
    assert store.used <= 1024 * 1024 < sum(range(1, 31)) * 5000
    assert 0 < len(store.entries) < 30


async def test_the_switch_turns_the_store_off(app_settings, clean_database, tenants, sql_counter):
    app = create_app(app_settings.with_overrides(response_cache=False), manage_database=False)
    await factories.resource(tenants["a"], slug="one")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await graphql(client, RESOURCES, tenant="a")
        sql_counter.statements.clear()
        again = await graphql(client, RESOURCES, tenant="a")
    assert len(sql_counter.statements) > 1  # executed again
    assert not any("content_generation" in s for s in sql_counter.statements)
    assert cache_of(app).store.entries == {}
    assert again.headers["etag"] and again.headers["cache-control"].startswith("public")


def test_the_settings_are_read_from_the_environment():
    settings = Settings.from_env(
        {
            "CMS_RESPONSE_CACHE": "off",
            "CMS_RESPONSE_CACHE_MB": "8",
            "CMS_HTTP_MAX_AGE": "0",
            "CMS_HTTP_STALE_WHILE_REVALIDATE": "30",
        }
    )
    assert settings.response_cache is False and settings.response_cache_mb == 8
    assert (settings.http_max_age, settings.http_stale_while_revalidate) == (0, 30)
    defaults = Settings.from_env({})
    assert defaults.response_cache and defaults.response_cache_mb == 64
    assert (defaults.http_max_age, defaults.http_stale_while_revalidate) == (60, 300)


# -- HTTP caching ----------------------------------------------------------------------------


def _max_age(response: httpx.Response) -> int:
    for part in response.headers["cache-control"].split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age":
            return int(value)
    raise AssertionError(response.headers["cache-control"])


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_public_answers_carry_an_etag_and_answer_if_none_match_with_304(
    http, tenants, method
):
    await factories.resource(tenants["a"], slug="one")

    async def read(headers: dict[str, str] | None = None) -> httpx.Response:
        sent = {"X-CMS-Tenant": "a", "Origin": "https://site.example", **(headers or {})}
        if method == "GET":
            return await http.get("/graphql", params={"query": RESOURCES}, headers=sent)
        return await http.post("/graphql", json={"query": RESOURCES}, headers=sent)

    for _ in range(2):  # executed, then stored
        response = await read()
        etag = response.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert response.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=300"
        vary = {v.strip() for v in response.headers["vary"].split(",")}
        assert {"Accept", "Authorization", "X-CMS-Tenant", "Origin"} <= vary
        assert response.headers["cache-tag"] == response.headers["surrogate-key"] == "tenant:a"
    not_modified = await read({"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert (await read({"If-None-Match": '"other"'})).status_code == 200


async def test_platform_answers_are_tagged_and_private_ones_are_not_public(http, tenants):
    platform = await graphql(http, "{ tenants { slug } }")
    assert platform.headers["cache-tag"] == "platform"
    token = (await factories.token(tenants["a"], "editor"))[1]
    private = await graphql(http, RESOURCES, tenant="a", headers=bearer(token))
    assert private.headers["cache-control"] == "private, no-store"
    assert "etag" not in private.headers and "cache-tag" not in private.headers
    refused = await http.post(
        "/graphql", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert refused.status_code == 400 and refused.headers["cache-control"] == "no-store"


async def test_media_uploads_bump_their_tenant_and_shared_when_it_shares(http, tenants):
    token = await uploads.editor("a")
    a, b = tenants["a"].id, tenants["b"].id
    before = await generations.current(a)
    sent = await uploads.upload(
        http, uploads.UPLOAD_IMAGE, samples.photo(), "p.jpg", {"alt": "p"}, token=token, tenant="a"
    )
    assert not sent.json()["data"]["uploadImage"]["errors"]
    assert await generations.current(a) == (before[0] + 1, before[1])  # nothing of a is shared
    await factories.resource(tenants["a"], shared=True)
    before_b = await generations.current(b)
    await uploads.upload(
        http,
        uploads.UPLOAD_FILE,
        samples.pdf("x"),
        "x.pdf",
        {"title": "x"},
        token=token,
        tenant="a",
    )
    assert (await generations.current(b))[1] == before_b[1] + 1  # a shared item may show it
