"""Tenancy invariants, proven for every list, single lookup, `node(id:)` and nested relation.

The invariants (DESIGN.md, "Tenancy invariants"):
  (a) a request with tenant A sees its own published items;
  (b) it never sees tenant B's unshared items, through any path;
  (c) B's `shared` knowledge-base items appear in lists only with `includeShared: true`, and
      through a lookup naming `tenant: "b"` and through `node(id:)`;
  (d) nobody sees a draft, an archived or a scheduled item, through any path, and a scheduled
      item becomes visible once its time has passed;
  (e) the platform scope (no tenant) sees the tenant directory and shared items only;
  (f) an unknown `X-CMS-Tenant` slug is an error without `data`;
  (g) the Host header resolves a tenant by its domains and wins over the header;
  (h) a profile's private contact is not in the schema at all.

Every kind gets the same set of items, named by what they are: `a-own` is tenant a's published,
unshared item; `b-shared` tenant b's published shared one; every slug containing `hidden` is a
draft, archived or scheduled item that no reader may ever see. Expectations come from `seen()`,
a restatement of the rules above, never from the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tortoise.models import Model

from cms import models
from cms.config import Settings
from cms.models import Status
from cms.services import generations
from schema import http as schema_http
from schema.core.ids import to_global_id
from tests import factories
from tests.support.api import data_of, graphql
from tests.support.sdl import readable_fields_named

pytestmark = pytest.mark.anyio

SHAREABLE_KINDS = ("resources", "videos", "profiles", "organisations")
OWNED_KINDS = ("events", "news", "pages")
KINDS = SHAREABLE_KINDS + OWNED_KINDS

SHAREABLE_LIST = """
query ($shared: Boolean!) {
  items: %s(first: 100, includeShared: $shared) { totalCount edges { node { slug } } }
}
"""
OWNED_LIST = """
query { items: %s(first: 100) { totalCount edges { node { slug } } } }
"""
LIST_QUERIES = {
    kind: (SHAREABLE_LIST if kind in SHAREABLE_KINDS else OWNED_LIST) % kind for kind in KINDS
}

SHAREABLE_LOOKUP = """
query ($key: String!, $tenant: String) { item: %s(slug: $key, tenant: $tenant) { slug } }
"""
OWNED_LOOKUP = """
query ($key: String!) { item: %s(%s: $key) { slug } }
"""
LOOKUP_QUERIES = {
    "resources": SHAREABLE_LOOKUP % "resource",
    "videos": SHAREABLE_LOOKUP % "video",
    "profiles": SHAREABLE_LOOKUP % "profile",
    "organisations": SHAREABLE_LOOKUP % "organisation",
    "events": OWNED_LOOKUP % ("event", "slug"),
    "news": OWNED_LOOKUP % ("newsItem", "slug"),
    "pages": OWNED_LOOKUP % ("page", "path"),
}
TYPE_NAMES = {
    "resources": "Resource",
    "videos": "Video",
    "profiles": "Profile",
    "organisations": "Organisation",
    "events": "Event",
    "news": "NewsItem",
    "pages": "Page",
}

NODE = """
query ($id: ID!) { node(id: $id) { __typename id } }
"""
NODE_WITH_SLUG = """
query ($id: ID!) { node(id: $id) { __typename id ... on Content { slug } } }
"""
SITE = "{ site { slug } }"
TENANTS = "{ tenants { slug } }"
TENANT = """
query ($slug: String!) { tenant(slug: $slug) { slug } }
"""
TAGS = "{ tags { slug } }"
TAG = """
query ($key: String!) { tag(slug: $key) { slug } }
"""
SITE_AND_RESOURCES = "{ site { slug } resources(first: 100) { edges { node { slug } } } }"
RESOURCES_OF_TENANT_B = """
query ($shared: Boolean!) {
  resources(first: 100, includeShared: $shared, filter: {tenants: ["b"]}) {
    edges { node { slug } }
  }
}
"""

RESOURCE_AUTHORS = """
query ($tenant: String) { resource(slug: "pointer", tenant: $tenant) { authors { slug } } }
"""
RESOURCE_ORGANISATIONS = """
{ items: resources(first: 100, includeShared: true) {
    edges { node { slug target: organisation { slug } } } } }
"""
PROFILE_ORGANISATIONS = """
{ items: profiles(first: 100, includeShared: true) {
    edges { node { slug target: organisation { slug } } } } }
"""
EVENT_HOSTS = """
{ items: events(first: 100) { edges { node { slug target: hostOrganisation { slug } } } } }
"""
PAGE_PARENTS = """
{ items: pages(first: 100) { edges { node { slug target: parent { slug } } } } }
"""
PAGE_CHILDREN = """
{ page(path: "root") { children { slug } } }
"""
RESOURCE_MEDIA = """
{ resources(first: 100, includeShared: true) { edges { node {
    slug
    tags { slug }
    coverImage { id alt url }
    attachments { id title url }
} } } }
"""
PROFILE_PHOTOS = """
{ profiles(first: 100, includeShared: true) { edges { node { slug photo { alt } } } } }
"""
NEWS_IMAGES = """
{ news(first: 100) { edges { node { slug image { alt } } } } }
"""
DIRECTORY_RELATIONS = """
{
  tenants { slug parent { slug } children { slug } }
  organisations(first: 100, includeShared: true) {
    edges { node { slug memberships { slug } tenant { slug } } }
  }
  resources(first: 100, includeShared: true) {
    edges { node { slug tenant { slug name parent { slug } children { slug } } } }
  }
}
"""
EVERYTHING = """
{
  site { slug }
  tags { slug }
  resources(first: 100, includeShared: true) { totalCount edges { node {
    slug tenant { slug } tags { slug } coverImage { alt } attachments { title }
    authors { slug organisation { slug } photo { alt } }
    organisation { slug memberships { slug } }
  } } }
  videos(first: 100, includeShared: true) { totalCount edges { node {
    slug tenant { slug } tags { slug } thumbnail { alt }
  } } }
  profiles(first: 100, includeShared: true) { totalCount edges { node {
    slug tenant { slug } organisation { slug } photo { alt }
  } } }
  organisations(first: 100, includeShared: true) { totalCount edges { node {
    slug tenant { slug } memberships { slug }
  } } }
  events(first: 100) { totalCount edges { node {
    slug tenant { slug } tags { slug } hostOrganisation { slug }
  } } }
  news(first: 100) { totalCount edges { node {
    slug tenant { slug } tags { slug } image { alt }
  } } }
  pages(first: 100) { totalCount edges { node {
    slug tenant { slug } parent { slug } children { slug children { slug } }
  } } }
}
"""
PRIVATE_CONTACT = "{ profiles { edges { node { name privateContact } } } }"
PROFILE_FIELDS = """
{ __type(name: "Profile") { fields { name } } }
"""

SCOPES = pytest.mark.parametrize(
    "scope", ["a", "b", None], ids=["tenant-a", "tenant-b", "platform"]
)


@dataclass(frozen=True)
class Item:
    """One row of the standard set: who owns it and what state it is in."""

    owner: str
    shared: bool = False
    status: Status = Status.PUBLISHED
    scheduled: bool = False

    @property
    def public(self) -> bool:
        return self.status is Status.PUBLISHED and not self.scheduled


SHAREABLE_ITEMS = {
    "a-own": Item("a"),
    "a-shared": Item("a", shared=True),
    "a-draft-hidden": Item("a", status=Status.DRAFT),
    "a-archived-hidden": Item("a", status=Status.ARCHIVED),
    "a-scheduled-hidden": Item("a", scheduled=True),
    "a-shared-draft-hidden": Item("a", shared=True, status=Status.DRAFT),
    "b-own": Item("b"),
    "b-shared": Item("b", shared=True),
    "b-own-draft-hidden": Item("b", status=Status.DRAFT),
    "b-shared-draft-hidden": Item("b", shared=True, status=Status.DRAFT),
    "b-shared-archived-hidden": Item("b", shared=True, status=Status.ARCHIVED),
    "b-shared-scheduled-hidden": Item("b", shared=True, scheduled=True),
}
OWNED_ITEMS = {
    "a-own": Item("a"),
    "a-draft-hidden": Item("a", status=Status.DRAFT),
    "a-archived-hidden": Item("a", status=Status.ARCHIVED),
    "a-scheduled-hidden": Item("a", scheduled=True),
    "b-own": Item("b"),
    "b-draft-hidden": Item("b", status=Status.DRAFT),
    "b-archived-hidden": Item("b", status=Status.ARCHIVED),
    "b-scheduled-hidden": Item("b", scheduled=True),
}
FACTORIES = {
    "resources": factories.resource,
    "videos": factories.video,
    "profiles": factories.profile,
    "organisations": factories.organisation,
    "events": factories.event,
    "news": factories.news_item,
    "pages": factories.page,
}


def items_of(kind: str) -> dict[str, Item]:
    return SHAREABLE_ITEMS if kind in SHAREABLE_KINDS else OWNED_ITEMS


def seen(
    kind: str, slug: str, scope: str | None, *, in_list: bool = False, include_shared: bool = False
) -> bool:
    """Whether a reader in `scope` may see an item: the invariants, restated."""
    item = items_of(kind)[slug]
    if not item.public:
        return False
    if scope is None:
        return item.shared
    if item.owner == scope:
        return True
    return item.shared and (include_shared or not in_list)


def expected(kind: str, scope: str | None, **how: bool) -> set[str]:
    return {slug for slug in items_of(kind) if seen(kind, slug, scope, **how)}


def vocabulary_slug(slug: str) -> str:
    return slug.replace("-hidden", "") + "-tag"


def hidden(kind: str) -> list[str]:
    return [slug for slug, item in items_of(kind).items() if not item.public]


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    # EVERYTHING reads every list and relation at once, far more than any site asks for:
    # the cost limit (tested in test_limits.py) is not what these tests are about.
    return settings.with_overrides(tenant_cache_seconds=0.0, max_query_cost=1_000_000)


@pytest.fixture
async def tenants(clean_database: None) -> dict[str, models.Tenant]:
    hub = await factories.tenant(slug="hub", name="Hub of CoPs", kind=models.TenantKind.HUB)
    a = await factories.tenant(
        slug="a", name="Alpha CoP", parent=hub, domains=["a.example.org", "www.alpha.example"]
    )
    b = await factories.tenant(slug="b", name="Beta CoP", parent=hub, domains=["b.example.org"])
    return {"hub": hub, "a": a, "b": b}


async def build(kind: str, tenants: dict[str, models.Tenant], **extra: Any) -> dict[str, Model]:
    """The standard set of items of one kind, by slug."""
    soon = datetime.now(UTC) + timedelta(days=1)
    rows: dict[str, Model] = {}
    for slug, item in items_of(kind).items():
        overrides: dict[str, Any] = {
            "status": item.status,
            # A draft or archived item keeps a past publication time: its status alone hides it.
            "published_at": soon if item.scheduled else factories.PAST,
            **extra,
        }
        if kind in SHAREABLE_KINDS:
            overrides["shared"] = item.shared
        if kind == "pages":
            overrides["path"] = slug
        else:
            overrides["slug"] = slug
        rows[slug] = await FACTORIES[kind](tenants[item.owner], **overrides)
    return rows


async def listed(
    client: httpx.AsyncClient, kind: str, scope: str | None, *, shared: bool = False
) -> set[str]:
    """The slugs a list shows; also checks totalCount and that no item comes twice."""
    variables = {"shared": shared} if kind in SHAREABLE_KINDS else None
    data = await data_of(client, LIST_QUERIES[kind], variables, tenant=scope)
    slugs = [edge["node"]["slug"] for edge in data["items"]["edges"]]
    assert data["items"]["totalCount"] == len(slugs)
    assert len(slugs) == len(set(slugs))
    return set(slugs)


async def looked_up(
    client: httpx.AsyncClient, kind: str, key: str, scope: str | None, owner: str | None = None
) -> str | None:
    variables: dict[str, Any] = {"key": key}
    if owner is not None:
        variables["tenant"] = owner
    data = await data_of(client, LOOKUP_QUERIES[kind], variables, tenant=scope)
    return data["item"]["slug"] if data["item"] else None


async def resolved(client: httpx.AsyncClient, type_name: str, pk: int, scope: str | None) -> bool:
    global_id = to_global_id(type_name, pk)
    data = await data_of(client, NODE, {"id": global_id}, tenant=scope)
    if data["node"] is None:
        return False
    assert data["node"] == {"__typename": type_name, "id": global_id}
    return True


async def vocabulary(tenants: dict[str, models.Tenant]) -> dict[str, Model]:
    """A tag, an image and a file of each tenant."""
    rows: dict[str, Model] = {}
    for owner in ("a", "b"):
        rows[f"Tag:{owner}"] = await factories.tag(tenants[owner], slug=f"{owner}-tag")
        rows[f"Image:{owner}"] = await factories.image(tenants[owner])
        rows[f"File:{owner}"] = await factories.file(tenants[owner])
    return rows


# (a) a request with tenant A sees its own published items ----------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_a_lists_show_the_tenants_own_published_items(client, tenants, kind):
    await build(kind, tenants)
    for scope in ("a", "b"):
        own = {s for s, item in items_of(kind).items() if item.owner == scope and item.public}
        assert own
        assert await listed(client, kind, scope) == own


@pytest.mark.parametrize("kind", KINDS)
async def test_a_single_lookups_find_the_tenants_own_published_items(client, tenants, kind):
    await build(kind, tenants)
    assert await looked_up(client, kind, "a-own", "a") == "a-own"
    assert await looked_up(client, kind, "b-own", "b") == "b-own"
    if kind in SHAREABLE_KINDS:
        assert await looked_up(client, kind, "a-own", "a", owner="a") == "a-own"
        assert await looked_up(client, kind, "a-shared", "a") == "a-shared"


async def test_a_page_lookup_accepts_surrounding_slashes(client, tenants):
    await factories.page(tenants["a"], path="about/how-to-join")
    assert await looked_up(client, "pages", "/about/how-to-join/", "a") == "how-to-join"


@pytest.mark.parametrize("kind", KINDS)
async def test_a_node_resolves_the_tenants_own_published_items(client, tenants, kind):
    rows = await build(kind, tenants)
    assert await resolved(client, TYPE_NAMES[kind], rows["a-own"].pk, "a")
    assert await resolved(client, TYPE_NAMES[kind], rows["b-own"].pk, "b")


async def test_a_tags_list_and_lookup_show_the_tenants_own_tags(client, tenants):
    await vocabulary(tenants)
    await factories.tag(tenants["a"], slug="another", name="Another")
    await factories.tag(tenants["a"], slug="zebra", name="Zebra")
    tags = (await data_of(client, TAGS, tenant="a"))["tags"]
    assert tags == [{"slug": "another"}, {"slug": "a-tag"}, {"slug": "zebra"}]  # by name
    assert (await data_of(client, TAG, {"key": "a-tag"}, tenant="a"))["tag"] == {"slug": "a-tag"}


async def test_a_node_resolves_the_tenants_own_tags(client, tenants):
    rows = await vocabulary(tenants)
    assert await resolved(client, "Tag", rows["Tag:a"].pk, "a")
    assert await resolved(client, "Tag", rows["Tag:b"].pk, "b")


@pytest.mark.parametrize("type_name", ["Image", "File"])
async def test_a_node_resolves_images_and_files_only_for_the_tenants_previewers(
    client, tenants, type_name
):
    from tests.factories import bearer, token

    rows = await vocabulary(tenants)
    global_id = to_global_id(type_name, rows[f"{type_name}:a"].pk)
    # By id, a picture or file may be a draft's: the public gets it only through items.
    assert not await resolved(client, type_name, rows[f"{type_name}:a"].pk, "a")
    viewer = bearer((await token(tenants["a"], "viewer"))[1])
    response = await graphql(client, NODE, {"id": global_id}, tenant="a", headers=viewer)
    assert response.json()["data"]["node"] == {"__typename": type_name, "id": global_id}
    outsider = bearer((await token(tenants["b"], "admin"))[1])
    response = await graphql(client, NODE, {"id": global_id}, tenant="a", headers=outsider)
    assert response.json()["data"]["node"] is None


# (b) never another tenant's unshared items ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shared", [False, True], ids=["own", "include-shared"])
async def test_b_lists_never_show_another_tenants_unshared_items(client, tenants, kind, shared):
    await build(kind, tenants)
    for scope, other in (("a", "b"), ("b", "a")):
        shown = await listed(client, kind, scope, shared=shared)
        foreign = {s for s in shown if items_of(kind)[s].owner == other}
        assert all(items_of(kind)[s].shared for s in foreign), foreign
        assert f"{other}-own" not in shown


@pytest.mark.parametrize("shared", [False, True], ids=["own", "include-shared"])
async def test_b_a_tenant_filter_naming_another_tenant_gives_only_its_shared_items(
    client, tenants, shared
):
    await build("resources", tenants)
    data = await data_of(client, RESOURCES_OF_TENANT_B, {"shared": shared}, tenant="a")
    slugs = [e["node"]["slug"] for e in data["resources"]["edges"]]
    assert slugs == (["b-shared"] if shared else [])


@pytest.mark.parametrize("kind", KINDS)
async def test_b_single_lookups_never_find_another_tenants_unshared_items(client, tenants, kind):
    await build(kind, tenants)
    assert await looked_up(client, kind, "b-own", "a") is None
    assert await looked_up(client, kind, "a-own", "b") is None
    if kind in SHAREABLE_KINDS:
        assert await looked_up(client, kind, "b-own", "a", owner="b") is None
        assert await looked_up(client, kind, "a-own", "b", owner="a") is None
        # A shared item is still not "this site's" item without the owner argument.
        assert await looked_up(client, kind, "b-shared", "a") is None
        assert await looked_up(client, kind, "b-shared", "a", owner="a") is None


@pytest.mark.parametrize("kind", KINDS)
async def test_b_node_never_resolves_another_tenants_unshared_items(client, tenants, kind):
    rows = await build(kind, tenants)
    assert not await resolved(client, TYPE_NAMES[kind], rows["b-own"].pk, "a")
    assert not await resolved(client, TYPE_NAMES[kind], rows["a-own"].pk, "b")


async def test_b_tags_of_another_tenant_are_never_listed_or_found(client, tenants):
    await vocabulary(tenants)
    assert (await data_of(client, TAGS, tenant="a"))["tags"] == [{"slug": "a-tag"}]
    assert (await data_of(client, TAG, {"key": "b-tag"}, tenant="a"))["tag"] is None
    assert (await data_of(client, TAG, {"key": "a-tag"}, tenant="b"))["tag"] is None


@pytest.mark.parametrize("type_name", ["Tag", "Image", "File"])
async def test_b_node_never_resolves_another_tenants_tags_images_and_files(
    client, tenants, type_name
):
    rows = await vocabulary(tenants)
    assert not await resolved(client, type_name, rows[f"{type_name}:b"].pk, "a")
    assert not await resolved(client, type_name, rows[f"{type_name}:a"].pk, "b")


@pytest.mark.parametrize(
    "global_id",
    [
        pytest.param(to_global_id("Resource", 2**31), id="id-over-int32"),
        pytest.param(to_global_id("Tenant", 10**20), id="id-huge"),
        pytest.param(to_global_id("Resource", 0), id="id-zero"),
        pytest.param(to_global_id("Nothing", 1), id="unknown-type"),
        pytest.param("UmVzb3VyY2U6LTE", id="negative-id"),
        pytest.param("not an id", id="junk"),
    ],
)
@SCOPES
async def test_node_of_an_id_we_never_made_is_null_not_an_error(client, tenants, global_id, scope):
    await build("resources", tenants)
    assert (await data_of(client, NODE, {"id": global_id}, tenant=scope))["node"] is None


# Nested relations: a relation shows its target only if the reader may see the target
# ((b) and (d) through relations; the platform scope (e) as well).


@SCOPES
async def test_resource_authors_show_only_profiles_the_reader_may_see(client, tenants, scope):
    profiles = await build("profiles", tenants)
    await factories.resource(
        tenants["a"], slug="pointer", shared=True, authors=list(profiles.values())
    )
    data = await data_of(client, RESOURCE_AUTHORS, {"tenant": "a"}, tenant=scope)
    authors = [p["slug"] for p in data["resource"]["authors"]]
    # Byline order is kept; only the hidden and the foreign unshared are left out.
    assert authors == [s for s in profiles if seen("profiles", s, scope)]
    assert authors


ORGANISATION_RELATIONS = (
    [
        pytest.param(
            "resources",
            "organisation",
            RESOURCE_ORGANISATIONS,
            scope,
            id=f"Resource.organisation-{name}",
        )
        for scope, name in (("a", "tenant-a"), ("b", "tenant-b"), (None, "platform"))
    ]
    + [
        pytest.param(
            "profiles",
            "organisation",
            PROFILE_ORGANISATIONS,
            scope,
            id=f"Profile.organisation-{name}",
        )
        for scope, name in (("a", "tenant-a"), ("b", "tenant-b"), (None, "platform"))
    ]
    + [
        # Events are never shared: only their own tenant reads them.
        pytest.param(
            "events", "host_organisation", EVENT_HOSTS, "a", id="Event.hostOrganisation-tenant-a"
        ),
    ]
)


@pytest.mark.parametrize(("kind", "field", "query", "scope"), ORGANISATION_RELATIONS)
async def test_organisation_relations_show_only_organisations_the_reader_may_see(
    client, tenants, kind, field, query, scope
):
    organisations = await build("organisations", tenants)
    pointers: dict[str, str] = {}
    for n, (target, row) in enumerate(organisations.items()):
        extra = {"shared": True} if kind in SHAREABLE_KINDS else {}
        await FACTORIES[kind](tenants["a"], slug=f"ptr-{n}", **{field: row}, **extra)
        pointers[f"ptr-{n}"] = target
    data = await data_of(client, query, tenant=scope)
    shown = {e["node"]["slug"]: e["node"]["target"] for e in data["items"]["edges"]}
    assert set(shown) == set(pointers)
    for pointer, target in pointers.items():
        visible = seen("organisations", target, scope)
        assert shown[pointer] == ({"slug": target} if visible else None), (pointer, target)


async def test_page_parent_shows_only_pages_the_reader_may_see(client, tenants):
    pages = await build("pages", tenants)
    pointers: dict[str, str] = {}
    for n, (target, row) in enumerate(pages.items()):
        await factories.page(tenants["a"], path=f"ptr-{n}", parent=row)
        pointers[f"ptr-{n}"] = target
    data = await data_of(client, PAGE_PARENTS, tenant="a")
    shown = {e["node"]["slug"]: e["node"]["target"] for e in data["items"]["edges"]}
    for pointer, target in pointers.items():
        visible = seen("pages", target, "a")
        assert shown[pointer] == ({"slug": target} if visible else None), (pointer, target)
    assert shown["a-own"] is None


async def test_page_children_show_only_pages_the_reader_may_see(client, tenants):
    root = await factories.page(tenants["a"], path="root")
    await build("pages", tenants, parent=root)
    data = await data_of(client, PAGE_CHILDREN, tenant="a")
    assert {p["slug"] for p in data["page"]["children"]} == expected("pages", "a") == {"a-own"}
    assert (await data_of(client, PAGE_CHILDREN, tenant="b"))["page"] is None


@SCOPES
async def test_media_and_tags_are_shown_with_the_item_that_owns_them(client, tenants, scope):
    """Tags, cover images and attachments come with a visible resource, never with a hidden one."""
    resources = await build("resources", tenants)
    for slug, row in resources.items():
        owner = tenants[items_of("resources")[slug].owner]
        tag = await factories.tag(owner, slug=f"{slug}-tag")
        await row.tags.add(tag)  # type: ignore[attr-defined]
        row.cover_image = await factories.image(owner, alt=f"{slug} cover")  # type: ignore[attr-defined]
        await row.save()
        await row.attachments.add(await factories.file(owner, title=f"{slug} file"))  # type: ignore[attr-defined]
    response = await graphql(client, RESOURCE_MEDIA, tenant=scope)
    body = response.json()
    assert "errors" not in body, body
    shown = {e["node"]["slug"]: e["node"] for e in body["data"]["resources"]["edges"]}
    assert set(shown) == expected("resources", scope, in_list=True, include_shared=True)
    for slug, node in shown.items():
        assert node["tags"] == [{"slug": f"{slug}-tag"}]
        assert node["coverImage"]["alt"] == f"{slug} cover"
        assert node["coverImage"]["url"].startswith("/media/originals/")
        assert [f["title"] for f in node["attachments"]] == [f"{slug} file"]
    for slug in set(resources) - set(shown):
        assert slug not in response.text


@SCOPES
async def test_profile_photos_and_news_images_come_only_with_visible_items(client, tenants, scope):
    for kind in ("profiles", "news"):
        rows = await build(kind, tenants)
        for slug, row in rows.items():
            image = await factories.image(
                tenants[items_of(kind)[slug].owner], alt=f"{kind}:{slug} image"
            )
            setattr(row, "photo" if kind == "profiles" else "image", image)
            await row.save()
    photos = await data_of(client, PROFILE_PHOTOS, tenant=scope)
    assert {e["node"]["slug"]: e["node"]["photo"]["alt"] for e in photos["profiles"]["edges"]} == {
        s: f"profiles:{s} image"
        for s in expected("profiles", scope, in_list=True, include_shared=True)
    }
    images = await data_of(client, NEWS_IMAGES, tenant=scope)
    assert {e["node"]["slug"]: e["node"]["image"]["alt"] for e in images["news"]["edges"]} == {
        s: f"news:{s} image" for s in expected("news", scope, in_list=True)
    }


@SCOPES
async def test_directory_relations_are_the_same_for_every_reader(client, tenants, scope):
    """Tenants are a public directory: Tenant.parent/children, Organisation.memberships and
    Content.tenant show them to every reader, the platform scope included."""
    organisation = await factories.organisation(tenants["b"], slug="network", shared=True)
    await organisation.memberships.add(tenants["b"], tenants["a"], tenants["hub"])
    await factories.resource(tenants["b"], slug="b-shared", shared=True)
    await factories.resource(tenants["a"], slug="a-own")
    data = await data_of(client, DIRECTORY_RELATIONS, tenant=scope)
    assert data["tenants"] == [
        {"slug": "a", "parent": {"slug": "hub"}, "children": []},
        {"slug": "b", "parent": {"slug": "hub"}, "children": []},
        {"slug": "hub", "parent": None, "children": [{"slug": "a"}, {"slug": "b"}]},
    ]
    assert [e["node"] for e in data["organisations"]["edges"]] == [
        {
            "slug": "network",
            "memberships": [{"slug": "a"}, {"slug": "b"}, {"slug": "hub"}],
            "tenant": {"slug": "b"},
        }
    ]
    owners = {e["node"]["slug"]: e["node"]["tenant"] for e in data["resources"]["edges"]}
    beta = {"slug": "b", "name": "Beta CoP", "parent": {"slug": "hub"}, "children": []}
    alpha = {"slug": "a", "name": "Alpha CoP", "parent": {"slug": "hub"}, "children": []}
    assert owners == ({"b-shared": beta, "a-own": alpha} if scope == "a" else {"b-shared": beta})


@SCOPES
async def test_no_path_reveals_a_hidden_or_foreign_item(client, tenants, scope):
    """Every kind, cross-linked, read through every list and relation at once, every single
    lookup and every node(id): no hidden item, and nothing of another tenant's unshared."""
    rows = {kind: await build(kind, tenants) for kind in KINDS}
    root = rows["pages"]["a-own"]
    for slug in SHAREABLE_ITEMS:
        owner = tenants[SHAREABLE_ITEMS[slug].owner]
        # A tag is vocabulary, listed by `tags` whatever it is attached to: no marker in it.
        tag = await factories.tag(owner, slug=vocabulary_slug(slug))
        image = await factories.image(owner, alt=f"{slug} image")
        resource = rows["resources"][slug]
        await resource.tags.add(tag)  # type: ignore[attr-defined]
        await resource.attachments.add(await factories.file(owner, title=f"{slug} file"))  # type: ignore[attr-defined]
        for profile in rows["profiles"].values():
            await models.ResourceAuthor.create(resource=resource, profile=profile)
        resource.organisation = rows["organisations"][slug]  # type: ignore[attr-defined]
        resource.cover_image = image  # type: ignore[attr-defined]
        await resource.save()
        await rows["videos"][slug].tags.add(tag)  # type: ignore[attr-defined]
        rows["videos"][slug].thumbnail = image  # type: ignore[attr-defined]
        await rows["videos"][slug].save()
        rows["profiles"][slug].organisation = rows["organisations"][slug]  # type: ignore[attr-defined]
        rows["profiles"][slug].photo = image  # type: ignore[attr-defined]
        await rows["profiles"][slug].save()
        await rows["organisations"][slug].memberships.add(owner)  # type: ignore[attr-defined]
    for slug in OWNED_ITEMS:
        owner = tenants[OWNED_ITEMS[slug].owner]
        tag = await models.Tag.get_or_none(
            tenant=owner, slug=vocabulary_slug(slug)
        ) or await factories.tag(owner, slug=vocabulary_slug(slug))
        event, news, page = rows["events"][slug], rows["news"][slug], rows["pages"][slug]
        await event.tags.add(tag)  # type: ignore[attr-defined]
        await news.tags.add(tag)  # type: ignore[attr-defined]
        host = rows["organisations"].get(slug, rows["organisations"]["b-own"])
        event.host_organisation = host  # type: ignore[attr-defined]
        news.image = await factories.image(owner, alt=f"{slug} image")  # type: ignore[attr-defined]
        if page is not root:
            page.parent = root  # type: ignore[attr-defined]
        await event.save()
        await news.save()
        await page.save()

    # Markers no response to this reader may contain.
    forbidden = ["hidden"] + [f"{t}-own" for t in ("a", "b") if t != scope]
    texts: list[str] = []
    response = await graphql(client, EVERYTHING, tenant=scope)
    assert "errors" not in response.json(), response.json()
    texts.append(response.text)
    for kind in KINDS:
        for slug in items_of(kind):
            owners = [None, "a", "b"] if kind in SHAREABLE_KINDS else [None]
            for owner in owners:
                variables: dict[str, Any] = {"key": slug}
                if owner:
                    variables["tenant"] = owner
                texts.append(
                    (await graphql(client, LOOKUP_QUERIES[kind], variables, tenant=scope)).text
                )
            node_id = to_global_id(TYPE_NAMES[kind], rows[kind][slug].pk)
            texts.append(
                (await graphql(client, NODE_WITH_SLUG, {"id": node_id}, tenant=scope)).text
            )
    for text in texts:
        assert '"errors"' not in text, text
        for marker in forbidden:
            assert marker not in text, (marker, text)
    # And the reader does see what it may (so the test cannot pass on empty answers).
    everything = texts[0]
    assert "b-shared image" in everything and "b-shared file" in everything
    if scope is not None:
        assert f"{scope}-own image" in everything and f"{scope}-own-tag" in everything


# (c) shared knowledge-base items: only when asked for ---------------------------------------


@pytest.mark.parametrize("kind", SHAREABLE_KINDS)
async def test_c_shared_items_are_listed_only_with_include_shared(client, tenants, kind):
    await build(kind, tenants)
    assert await listed(client, kind, "a") == {"a-own", "a-shared"}
    assert await listed(client, kind, "a", shared=True) == {"a-own", "a-shared", "b-shared"}
    assert await listed(client, kind, "b") == {"b-own", "b-shared"}
    assert await listed(client, kind, "b", shared=True) == {"b-own", "b-shared", "a-shared"}


@pytest.mark.parametrize("kind", SHAREABLE_KINDS)
async def test_c_shared_items_are_found_by_lookup_naming_their_tenant(client, tenants, kind):
    await build(kind, tenants)
    assert await looked_up(client, kind, "b-shared", "a", owner="b") == "b-shared"
    assert await looked_up(client, kind, "a-shared", "b", owner="a") == "a-shared"
    assert await looked_up(client, kind, "b-shared", None, owner="b") == "b-shared"
    assert await looked_up(client, kind, "b-shared", "a") is None
    assert await looked_up(client, kind, "b-shared", "a", owner="nobody") is None


@pytest.mark.parametrize("kind", SHAREABLE_KINDS)
async def test_c_shared_items_are_resolved_by_node(client, tenants, kind):
    rows = await build(kind, tenants)
    assert await resolved(client, TYPE_NAMES[kind], rows["b-shared"].pk, "a")
    assert await resolved(client, TYPE_NAMES[kind], rows["a-shared"].pk, "b")


@pytest.mark.parametrize("kind", OWNED_KINDS)
async def test_c_events_news_and_pages_are_never_shared(client, tenants, kind):
    rows = await build(kind, tenants)
    assert await listed(client, kind, "a") == {"a-own"}
    assert await looked_up(client, kind, "b-own", "a") is None
    assert not await resolved(client, TYPE_NAMES[kind], rows["b-own"].pk, "a")


# (d) drafts, archived and scheduled items: never, by any path -------------------------------


@pytest.mark.parametrize("kind", KINDS)
@SCOPES
async def test_d_lists_never_show_hidden_items(client, tenants, kind, scope):
    await build(kind, tenants)
    for shared in (False, True):
        shown = await listed(client, kind, scope, shared=shared)
        assert shown == expected(kind, scope, in_list=True, include_shared=shared)
        assert not shown & set(hidden(kind))


@pytest.mark.parametrize("kind", KINDS)
@SCOPES
async def test_d_single_lookups_never_find_hidden_items(client, tenants, kind, scope):
    await build(kind, tenants)
    for slug in hidden(kind):
        owner = items_of(kind)[slug].owner
        assert await looked_up(client, kind, slug, scope) is None, slug
        if kind in SHAREABLE_KINDS:
            assert await looked_up(client, kind, slug, scope, owner=owner) is None, slug


@pytest.mark.parametrize("kind", KINDS)
@SCOPES
async def test_d_node_never_resolves_hidden_items(client, tenants, kind, scope):
    rows = await build(kind, tenants)
    for slug in items_of(kind):
        visible = seen(kind, slug, scope)
        assert await resolved(client, TYPE_NAMES[kind], rows[slug].pk, scope) is visible, slug


@pytest.mark.parametrize("kind", KINDS)
async def test_d_a_scheduled_item_becomes_visible_once_its_time_has_passed(client, tenants, kind):
    rows = await build(kind, tenants)
    scheduled = "a-scheduled-hidden"
    row = rows[scheduled]
    assert scheduled not in await listed(client, kind, "a")
    assert await looked_up(client, kind, scheduled, "a") is None
    assert not await resolved(client, TYPE_NAMES[kind], row.pk, "a")

    await type(row).filter(pk=row.pk).update(published_at=datetime.now(UTC) - timedelta(seconds=1))
    await generations.bump(row.tenant_id)  # a write past the services says so itself

    assert scheduled in await listed(client, kind, "a")
    assert await looked_up(client, kind, scheduled, "a") == scheduled
    assert await resolved(client, TYPE_NAMES[kind], row.pk, "a")


async def test_d_a_scheduled_item_appears_when_the_clock_reaches_it(client, tenants, monkeypatch):
    at = datetime.now(UTC) + timedelta(hours=1)
    row = await factories.resource(tenants["b"], slug="soon", shared=True, published_at=at)
    for scope in ("a", "b", None):
        assert "soon" not in await listed(client, "resources", scope, shared=True)
        assert not await resolved(client, "Resource", row.pk, scope)

    class Later(datetime):
        """The clock the endpoint reads, an hour and a minute on; nothing is written."""

        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime.now(tz) + timedelta(hours=1, minutes=1)

    monkeypatch.setattr(schema_http, "datetime", Later)
    for scope in ("a", "b", None):
        assert "soon" in await listed(client, "resources", scope, shared=True)
        assert await looked_up(client, "resources", "soon", scope, owner="b") == "soon"
        assert await resolved(client, "Resource", row.pk, scope)


# (e) the platform scope: the tenant directory and shared items only ------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_e_platform_lists_show_shared_items_of_every_tenant_only(client, tenants, kind):
    await build(kind, tenants)
    shared = {"a-shared", "b-shared"} if kind in SHAREABLE_KINDS else set()
    assert await listed(client, kind, None) == shared
    assert await listed(client, kind, None, shared=True) == shared


@pytest.mark.parametrize("kind", KINDS)
async def test_e_platform_lookups_find_shared_items_by_owner_only(client, tenants, kind):
    await build(kind, tenants)
    for slug in items_of(kind):
        assert await looked_up(client, kind, slug, None) is None, slug
        if kind in SHAREABLE_KINDS:
            owner = items_of(kind)[slug].owner
            found = await looked_up(client, kind, slug, None, owner=owner)
            assert (found == slug) is seen(kind, slug, None), slug


@pytest.mark.parametrize("kind", KINDS)
async def test_e_platform_node_resolves_shared_items_only(client, tenants, kind):
    rows = await build(kind, tenants)
    for slug, row in rows.items():
        assert await resolved(client, TYPE_NAMES[kind], row.pk, None) is (slug.endswith("-shared"))


async def test_e_platform_scope_sees_the_tenant_directory(client, tenants):
    rows = await vocabulary(tenants)
    assert (await data_of(client, SITE))["site"] is None
    assert (await data_of(client, TENANTS))["tenants"] == [
        {"slug": "a"},
        {"slug": "b"},
        {"slug": "hub"},
    ]
    assert (await data_of(client, TENANT, {"slug": "b"}))["tenant"] == {"slug": "b"}
    for tenant in tenants.values():
        assert await resolved(client, "Tenant", tenant.pk, None)
        assert await resolved(client, "Tenant", tenant.pk, "a")
    # The directory is the same in every scope.
    assert (await data_of(client, TENANTS, tenant="a")) == (await data_of(client, TENANTS))
    # But no tenant's vocabulary or media: they belong to a site.
    assert (await data_of(client, TAGS))["tags"] == []
    assert (await data_of(client, TAG, {"key": "a-tag"}))["tag"] is None
    for key, row in rows.items():
        assert not await resolved(client, key.split(":")[0], row.pk, None)


# (f) an unknown tenant slug ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", [SITE, TENANTS, LIST_QUERIES["events"]], ids=["site", "tenants", "events"]
)
async def test_f_an_unknown_tenant_slug_is_an_error_without_data(client, tenants, query):
    response = await graphql(client, query, tenant="nope")
    body = response.json()
    assert response.status_code == 400
    assert "data" not in body
    assert body["errors"][0]["extensions"]["reason"] == "UNKNOWN_TENANT"
    assert "nope" in body["errors"][0]["message"]


# (g) the Host header -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "header", "site"),
    [
        ("a.example.org", None, "a"),
        ("www.alpha.example", None, "a"),
        ("A.Example.ORG:8443", None, "a"),
        ("a.example.org", "b", "a"),  # Host wins over the header
        ("a.example.org", "nope", "a"),  # ... so an unknown header slug does not matter
        ("b.example.org", "a", "b"),
        ("unknown.example.org", "b", "b"),  # no domain matches: the header decides
        ("unknown.example.org", None, None),  # neither: the platform scope
    ],
)
async def test_g_the_host_header_resolves_a_tenant_by_domain(client, tenants, host, header, site):
    await build("resources", tenants)
    headers = {"Host": host}
    if header is not None:
        headers["X-CMS-Tenant"] = header
    response = await graphql(client, SITE_AND_RESOURCES, headers=headers)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    assert body["data"]["site"] == ({"slug": site} if site else None)
    slugs = {e["node"]["slug"] for e in body["data"]["resources"]["edges"]}
    assert slugs == expected("resources", site, in_list=True)


# (h) a profile's private contact -------------------------------------------------------------


async def test_h_a_profiles_private_contact_is_not_in_the_schema(client, tenants):
    await factories.profile(tenants["a"], private_contact="secret-phone-0123", shared=True)
    errors = (await graphql(client, PRIVATE_CONTACT, tenant="a")).json()["errors"]
    assert "privateContact" in errors[0]["message"]
    assert readable_fields_named("privateContact") == []
    fields = (await data_of(client, PROFILE_FIELDS, tenant="a"))["__type"]["fields"]
    names = {f["name"] for f in fields}
    assert "name" in names and not any("private" in n.lower() for n in names)
    for scope in ("a", "b", None):
        response = await graphql(client, EVERYTHING, tenant=scope)
        assert "secret-phone" not in response.text


# Filters by a related item's slug or path match only through items the reader may see: a
# draft, archived, scheduled or another tenant's unshared target must not reveal, by the items
# the filter finds, that it exists or what it is linked to.

RESOURCES_BY = """
query ($filter: ResourceFilter!) {
  items: resources(first: 100, includeShared: true, filter: $filter) { edges { node { slug } } }
}
"""
PROFILES_BY = """
query ($filter: ProfileFilter!) {
  items: profiles(first: 100, includeShared: true, filter: $filter) { edges { node { slug } } }
}
"""
EVENTS_BY = """
query ($filter: EventFilter!) { items: events(first: 100, filter: $filter) { edges { node { slug } } } }
"""  # noqa: E501
PAGES_BY = """
query ($filter: PageFilter!) { items: pages(first: 100, filter: $filter) { edges { node { slug } } } }
"""  # noqa: E501


async def filtered(client: httpx.AsyncClient, query: str, filter: dict, scope: str | None) -> set:
    data = await data_of(client, query, {"filter": filter}, tenant=scope)
    return {edge["node"]["slug"] for edge in data["items"]["edges"]}


@SCOPES
async def test_a_filter_by_author_matches_only_through_profiles_the_reader_may_see(
    client, tenants, scope
):
    profiles = await build("profiles", tenants)
    for n, row in enumerate(profiles.values()):
        # Every pointer is a's shared, published resource: visible to every scope.
        await factories.resource(tenants["a"], slug=f"ptr-{n}", shared=True, authors=[row])
    for n, target in enumerate(profiles):
        found = await filtered(client, RESOURCES_BY, {"author": target}, scope)
        assert found == ({f"ptr-{n}"} if seen("profiles", target, scope) else set()), target


async def test_a_filter_by_author_never_matches_through_a_hidden_namesake(client, tenants):
    shown = await factories.profile(tenants["a"], slug="namesake")
    secret = await factories.profile(tenants["b"], slug="namesake", status=Status.DRAFT)
    await factories.resource(tenants["a"], slug="by-shown", authors=[shown])
    await factories.resource(tenants["b"], slug="by-secret", shared=True, authors=[secret])
    for scope in ("a", "b", None):
        found = await filtered(client, RESOURCES_BY, {"author": "namesake"}, scope)
        assert found == ({"by-shown"} if scope == "a" else set()), scope


FILTERS_BY_ORGANISATION = [
    pytest.param(query, kind, field, scope, id=f"{kind}-{name}")
    for query, kind, field in (
        (RESOURCES_BY, "resources", "organisation"),
        (PROFILES_BY, "profiles", "organisation"),
        (EVENTS_BY, "events", "host_organisation"),
    )
    for scope, name in (("a", "tenant-a"), ("b", "tenant-b"), (None, "platform"))
    if kind != "events" or scope == "a"  # events are never shared: only a reads a's
]


@pytest.mark.parametrize(("query", "kind", "field", "scope"), FILTERS_BY_ORGANISATION)
async def test_a_filter_by_organisation_matches_only_organisations_the_reader_may_see(
    client, tenants, query, kind, field, scope
):
    organisations = await build("organisations", tenants)
    for n, row in enumerate(organisations.values()):
        extra = {"shared": True} if kind in SHAREABLE_KINDS else {}
        await FACTORIES[kind](tenants["a"], slug=f"ptr-{n}", **{field: row}, **extra)
    for n, target in enumerate(organisations):
        found = await filtered(client, query, {"organisation": target}, scope)
        expect = {f"ptr-{n}"} if seen("organisations", target, scope) else set()
        assert found == expect, target


async def test_a_filter_by_parent_path_matches_only_parents_the_reader_may_see(client, tenants):
    pages = await build("pages", tenants)
    for n, row in enumerate(pages.values()):
        await factories.page(tenants["a"], path=f"ptr-{n}", parent=row)
    for n, target in enumerate(pages):
        found = await filtered(client, PAGES_BY, {"parentPath": target}, "a")
        assert found == ({f"ptr-{n}"} if seen("pages", target, "a") else set()), target


# Writes on another tenant's ids answer exactly as writes on ids that name nothing, whatever
# the item's status or sharing: a token of one tenant learns nothing of another's ids.

MUTATIONS_ON_AN_ID = {
    "update": """mutation ($id: ID!) { r: updateResource(id: $id, input: {expectedVersion: 1,
        title: "Mine"}) { resource { id } errors { field message code } } }""",
    "delete": "mutation ($id: ID!) { r: deleteResource(id: $id) "
    "{ deletedId errors { field message code } } }",
    "publish": "mutation ($id: ID!) { r: publish(id: $id) { node { id } errors { field message code } } }",  # noqa: E501
    "unpublish": "mutation ($id: ID!) { r: unpublish(id: $id) { node { id } errors { field message code } } }",  # noqa: E501
    "archive": "mutation ($id: ID!) { r: archive(id: $id) { node { id } errors { field message code } } }",  # noqa: E501
    "revert": "mutation ($id: ID!) { r: revertToRevision(id: $id, revision: 1) "
    "{ node { id } errors { field message code } } }",
}
TAG_MUTATIONS_ON_AN_ID = {
    "updateTag": 'mutation ($id: ID!) { r: updateTag(id: $id, input: {name: "Mine"}) '
    "{ tag { id } errors { field message code } } }",
    "deleteTag": "mutation ($id: ID!) { r: deleteTag(id: $id) "
    "{ deletedId errors { field message code } } }",
}


@pytest.mark.parametrize("role", ["admin", "contributor"])
async def test_writes_on_another_tenants_ids_answer_as_ids_that_name_nothing(client, tenants, role):
    from tests.factories import bearer, database_state

    rows = await build("resources", tenants)
    foreign = [row for slug, row in rows.items() if slug.startswith("b-")]
    tag = await factories.tag(tenants["b"])
    headers = bearer((await factories.token(tenants["a"], role))[1])
    missing = to_global_id("Resource", 2**31 - 1)
    before = await database_state()
    for name, document in MUTATIONS_ON_AN_ID.items():
        answer = await graphql(client, document, {"id": missing}, tenant="a", headers=headers)
        assert answer.json()["data"]["r"]["errors"][0]["code"] == "NOT_FOUND", name
        for row in foreign:
            variables = {"id": to_global_id("Resource", row.id)}
            got = await graphql(client, document, variables, tenant="a", headers=headers)
            assert got.json() == answer.json(), (name, row.slug)
    for name, document in TAG_MUTATIONS_ON_AN_ID.items():
        variables = {"id": to_global_id("Tag", 2**31 - 1)}
        answer = await graphql(client, document, variables, tenant="a", headers=headers)
        assert answer.json()["data"]["r"]["errors"][0]["code"] == "NOT_FOUND", name
        variables = {"id": to_global_id("Tag", tag.id)}
        got = await graphql(client, document, variables, tenant="a", headers=headers)
        assert got.json() == answer.json(), name
    assert await database_state() == before
