"""Signing in and out over HTTP: sessions, their expiry and revocation, one answer for every
failure, and the attempt limits per address and per client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms import models
from tests import factories
from tests.factories import bearer
from tests.schema.accounts.conftest import LIMITS
from tests.support.accounts import PASSWORD, person, session_of, sign_in
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

ME = "{ me { email name sessions { id current label } } }"
SIGN_OUT = "mutation { signOut { ok errors { code } } }"
SIGN_OUT_EVERYWHERE = "mutation { signOutEverywhere { ok errors { code } } }"
REVOKE = "mutation ($id: ID!) { revokeSession(id: $id) { ok errors { field code } } }"


async def me(client, token):
    response = await graphql(client, ME, headers=bearer(token))
    return response


async def test_a_person_signs_in_and_reads_themselves(client):
    await person("Ada@Example.org ", name="Ada")
    payload = await sign_in(client, "  ADA@example.org", PASSWORD)
    assert payload["errors"] == []
    assert payload["token"].startswith("cmss_")
    assert payload["account"] == {"email": "ada@example.org", "name": "Ada"}
    expires = datetime.fromisoformat(payload["expiresAt"])
    assert timedelta(days=13, hours=23) < expires - datetime.now(UTC) <= timedelta(days=14)
    response = await me(client, payload["token"])
    data = response.json()["data"]["me"]
    assert data["email"] == "ada@example.org"
    assert [s["current"] for s in data["sessions"]] == [True]
    assert data["sessions"][0]["label"].startswith("python-httpx")
    # Only the hash of the token is stored.
    stored = await models.AccountSession.all().values_list("token_hash", flat=True)
    assert payload["token"] not in stored and len(stored[0]) == 64


async def test_every_failed_sign_in_answers_the_same(client):
    await person("ada@example.org")
    await person("nopass@example.org", password=None)
    closed = await person("closed@example.org")
    await models.Account.filter(id=closed.id).update(closed_at=datetime.now(UTC))
    answers = [
        await sign_in(client, "ada@example.org", "not the password"),
        await sign_in(client, "nobody@example.org", PASSWORD),
        await sign_in(client, "nopass@example.org", PASSWORD),
        await sign_in(client, "closed@example.org", PASSWORD),
        await sign_in(client, "ada@example.org", "x" * 2000),
    ]
    assert all(a == answers[0] for a in answers), answers
    assert answers[0]["token"] is None
    assert [e["code"] for e in answers[0]["errors"]] == ["SIGN_IN_FAILED"]
    assert await models.AccountSession.all().count() == 0


async def test_tokens_and_the_public_are_not_people(client):
    tenant = await factories.tenant(slug="home")
    _, value = await factories.token(tenant, "admin")
    for headers in ({}, bearer(value)):
        response = await graphql(client, ME, tenant="home", headers=headers)
        assert response.json()["data"] == {"me": None}
        response = await graphql(client, SIGN_OUT, tenant="home", headers=headers)
        assert response.json()["data"]["signOut"] == {
            "ok": False,
            "errors": [{"code": "SIGN_IN_REQUIRED"}],
        }
        response = await graphql(client, "{ myData }", tenant="home", headers=headers)
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_signing_out_ends_that_session_only(client):
    await person("ada@example.org")
    first = await session_of(client, "ada@example.org")
    second = await session_of(client, "ada@example.org")
    response = await graphql(client, SIGN_OUT, headers=bearer(first))
    assert response.json()["data"]["signOut"] == {"ok": True, "errors": []}
    response = await me(client, first)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await me(client, second)).json()["data"]["me"]["email"] == "ada@example.org"


async def test_signing_out_everywhere_ends_every_session(client):
    await person("ada@example.org")
    await person("bob@example.org")
    tokens = [await session_of(client, "ada@example.org") for _ in range(3)]
    bob = await session_of(client, "bob@example.org")
    response = await graphql(client, SIGN_OUT_EVERYWHERE, headers=bearer(tokens[0]))
    assert response.json()["data"]["signOutEverywhere"]["ok"] is True
    for token in tokens:
        assert (await me(client, token)).status_code == 401
    assert (await me(client, bob)).status_code == 200


async def test_a_person_revokes_their_own_sessions_and_no_one_else_s(client):
    await person("ada@example.org")
    await person("bob@example.org")
    phone = await session_of(client, "ada@example.org")
    laptop = await session_of(client, "ada@example.org")
    bob = await session_of(client, "bob@example.org")
    sessions = (await me(client, laptop)).json()["data"]["me"]["sessions"]
    other = next(s["id"] for s in sessions if not s["current"])
    # Bob cannot end Ada's session: it is not found among his.
    response = await graphql(client, REVOKE, {"id": other}, headers=bearer(bob))
    assert response.json()["data"]["revokeSession"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND"}
    ]
    assert (await me(client, phone)).status_code == 200
    response = await graphql(client, REVOKE, {"id": other}, headers=bearer(laptop))
    assert response.json()["data"]["revokeSession"] == {"ok": True, "errors": []}
    assert (await me(client, phone)).status_code == 401
    assert (await me(client, laptop)).status_code == 200


async def test_an_expired_session_is_refused(client):
    await person("ada@example.org")
    token = await session_of(client, "ada@example.org")
    past = datetime.now(UTC) - timedelta(seconds=1)
    await models.AccountSession.all().update(expires_at=past)
    response = await me(client, token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    # A made-up session token is refused the same way, never read as the public.
    assert (await me(client, "cmss_" + "A" * 43)).status_code == 401


async def test_a_closed_account_s_sessions_are_refused(client):
    ada = await person("ada@example.org")
    token = await session_of(client, "ada@example.org")
    await models.Account.filter(id=ada.id).update(closed_at=datetime.now(UTC))
    assert (await me(client, token)).status_code == 401


async def test_sign_in_attempts_are_limited_per_address_across_clients(client_at):
    await person("ada@example.org")
    limit = LIMITS["attempts_per_address"]
    for n in range(limit):
        async with client_at(f"10.0.0.{n}") as client:
            payload = await sign_in(client, "ada@example.org", "wrong password")
            assert payload["errors"][0]["code"] == "SIGN_IN_FAILED"
    async with client_at("10.0.1.1") as client:
        payload = await sign_in(client, "ada@example.org", PASSWORD)  # right, but too late
        assert payload["token"] is None
        assert [e["code"] for e in payload["errors"]] == ["TOO_MANY_ATTEMPTS"]
        assert await models.AccountSession.all().count() == 0
        await person("bob@example.org")
        assert (await sign_in(client, "bob@example.org", PASSWORD))["token"]


async def test_sign_in_attempts_are_limited_per_client_across_addresses(client_at):
    await person("ada@example.org")
    async with client_at("192.0.2.7") as client:
        for n in range(LIMITS["attempts_per_client"]):
            payload = await sign_in(client, f"guess{n}@example.org", PASSWORD)
            assert payload["errors"][0]["code"] == "SIGN_IN_FAILED"
        payload = await sign_in(client, "ada@example.org", PASSWORD)
        assert [e["code"] for e in payload["errors"]] == ["TOO_MANY_ATTEMPTS"]
    async with client_at("192.0.2.8") as client:
        assert (await sign_in(client, "ada@example.org", PASSWORD))["token"]
