"""Writes through the API: the issue's scenario, the roles table, isolation, bad input and the
revision, audit and outbox rows every write leaves in its transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cms import models
from cms.models import Status
from cms.services import generations
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import bearer, database_state
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

GR = "application/graphql-response+json"
KINDS = ("Resource", "Video", "Profile", "Organisation", "Event", "NewsItem", "Page")

CREATE_RESOURCE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) {
    resource { id slug status version title body }
    errors { field message code }
  }
}"""
UPDATE_RESOURCE = """
mutation ($id: ID!, $input: UpdateResourceInput!) {
  updateResource(id: $id, input: $input) {
    resource { id version title body }
    errors { field message code }
  }
}"""
PUBLISH = """
mutation ($id: ID!, $at: DateTime) {
  publish(id: $id, at: $at) { node { id status version publishedAt } errors { field code } }
}"""
UNPUBLISH = (
    "mutation ($id: ID!) { unpublish(id: $id) { node { id status } errors { field code } } }"
)
ARCHIVE = "mutation ($id: ID!) { archive(id: $id) { node { id status } errors { field code } } }"
REVERT = """
mutation ($id: ID!, $revision: Int!) {
  revertToRevision(id: $id, revision: $revision) {
    node { id version ... on Resource { body } }
    errors { field code }
  }
}"""
CREATE_TAG = """
mutation ($input: CreateTagInput!) {
  createTag(input: $input) { tag { id slug name } errors { field code } }
}"""
UPDATE_TAG = """
mutation ($id: ID!, $input: UpdateTagInput!) {
  updateTag(id: $id, input: $input) { tag { id slug name } errors { field code } }
}"""
DELETE_TAG = "mutation ($id: ID!) { deleteTag(id: $id) { deletedId errors { field code } } }"
# One create, update and delete document per kind, selecting only the errors.
CREATE = {
    kind: f"mutation ($input: Create{kind}Input!) "
    f"{{ create{kind}(input: $input) {{ errors {{ field code }} }} }}"
    for kind in KINDS
}
UPDATE = {
    kind: f"mutation ($id: ID!, $input: Update{kind}Input!) "
    f"{{ update{kind}(id: $id, input: $input) {{ errors {{ field code }} }} }}"
    for kind in KINDS
}
DELETE = {
    kind: f"mutation ($id: ID!) {{ delete{kind}(id: $id) {{ deletedId errors {{ field code }} }} }}"
    for kind in KINDS
}
PUBLIC_RESOURCE = """
query ($slug: String!, $id: ID!) {
  resources { edges { node { slug } } }
  resource(slug: $slug) { slug body }
  node(id: $id) { id }
}"""
RESOURCE_WITH_HISTORY = """
query ($slug: String!) {
  resource(slug: $slug) { slug createdBy updatedBy revisions { version operation author } }
}"""
DRAFTS = "{ resources(filter: {status: [DRAFT]}) { edges { node { slug } } } }"

START = "2030-03-01T09:00:00+01:00"
END = "2030-03-01T11:00:00+01:00"
VALID_CREATE: dict[str, dict[str, Any]] = {
    "Resource": {"title": "A new toolkit", "kind": "TOOLKIT"},
    "Video": {"title": "A new video", "provider": "YOUTUBE"},
    "Profile": {"name": "Ada Lovelace"},
    "Organisation": {"name": "University of Somewhere", "kind": "UNIVERSITY"},
    "Event": {"title": "A webinar", "start": START, "end": END, "format": "ONLINE"},
    "NewsItem": {"title": "Some news"},
    "Page": {"title": "About", "path": "about-us"},
}
LABEL = {"Profile": "name", "Organisation": "name"}


def gid(row: Any) -> str:
    return to_global_id(type(row).__name__, row.id)


def codes(body: dict[str, Any], field: str) -> list[str]:
    """The error codes of a mutation payload, from a whole response body or its `data`."""
    data = body["data"] if "data" in body else body
    return [e["code"] for e in data[field]["errors"]]


async def items(owner: models.Tenant, status: Status = Status.PUBLISHED, **extra: Any) -> dict:
    """One item of every kind in `owner` with `status` (shareable kinds get `extra`)."""
    shareable = dict(extra)
    return {
        "Resource": await factories.resource(owner, status=status, **shareable),
        "Video": await factories.video(owner, status=status, **shareable),
        "Profile": await factories.profile(owner, status=status, **shareable),
        "Organisation": await factories.organisation(owner, status=status, **shareable),
        "Event": await factories.event(owner, status=status),
        "NewsItem": await factories.news_item(owner, status=status),
        "Page": await factories.page(owner, status=status),
    }


# -- the "Done when" ---------------------------------------------------------------


async def test_editor_creates_previews_publishes_conflicts_reverts_and_stays_home(client):
    genera = await factories.tenant(slug="genera", name="GENERA")
    lifesci = await factories.tenant(slug="lifescicop", name="LifeSciCoP")
    foreign = await factories.resource(lifesci, title="Theirs", slug="theirs")
    _, value = await factories.token(genera, "editor", name="t1")
    auth = bearer(value)

    async def call(query: str, variables: dict[str, Any], **kw: Any) -> dict[str, Any]:
        response = await graphql(client, query, variables, tenant="genera", **kw)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    created = await call(
        CREATE_RESOURCE,
        {"input": {"title": "Gender budgeting toolkit", "kind": "TOOLKIT", "body": "<p>First</p>"}},
        headers=auth,
    )
    resource = created["createResource"]["resource"]
    assert created["createResource"]["errors"] == []
    assert resource["status"] == "DRAFT" and resource["version"] == 1
    assert resource["slug"] == "gender-budgeting-toolkit"
    rid, slug = resource["id"], resource["slug"]

    public = await call(PUBLIC_RESOURCE, {"slug": slug, "id": rid})
    assert public == {"resources": {"edges": []}, "resource": None, "node": None}
    preview = await call(PUBLIC_RESOURCE, {"slug": slug, "id": rid}, headers=auth)
    assert preview["resource"]["body"] == "<p>First</p>"
    assert preview["node"] == {"id": rid}
    assert preview["resources"] == {"edges": []}  # lists stay live-only without a status filter

    published = await call(PUBLISH, {"id": rid}, headers=auth)
    assert published["publish"]["node"]["status"] == "PUBLISHED"
    public = await call(PUBLIC_RESOURCE, {"slug": slug, "id": rid})
    assert public["resources"]["edges"] == [{"node": {"slug": slug}}]
    assert public["resource"]["body"] == "<p>First</p>" and public["node"] == {"id": rid}

    second = await call(
        UPDATE_RESOURCE,
        {"id": rid, "input": {"expectedVersion": 2, "body": "<p>Second</p>"}},
        headers=auth,
    )
    assert second["updateResource"]["resource"]["version"] == 3
    stale = await call(
        UPDATE_RESOURCE,
        {"id": rid, "input": {"expectedVersion": 2, "body": "<p>Third</p>"}},
        headers=auth,
    )
    assert stale["updateResource"]["resource"] is None
    assert codes(stale, "updateResource") == ["CONFLICT"]
    row = await models.Resource.get(slug=slug)
    assert (row.version, row.body) == (3, "<p>Second</p>")

    reverted = await call(REVERT, {"id": rid, "revision": 1}, headers=auth)
    assert reverted["revertToRevision"]["node"] == {"id": rid, "version": 4, "body": "<p>First</p>"}
    row = await models.Resource.get(slug=slug)
    assert (row.version, row.body, row.status) == (4, "<p>First</p>", Status.PUBLISHED)

    before = await database_state()
    denied = await call(
        UPDATE_RESOURCE,
        {"id": gid(foreign), "input": {"expectedVersion": 1, "title": "Mine now"}},
        headers=auth,
    )
    assert codes(denied, "updateResource") == ["NOT_FOUND"]  # as if the id named nothing
    assert await database_state() == before
    assert (await models.Resource.get(id=foreign.id)).title == "Theirs"


# -- the roles table -----------------------------------------------------------------------

ROLES = ("admin", "editor", "contributor", "viewer", "platform")
# Operation -> the roles that may do it, exactly as the table in cms/auth.py says.
ALLOWED = {
    "create": {"admin", "editor", "contributor", "platform"},
    "update draft": {"admin", "editor", "contributor", "platform"},
    "update published": {"admin", "editor", "platform"},
    "publish": {"admin", "editor", "platform"},
    "unpublish": {"admin", "editor", "platform"},
    "archive": {"admin", "editor", "platform"},
    "delete draft": {"admin", "editor", "contributor", "platform"},
    "delete published": {"admin", "editor", "platform"},
    "revert draft": {"admin", "editor", "contributor", "platform"},
    "revert published": {"admin", "editor", "platform"},
    "create tag": {"admin", "editor", "contributor", "platform"},
    "update tag": {"admin", "editor", "platform"},
    "delete tag": {"admin", "editor", "platform"},
}


async def _operation(op: str, home: models.Tenant) -> tuple[str, dict[str, Any], str, Any]:
    """The document, variables and payload field of one operation, on a fresh target."""
    status = Status.PUBLISHED if "published" in op or op in ("unpublish", "archive") else None
    status = status or Status.DRAFT
    if op == "create":
        return CREATE["Resource"], {"input": VALID_CREATE["Resource"]}, "createResource", None
    if op in ("create tag", "update tag", "delete tag"):
        tag = await factories.tag(home)
        if op == "create tag":
            return CREATE_TAG, {"input": {"name": "New tag"}}, "createTag", None
        if op == "update tag":
            return UPDATE_TAG, {"id": gid(tag), "input": {"name": "Renamed"}}, "updateTag", tag
        return DELETE_TAG, {"id": gid(tag)}, "deleteTag", tag
    row = await factories.resource(home, status=status)
    await models.Revision.create(
        tenant=home,
        content_type="Resource",
        object_id=row.id,
        version=1,
        operation="create",
        snapshot={"title": "Original", "status": status.value},
        author_name="seed",
    )
    variables = {"id": gid(row)}
    if op.startswith("update"):
        variables["input"] = {"expectedVersion": 1, "title": "Changed"}
        return UPDATE["Resource"], variables, "updateResource", row
    if op.startswith("delete"):
        return DELETE["Resource"], variables, "deleteResource", row
    if op.startswith("revert"):
        return REVERT, {**variables, "revision": 1}, "revertToRevision", row
    document = {"publish": PUBLISH, "unpublish": UNPUBLISH, "archive": ARCHIVE}[op]
    return document, variables, op, row


@pytest.mark.parametrize("role", ROLES)
async def test_roles_table_cell_by_cell(client, role):
    home = await factories.tenant(slug="home")
    _, value = await factories.token(
        None if role == "platform" else home, "admin" if role == "platform" else role
    )
    auth = bearer(value)
    for op, allowed in ALLOWED.items():
        document, variables, field, target = await _operation(op, home)
        before = await database_state()
        response = await graphql(client, document, variables, tenant="home", headers=auth)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        got = codes(body, field)
        if role in allowed:
            assert got == [], (role, op, body)
            assert await database_state() != before, (role, op)
        else:
            assert got == ["PERMISSION_DENIED"], (role, op, body)
            assert await database_state() == before, (role, op)

    # Every role previews: drafts by status, lookups, node(id) and the history fields.
    draft = await factories.resource(home, status=Status.DRAFT, slug="draft-one")
    await factories.resource(
        home, status=Status.PUBLISHED, published_at=factories.FUTURE, slug="scheduled-one"
    )
    await models.Revision.create(
        tenant=home,
        content_type="Resource",
        object_id=draft.id,
        version=1,
        operation="create",
        snapshot={},
        author_name="writer",
    )
    response = await graphql(client, DRAFTS, tenant="home", headers=auth)
    slugs = {e["node"]["slug"] for e in response.json()["data"]["resources"]["edges"]}
    assert "draft-one" in slugs and "scheduled-one" not in slugs
    response = await graphql(
        client, RESOURCE_WITH_HISTORY, {"slug": "draft-one"}, tenant="home", headers=auth
    )
    assert response.json()["data"]["resource"] == {
        "slug": "draft-one",
        "createdBy": "writer",
        "updatedBy": "writer",
        "revisions": [{"version": 1, "operation": "create", "author": "writer"}],
    }
    node = await graphql(
        client,
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": gid(draft)},
        tenant="home",
        headers=auth,
    )
    assert node.json()["data"]["node"] == {"id": gid(draft)}


# -- isolation -----------------------------------------------------------------------------


async def _every_mutation(home: models.Tenant) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, document, variables) of every mutation, aimed at `home`'s items."""
    published = await items(home, shared=True)
    drafts = await items(home, Status.DRAFT)
    tag = await factories.tag(home)
    for row in [*published.values(), *drafts.values()]:
        await models.Revision.create(
            tenant=home,
            content_type=type(row).__name__,
            object_id=row.id,
            version=1,
            operation="create",
            snapshot={},
            author_name="seed",
        )
    calls: list[tuple[str, str, dict[str, Any]]] = []
    for kind in KINDS:
        calls.append((f"create{kind}", CREATE[kind], {"input": VALID_CREATE[kind]}))
        for row in (published[kind], drafts[kind]):
            label = LABEL.get(kind, "title")
            update = {"expectedVersion": row.version, label: "Hijacked"}
            calls.append((f"update{kind}", UPDATE[kind], {"id": gid(row), "input": update}))
            calls.append((f"delete{kind}", DELETE[kind], {"id": gid(row)}))
            for name, document in (
                ("publish", PUBLISH),
                ("unpublish", UNPUBLISH),
                ("archive", ARCHIVE),
            ):
                calls.append((name, document, {"id": gid(row)}))
            calls.append(("revertToRevision", REVERT, {"id": gid(row), "revision": 1}))
    calls.append(("createTag", CREATE_TAG, {"input": {"name": "Intruder"}}))
    calls.append(("updateTag", UPDATE_TAG, {"id": gid(tag), "input": {"name": "Intruder"}}))
    calls.append(("deleteTag", DELETE_TAG, {"id": gid(tag)}))
    return calls


WRITERS = ("other tenant", "other tenant at home", "viewer", "no token")


@pytest.mark.parametrize("caller", WRITERS)
async def test_every_mutation_is_denied_to_callers_without_the_right(client, caller):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    headers: dict[str, str] = {}
    addressed = "home"
    if caller.startswith("other tenant"):
        headers = bearer((await factories.token(away, "admin"))[1])
        addressed = "away" if caller.endswith("at home") else "home"
    elif caller == "viewer":
        headers = bearer((await factories.token(home, "viewer"))[1])
    calls = await _every_mutation(home)
    before = await database_state()
    for name, document, variables in calls:
        if caller == "other tenant at home" and name.startswith("create"):
            continue  # creating in its own tenant is allowed; the point is the ids of `home`
        response = await graphql(client, document, variables, tenant=addressed, headers=headers)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, (name, body)
        # Another tenant's ids answer as missing ones (tests/schema/test_tenancy.py compares).
        foreign_id = caller.startswith("other tenant") and not name.startswith("create")
        expected = "NOT_FOUND" if foreign_id else "PERMISSION_DENIED"
        assert codes(body, name) == [expected], (caller, name, variables, body)
        assert await database_state() == before, (caller, name)


async def test_a_contributor_cannot_publish_unpublish_archive_or_touch_published_items(client):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "contributor"))[1])
    calls = await _every_mutation(home)
    published_ids = {
        gid(r)
        for m in (
            models.Resource,
            models.Video,
            models.Profile,
            models.Organisation,
            models.Event,
            models.NewsItem,
            models.Page,
        )
        for r in await m.filter(status=Status.PUBLISHED)
    }
    before = await database_state()
    checked = 0
    for name, document, variables in calls:
        workflow = name in ("publish", "unpublish", "archive")
        if not (
            workflow or variables.get("id") in published_ids or name in ("updateTag", "deleteTag")
        ):
            continue
        response = await graphql(client, document, variables, tenant="home", headers=headers)
        assert codes(response.json(), name) == ["PERMISSION_DENIED"], (name, variables)
        assert await database_state() == before, name
        checked += 1
    assert checked == 7 * 2 * 3 + 7 * 3 + 2


@pytest.mark.parametrize(
    "authorization",
    # Every malformed shape is unit-tested in tests/cms/test_auth.py; a few stand in here.
    ["revoked", "Bearer cms_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"],
)
async def test_every_mutation_with_a_bad_token_is_401_and_changes_nothing(client, authorization):
    home = await factories.tenant(slug="home")
    if authorization == "revoked":
        from cms.services.tokens import revoke_token

        row, value = await factories.token(home, "admin", name="gone")
        await revoke_token(row.name)
        authorization = f"Bearer {value}"
    calls = await _every_mutation(home)
    before = await database_state()
    for name, document, variables in calls:
        response = await graphql(
            client, document, variables, tenant="home", headers={"Authorization": authorization}
        )
        assert response.status_code == 401, (name, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert "data" not in body and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await database_state() == before


async def test_another_tenants_shared_items_are_readable_but_read_only(client):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    shared = await factories.resource(away, shared=True, slug="shared-one", title="Shared")
    headers = bearer((await factories.token(home, "admin"))[1])
    query = '{ resources(includeShared: true) { edges { node { slug } } } resource(slug: "shared-one", tenant: "away") { title } }'  # noqa: E501
    response = await graphql(client, query, tenant="home", headers=headers)
    assert response.json()["data"] == {
        "resources": {"edges": [{"node": {"slug": "shared-one"}}]},
        "resource": {"title": "Shared"},
    }
    before = await database_state()
    for document, variables, field in (
        (
            UPDATE_RESOURCE,
            {"id": gid(shared), "input": {"expectedVersion": 1, "title": "X"}},
            "updateResource",
        ),
        (DELETE["Resource"], {"id": gid(shared)}, "deleteResource"),
        (UNPUBLISH, {"id": gid(shared)}, "unpublish"),
        (ARCHIVE, {"id": gid(shared)}, "archive"),
    ):
        response = await graphql(client, document, variables, tenant="home", headers=headers)
        assert codes(response.json(), field) == ["NOT_FOUND"]
    assert await database_state() == before


@pytest.mark.parametrize("who", ["platform admin", "tenant editor"])
async def test_creating_with_no_tenant_addressed_is_tenant_required(client, who):
    home = await factories.tenant(slug="home")
    role_owner = None if who == "platform admin" else home
    headers = bearer((await factories.token(role_owner, "admin"))[1])
    before = await database_state()
    for kind in KINDS:
        response = await graphql(
            client, CREATE[kind], {"input": VALID_CREATE[kind]}, headers=headers
        )
        assert codes(response.json(), f"create{kind}") == ["TENANT_REQUIRED"]
    response = await graphql(client, CREATE_TAG, {"input": {"name": "T"}}, headers=headers)
    assert codes(response.json(), "createTag") == ["TENANT_REQUIRED"]
    assert await database_state() == before


# -- bad input -----------------------------------------------------------------------------

LONG = "x" * 301
BAD_INPUT = [
    ("over-long title", "Resource", {"title": LONG, "kind": "TOOLKIT"}, "title", "TOO_LONG"),
    ("duplicate slug", "Resource", {"title": "T", "kind": "TOOLKIT", "slug": "taken"}, "slug",
     "DUPLICATE"),
    ("end before start", "Event",
     {"title": "E", "start": END, "end": START, "format": "ONLINE"}, "end", "END_BEFORE_START"),
    ("script", "Resource", {"title": "T", "kind": "TOOLKIT",
                            "body": "<p>Hi</p><script>alert(1)</script>"}, "body", "UNSAFE_HTML"),
    ("event handler", "NewsItem", {"title": "T", "body": '<img src="x.png" onclick="steal()">'},
     "body", "UNSAFE_HTML"),
    ("javascript link", "Page", {"title": "T", "path": "p",
                                 "body": '<a href="javascript:alert(1)">x</a>'}, "body",
     "UNSAFE_HTML"),
    ("naive datetime", "Event", {"title": "E", "start": "2030-03-01T09:00:00",
                                 "end": "2030-03-01T11:00:00", "format": "ONLINE"}, "start",
     "NAIVE_DATETIME"),
    ("unknown tag", "Resource", {"title": "T", "kind": "TOOLKIT", "tags": ["nope"]}, "tags",
     "NOT_FOUND"),
    ("foreign author", "Resource", {"title": "T", "kind": "TOOLKIT", "authors": ["FOREIGN"]},
     "authors", "NOT_FOUND"),
    ("missing parent page", "Page", {"title": "T", "path": "nowhere/child"}, "path", "NOT_FOUND"),
    ("invalid slug", "Video", {"title": "T", "provider": "VIMEO", "slug": "Not A Slug!"}, "slug",
     "INVALID_SLUG"),
    ("invalid page path", "Page", {"title": "T", "path": "Bad Path"}, "path", "INVALID_PATH"),
    ("blank title", "NewsItem", {"title": "   "}, "title", "REQUIRED"),
    ("bad url", "Organisation", {"name": "O", "kind": "RFO", "website": "ftp://x"}, "website",
     "INVALID_URL"),
    ("naive expiry", "Resource", {"title": "T", "kind": "TOOLKIT",
                                  "expiresAt": "2030-03-01T09:00:00"}, "expiresAt",
     "NAIVE_DATETIME"),
    ("naive page expiry", "Page", {"title": "T", "path": "p", "expiresAt": "2030-03-01T09:00:00"},
     "expiresAt", "NAIVE_DATETIME"),
    ("long translation group", "NewsItem", {"title": "T", "translationGroup": "g" * 65},
     "translationGroup", "TOO_LONG"),
    ("bad contact email", "Event", {"title": "E", "start": START, "end": END, "format": "ONLINE",
                                    "contactEmail": "ana at example"}, "contactEmail",
     "INVALID_EMAIL"),
    ("long contact name", "Event", {"title": "E", "start": START, "end": END, "format": "ONLINE",
                                    "contactName": LONG}, "contactName", "TOO_LONG"),
    ("long contact email", "Event", {"title": "E", "start": START, "end": END, "format": "ONLINE",
                                     "contactEmail": "a@" + "b" * 250 + ".org"}, "contactEmail",
     "TOO_LONG"),
]  # fmt: skip


# Every URL field of every kind takes only an absolute http(s) URL with a host, nothing hidden.
URL_FIELDS = [
    ("Resource", {"title": "T", "kind": "TOOLKIT"}, "externalUrl"),
    ("Video", {"title": "T", "provider": "FILE"}, "sourceUrl"),
    ("Video", {"title": "T", "provider": "FILE"}, "embedUrl"),
    ("Organisation", {"name": "O", "kind": "RFO"}, "website"),
    ("Event", {"title": "E", "start": START, "end": END, "format": "ONLINE"}, "registrationUrl"),
]
BAD_URLS = [
    "javascript:alert(1)", "JavaScript://x.org/%0Aalert(1)", "data:text/html,<b>x</b>",
    "ftp://files.example.org/x", "https://", "https:///path", "//example.org/x", "example.org",
    "http://[::1", "https://example.org:99999/", "https://exa mple.org/", "https://example.org/\nx",
    "https://example.org/\tx", "http:\\\\evil.example", "mailto:ana@example.org",
]  # fmt: skip
BAD_INPUT += [
    (f"url {field} {url!r}", kind, {**base, field: url}, field, "INVALID_URL")
    for kind, base, field in URL_FIELDS
    for url in BAD_URLS
]


@pytest.mark.parametrize(
    ("kind", "values", "field", "code"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
async def test_bad_input_is_a_clear_error_and_stores_nothing(client, kind, values, field, code):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    await factories.resource(home, slug="taken")
    foreign = await factories.profile(away, shared=False)
    headers = bearer((await factories.token(home, "editor"))[1])
    if "authors" in values:
        values = {**values, "authors": [gid(foreign)]}
    before = await database_state()
    response = await graphql(
        client, CREATE[kind], {"input": values}, tenant="home", headers=headers
    )
    errors = response.json()["data"][f"create{kind}"]["errors"]
    assert {"field": field, "code": code} in errors, errors
    assert await database_state() == before


async def test_bad_update_and_publish_input_changes_nothing(client):
    home = await factories.tenant(slug="home")
    event = await factories.event(home, status=Status.DRAFT)
    await factories.event(home, slug="taken")
    headers = bearer((await factories.token(home, "editor"))[1])
    before = await database_state()
    cases = [
        (
            UPDATE["Event"],
            {"expectedVersion": 1, "end": "2000-01-01T00:00:00Z"},
            "END_BEFORE_START",
        ),
        (UPDATE["Event"], {"expectedVersion": 1, "slug": "taken"}, "DUPLICATE"),
        (UPDATE["Event"], {"expectedVersion": 1, "title": LONG}, "TOO_LONG"),
        (UPDATE["Event"], {"expectedVersion": 1, "timezone": "Mars/Olympus"}, "INVALID_TIMEZONE"),
        (UPDATE["Event"], {"expectedVersion": 7, "title": "Fine"}, "CONFLICT"),
    ]
    for document, values, code in cases:
        response = await graphql(
            client, document, {"id": gid(event), "input": values}, tenant="home", headers=headers
        )
        assert code in codes(response.json(), "updateEvent"), (values, response.json())
        assert await database_state() == before
    response = await graphql(
        client,
        PUBLISH,
        {"id": gid(event), "at": "2030-01-01T09:00:00"},
        tenant="home",
        headers=headers,
    )
    assert codes(response.json(), "publish") == ["NAIVE_DATETIME"]
    assert await database_state() == before


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (CREATE["Resource"], {"input": {"title": "T", "kind": "NOT_A_KIND"}}),
        (
            CREATE["Resource"]
            .replace("$input", "$i")
            .replace("(input: $i)", '(input: {title: "T", kind: NOT_A_KIND})')
            .replace("($i: CreateResourceInput!) ", ""),
            None,
        ),
        (CREATE["Event"], {"input": {**VALID_CREATE["Event"], "format": "ON_THE_MOON"}}),
    ],
    ids=["variable", "literal", "event format"],
)
async def test_an_unknown_enum_is_a_graphql_validation_error(client, document, variables):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    before = await database_state()
    response = await graphql(client, document, variables, tenant="home", headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GR)
    body = response.json()
    assert "data" not in body and body["errors"]
    assert await database_state() == before


SAFE_HTML = (
    "<h2>Heading</h2><h3>Sub</h3><p>Text with <strong>bold</strong>, <em>emphasis</em> and "
    '<a href="https://example.org/x">a link</a>.</p><ul><li>one</li></ul><ol><li>two</li></ol>'
    "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    '<img src="https://example.org/p.png" alt="Picture">'
)


async def test_allowed_html_is_kept_and_harmless_disallowed_tags_are_stripped(client):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    body = SAFE_HTML + '<font color="red">plain</font><marquee>moving</marquee><p style="x">s</p>'
    response = await graphql(
        client,
        CREATE_RESOURCE,
        {"input": {"title": "T", "kind": "GUIDE", "body": body}},
        tenant="home",
        headers=headers,
    )
    saved = response.json()["data"]["createResource"]["resource"]["body"]
    for fragment in (
        "<h2>Heading</h2>",
        "<h3>Sub</h3>",
        "<strong>bold</strong>",
        "<em>emphasis</em>",
        '<a href="https://example.org/x"',
        "<ul><li>one</li>",
        "<ol><li>two</li>",
        "<th>A</th>",
        "<td>1</td>",
        '<img src="https://example.org/p.png" alt="Picture">',
    ):
        assert fragment in saved, (fragment, saved)
    assert "plain" in saved and "moving" in saved and "<p>s</p>" in saved
    for gone in ("<font", "<marquee", "style="):
        assert gone not in saved
    assert (await models.Resource.get(title="T")).body == saved


# -- revision, audit and outbox ------------------------------------------------------------

OPERATIONS = (
    "create", "update", "publish", "unpublish", "archive", "revert", "delete",
    "create tag", "update tag", "delete tag",
)  # fmt: skip


async def _prepared(op: str, home: models.Tenant, headers: dict[str, str], client: Any):
    """Document, variables, payload field and the target row (None for creates) of `op`."""
    if op == "create":
        return (
            CREATE_RESOURCE,
            {"input": {"title": "Fresh", "kind": "TOOLKIT"}},
            "createResource",
            None,
        )
    if op.endswith("tag"):
        tag = await factories.tag(home, slug="kept", name="Kept")
        return {
            "create tag": (CREATE_TAG, {"input": {"name": "Fresh"}}, "createTag", None),
            "update tag": (
                UPDATE_TAG,
                {"id": gid(tag), "input": {"name": "New"}},
                "updateTag",
                tag,
            ),
            "delete tag": (DELETE_TAG, {"id": gid(tag)}, "deleteTag", tag),
        }[op]
    # The target is made through the API so that it has its revision 1.
    made = await graphql(
        client,
        CREATE_RESOURCE,
        {"input": {"title": "Old", "kind": "TOOLKIT", "body": "<p>v1</p>"}},
        tenant="home",
        headers=headers,
    )
    rid = made.json()["data"]["createResource"]["resource"]["id"]
    row = await models.Resource.get(slug="old")
    if op == "unpublish":
        await graphql(client, PUBLISH, {"id": rid}, tenant="home", headers=headers)
    if op == "revert":
        await graphql(
            client,
            UPDATE_RESOURCE,
            {"id": rid, "input": {"expectedVersion": 1, "body": "<p>v2</p>"}},
            tenant="home",
            headers=headers,
        )
    row = await models.Resource.get(id=row.id)
    return {
        "update": (
            UPDATE_RESOURCE,
            {"id": rid, "input": {"expectedVersion": row.version, "title": "New"}},
            "updateResource",
            row,
        ),
        "publish": (PUBLISH, {"id": rid}, "publish", row),
        "unpublish": (UNPUBLISH, {"id": rid}, "unpublish", row),
        "archive": (ARCHIVE, {"id": rid}, "archive", row),
        "revert": (REVERT, {"id": rid, "revision": 1}, "revertToRevision", row),
        "delete": (DELETE["Resource"], {"id": rid}, "deleteResource", row),
    }[op]


async def _row_of(target: Any) -> Any:
    if target is None:
        return None
    values = await type(target).filter(id=target.id).values()
    return values[0] if values else None


@pytest.mark.parametrize("op", OPERATIONS)
async def test_every_write_leaves_revision_audit_and_outbox_or_nothing(client, monkeypatch, op):
    home = await factories.tenant(slug="home")
    token_row, value = await factories.token(home, "editor", name="writer-token")
    headers = bearer(value)
    document, variables, field, target = await _prepared(op, home, headers, client)

    # First an injected failure after the item, revision and audit rows are written.
    async def explode(**_: Any) -> None:
        raise RuntimeError("injected failure: /secret/path.py SELECT * FROM outbox_event")

    before, row_before = await database_state(), await _row_of(target)
    monkeypatch.setattr(models.OutboxEvent, "create", explode)
    response = await graphql(client, document, variables, tenant="home", headers=headers)
    monkeypatch.undo()
    body = response.json()
    assert response.status_code == 200
    assert body["data"] is None or body["data"][field] is None
    assert [e["message"] for e in body["errors"]] == ["Internal server error."]
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    for leak in ("injected", "secret", "SELECT", "Traceback", "RuntimeError"):
        assert leak not in response.text
    assert await database_state() == before
    assert await _row_of(target) == row_before
    if op == "create":
        assert not await models.Resource.filter(title="Fresh").exists()

    # The same write without the failure leaves exactly one row of each kind.
    history_before = {m: await m.all().count() for m in factories.HISTORY_MODELS}
    response = await graphql(client, document, variables, tenant="home", headers=headers)
    body = response.json()
    assert "errors" not in body and body["data"][field]["errors"] == [], body
    is_tag = op.endswith("tag")
    added = {m: await m.all().count() - history_before[m] for m in factories.HISTORY_MODELS}
    assert added == {
        models.Revision: 0 if is_tag else 1,
        models.AuditEntry: 1,
        models.OutboxEvent: 1,
    }
    action = {
        "revert": "revert:1",
        "create tag": "create",
        "update tag": "update",
        "delete tag": "delete",
    }.get(op, op)
    audit = await models.AuditEntry.all().order_by("-id").first()
    outbox = await models.OutboxEvent.all().order_by("-id").first()
    assert audit is not None and outbox is not None
    assert (audit.token_id, audit.token_name, audit.action) == (
        token_row.id,
        "writer-token",  # type: ignore[attr-defined]
        action,
    )
    assert (outbox.operation, outbox.tenant_id, outbox.object_id) == (
        action,
        home.id,
        audit.object_id,
    )
    assert outbox.content_type == audit.content_type == ("Tag" if is_tag else "Resource")
    if not is_tag:
        revision = await models.Revision.all().order_by("-id").first()
        assert revision is not None
        assert (revision.operation, revision.author_name, revision.token_id) == (  # type: ignore[attr-defined]
            action,
            "writer-token",
            token_row.id,
        )
        assert revision.object_id == audit.object_id and revision.version == audit.version


async def test_a_failure_in_the_history_record_rolls_back_the_create(client, monkeypatch):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    from cms.services import history

    async def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(history, "record", explode)
    before = await database_state()
    for kind in KINDS:
        response = await graphql(
            client, CREATE[kind], {"input": VALID_CREATE[kind]}, tenant="home", headers=headers
        )
        assert response.json()["errors"][0]["message"] == "Internal server error."
    assert await database_state() == before


async def test_publish_at_a_future_time_schedules_without_a_job(client):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    row = await factories.resource(home, status=Status.DRAFT, slug="soon")
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await graphql(
        client, PUBLISH, {"id": gid(row), "at": at}, tenant="home", headers=headers
    )
    assert response.json()["data"]["publish"]["node"]["status"] == "PUBLISHED"
    public = await graphql(client, PUBLIC_RESOURCE, {"slug": "soon", "id": gid(row)}, tenant="home")
    assert public.json()["data"] == {"resources": {"edges": []}, "resource": None, "node": None}
    await models.Resource.filter(id=row.id).update(published_at=datetime.now(UTC) - timedelta(1))
    await generations.bump(row.tenant_id)  # a write past the services says so itself
    public = await graphql(client, PUBLIC_RESOURCE, {"slug": "soon", "id": gid(row)}, tenant="home")
    assert public.json()["data"]["resource"] == {"slug": "soon", "body": ""}


LONG_ARGUMENT = "a" * 250
LONG_LOOKUPS = """
query ($s: String!) {
  resource(slug: $s) { slug } event(slug: $s) { slug } page(path: $s) { slug }
  tag(slug: $s) { slug } profile(slug: $s) { slug } tenants(parent: $s) { slug }
}"""
LONG_FILTER = "query ($s: String!) { resources(filter: {tags: [$s], author: $s}) { totalCount } }"


async def test_over_long_arguments_and_ids_are_clear_answers_not_crashes(client):
    home = await factories.tenant(slug="home")
    tag = await factories.tag(home)
    headers = bearer((await factories.token(home, "admin"))[1])
    huge = {kind: to_global_id(kind, 2**40) for kind in (*KINDS, "Tag")}
    before = await database_state()
    for document, variables, field, expected in (
        (
            CREATE["Resource"],
            {"input": {"title": "T", "kind": "GUIDE", "slug": LONG_ARGUMENT}},
            "createResource",
            {"field": "slug", "code": "INVALID_SLUG"},
        ),
        (
            CREATE["Resource"],
            {"input": {"title": "T", "kind": "GUIDE", "tags": [LONG_ARGUMENT]}},
            "createResource",
            {"field": "tags", "code": "NOT_FOUND"},
        ),
        (
            CREATE_TAG,
            {"input": {"name": "T", "slug": "t" * 150}},
            "createTag",
            {"field": "slug", "code": "TOO_LONG"},
        ),
        (
            UPDATE_TAG,
            {"id": gid(tag), "input": {"slug": "t" * 150}},
            "updateTag",
            {"field": "slug", "code": "TOO_LONG"},
        ),
        (
            UPDATE["Resource"],
            {"id": huge["Resource"], "input": {"expectedVersion": 1}},
            "updateResource",
            {"field": "id", "code": "NOT_FOUND"},
        ),
        (PUBLISH, {"id": huge["Event"]}, "publish", {"field": "id", "code": "NOT_FOUND"}),
        (DELETE_TAG, {"id": huge["Tag"]}, "deleteTag", {"field": "id", "code": "NOT_FOUND"}),
        (
            CREATE["Resource"],
            {
                "input": {
                    "title": "T",
                    "kind": "GUIDE",
                    "authors": [huge["Profile"]],
                    "organisationId": huge["Organisation"],
                }
            },
            "createResource",
            {"field": "authors", "code": "NOT_FOUND"},
        ),
    ):
        response = await graphql(client, document, variables, tenant="home", headers=headers)
        body = response.json()
        assert "errors" not in body, (variables, body)
        assert expected in body["data"][field]["errors"], body
    assert await database_state() == before

    response = await graphql(client, LONG_LOOKUPS, {"s": LONG_ARGUMENT}, tenant="home")
    assert response.json() == {
        "data": {
            "resource": None,
            "event": None,
            "page": None,
            "tag": None,
            "profile": None,
            "tenants": [],
        }
    }
    response = await graphql(client, LONG_FILTER, {"s": LONG_ARGUMENT}, tenant="home")
    error = response.json()["errors"][0]
    assert error["extensions"]["reason"] == "INVALID_INPUT" and "longer" in error["message"]


async def test_concurrent_creates_with_one_title_get_distinct_slugs(client):
    """Requests that run at once (on PostgreSQL each in its own connection and transaction)
    pick the same free slug; the ones that lose the race take the next free one."""
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])

    async def create() -> dict[str, Any]:
        response = await graphql(
            client,
            CREATE_RESOURCE,
            {"input": {"title": "Same title", "kind": "GUIDE"}},
            tenant="home",
            headers=headers,
        )
        return response.json()["data"]["createResource"]

    payloads = await asyncio.gather(*(create() for _ in range(12)))
    assert [p["errors"] for p in payloads] == [[]] * 12
    slugs = sorted(p["resource"]["slug"] for p in payloads)
    assert slugs == sorted(["same-title", *(f"same-title-{n}" for n in range(2, 13))])
    assert await models.Revision.filter(content_type="Resource").count() == 12
