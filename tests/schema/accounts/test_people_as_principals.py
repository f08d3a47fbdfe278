"""A person signed in acts with the role of their membership in the request's tenant (or the
nearest tenant above it), exactly as a token with that role would; their writes name them."""

from __future__ import annotations

import pytest

from cms import models
from cms.models import ApplicationState, CommunityRole, Role, Status, TenantKind
from tests import factories
from tests.factories import bearer
from tests.support.accounts import person, session_of
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

CREATE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id slug } errors { field code } }
}"""
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { errors { code } } }"
HISTORY = """
query ($s: String!) {
  resource(slug: $s) { status createdBy updatedBy revisions { version operation author } }
}"""
DRAFT = 'query { resource(slug: "draft") { slug } }'


async def test_an_editor_who_is_a_person_publishes_and_the_revision_names_them(client):
    home = await factories.tenant(slug="home")
    ada = await person("ada@example.org", name="Ada Lovelace", roles={home: (Role.EDITOR, None)})
    headers = bearer(await session_of(client, "ada@example.org"))
    values = {"title": "A guide", "kind": "GUIDE"}
    made = await graphql(client, CREATE, {"input": values}, tenant="home", headers=headers)
    created = made.json()["data"]["createResource"]
    assert created["errors"] == []
    published = await graphql(
        client, PUBLISH, {"id": created["resource"]["id"]}, tenant="home", headers=headers
    )
    assert published.json()["data"]["publish"]["errors"] == []
    response = await graphql(client, HISTORY, {"s": "a-guide"}, tenant="home", headers=headers)
    assert response.json()["data"]["resource"] == {
        "status": "PUBLISHED",
        "createdBy": "Ada Lovelace",
        "updatedBy": "Ada Lovelace",
        "revisions": [
            {"version": 1, "operation": "create", "author": "Ada Lovelace"},
            {"version": 2, "operation": "publish", "author": "Ada Lovelace"},
        ],
    }
    revisions = await models.Revision.all().values("account_id", "token_id")
    assert revisions == [{"account_id": ada.id, "token_id": None}] * 2
    audit = await models.AuditEntry.all().values("account_id", "token_id", "token_name")
    assert audit == [{"account_id": ada.id, "token_id": None, "token_name": "Ada Lovelace"}] * 2


@pytest.mark.parametrize("role", list(Role))
async def test_a_person_s_role_allows_what_a_token_s_role_allows(client, role):
    home = await factories.tenant(slug="home")
    await factories.resource(home, slug="draft", status=Status.DRAFT)
    await person("ada@example.org", roles={home: (role, None)})
    as_person = bearer(await session_of(client, "ada@example.org"))
    as_token = bearer((await factories.token(home, role.value))[1])
    answers = []
    for n, headers in enumerate((as_person, as_token)):
        values = {"title": f"Guide {n}", "kind": "GUIDE"}
        made = await graphql(client, CREATE, {"input": values}, tenant="home", headers=headers)
        errors = made.json()["data"]["createResource"]["errors"]
        draft = await graphql(client, DRAFT, tenant="home", headers=headers)
        answers.append(([e["code"] for e in errors], draft.json()["data"]["resource"]))
    assert answers[0] == answers[1]
    assert answers[0][1] == {"slug": "draft"}  # every role previews


@pytest.mark.parametrize("community", list(CommunityRole))
async def test_a_community_member_without_an_editorial_role_writes_nothing(client, community):
    home = await factories.tenant(slug="home")
    await factories.resource(home, slug="draft", status=Status.DRAFT)
    await person("ada@example.org", roles={home: (None, community)})
    headers = bearer(await session_of(client, "ada@example.org"))
    values = {"title": "A guide", "kind": "GUIDE"}
    made = await graphql(client, CREATE, {"input": values}, tenant="home", headers=headers)
    assert made.json()["data"]["createResource"]["errors"][0]["code"] == "PERMISSION_DENIED"
    draft = await graphql(client, DRAFT, tenant="home", headers=headers)
    assert draft.json()["data"]["resource"] is None
    assert await models.Resource.all().count() == 1


@pytest.mark.parametrize("role", [None, Role.VIEWER])
async def test_a_cop_s_applications_are_read_by_its_editorial_roles_only(client, role):
    programme = await factories.tenant(slug="prog", kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB, parent=programme)
    cop = await factories.tenant(slug="cop", parent=hub)
    package = await models.SupportPackage.create(programme=programme, number=1, slug="a", title="A")
    await models.Application.create(
        cop=cop, hub=hub, programme=programme, package=package, title="Money talk",
        state=ApplicationState.SUBMITTED, budget_cents=100,
    )  # fmt: skip
    await person("ada@example.org", roles={cop: (role, CommunityRole.MEMBER)})
    headers = bearer(await session_of(client, "ada@example.org"))
    query = "{ applications { edges { node { title } } } }"
    response = await graphql(client, query, tenant="cop", headers=headers)
    titles = [e["node"]["title"] for e in response.json()["data"]["applications"]["edges"]]
    assert titles == ([] if role is None else ["Money talk"])


async def test_a_hub_s_person_previews_its_cops_like_a_hub_token(client):
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB)
    cop = await factories.tenant(slug="cop", parent=hub)
    away = await factories.tenant(slug="away")
    await factories.resource(cop, slug="draft", status=Status.DRAFT)
    await factories.resource(away, slug="draft", status=Status.DRAFT)
    await person("ada@example.org", roles={hub: (Role.VIEWER, None)})
    as_person = bearer(await session_of(client, "ada@example.org"))
    as_token = bearer((await factories.token(hub, "viewer"))[1])
    for headers in (as_person, as_token):
        seen = await graphql(client, DRAFT, tenant="cop", headers=headers)
        assert seen.json()["data"]["resource"] == {"slug": "draft"}
        # Oversight goes down the tree only, and never writes.
        elsewhere = await graphql(client, DRAFT, tenant="away", headers=headers)
        assert elsewhere.json()["data"]["resource"] is None
        values = {"title": "A guide", "kind": "GUIDE"}
        made = await graphql(client, CREATE, {"input": values}, tenant="cop", headers=headers)
        assert made.json()["data"]["createResource"]["errors"][0]["code"] == "PERMISSION_DENIED"


async def test_a_membership_in_the_tenant_itself_comes_before_the_hub_s(client):
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB)
    cop = await factories.tenant(slug="cop", parent=hub)
    await factories.resource(cop, slug="draft", status=Status.DRAFT)
    await person(
        "ada@example.org",
        roles={hub: (Role.ADMIN, None), cop: (None, CommunityRole.MEMBER)},
    )
    headers = bearer(await session_of(client, "ada@example.org"))
    seen = await graphql(client, DRAFT, tenant="cop", headers=headers)
    assert seen.json()["data"]["resource"] is None


async def test_a_person_without_a_membership_is_no_one_special(client):
    home = await factories.tenant(slug="home")
    other = await factories.tenant(slug="other")
    await factories.resource(home, slug="draft", status=Status.DRAFT)
    await person("ada@example.org", roles={other: (Role.ADMIN, None)})
    headers = bearer(await session_of(client, "ada@example.org"))
    for tenant in ("home", None):
        seen = await graphql(client, DRAFT, tenant=tenant, headers=headers)
        assert seen.json()["data"]["resource"] is None
    # Not a platform admin at platform scope either: no tenant management.
    made = await graphql(
        client,
        'mutation { createTenant(input: {slug: "new", name: "New", kind: COP}) '
        "{ errors { code } } }",
        headers=headers,
    )
    assert made.json()["data"]["createTenant"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert not await models.Tenant.filter(slug="new").exists()
