"""E-mailed one-time links through a real SMTP server: signing in by link and resetting a
password, the same answer for addresses with and without an account, and their limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms import models
from tests import factories
from tests.factories import bearer
from tests.schema.accounts.conftest import LIMITS
from tests.support.accounts import PASSWORD, person, session_of, sign_in
from tests.support.api import graphql
from tests.support.mail import deliver, link_in, token_in

pytestmark = pytest.mark.anyio

REQUEST_LINK = """
mutation ($email: String!) { requestSignInLink(email: $email) { ok errors { field code } } }
"""
REQUEST_RESET = """
mutation ($email: String!) { requestPasswordReset(email: $email) { ok errors { field code } } }
"""
LINK_SIGN_IN = """
mutation ($token: String!) {
  signInWithLink(token: $token) { token account { email } errors { field code } }
}
"""
RESET = """
mutation ($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { ok errors { field code } }
}
"""
ME = "{ me { email } }"


async def ask(client, mutation, email, **kwargs):
    response = await graphql(client, mutation, {"email": email}, **kwargs)
    return response.json()


async def test_a_person_signs_in_by_the_link_in_their_mail(client, app_settings, inbox):
    await factories.tenant(slug="stem", name="STEM-POWER")
    await person("ada@example.org")
    answer = await ask(client, REQUEST_LINK, "Ada@Example.org", tenant="stem")
    assert answer == {"data": {"requestSignInLink": {"ok": True, "errors": []}}}
    [message] = await deliver(app_settings, inbox)
    assert message["To"] == "ada@example.org"
    assert "STEM-POWER" in str(message["Subject"])
    assert link_in(message, "sign-in").startswith(f"{app_settings.public_url}/account/sign-in?")
    token = token_in(message, "sign-in")
    assert token.startswith("cmsl_")
    response = await graphql(client, LINK_SIGN_IN, {"token": token})
    payload = response.json()["data"]["signInWithLink"]
    assert payload["errors"] == [] and payload["account"] == {"email": "ada@example.org"}
    me = await graphql(client, ME, headers=bearer(payload["token"]))
    assert me.json()["data"]["me"] == {"email": "ada@example.org"}
    # The link works once.
    again = await graphql(client, LINK_SIGN_IN, {"token": token})
    assert again.json()["data"]["signInWithLink"] == {
        "token": None,
        "account": None,
        "errors": [{"field": "token", "code": "INVALID_LINK"}],
    }


async def test_asking_for_a_link_tells_nothing_about_the_address(client, app_settings, inbox):
    await person("ada@example.org")
    closed = await person("closed@example.org")
    await models.Account.filter(id=closed.id).update(closed_at=datetime.now(UTC))
    for mutation in (REQUEST_LINK, REQUEST_RESET):
        known = await ask(client, mutation, "ada@example.org")
        unknown = await ask(client, mutation, "nobody@example.org")
        gone = await ask(client, mutation, "closed@example.org")
        assert known == unknown == gone
    received = await deliver(app_settings, inbox)
    assert sorted(str(m["To"]) for m in received) == ["ada@example.org", "ada@example.org"]
    assert await models.AccountLink.all().count() == 2


async def test_a_malformed_address_gets_a_field_error(client):
    for bad in ("not an address", "a@b", "x" * 250 + "@example.org"):
        answer = await ask(client, REQUEST_LINK, bad)
        errors = answer["data"]["requestSignInLink"]["errors"]
        assert errors[0]["field"] == "email"
        assert errors[0]["code"] in ("INVALID_EMAIL", "TOO_LONG")
    assert await models.MailMessage.all().count() == 0


async def test_unknown_expired_and_foreign_link_tokens_are_refused(client, app_settings, inbox):
    await person("ada@example.org")
    await ask(client, REQUEST_LINK, "ada@example.org")
    await ask(client, REQUEST_RESET, "ada@example.org")
    messages = await deliver(app_settings, inbox)
    sign_in_token = token_in(inbox.last("ada@example.org", "sign in"), "sign-in")
    reset_token = token_in(inbox.last("ada@example.org", "reset"), "reset-password")
    assert len(messages) == 2
    # A reset token does not sign in, a sign-in token does not reset.
    response = await graphql(client, LINK_SIGN_IN, {"token": reset_token})
    assert response.json()["data"]["signInWithLink"]["errors"][0]["code"] == "INVALID_LINK"
    response = await graphql(client, RESET, {"token": sign_in_token, "password": "x" * 12})
    assert response.json()["data"]["resetPassword"]["errors"][0]["code"] == "INVALID_LINK"
    for token in ("cmsl_made-up", ""):
        response = await graphql(client, LINK_SIGN_IN, {"token": token})
        assert response.json()["data"]["signInWithLink"]["errors"][0]["code"] == "INVALID_LINK"
    past = datetime.now(UTC) - timedelta(seconds=1)
    await models.AccountLink.all().update(expires_at=past)
    response = await graphql(client, LINK_SIGN_IN, {"token": sign_in_token})
    assert response.json()["data"]["signInWithLink"]["errors"][0]["code"] == "INVALID_LINK"
    assert await models.AccountSession.all().count() == 0


async def test_a_password_is_reset_by_the_link_in_the_mail(client, app_settings, inbox):
    await person("ada@example.org")
    old_session = await session_of(client, "ada@example.org")
    await ask(client, REQUEST_RESET, "ada@example.org")
    [message] = await deliver(app_settings, inbox)
    token = token_in(message, "reset-password")
    assert token.startswith("cmsr_")
    # A password the rules refuse changes nothing and leaves the link usable.
    for bad, code in (("short", "TOO_SHORT"), ("y" * 1001, "TOO_LONG")):
        response = await graphql(client, RESET, {"token": token, "password": bad})
        assert response.json()["data"]["resetPassword"] == {
            "ok": False,
            "errors": [{"field": "newPassword", "code": code}],
        }
    assert (await graphql(client, ME, headers=bearer(old_session))).status_code == 200
    new = "a new and long passphrase"
    response = await graphql(client, RESET, {"token": token, "password": new})
    assert response.json()["data"]["resetPassword"] == {"ok": True, "errors": []}
    # Every session ends; the old password no longer signs in, the new one does.
    assert (await graphql(client, ME, headers=bearer(old_session))).status_code == 401
    assert (await sign_in(client, "ada@example.org", PASSWORD))["errors"][0]["code"] == (
        "SIGN_IN_FAILED"
    )
    assert (await sign_in(client, "ada@example.org", new))["token"]
    response = await graphql(client, RESET, {"token": token, "password": "another long one"})
    assert response.json()["data"]["resetPassword"]["errors"][0]["code"] == "INVALID_LINK"


async def test_link_requests_are_limited_per_address_and_mail_stops(client_at, app_settings, inbox):
    await person("ada@example.org")
    limit = LIMITS["attempts_per_address"]
    for n in range(limit + 2):
        async with client_at(f"10.1.0.{n}") as client:
            answer = await ask(client, REQUEST_LINK, "ada@example.org")
            codes = [e["code"] for e in answer["data"]["requestSignInLink"]["errors"]]
            assert codes == ([] if n < limit else ["TOO_MANY_ATTEMPTS"])
    # Unknown addresses are limited the same way: the limit tells nothing either.
    async with client_at("10.2.0.1") as client:
        for _ in range(limit + 1):
            answer = await ask(client, REQUEST_RESET, "nobody@example.org")
        codes = [e["code"] for e in answer["data"]["requestPasswordReset"]["errors"]]
        assert codes == ["TOO_MANY_ATTEMPTS"]
    assert len(await deliver(app_settings, inbox)) == limit


async def test_using_links_is_limited_per_client(client_at):
    async with client_at("198.51.100.1") as client:
        for n in range(LIMITS["attempts_per_client"] + 1):
            response = await graphql(client, LINK_SIGN_IN, {"token": f"cmsl_guess{n}"})
        codes = [e["code"] for e in response.json()["data"]["signInWithLink"]["errors"]]
        assert codes == ["TOO_MANY_ATTEMPTS"]
        response = await graphql(client, RESET, {"token": "cmsr_guess", "password": "x" * 12})
        codes = [e["code"] for e in response.json()["data"]["resetPassword"]["errors"]]
        assert codes == ["TOO_MANY_ATTEMPTS"]
