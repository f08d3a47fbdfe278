"""Preview: tokens of a tenant read its drafts, scheduled, expired and archived items; nobody
else does."""

from __future__ import annotations

from typing import Any

import pytest

from cms import models
from cms.models import Status
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import bearer
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

LISTS = """
query ($status: [ContentStatus!], $shared: Boolean! = false) {
  resources(filter: {status: $status}, includeShared: $shared, first: 100) { ...R }
  videos(filter: {status: $status}, includeShared: $shared, first: 100) { ...V }
  profiles(filter: {status: $status}, includeShared: $shared, first: 100) { ...P }
  organisations(filter: {status: $status}, includeShared: $shared, first: 100) { ...O }
  events(filter: {status: $status}, first: 100) { edges { node { slug } } }
  news(filter: {status: $status}, first: 100) { edges { node { slug } } }
  pages(filter: {status: $status}, first: 100) { edges { node { slug } } }
}
fragment R on ResourceConnection { edges { node { slug } } }
fragment V on VideoConnection { edges { node { slug } } }
fragment P on ProfileConnection { edges { node { slug } } }
fragment O on OrganisationConnection { edges { node { slug } } }
"""
LOOKUPS = """
query ($s: String!, $owner: String) {
  resource(slug: $s, tenant: $owner) { ...C }
  video(slug: $s, tenant: $owner) { ...C }
  profile(slug: $s, tenant: $owner) { ...C }
  organisation(slug: $s, tenant: $owner) { ...C }
  event(slug: $s) { ...C }
  newsItem(slug: $s) { ...C }
  page(path: $s) { ...C }
}
fragment C on Content { slug status }
"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
NESTED = """
{
  resource(slug: "live") { authors { slug } organisation { slug } }
  page(path: "live") { children { slug } }
}
"""
HISTORY = """
query ($s: String!) {
  resource(slug: $s) { createdBy updatedBy revisions { version operation author snapshot } }
}
"""
CREATE_RESOURCE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id slug version } errors { field code } }
}"""
UPDATE_RESOURCE = """
mutation ($id: ID!, $input: UpdateResourceInput!) {
  updateResource(id: $id, input: $input) { resource { version } errors { code } }
}"""
FIELDS = ("resources", "videos", "profiles", "organisations", "events", "news", "pages")
SHAREABLE = FIELDS[:4]
LOOKUP_FIELDS = ("resource", "video", "profile", "organisation", "event", "newsItem", "page")
STATES = {
    "draft": {"status": Status.DRAFT},
    "scheduled": {"status": Status.PUBLISHED, "published_at": factories.FUTURE},
    "live": {"status": Status.PUBLISHED},
    "expired": {"status": Status.PUBLISHED, "expires_at": factories.EXPIRED},
    "archived": {"status": Status.ARCHIVED},
}


async def _seed(owner: models.Tenant, prefix: str = "", *, shared: bool = False) -> list[Any]:
    """An item of every kind in every state; slugs are `{prefix}{state}`."""
    rows: list[Any] = []
    for state, values in STATES.items():
        slug = f"{prefix}{state}"
        kb = {**values, "slug": slug, "shared": shared}
        rows += [
            await factories.resource(owner, **kb),
            await factories.video(owner, **kb),
            await factories.profile(owner, **kb),
            await factories.organisation(owner, **kb),
            await factories.event(owner, **values, slug=slug),
            await factories.news_item(owner, **values, slug=slug),
            await factories.page(owner, **values, path=slug),
        ]
    return rows


@pytest.fixture
async def world(client) -> dict[str, Any]:
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    rows = await _seed(home)
    away_rows = await _seed(away, "away-", shared=True)
    tokens = {
        role: bearer((await factories.token(home, role))[1])
        for role in ("admin", "editor", "contributor", "viewer")
    }
    tokens["platform"] = bearer((await factories.token(None, "admin"))[1])
    tokens["away"] = bearer((await factories.token(away, "admin"))[1])
    tokens["public"] = {}
    return {"client": client, "rows": rows, "away_rows": away_rows, "tokens": tokens}


async def _data(world: dict[str, Any], who: str, query: str, variables: Any = None) -> Any:
    response = await graphql(
        world["client"], query, variables, tenant="home", headers=world["tokens"][who]
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def _slugs(data: dict[str, Any]) -> dict[str, set[str]]:
    return {f: {e["node"]["slug"] for e in data[f]["edges"]} for f in FIELDS}


def _expect(slugs: set[str], shared: set[str] = frozenset()) -> dict[str, set[str]]:  # type: ignore[assignment]
    return {f: slugs | (shared if f in SHAREABLE else set()) for f in FIELDS}


PREVIEWERS = ("admin", "editor", "contributor", "viewer", "platform")
OUTSIDERS = ("public", "away")


@pytest.mark.parametrize("who", PREVIEWERS)
async def test_any_role_of_the_tenant_previews_by_status_lookup_node_and_relation(world, who):
    async def listed(status: list[str] | None, shared: bool = False) -> dict[str, set[str]]:
        return _slugs(await _data(world, who, LISTS, {"status": status, "shared": shared}))

    assert await listed(None) == _expect({"live"})  # lists default to live items, even for tokens
    assert await listed(["DRAFT"]) == _expect({"draft"})
    assert await listed(["PUBLISHED"]) == _expect({"live", "scheduled", "expired"})
    assert await listed(["ARCHIVED"]) == _expect({"archived"})
    everything = await listed(["DRAFT", "PUBLISHED", "ARCHIVED"], shared=True)
    # Another tenant's shared items come only when live, whatever the status filter asks.
    assert everything == _expect(set(STATES), {"away-live"})

    for state in STATES:
        found = await _data(world, who, LOOKUPS, {"s": state})
        assert {f: (found[f] or {}).get("slug") for f in LOOKUP_FIELDS} == dict.fromkeys(
            LOOKUP_FIELDS, state
        ), (who, state)
    for row in world["rows"]:
        gid = to_global_id(type(row).__name__, row.id)
        assert (await _data(world, who, NODE, {"id": gid}))["node"] == {"id": gid}


@pytest.mark.parametrize("who", ["admin", "editor", "contributor", "viewer"])
async def test_a_tenant_token_never_sees_another_tenants_drafts(world, who):
    for state in ("away-draft", "away-scheduled", "away-expired", "away-archived"):
        found = await _data(world, who, LOOKUPS, {"s": state, "owner": "away"})
        assert all(found[f] is None for f in LOOKUP_FIELDS), (state, found)
    for row in world["away_rows"]:
        gid = to_global_id(type(row).__name__, row.id)
        expected = {"id": gid} if row.slug == "away-live" and hasattr(row, "shared") else None
        assert (await _data(world, who, NODE, {"id": gid}))["node"] == expected, row.slug
    # Addressing the other tenant's site does not lend the token a role there.
    response = await graphql(
        world["client"],
        LISTS,
        {"status": ["DRAFT", "PUBLISHED"]},
        tenant="away",
        headers=world["tokens"][who],
    )
    assert _slugs(response.json()["data"]) == _expect({"away-live"})


@pytest.mark.parametrize("who", OUTSIDERS)
async def test_the_public_and_other_tenants_see_live_items_only(world, who):
    async def listed(status: list[str] | None, shared: bool = False) -> dict[str, set[str]]:
        return _slugs(await _data(world, who, LISTS, {"status": status, "shared": shared}))

    assert await listed(None) == _expect({"live"})
    assert await listed(["DRAFT"]) == _expect(set())
    assert await listed(["PUBLISHED"]) == _expect({"live"})
    assert await listed(["ARCHIVED"]) == _expect(set())
    assert await listed(["DRAFT", "PUBLISHED", "ARCHIVED"], True) == _expect(
        {"live"}, {"away-live"}
    )
    for state in ("draft", "scheduled", "expired", "archived"):
        found = await _data(world, who, LOOKUPS, {"s": state})
        assert all(found[f] is None for f in LOOKUP_FIELDS), (who, state, found)
    for row in world["rows"]:
        gid = to_global_id(type(row).__name__, row.id)
        expected = {"id": gid} if row.slug == "live" else None
        assert (await _data(world, who, NODE, {"id": gid}))["node"] == expected


@pytest.mark.parametrize("who", [*PREVIEWERS, *OUTSIDERS])
async def test_nested_relations_show_drafts_and_expired_items_only_to_previewers(client, who):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    author = await factories.profile(home, status=Status.DRAFT, slug="draft-author")
    gone = await factories.profile(home, slug="expired-author", expires_at=factories.EXPIRED)
    org = await factories.organisation(home, expires_at=factories.EXPIRED, slug="expired-org")
    await factories.resource(home, slug="live", authors=[author, gone], organisation=org)
    parent = await factories.page(home, path="live")
    await factories.page(home, path="live/draft-child", parent=parent, status=Status.DRAFT)
    await factories.page(
        home,
        path="live/soon-child",
        parent=parent,
        status=Status.PUBLISHED,
        published_at=factories.FUTURE,
    )
    await factories.page(
        home,
        path="live/gone-child",
        parent=parent,
        title="Z (sorts last)",
        expires_at=factories.EXPIRED,
    )
    owner = {"platform": None, "away": away}.get(who, home)
    role = "admin" if who in ("platform", "away") else who
    headers = {} if who == "public" else bearer((await factories.token(owner, role))[1])
    response = await graphql(client, NESTED, tenant="home", headers=headers)
    data = response.json()["data"]
    if who in PREVIEWERS:
        assert data == {
            "resource": {
                "authors": [{"slug": "draft-author"}, {"slug": "expired-author"}],
                "organisation": {"slug": "expired-org"},
            },
            "page": {
                "children": [{"slug": s} for s in ("draft-child", "soon-child", "gone-child")]
            },
        }
    else:
        assert data == {
            "resource": {"authors": [], "organisation": None},
            "page": {"children": []},
        }


@pytest.mark.parametrize("who", [*PREVIEWERS, *OUTSIDERS])
async def test_revisions_created_by_and_updated_by_are_for_the_tenants_tokens(client, who):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    alice = bearer((await factories.token(home, "contributor", name="alice"))[1])
    bob = bearer((await factories.token(home, "editor", name="bob"))[1])
    values = {"title": "Shared guide", "kind": "GUIDE", "shared": True}
    made = await graphql(client, CREATE_RESOURCE, {"input": values}, tenant="home", headers=alice)
    rid = made.json()["data"]["createResource"]["resource"]["id"]
    await graphql(
        client,
        UPDATE_RESOURCE,
        {"id": rid, "input": {"expectedVersion": 1, "summary": "Better"}},
        tenant="home",
        headers=bob,
    )
    await graphql(
        client,
        "mutation ($id: ID!) { publish(id: $id) { errors { code } } }",
        {"id": rid},
        tenant="home",
        headers=bob,
    )
    owner = {"platform": None, "away": away}.get(who, home)
    role = "admin" if who in ("platform", "away") else who
    headers = {} if who == "public" else bearer((await factories.token(owner, role))[1])
    # Outsiders read the live shared item from their own site or the public one: no history.
    response = await graphql(client, HISTORY, {"s": "shared-guide"}, tenant="home", headers=headers)
    data = response.json()["data"]["resource"]
    if who in PREVIEWERS:
        assert data["createdBy"] == "alice" and data["updatedBy"] == "bob"
        assert [(r["version"], r["operation"], r["author"]) for r in data["revisions"]] == [
            (1, "create", "alice"),
            (2, "update", "bob"),
            (3, "publish", "bob"),
        ]
        assert data["revisions"][1]["snapshot"]["summary"] == "Better"
    else:
        assert data == {"createdBy": None, "updatedBy": None, "revisions": []}
    if who == "away":
        query = 'query { resource(slug: "shared-guide", tenant: "home") { createdBy revisions { version } } }'  # noqa: E501
        response = await graphql(client, query, tenant="away", headers=headers)
        assert response.json()["data"]["resource"] == {"createdBy": None, "revisions": []}


async def test_slugs_are_made_unique_from_the_title_and_explicit_ones_are_kept(client):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    made = []
    for extra in ({}, {}, {"slug": "my-own-slug"}, {}):
        values = {"title": "Título: Slug!", "kind": "GUIDE", **extra}
        response = await graphql(
            client, CREATE_RESOURCE, {"input": values}, tenant="home", headers=headers
        )
        made.append(response.json()["data"]["createResource"]["resource"]["slug"])
    assert made == ["titulo-slug", "titulo-slug-2", "my-own-slug", "titulo-slug-3"]
    away = await factories.tenant(slug="away")
    other = bearer((await factories.token(away, "editor"))[1])
    response = await graphql(
        client,
        CREATE_RESOURCE,
        {"input": {"title": "Título: Slug!", "kind": "GUIDE"}},
        tenant="away",
        headers=other,
    )
    assert response.json()["data"]["createResource"]["resource"]["slug"] == "titulo-slug"


async def test_revision_snapshots_never_show_a_private_contact(client):
    home = await factories.tenant(slug="home")
    editor = bearer((await factories.token(home, "editor", name="ed"))[1])
    create = """mutation ($input: CreateProfileInput!) {
      createProfile(input: $input) { profile { slug } errors { code } } }"""
    values = {"name": "Ana Example", "privateContact": "+34 600 000 000"}
    made = await graphql(client, create, {"input": values}, tenant="home", headers=editor)
    assert made.json()["data"]["createProfile"]["errors"] == []
    stored = await models.Revision.get(content_type="Profile")
    assert stored.snapshot["private_contact"] == "+34 600 000 000"  # kept for reverts
    query = 'query { profile(slug: "ana-example") { revisions { snapshot } } }'
    response = await graphql(client, query, tenant="home", headers=editor)
    revisions = response.json()["data"]["profile"]["revisions"]
    assert revisions and "+34 600" not in response.text
    assert "private_contact" not in revisions[0]["snapshot"]
