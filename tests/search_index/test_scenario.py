"""The issue's "done when": seed, search the knowledge base, a draft appears only once published."""

from __future__ import annotations

import asyncio

import pytest

from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from seeds.loader import load_seed
from tests.support.api import data_of
from tests.support.search import index

pytestmark = pytest.mark.anyio

SEARCH = """
query Search($q: String!, $scope: SearchScope, $first: Int, $after: String) {
  search(query: $q, scope: $scope, first: $first, after: $after) {
    totalCount
    edges {
      cursor
      node {
        score
        item { __typename slug status tenant { slug } ... on Resource { title shared } }
        highlights { field snippet }
      }
    }
    pageInfo { hasNextPage endCursor }
    facets { field values { value count } }
    suggestion
  }
}
"""
SECRET = "Gender budgeting secret draft on participatory budgeting"


def _facet(data, field):
    return {
        v["value"]: v["count"] for f in data["facets"] if f["field"] == field for v in f["values"]
    }


def _everything(data) -> str:
    return repr(data)


async def test_seeded_knowledge_base_finds_genbudget_and_a_draft_only_once_published(app, client):
    await load_seed()
    await app.state.search.rebuild()

    data = (await data_of(client, SEARCH, {"q": "gender budgeting"}))["search"]
    assert data["totalCount"] >= 1
    tenants = {e["node"]["item"]["tenant"]["slug"] for e in data["edges"]}
    assert "genbudget" in tenants
    assert all(e["node"]["item"]["shared"] for e in data["edges"])  # platform scope: shared only
    snippets = [h["snippet"] for e in data["edges"] for h in e["node"]["highlights"]]
    assert any("<mark>" in s and "budgeting</mark>" in s.lower() for s in snippets)
    assert _facet(data, "tenant")["genbudget"] == sum(
        1 for e in data["edges"] if e["node"]["item"]["tenant"]["slug"] == "genbudget"
    )
    assert sum(_facet(data, "kind").values()) == data["totalCount"]
    before = data["totalCount"]

    from cms.models import Tenant

    genbudget = await Tenant.get(slug="genbudget")
    draft = await content.create(
        SYSTEM,
        genbudget,
        KINDS["Resource"],
        {"title": SECRET, "kind": "guide", "summary": "zyxwvut budgeting", "shared": True},
    )
    await index(app)
    for scope in (None, "KNOWLEDGE_BASE"):
        for q in ("gender budgeting", "secret", "zyxwvut", '"participatory budgeting"'):
            data = (await data_of(client, SEARCH, {"q": q, "scope": scope}))["search"]
            assert "secret" not in _everything(data).lower()
            assert "zyxwvut" not in _everything(data).lower()
        assert (await data_of(client, SEARCH, {"q": "zyxwvut"}))["search"]["totalCount"] == 0
    data = (await data_of(client, SEARCH, {"q": "gender budgeting"}, tenant="genbudget"))["search"]
    assert "secret" not in _everything(data).lower()

    # Published, the poller of the app's lifespan picks it up within a few seconds.
    async with app.router.lifespan_context(app):
        await content.publish(SYSTEM, KINDS["Resource"], draft.id)
        for _ in range(50):
            data = (await data_of(client, SEARCH, {"q": "gender budgeting"}))["search"]
            if data["totalCount"] > before:
                break
            await asyncio.sleep(0.1)
    assert data["totalCount"] == before + 1
    titles = [e["node"]["item"]["title"] for e in data["edges"]]
    assert SECRET in titles
    data = (await data_of(client, SEARCH, {"q": "zyxwvut"}))["search"]
    assert data["totalCount"] == 1
    assert "<mark>zyxwvut</mark>" in _everything(data)


async def test_paging_with_cursors_walks_every_hit_once(app, client):
    await load_seed()
    await app.state.search.rebuild()
    seen: list[str] = []
    after = None
    while True:
        data = (await data_of(client, SEARCH, {"q": "gender", "first": 3, "after": after}))[
            "search"
        ]
        seen.extend(e["node"]["item"]["slug"] for e in data["edges"])
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert len(seen) == data["totalCount"] == len(set(seen))
