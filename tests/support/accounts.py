"""People for tests: an account with memberships, and signing it in over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from cms import models
from cms.models import CommunityRole, Role
from cms.services.accounts import open_account
from tests.support.api import graphql

PASSWORD = "correct horse battery"
SIGN_IN = """
mutation ($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    token expiresAt account { email name } errors { field code message }
  }
}
"""


async def person(
    email: str,
    *,
    name: str = "Ada Lovelace",
    password: str | None = PASSWORD,
    roles: dict[models.Tenant, tuple[Role | None, CommunityRole | None]] | None = None,
) -> models.Account:
    """An account with a membership per tenant of `roles` (editorial, community)."""
    account = await open_account(email, name, password)
    for tenant, (role, community) in (roles or {}).items():
        await models.Membership.create(
            account=account, tenant=tenant, role=role, community_role=community
        )
    return account


async def sign_in(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    *,
    tenant: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The `signIn` payload."""
    response = await graphql(
        client, SIGN_IN, {"email": email, "password": password}, tenant=tenant, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["signIn"]
    return payload


async def session_of(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """A session token of a person who signs in successfully."""
    payload = await sign_in(client, email, password)
    assert payload["errors"] == [], payload
    token: str = payload["token"]
    return token
