"""Requests to the GraphQL endpoint: one that answers, its `data`, its errors."""

from __future__ import annotations

from typing import Any

import httpx


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
