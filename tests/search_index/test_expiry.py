"""Expiry end to end: an expired item leaves every public path, search included, and clearing
its `expiresAt` through the API brings it back (states by kind and role: tests/schema/
test_preview.py; the index rule on random worlds: test_visibility.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schema.core.ids import to_global_id
from tests import factories
from tests.factories import bearer
from tests.support.api import data_of, graphql
from tests.support.search import index

pytestmark = pytest.mark.anyio

PUBLIC = """
query ($id: ID!) {
  resources(first: 10) { totalCount edges { node { slug } } }
  resource(slug: "budget-guide") { slug expiresAt }
  node(id: $id) { id }
  search(query: "budgeting", first: 10) {
    totalCount
    edges { node { item { ... on Resource { slug } } highlights { snippet } } }
    facets { field values { value count } }
  }
}
"""
UPDATE = """
mutation ($id: ID!, $input: UpdateResourceInput!) {
  updateResource(id: $id, input: $input) { resource { version expiresAt } errors { field code } }
}"""


def _seen(data: dict[str, Any]) -> dict[str, Any]:
    facets = {f["field"]: f["values"] for f in data["search"]["facets"]}
    return {
        "listed": [e["node"]["slug"] for e in data["resources"]["edges"]],
        "total": data["resources"]["totalCount"],
        "lookup": data["resource"] and data["resource"]["slug"],
        "node": data["node"] is not None,
        "hits": [e["node"]["item"]["slug"] for e in data["search"]["edges"]],
        "search total": data["search"]["totalCount"],
        "kinds": facets.get("kind", []),
    }


async def test_expired_items_vanish_everywhere_and_return_when_the_expiry_is_cleared(app, client):
    home = await factories.tenant(slug="home")
    editor = bearer((await factories.token(home, "editor"))[1])
    expired = datetime.now(UTC) - timedelta(minutes=1)
    row = await factories.resource(
        home, slug="budget-guide", title="Gender budgeting guide", expires_at=expired
    )
    await factories.resource(home, slug="later", title="Later", expires_at=factories.FUTURE)
    await app.state.search.rebuild()
    variables = {"id": to_global_id("Resource", row.id)}

    gone = _seen(await data_of(client, PUBLIC, variables, tenant="home"))
    assert gone == {
        "listed": ["later"],
        "total": 1,
        "lookup": None,
        "node": False,
        "hits": [],
        "search total": 0,
        "kinds": [],
    }
    # Its tenant's editors still see it, as they see drafts.
    response = await graphql(client, PUBLIC, variables, tenant="home", headers=editor)
    previewed = _seen(response.json()["data"])
    assert previewed["lookup"] == "budget-guide" and previewed["node"]
    assert previewed["hits"] == ["budget-guide"]

    response = await graphql(
        client,
        UPDATE,
        {"id": variables["id"], "input": {"expectedVersion": 1, "expiresAt": None}},
        tenant="home",
        headers=editor,
    )
    assert response.json()["data"]["updateResource"] == {
        "resource": {"version": 2, "expiresAt": None},
        "errors": [],
    }
    await index(app)
    back = _seen(await data_of(client, PUBLIC, variables, tenant="home"))
    assert back["listed"] == ["later", "budget-guide"]  # same publication time: newest id first
    assert (back["total"], back["lookup"], back["node"]) == (2, "budget-guide", True)
    assert back["hits"] == ["budget-guide"] and back["search total"] == 1
    assert back["kinds"] == [{"value": "RESOURCE", "count": 1}]


async def test_an_expiry_set_through_the_api_takes_effect_at_its_instant(app, client):
    home = await factories.tenant(slug="home")
    editor = bearer((await factories.token(home, "editor"))[1])
    row = await factories.resource(home, slug="budget-guide", title="Gender budgeting guide")
    variables = {"id": to_global_id("Resource", row.id)}
    soon = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    response = await graphql(
        client,
        UPDATE,
        {"id": variables["id"], "input": {"expectedVersion": 1, "expiresAt": soon.isoformat()}},
        tenant="home",
        headers=editor,
    )
    saved = response.json()["data"]["updateResource"]
    assert saved["errors"] == []
    assert datetime.fromisoformat(saved["resource"]["expiresAt"]) == soon
    await index(app)
    live = await data_of(client, PUBLIC, variables, tenant="home")
    assert live["resource"]["expiresAt"] is not None and live["search"]["totalCount"] == 1
    past = datetime.now(UTC) - timedelta(seconds=1)
    response = await graphql(
        client,
        UPDATE,
        {"id": variables["id"], "input": {"expectedVersion": 2, "expiresAt": past.isoformat()}},
        tenant="home",
        headers=editor,
    )
    assert response.json()["data"]["updateResource"]["errors"] == []
    await index(app)
    gone = _seen(await data_of(client, PUBLIC, variables, tenant="home"))
    assert (gone["lookup"], gone["node"], gone["search total"]) == (None, False, 0)
