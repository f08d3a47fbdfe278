"""Query limits through HTTP: linear validation, static cost, introspection, input bounds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from graphql import get_introspection_query

from bench import api
from cms.app import create_app
from cms.config import Settings
from tests import factories
from tests.support.api import KNOWN_CODES, data_of, graphql

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
INTROSPECTION_OPTIONS = {
    "descriptions": True,
    "specified_by_url": True,
    "directive_is_repeatable": True,
    "schema_description": True,
    "input_value_deprecation": True,
    "one_of": True,
}


def _client(settings: Settings, **changes: object) -> httpx.AsyncClient:
    app = create_app(
        settings.with_overrides(tenant_cache_seconds=0.0, **changes), manage_database=False
    )
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    )


def fragment_chain(levels: int) -> str:
    """Each fragment spreads the next one twice: 2^levels fields once expanded."""
    fragments = [
        f"fragment F{i} on Tenant {{ parent {{ ...F{i + 1} }} parent {{ ...F{i + 1} }} }}"
        for i in range(levels)
    ]
    return "{ site { ...F0 } } " + " ".join(fragments) + f" fragment F{levels} on Tenant {{ slug }}"


def readme_documents() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    documents = re.findall(r"```graphql\n(.*?)```", readme, re.S)
    bodies = re.findall(r"-d '(\{.*?\})'", readme) + re.findall(r"operations='(\{.*?\})'", readme)
    documents += [json.loads(body)["query"] for body in bodies]
    assert len(documents) >= 6
    return documents


SHAPES = [api.HOMEPAGE, api.LIST50, api.DETAIL, api.CONTENT_COUNTS]


def _codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def _no_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    from schema.execution import CostLimitedExecution

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the operation was executed")

    monkeypatch.setattr(CostLimitedExecution, "execute_operation", never)


async def test_a_40_level_fragment_chain_is_refused_before_anything_runs(client, monkeypatch):
    await factories.tenant(slug="lac")
    _no_execution(monkeypatch)
    response = await graphql(client, fragment_chain(40), tenant="lac")
    assert response.status_code == 400
    body = response.json()
    assert _codes(body) == ["LIMIT_EXCEEDED"]
    assert "the limit is 12" in body["errors"][0]["message"]
    assert "data" not in body


async def test_a_fragment_chain_within_the_depth_limit_is_answered(client):
    await factories.tenant(slug="lac")
    body = (await graphql(client, fragment_chain(10), tenant="lac")).json()
    assert body == {"data": {"site": {"parent": None}}}


@pytest.mark.parametrize(
    "query",
    [
        # Many same-named fields in one selection set, directly or through fragments.
        "{ " + " ".join(["site { name }"] * 40) + " }",
        "{ "
        + " ".join(f"...F{i}" for i in range(30))
        + " } "
        + " ".join(f"fragment F{i} on Query {{ site {{ name }} }}" for i in range(30)),
        # Too many fragments.
        "{ site { slug } } " + " ".join(f"fragment F{i} on Tenant {{ slug }}" for i in range(60)),
    ],
)
async def test_what_overlapping_field_checks_are_fed_is_bounded(client, query, monkeypatch):
    from graphql.validation.rules import overlapping_fields_can_be_merged as rule

    def never(*_args, **_kwargs):
        raise AssertionError("the costly rule ran")

    monkeypatch.setattr(rule, "find_conflicts_within_selection_set", never)
    response = await graphql(client, query)
    assert response.status_code == 400
    assert _codes(response.json()) == ["LIMIT_EXCEEDED"]


async def test_30_aliased_pages_of_100_resources_are_refused_by_cost(client, monkeypatch):
    await factories.tenant(slug="lac")
    _no_execution(monkeypatch)
    page = "resources(first: 100) { edges { node { title tags { name } authors { name } } } }"
    query = "{ " + " ".join(f"r{i}: {page}" for i in range(30)) + " }"
    response = await graphql(client, query, tenant="lac")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert re.search(r"costs \d+; the limit is 10000", error["message"]), error


async def test_the_cost_reads_page_sizes_from_variables(settings, clean_database):
    await factories.tenant(slug="lac")
    query = "query ($n: Int) { resources(first: $n) { edges { node { tags { name } } } } }"
    async with _client(settings, max_query_cost=500) as http:
        assert (await graphql(http, query, {"n": 10}, tenant="lac")).status_code == 200
        refused = await graphql(http, query, {"n": 100}, tenant="lac")
        assert refused.status_code == 400
        assert _codes(refused.json()) == ["LIMIT_EXCEEDED"]


async def test_30_aliased_searches_are_refused_by_cost(client, monkeypatch):
    _no_execution(monkeypatch)
    query = "{ " + " ".join(f's{i}: search(query: "gender") {{ totalCount }}' for i in range(30))
    response = await graphql(client, query + " }")
    assert response.status_code == 400
    assert _codes(response.json()) == ["LIMIT_EXCEEDED"]


@pytest.mark.parametrize("query", readme_documents() + SHAPES)
async def test_the_readme_queries_and_benchmark_shapes_pass_the_limits(client, query):
    owner = await factories.tenant(slug="stem-power")
    await factories.resource(owner, slug="x")
    response = await graphql(client, query, {"slug": "x"}, tenant="stem-power")
    assert "LIMIT_EXCEEDED" not in _codes(response.json()), response.json()
    assert "GRAPHQL_VALIDATION_FAILED" not in _codes(response.json()), response.json()


@pytest.mark.parametrize(
    "options",
    [{}, INTROSPECTION_OPTIONS, {"descriptions": False}, {"type_depth": 9}],
)
async def test_standard_introspection_queries_are_answered(client, options):
    data = await data_of(client, get_introspection_query(**options))
    names = {t["name"] for t in data["__schema"]["types"]}
    assert {"Query", "Resource", "Tenant"} <= names


async def test_introspection_has_its_own_depth_bound(client):
    query = '{ __type(name: "Resource") { fields { type { ' + "ofType { " * 30 + "name" + " }" * 33
    response = await graphql(client, query + " }")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "introspection" in error["message"]


async def test_introspection_cannot_nest_lists_without_bound(client):
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    response = await graphql(client, query)
    assert response.status_code == 400
    assert _codes(response.json()) == ["LIMIT_EXCEEDED"]


async def test_introspection_can_be_turned_off(settings, clean_database):
    async with _client(settings, introspection=False) as http:
        response = await graphql(http, get_introspection_query())
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "introspection has been disabled" in error["message"]
        assert (await graphql(http, "{ __typename }")).json() == {"data": {"__typename": "Query"}}


def test_the_introspection_setting_is_read_from_the_environment():
    assert Settings.from_env({}).introspection is True
    assert Settings.from_env({"CMS_INTROSPECTION": "false"}).introspection is False
    assert Settings.from_env({"CMS_MAX_QUERY_COST": "50"}).max_query_cost == 50
    assert Settings.from_env({"CMS_MAX_LIST_ITEMS": "7"}).max_list_items == 7


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query ($s: String!) { tenant(slug: $s) { name } }", {"s": "a\ud800b"}),
        ('{ tenant(slug: "a\ud800") { name } }', None),
        ("# \udfff\n{ tenants { slug } }", None),
    ],
)
async def test_lone_surrogates_are_bad_user_input(client, query, variables):
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "INVALID_UNICODE"}


async def test_40000_ids_in_a_list_variable_are_a_clear_input_error(client):
    await factories.tenant(slug="lac")
    query = "query ($t: [String!]) { resources(filter: {tags: $t}) { totalCount } }"
    tags = [f"tag-{i}" for i in range(40_000)]
    response = await graphql(client, query, {"t": tags}, tenant="lac")
    body = response.json()
    assert response.status_code == 400
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "LIST_TOO_LONG"}
    assert "1000" in body["errors"][0]["message"]


async def test_a_long_literal_list_is_refused(settings, clean_database):
    await factories.tenant(slug="lac")
    tags = ", ".join(f'"t{i}"' for i in range(20))
    async with _client(settings, max_list_items=10) as http:
        response = await graphql(
            http, f"{{ resources(filter: {{tags: [{tags}]}}) {{ totalCount }} }}", tenant="lac"
        )
        assert _codes(response.json()) == ["LIMIT_EXCEEDED"]
