"""A person's own data: their profile, their password, everything stored about them, and
closing their account (erased, attributed to "former member" afterwards)."""

from __future__ import annotations

import pytest

from cms import models
from cms.models import CommunityRole, Role
from cms.services.sessions import Client, open_session
from tests import factories
from tests.factories import bearer
from tests.support.accounts import PASSWORD, person, session_of, sign_in
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

UPDATE_ME = """
mutation ($input: MyProfileInput!) {
  updateMe(input: $input) {
    account { name organisation country position expertise publicProfile }
    errors { field code }
  }
}"""
CHANGE = """
mutation ($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { ok errors { field code } }
}"""
CLOSE = """
mutation ($password: String, $confirm: String) {
  closeAccount(password: $password, confirmEmail: $confirm) { ok errors { field code } }
}"""
ME = """{ me { email name hasPassword
  memberships { tenant { slug } role communityRole inDirectory } sessions { current } } }"""
CREATE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id } errors { code } }
}"""
HISTORY = """
query ($s: String!) { resource(slug: $s) { createdBy updatedBy revisions { author } } }"""


async def test_a_person_updates_their_profile_and_bad_values_change_nothing(client):
    await person("ada@example.org", name="Ada")
    headers = bearer(await session_of(client, "ada@example.org"))
    values = {
        "name": "  Ada Lovelace ",
        "organisation": "Analytical Engines",
        "country": "GB",
        "position": "Researcher",
        "expertise": "Computing",
        "publicProfile": True,
    }
    response = await graphql(client, UPDATE_ME, {"input": values}, headers=headers)
    saved = response.json()["data"]["updateMe"]
    assert saved["errors"] == []
    assert saved["account"] == {**values, "name": "Ada Lovelace"}
    bad = {"name": " ", "organisation": "x" * 201, "expertise": "x" * 5001, "country": "Spain"}
    response = await graphql(client, UPDATE_ME, {"input": bad}, headers=headers)
    assert response.json()["data"]["updateMe"] == {
        "account": None,
        "errors": [
            {"field": "name", "code": "REQUIRED"},
            {"field": "organisation", "code": "TOO_LONG"},
            {"field": "expertise", "code": "TOO_LONG"},
        ],
    }
    account = await models.Account.get(email="ada@example.org")
    assert (account.name, account.country) == ("Ada Lovelace", "GB")


async def test_me_lists_memberships_with_their_roles(client):
    home = await factories.tenant(slug="home")
    hub = await factories.tenant(slug="hub")
    await person(
        "ada@example.org",
        roles={home: (Role.EDITOR, CommunityRole.COORDINATOR), hub: (None, CommunityRole.MEMBER)},
    )
    headers = bearer(await session_of(client, "ada@example.org"))
    response = await graphql(client, ME, headers=headers)
    assert response.json()["data"]["me"] == {
        "email": "ada@example.org",
        "name": "Ada Lovelace",
        "hasPassword": True,
        "memberships": [
            {"tenant": {"slug": "home"}, "role": "editor", "communityRole": "coordinator",
             "inDirectory": False},
            {"tenant": {"slug": "hub"}, "role": None, "communityRole": "member",
             "inDirectory": False},
        ],
        "sessions": [{"current": True}],
    }  # fmt: skip


async def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(client):
    await person("ada@example.org")
    other = bearer(await session_of(client, "ada@example.org"))
    headers = bearer(await session_of(client, "ada@example.org"))
    new = "a much better passphrase"
    for current, given, problem in (
        ("wrong password", new, {"field": "currentPassword", "code": "WRONG_PASSWORD"}),
        (PASSWORD, "short", {"field": "newPassword", "code": "TOO_SHORT"}),
    ):
        response = await graphql(
            client, CHANGE, {"current": current, "new": given}, headers=headers
        )
        assert response.json()["data"]["changePassword"] == {"ok": False, "errors": [problem]}
    assert (await graphql(client, ME, headers=other)).status_code == 200
    response = await graphql(client, CHANGE, {"current": PASSWORD, "new": new}, headers=headers)
    assert response.json()["data"]["changePassword"] == {"ok": True, "errors": []}
    assert (await graphql(client, ME, headers=other)).status_code == 401
    assert (await graphql(client, ME, headers=headers)).status_code == 200
    assert (await sign_in(client, "ada@example.org", new))["token"]
    assert (await sign_in(client, "ada@example.org", PASSWORD))["token"] is None


async def test_my_data_holds_everything_stored_and_no_secret(client):
    home = await factories.tenant(slug="home")
    ada = await person("ada@example.org", roles={home: (Role.EDITOR, None)})
    headers = bearer(await session_of(client, "ada@example.org"))
    await graphql(client, CREATE, {"input": {"title": "Mine", "kind": "GUIDE"}}, tenant="home",
                  headers=headers)  # fmt: skip
    # Another person's and a token's writes are not Ada's data.
    await person("bob@example.org", roles={home: (Role.EDITOR, None)})
    bob = bearer(await session_of(client, "bob@example.org"))
    _, token = await factories.token(home, "editor")
    for other in (bob, bearer(token)):
        await graphql(client, CREATE, {"input": {"title": "Not hers", "kind": "GUIDE"}},
                      tenant="home", headers=other)  # fmt: skip
    await client.post(
        "/graphql",
        json={"query": 'mutation { requestSignInLink(email: "ada@example.org") { ok } }'},
    )
    response = await graphql(client, "{ myData }", headers=headers)
    data = response.json()["data"]["myData"]
    assert set(data) == {
        "account", "memberships", "sessions", "links", "revisions", "auditEntries",
        "invitations", "joining",
    }  # fmt: skip
    assert data["invitations"] == {"received": [], "sent": []}
    assert data["joining"] == {"joinRequests": [], "enquiries": []}
    assert data["account"]["email"] == "ada@example.org"
    assert data["account"]["pseudonym"] == ada.pseudonym
    assert data["memberships"] == [
        {"tenant": "home", "role": "editor", "communityRole": None, "inDirectory": False,
         "createdAt": data["memberships"][0]["createdAt"]}
    ]  # fmt: skip
    assert len(data["sessions"]) == 1 and len(data["links"]) == 1
    assert [(r["contentType"], r["version"]) for r in data["revisions"]] == [("Resource", 1)]
    assert [a["action"] for a in data["auditEntries"]] == ["create"]
    text = response.text
    stored = [
        *await models.AccountSession.all().values_list("token_hash", flat=True),
        *await models.AccountLink.all().values_list("token_hash", flat=True),
        (await models.Account.get(id=ada.id)).password_hash,
    ]
    assert not any(secret in text for secret in stored)


async def test_a_closed_account_is_erased_and_its_writes_say_former_member(client):
    home = await factories.tenant(slug="home")
    ada = await person("ada@example.org", name="Ada Lovelace", roles={home: (Role.EDITOR, None)})
    await models.Account.filter(id=ada.id).update(organisation="Engines", expertise="Maths")
    headers = bearer(await session_of(client, "ada@example.org"))
    await graphql(client, CREATE, {"input": {"title": "Mine", "kind": "GUIDE"}}, tenant="home",
                  headers=headers)  # fmt: skip
    _, editor = await factories.token(home, "editor")
    response = await graphql(client, CLOSE, {"password": "not my password"}, headers=headers)
    assert response.json()["data"]["closeAccount"] == {
        "ok": False,
        "errors": [{"field": "password", "code": "WRONG_PASSWORD"}],
    }
    assert await models.Account.filter(id=ada.id, closed_at=None).exists()
    response = await graphql(client, CLOSE, {"password": PASSWORD}, headers=headers)
    assert response.json()["data"]["closeAccount"] == {"ok": True, "errors": []}

    row = await models.Account.get(id=ada.id)
    assert (row.email, row.name, row.password_hash, row.organisation, row.expertise) == (
        None, "", None, "", ""
    )  # fmt: skip
    assert row.pseudonym == ada.pseudonym and row.closed_at is not None
    assert await models.Membership.filter(account_id=ada.id).count() == 0
    assert await models.AccountSession.filter(account_id=ada.id).count() == 0
    assert (await graphql(client, ME, headers=headers)).status_code == 401
    assert (await sign_in(client, "ada@example.org", PASSWORD))["errors"][0]["code"] == (
        "SIGN_IN_FAILED"
    )
    response = await graphql(client, HISTORY, {"s": "mine"}, tenant="home", headers=bearer(editor))
    assert response.json()["data"]["resource"] == {
        "createdBy": "former member",
        "updatedBy": "former member",
        "revisions": [{"author": "former member"}],
    }
    audit = await models.AuditEntry.filter(account_id=ada.id).values_list("token_name", flat=True)
    assert audit == ["former member"]
    assert not await models.Revision.filter(author_name__contains="Ada").exists()


async def test_an_account_without_a_password_closes_by_typing_its_address(client, app_settings):
    ada = await person("ada@example.org", password=None)
    opened = await open_session(app_settings, ada, Client("127.0.0.1"))
    headers = bearer(opened.token)
    response = await graphql(client, CLOSE, {"confirm": "someone@example.org"}, headers=headers)
    assert response.json()["data"]["closeAccount"]["errors"] == [
        {"field": "confirmEmail", "code": "INVALID"}
    ]
    response = await graphql(client, CLOSE, {"confirm": " ADA@example.org"}, headers=headers)
    assert response.json()["data"]["closeAccount"] == {"ok": True, "errors": []}
    assert (await models.Account.get(id=ada.id)).email is None
