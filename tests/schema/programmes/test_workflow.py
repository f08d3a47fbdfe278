"""The INSPIRE workflow end to end through GraphQL over HTTP (issue 15's "done when"), on the
real seed content: tenants made through the API, an application negotiated and approved, the
programme's rules refusing with their numbers, an outcome accepted into the hub's knowledge base
and found by search with its provenance; and what other tenants and the public see of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from cms import models, outbox
from seeds import load_seed
from tests import factories
from tests.support.programmes import (
    APPLICATION,
    APPLICATIONS,
    ATTEST,
    COMMENT,
    CREATE_APPLICATION,
    CREATE_TENANT,
    NODE,
    PACKAGES,
    RULES,
    UPDATE_APPLICATION,
    call,
    ok,
    payload,
    step_mutation,
)
from tests.support.search import index

pytestmark = pytest.mark.anyio

PROFILE = """mutation ($input: CreateProfileInput!) {
  createProfile(input: $input) { profile { id }
    errors { code message } } }"""
RESOURCE = """mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id }
    errors { code message } } }"""
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { node { id } errors { code message } } }"
PROPOSE = """mutation ($a: ID!, $r: ID!) {
  proposeOutcome(applicationId: $a, resourceId: $r, note: "Our kick-off report.") {
    outcome { id state }
    errors { code message } } }"""
ACCEPT = """mutation ($id: ID!) {
  acceptOutcome(id: $id, note: "Welcome to the knowledge base.") {
    outcome { id state resource { shared } }
    errors { code message } } }"""
SEARCH = """query ($q: String!) { search(query: $q) { totalCount edges { node { item {
  __typename ... on Resource { title shared tenant { slug }
    provenance { applicationId acceptedAt package { number title } cop { slug } hub { slug }
      programme { slug } } } } } } } }"""
SUMMARY = """{ programmeSummary(programme: "inspire") { copsSupported
  packages { package { number } approved inDelivery delivered } } }"""


async def published(
    client: httpx.AsyncClient, mutation: str, values: dict[str, Any], token: str, tenant: str
) -> str:
    """Create an item and publish it; its global id."""
    created = ok(await call(client, mutation, {"input": values}, token=token, tenant=tenant))
    (node,) = (v for k, v in created.items() if k != "errors")
    ok(await call(client, PUBLISH, {"id": node["id"]}, token=token, tenant=tenant))
    return str(node["id"])


async def step(
    client: httpx.AsyncClient, name: str, application: str, token: str, reason: str = ""
) -> dict[str, Any]:
    data = await call(
        client, step_mutation(name), {"id": application, "reason": reason}, token=token
    )
    return payload(data)


async def test_the_inspire_workflow(client: httpx.AsyncClient, app: Starlette) -> None:
    await load_seed()
    _, admin = await factories.token(None, "admin")
    # A later consumer of the outbox (webhooks, notifications) that has read nothing yet: it
    # holds the events back from the purge of what every consumer has applied.
    await outbox.register("later-consumer", await outbox.head(), datetime.now(UTC))

    # A platform admin creates a hub under INSPIRE and a CoP under the hub.
    hub = ok(
        await call(
            client,
            CREATE_TENANT,
            {
                "input": {
                    "slug": "south-hub",
                    "name": "INSPIRE Southern Knowledge and Support Hub",
                    "kind": "HUB",
                    "parent": "inspire",
                    "domains": ["south.inspire.example.org"],
                    "languages": ["en", "es", "pt"],
                }
            },
            token=admin,
        )
    )["tenant"]
    assert hub["parent"] == {"slug": "inspire"} and hub["kind"] == "HUB"
    cop = ok(
        await call(
            client,
            CREATE_TENANT,
            {
                "input": {
                    "slug": "gep-iberia",
                    "name": "GEP Iberia",
                    "kind": "COP",
                    "parent": "south-hub",
                }
            },
            token=admin,
        )
    )["tenant"]
    assert cop["parent"] == {"slug": "south-hub"}
    taken = payload(
        await call(
            client,
            CREATE_TENANT,
            {
                "input": {
                    "slug": "x",
                    "name": "X",
                    "kind": "COP",
                    "parent": "south-hub",
                    "domains": ["south.inspire.example.org"],
                }
            },
            token=admin,
        )
    )
    assert [(e["field"], e["code"]) for e in taken["errors"]] == [("domains", "DUPLICATE")]
    # The new tenant is addressable at once, by its header and by its domain.
    site = await call(client, "{ site { slug } }", tenant="gep-iberia")
    assert site == {"site": {"slug": "gep-iberia"}}
    by_host = await client.post(
        "/graphql",
        json={"query": "{ site { slug } }"},
        headers={"Host": "south.inspire.example.org"},
    )
    assert by_host.json()["data"] == {"site": {"slug": "south-hub"}}

    cop_row = await models.Tenant.get(slug="gep-iberia")
    hub_row = await models.Tenant.get(slug="south-hub")
    _, cop_editor = await factories.token(cop_row, "editor")
    _, hub_editor = await factories.token(hub_row, "editor")

    # The hub lists a Change Catalyst in INSPIRE's stakeholder database; an expert is not listed.
    catalyst = await published(
        client,
        PROFILE,
        {
            "name": "Marta Catalyst",
            "roles": ["CHANGE_CATALYST"],
            "languages": ["es", "en"],
            "country": "ES",
            "shared": True,
        },
        hub_editor,
        "south-hub",
    )
    unlisted = await published(
        client,
        PROFILE,
        {"name": "Ulla Unlisted", "roles": ["EXPERT"], "shared": True},
        hub_editor,
        "south-hub",
    )
    attested = ok(
        await call(
            client,
            ATTEST,
            {
                "input": {
                    "profileId": catalyst,
                    "programme": "inspire",
                    "role": "CHANGE_CATALYST",
                    "thematicAreas": ["DECISION_MAKING"],
                }
            },
            token=hub_editor,
        )
    )["attestation"]
    assert attested["current"] and attested["attestedBy"] == {"slug": "south-hub"}
    found = await call(
        client,
        '{ candidates(programme: "inspire", role: CHANGE_CATALYST, language: "es", country: "ES")'
        " { name eligibleForContracting } }",
    )
    assert found["candidates"] == [{"name": "Marta Catalyst", "eligibleForContracting": True}]

    packages = (await call(client, PACKAGES, {"p": "inspire"}))["supportPackages"]
    number = {p["number"]: p["id"] for p in packages}
    assert sorted(number) == [1, 2, 3, 4, 5]

    # The CoP drafts an application for package 1 with budget lines and the listed catalyst.
    draft = ok(
        await call(
            client,
            CREATE_APPLICATION,
            {
                "input": {
                    "packageId": number[1],
                    "title": "Setting up GEP Iberia",
                    "objectives": "A CoP of six Iberian universities working on inclusive GEPs.",
                    "workPlan": "Kick-off in month 1, work plan by month 3.",
                    "languages": ["es", "pt"],
                    "peopleIds": [catalyst],
                    "budgetLines": [
                        {
                            "description": "Consultations with Marta",
                            "category": "EXPERT_FEES",
                            "amountCents": 500_000,
                            "profileId": catalyst,
                        },
                        {
                            "description": "Kick-off travel",
                            "category": "TRAVEL",
                            "amountCents": 100_000,
                        },
                    ],
                }
            },
            token=cop_editor,
            tenant="gep-iberia",
        )
    )["application"]
    first = draft["id"]
    assert (draft["state"], draft["budgetCents"], draft["currency"]) == ("DRAFT", 600_000, "EUR")
    assert draft["hub"] == {"slug": "south-hub"} and draft["package"]["number"] == 1

    # Outside the window the submission is refused, naming the dates; the programme extends it.
    now = datetime.now(UTC)
    rules = {"packagesPerCop": 2, "budgetPerCopCents": 1_000_000, "currency": "EUR"}
    closed = {
        **rules,
        "windowOpens": (now - timedelta(days=400)).isoformat(),
        "windowCloses": (now - timedelta(days=1)).isoformat(),
    }
    ok(await call(client, RULES, {"p": "inspire", "input": closed}, token=admin))
    refused = await step(client, "submitApplication", first, cop_editor)
    assert refused["errors"][0]["code"] == "OUTSIDE_WINDOW" and refused["application"] is None
    opened = {**closed, "windowCloses": (now + timedelta(days=365)).isoformat()}
    ok(await call(client, RULES, {"p": "inspire", "input": opened}, token=admin))

    assert (
        ok(await step(client, "submitApplication", first, cop_editor))["application"]["state"]
        == "SUBMITTED"
    )
    # The hub negotiates: a comment, negotiation, the CoP revises, the hub approves.
    ok(
        await call(
            client,
            COMMENT,
            {"id": first, "body": "Could travel be 150 EUR more?"},
            token=hub_editor,
        )
    )
    ok(await step(client, "negotiateApplication", first, hub_editor, "Budget to agree."))
    revised = ok(
        await call(
            client,
            UPDATE_APPLICATION,
            {
                "id": first,
                "input": {
                    "expectedVersion": 3,
                    "budgetLines": [
                        {
                            "description": "Consultations with Marta",
                            "category": "EXPERT_FEES",
                            "amountCents": 500_000,
                            "profileId": catalyst,
                        },
                        {
                            "description": "Kick-off travel",
                            "category": "TRAVEL",
                            "amountCents": 115_000,
                        },
                    ],
                },
            },
            token=cop_editor,
        )
    )["application"]
    assert revised["budgetCents"] == 615_000 and revised["state"] == "IN_NEGOTIATION"
    approved = ok(await step(client, "approveApplication", first, hub_editor, "Agreed."))[
        "application"
    ]
    assert approved["state"] == "APPROVED"
    assert [t["toState"] for t in approved["transitions"]] == [
        "DRAFT",
        "SUBMITTED",
        "IN_NEGOTIATION",
        "APPROVED",
    ]
    assert approved["transitions"][-1]["reason"] == "Agreed."
    assert approved["comments"][0]["authorTenant"] == {"slug": "south-hub"}

    # A second application: an unlisted expert and too much money are refused at approval.
    second = ok(
        await call(
            client,
            CREATE_APPLICATION,
            {
                "input": {
                    "packageId": number[3],
                    "title": "A policy brief on GEPs in Iberia",
                    "budgetLines": [
                        {
                            "description": "Design",
                            "category": "DESIGN_EDITORIAL",
                            "amountCents": 300_000,
                        },
                        {
                            "description": "Editing by Ulla",
                            "category": "EXPERT_FEES",
                            "amountCents": 150_000,
                            "profileId": unlisted,
                        },
                    ],
                }
            },
            token=cop_editor,
            tenant="gep-iberia",
        )
    )["application"]["id"]
    ok(await step(client, "submitApplication", second, cop_editor))
    not_listed = await step(client, "approveApplication", second, hub_editor)
    assert not_listed["errors"][0]["code"] == "NOT_ELIGIBLE"
    assert "Ulla Unlisted" in not_listed["errors"][0]["message"]
    ok(await step(client, "negotiateApplication", second, hub_editor))
    ok(
        await call(
            client,
            UPDATE_APPLICATION,
            {
                "id": second,
                "input": {
                    "expectedVersion": 3,
                    "budgetLines": [
                        {
                            "description": "Design",
                            "category": "DESIGN_EDITORIAL",
                            "amountCents": 300_000,
                        },
                        {
                            "description": "Editing by Marta",
                            "category": "EXPERT_FEES",
                            "amountCents": 150_000,
                            "profileId": catalyst,
                        },
                    ],
                },
            },
            token=cop_editor,
        )
    )
    over = await step(client, "approveApplication", second, hub_editor)
    assert over["errors"][0]["code"] == "BUDGET_EXCEEDED"
    assert over["violation"] == {
        "rule": "BUDGET_EXCEEDED",
        "message": over["errors"][0]["message"],
        "limit": 1_000_000,
        "used": 615_000,
        "requested": 450_000,
        "currency": "EUR",
    }
    assert "6,150.00 EUR of 10,000.00 EUR already approved" in over["violation"]["message"]
    ok(
        await call(
            client,
            UPDATE_APPLICATION,
            {
                "id": second,
                "input": {
                    "expectedVersion": 4,
                    "budgetLines": [
                        {
                            "description": "Design",
                            "category": "DESIGN_EDITORIAL",
                            "amountCents": 385_000,
                        },
                    ],
                },
            },
            token=cop_editor,
        )
    )
    assert (
        ok(await step(client, "approveApplication", second, hub_editor))["application"]["state"]
        == "APPROVED"
    )

    # A third application is refused by the two-package rule, with its numbers.
    third = ok(
        await call(
            client,
            CREATE_APPLICATION,
            {"input": {"packageId": number[2], "title": "An initial GEP audit"}},
            token=cop_editor,
            tenant="gep-iberia",
        )
    )["application"]["id"]
    limited = await step(client, "submitApplication", third, cop_editor)
    assert limited["violation"]["rule"] == "PACKAGE_LIMIT_REACHED"
    assert (limited["violation"]["limit"], limited["violation"]["used"]) == (2, 2)
    assert "2 of 2" in limited["errors"][0]["message"]

    # The CoP delivers the first, completes it and proposes its kick-off report; the hub accepts.
    ok(await step(client, "startApplicationDelivery", first, cop_editor))
    ok(await step(client, "completeApplication", first, cop_editor, "Kick-off held."))
    report = await published(
        client,
        RESOURCE,
        {
            "title": "Kick-off report of GEP Iberia",
            "kind": "REPORT",
            "summary": "How six Iberian universities started their community on inclusive GEPs.",
        },
        cop_editor,
        "gep-iberia",
    )
    outcome = ok(await call(client, PROPOSE, {"a": first, "r": report}, token=cop_editor))[
        "outcome"
    ]
    assert outcome["state"] == "PROPOSED"
    accepted = ok(await call(client, ACCEPT, {"id": outcome["id"]}, token=hub_editor))["outcome"]
    assert accepted == {"id": outcome["id"], "state": "ACCEPTED", "resource": {"shared": True}}

    # Found by search from the platform scope, with its provenance (and no money).
    await index(app)
    hits = (await call(client, SEARCH, {"q": "kick-off report Iberia"}))["search"]["edges"]
    items = [h["node"]["item"] for h in hits if h["node"]["item"]["__typename"] == "Resource"]
    assert items and items[0]["title"] == "Kick-off report of GEP Iberia"
    (provenance,) = items[0]["provenance"]
    assert provenance["applicationId"] == first
    assert provenance["package"] == {
        "number": 1,
        "title": "Setting up a Community of Practice (CoP) for equality work",
    }
    assert (provenance["cop"], provenance["hub"], provenance["programme"]) == (
        {"slug": "gep-iberia"},
        {"slug": "south-hub"},
        {"slug": "inspire"},
    )
    assert (await call(client, SUMMARY))["programmeSummary"] == {
        "copsSupported": 1,
        "packages": [
            {"package": {"number": 1}, "approved": 0, "inDelivery": 0, "delivered": 1},
            {"package": {"number": 2}, "approved": 0, "inDelivery": 0, "delivered": 0},
            {"package": {"number": 3}, "approved": 1, "inDelivery": 0, "delivered": 0},
            {"package": {"number": 4}, "approved": 0, "inDelivery": 0, "delivered": 0},
            {"package": {"number": 5}, "approved": 0, "inDelivery": 0, "delivered": 0},
        ],
    }

    # Every transition left an outbox event for later consumers.
    events = await models.OutboxEvent.filter(
        content_type__in=["Application", "Outcome"]
    ).values_list("content_type", "operation")
    for expected in [
        ("Application", "submit"),
        ("Application", "approve"),
        ("Application", "complete"),
        ("Outcome", "propose"),
        ("Outcome", "accept"),
    ]:
        assert expected in events

    # Another CoP, the public and another hub see none of the application's details.
    other_cop = await factories.tenant(slug="other-cop", parent=hub_row)
    other_hub = await models.Tenant.get(slug="inspire-hub")
    _, other_cop_token = await factories.token(other_cop, "admin")
    _, other_hub_token = await factories.token(other_hub, "admin")
    for token, tenant in [
        (None, None),
        (None, "gep-iberia"),
        (None, "south-hub"),
        (other_cop_token, "other-cop"),
        (other_cop_token, "gep-iberia"),
        (other_cop_token, None),
        (other_hub_token, "inspire-hub"),
        (other_hub_token, "gep-iberia"),
        (other_hub_token, None),
    ]:
        seen = await call(client, APPLICATIONS, token=token, tenant=tenant)
        assert seen == {"applications": {"edges": []}}, (token, tenant)
        assert await call(client, APPLICATION, {"id": first}, token=token, tenant=tenant) == {
            "application": None
        }
        assert await call(client, NODE, {"id": first}, token=token, tenant=tenant) == {"node": None}
        hits = await call(
            client, SEARCH, {"q": "Setting up GEP Iberia"}, token=token, tenant=tenant
        )
        assert all(
            "GEP Iberia" not in str(h) or "Kick-off" in str(h) for h in hits["search"]["edges"]
        )
    # …while the CoP's tokens and its hub's and programme's see it all.
    programme = await models.Tenant.get(slug="inspire")
    _, programme_viewer = await factories.token(programme, "viewer")
    for token, tenant in [
        (cop_editor, "gep-iberia"),
        (hub_editor, "south-hub"),
        (hub_editor, "gep-iberia"),
        (programme_viewer, "inspire"),
        (admin, None),
    ]:
        listed = [
            e["node"]
            for e in (await call(client, APPLICATIONS, token=token, tenant=tenant))["applications"][
                "edges"
            ]
        ]
        assert {a["title"] for a in listed} >= {"Setting up GEP Iberia"}, (token, tenant)
        detail = (await call(client, APPLICATION, {"id": first}, token=token, tenant=tenant))[
            "application"
        ]
        assert detail["budgetCents"] == 615_000 and detail["comments"]
