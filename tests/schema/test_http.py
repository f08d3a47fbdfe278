"""The endpoint against the GraphQL over HTTP specification, and its limits."""

from __future__ import annotations

import json
import os

import pytest

from cms.app import create_app
from cms.config import Settings
from tests import factories
from tests.support.api import KNOWN_CODES, graphql

pytestmark = pytest.mark.anyio

GR = "application/graphql-response+json"
SITE = "{ site { slug name } }"
TENANTS = "{ tenants { slug } }"


async def test_get_runs_a_query(client):
    await factories.tenant(slug="lac")
    response = await client.get("/graphql", params={"query": TENANTS}, headers={"Accept": GR})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GR)
    assert response.json() == {"data": {"tenants": [{"slug": "lac"}]}}


async def test_get_takes_variables_and_operation_name(client):
    await factories.tenant(slug="lac", name="LAC")
    query = "query A($s: String!) { tenant(slug: $s) { name } } query B { tenants { slug } }"
    response = await client.get(
        "/graphql",
        params={"query": query, "variables": json.dumps({"s": "lac"}), "operationName": "A"},
    )
    assert response.json() == {"data": {"tenant": {"name": "LAC"}}}


async def test_get_with_an_unknown_mutation_is_a_request_error(client):
    response = await client.get(
        "/graphql", params={"query": "mutation { x }"}, headers={"Accept": GR}
    )
    # `x` is no mutation of the schema, so validation refuses the document first.
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_application_json_is_the_default_and_keeps_200_for_validation_errors(client):
    response = await client.post("/graphql", json={"query": "{ nope }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["errors"][0]["message"].startswith("Cannot query field 'nope'")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ tenants { slug }", None),  # parse error
        ("{ nope }", None),  # validation error
        ("query ($s: String!) { tenant(slug: $s) { name } }", {"s": 5}),  # variable coercion
        ("query ($s: String!) { tenant(slug: $s) { name } }", {}),  # missing variable
    ],
)
async def test_graphql_response_json_answers_400_without_data_for_request_errors(
    client, query, variables
):
    response = await graphql(client, query, variables)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GR)
    body = response.json()
    assert "data" not in body
    assert body["errors"]


async def test_field_errors_keep_200_and_data(client):
    response = await graphql(client, "{ resources(first: 500) { totalCount } }")
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["extensions"]["reason"] == "INVALID_INPUT"
    assert "100" in body["errors"][0]["message"]


async def test_accept_prefers_graphql_response_json_and_refuses_unknown_types(client):
    response = await client.post(
        "/graphql", json={"query": TENANTS}, headers={"Accept": f"application/json, {GR}"}
    )
    assert response.headers["content-type"].startswith(GR)
    response = await client.post(
        "/graphql", json={"query": TENANTS}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b'{"query": 5}', "application/json", 400),
        (b'{"variables": {}}', "application/json", 400),
        (b'{"query": "{ site { slug } }", "variables": [1]}', "application/json", 400),
        (b"query=%7B%7D", "application/x-www-form-urlencoded", 415),
    ],
)
async def test_malformed_requests_get_4xx_with_a_clear_message(
    client, content, content_type, status
):
    response = await client.post(
        "/graphql", content=content, headers={"Content-Type": content_type, "Accept": GR}
    )
    assert response.status_code == status
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]


async def test_other_methods_get_405(client):
    response = await client.put("/graphql", json={"query": TENANTS})
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


async def test_browser_get_serves_graphiql(client):
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_unknown_tenant_gets_an_error_and_no_data(client):
    response = await graphql(client, SITE, tenant="no-such-cop")
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["reason"] == "UNKNOWN_TENANT"
    assert "no-such-cop" in body["errors"][0]["message"]


async def test_unexpected_errors_are_masked(client, monkeypatch):
    from cms.tenancy import TenantDirectory

    await factories.tenant(slug="lac")

    async def broken(self, slug):
        raise RuntimeError("SELECT secret FROM tenant -- stack detail")

    monkeypatch.setattr(TenantDirectory, "by_slug", broken)
    response = await graphql(client, '{ tenant(slug: "lac") { name } }')
    assert response.status_code == 200
    text = response.text
    assert "SELECT" not in text and "Traceback" not in text and "stack detail" not in text
    assert response.json()["errors"][0]["message"] == "Internal server error."


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "pid": os.getpid()}


def _nested(depth: int) -> str:
    query = "slug"
    for _ in range(depth - 1):
        query = f"parent {{ {query} }}"
    return f"{{ {query} }}"


async def _client_with(settings: Settings, **limits: int):
    import httpx

    app = create_app(
        settings.with_overrides(tenant_cache_seconds=0.0, **limits), manage_database=False
    )
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    )


async def test_query_depth_limit(settings, clean_database):
    async with await _client_with(settings, max_query_depth=4) as http:
        ok = await graphql(http, "{ site " + _nested(3) + " }")
        assert ok.status_code == 200, ok.text
        deep = await graphql(http, "{ site " + _nested(4) + " }")
        assert deep.status_code == 400
        assert deep.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert "limit is 4" in deep.json()["errors"][0]["message"]


async def test_depth_limit_follows_fragments(settings, clean_database):
    query = "{ site { ...A } } fragment A on Tenant { parent { parent { parent { slug } } } }"
    async with await _client_with(settings, max_query_depth=4) as http:
        response = await graphql(http, query)
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_alias_limit(settings, clean_database):
    async with await _client_with(settings, max_aliases=3) as http:
        ok = await graphql(http, "{ a: site { slug } b: site { slug } c: site { slug } }")
        assert ok.status_code == 200
        many = await graphql(
            http, "{ " + " ".join(f"a{i}: site {{ slug }}" for i in range(4)) + " }"
        )
        assert many.status_code == 400
        assert many.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_token_limit(settings, clean_database):
    async with await _client_with(settings, max_tokens=50) as http:
        response = await graphql(http, "{ " + " ".join(["site { slug }"] * 30) + " }")
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert "tokens" in error["message"]


async def test_body_size_limit(settings, clean_database):
    async with await _client_with(settings, max_body_bytes=200) as http:
        response = await graphql(http, "{ site { slug } }" + " " * 500)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ tenant(slug: "a\\u0000b") { name } }', None),
        ("query ($s: String!) { tenant(slug: $s) { name } }", {"s": "a\x00b"}),
    ],
)
async def test_nul_characters_are_refused_clearly(client, query, variables):
    response = await graphql(client, query, variables)
    assert response.status_code == 400
    assert "NUL" in response.json()["errors"][0]["message"]


async def test_a_nul_character_is_bad_user_input_with_200_under_application_json(client):
    response = await client.post(
        "/graphql",
        json={
            "query": "query ($s: String!) { tenant(slug: $s) { name } }",
            "variables": {"s": "\0"},
        },
    )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "NUL_CHARACTER"}


@pytest.mark.parametrize("extensions", ["[1]", "5", '"x"', "[]"])
async def test_extensions_that_are_not_an_object_answer_400(client, extensions):
    content = '{"query": "{ tenants { slug } }", "extensions": ' + extensions + "}"
    response = await client.post(
        "/graphql", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    ok = '{"query": "{ tenants { slug } }", "extensions": {"persistedQuery": null}}'
    response = await client.post(
        "/graphql", content=ok, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ tenants { slug }", None, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query ($s: String!) { tenant(slug: $s) { name } }", {"s": 5}, "BAD_USER_INPUT"),
        (
            "query A { tenants { slug } } query B { site { slug } }",
            None,
            "OPERATION_RESOLUTION_FAILURE",
        ),
    ],
)
async def test_request_errors_carry_the_codes_clients_know(client, query, variables, code):
    response = await graphql(client, query, variables)
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]


async def test_a_permission_error_is_forbidden_with_our_reason(client):
    await factories.tenant(slug="lac")
    response = await graphql(
        client, "{ resources(filter: {status: [DRAFT]}) { totalCount } }", tenant="lac"
    )
    for error in response.json().get("errors", []):
        assert error["extensions"]["code"] in {"FORBIDDEN", "BAD_USER_INPUT"}
