"""Tenancy of the programme read paths: applications, their budget, thread and outcomes reach
only the CoP's tokens and its overseers'; packages and listings are public, but their linked
items keep their own visibility."""

from __future__ import annotations

import httpx
import pytest

from cms import models
from cms.models import ApplicationState, Status, TenantKind
from schema.core.ids import to_global_id
from tests import factories
from tests.support.programmes import call

pytestmark = pytest.mark.anyio

DETAILS = """query ($id: ID!) { node(id: $id) { __typename
  ... on Application { title budgetCents budgetLines { amountCents } comments { body } }
  ... on Outcome { state note } } }"""
PACKAGE = """query ($id: ID!) {
  node(id: $id) { ... on SupportPackage { number resources { title } } } }"""
LIST = """{ applications(states: [SUBMITTED]) {
  edges { node { title budgetLines { amountCents } } } } }"""


async def test_applications_and_outcomes_by_node_and_list(client: httpx.AsyncClient) -> None:
    programme = await factories.tenant(slug="prog", kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB, parent=programme)
    cop = await factories.tenant(slug="cop", kind=TenantKind.COP, parent=hub)
    neighbour = await factories.tenant(slug="neighbour", kind=TenantKind.COP, parent=hub)
    stranger = await factories.tenant(slug="stranger", kind=TenantKind.HUB)
    package = await models.SupportPackage.create(programme=programme, number=1, slug="a", title="A")
    draft = await factories.resource(cop, status=Status.DRAFT, title="Secret draft", shared=True)
    public = await factories.resource(cop, title="Open guide", shared=True)
    await package.resources.add(draft, public)
    application = await models.Application.create(
        cop=cop, hub=hub, programme=programme, package=package, title="Money talk",
        state=ApplicationState.SUBMITTED, budget_cents=123_400,
    )  # fmt: skip
    await models.BudgetLine.create(
        application=application, description="Fees", category="other", amount_cents=123_400
    )
    await models.ApplicationComment.create(
        application=application, author_name="hub", body="Between us."
    )
    outcome = await models.Outcome.create(
        application=application, resource=public, proposed_by="cop", note="Private note"
    )
    ids = [to_global_id("Application", application.id), to_global_id("Outcome", outcome.id)]

    _, cop_token = await factories.token(cop, "viewer")
    _, hub_token = await factories.token(hub, "viewer")
    _, neighbour_token = await factories.token(neighbour, "admin")
    _, stranger_token = await factories.token(stranger, "admin")
    for token, tenant in [
        (None, None), (None, "cop"), (None, "hub"), (neighbour_token, "neighbour"),
        (neighbour_token, "cop"), (stranger_token, "stranger"), (stranger_token, "cop"),
        (stranger_token, None),
    ]:  # fmt: skip
        for id in ids:
            assert await call(client, DETAILS, {"id": id}, token=token, tenant=tenant) == {
                "node": None
            }, (token, tenant, id)
        assert await call(client, LIST, token=token, tenant=tenant) == {
            "applications": {"edges": []}
        }
    for token, tenant in [(cop_token, "cop"), (hub_token, "hub"), (hub_token, "cop")]:
        seen = await call(client, DETAILS, {"id": ids[0]}, token=token, tenant=tenant)
        assert seen["node"]["budgetLines"] == [{"amountCents": 123_400}]
        assert seen["node"]["comments"] == [{"body": "Between us."}]
        seen = await call(client, DETAILS, {"id": ids[1]}, token=token, tenant=tenant)
        assert seen["node"]["note"] == "Private note"
        listed = await call(client, LIST, token=token, tenant=tenant)
        assert listed["applications"]["edges"] == [
            {"node": {"title": "Money talk", "budgetLines": [{"amountCents": 123_400}]}}
        ]

    # The package is public; its linked draft is not, to the public nor to another CoP.
    package_id = to_global_id("SupportPackage", package.id)
    for token, tenant in [(None, None), (neighbour_token, "neighbour")]:
        seen = await call(client, PACKAGE, {"id": package_id}, token=token, tenant=tenant)
        assert seen["node"] == {"number": 1, "resources": [{"title": "Open guide"}]}


DRAFTS = "{ resources(filter: {status: [DRAFT]}) { edges { node { title } } } }"
CREATE = """mutation { createResource(input: {title: "Hub's own idea", kind: REPORT}) {
  resource { id } errors { code } } }"""


async def test_overseers_preview_a_child_cop_but_never_edit_it(client: httpx.AsyncClient) -> None:
    programme = await factories.tenant(slug="prog", kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB, parent=programme)
    cop = await factories.tenant(slug="cop", kind=TenantKind.COP, parent=hub)
    stranger = await factories.tenant(slug="stranger", kind=TenantKind.HUB, parent=programme)
    await factories.resource(cop, status=Status.DRAFT, title="Work in progress")
    for owner, sees in [(programme, True), (hub, True), (stranger, False)]:
        _, token = await factories.token(owner, "admin")
        found = await call(client, DRAFTS, token=token, tenant="cop")
        titles = [e["node"]["title"] for e in found["resources"]["edges"]]
        assert titles == (["Work in progress"] if sees else []), owner.slug
        refused = await call(client, CREATE, token=token, tenant="cop")
        assert refused["createResource"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    assert not await models.Resource.filter(title="Hub's own idea").exists()
