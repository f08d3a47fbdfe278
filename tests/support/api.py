"""Requests to the GraphQL endpoint: one that answers, its `data`, its errors, and the check
that every error code a test client receives is a member of ErrorCode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from cms.errors import ErrorCode

JSON_TYPES = ("application/json", "application/graphql-response+json")


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a GraphQL request, addressed to a tenant by header when given."""
    sent = {"Accept": "application/graphql-response+json"}
    if tenant is not None:
        sent["X-CMS-Tenant"] = tenant
    sent.update(headers or {})
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=sent
    )


async def data_of(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str | None = None,
) -> dict[str, Any]:
    """The `data` of a request that must succeed without errors."""
    response = await graphql(client, query, variables, tenant=tenant)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]


async def errors_of(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str | None = None,
) -> list[dict[str, Any]]:
    """The errors of a request that must fail."""
    body = (await graphql(client, query, variables, tenant=tenant)).json()
    assert body.get("errors"), body
    return body["errors"]


def emitted_codes(body: Any) -> Iterator[str]:
    """Every error code in a GraphQL response: `extensions.code` and `reason`, payload errors."""
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for error in value.get("errors") or ():
                if not isinstance(error, dict):
                    continue
                extensions = error.get("extensions") or {}
                found = (error.get("code"), extensions.get("code"), extensions.get("reason"))
                yield from (code for code in found if code is not None)
            stack.extend(value.values())


async def known_codes_only(response: httpx.Response) -> None:
    """Every code the server emits in any test is a member of ErrorCode."""
    if response.headers.get("content-type", "").startswith(JSON_TYPES):
        await response.aread()
        unknown = set(emitted_codes(response.json())) - set(ErrorCode)
        assert not unknown, f"codes outside ErrorCode: {unknown}"


# Event hooks for any test client: every response is checked for codes outside ErrorCode.
KNOWN_CODES: dict[str, list[Any]] = {"response": [known_codes_only]}
