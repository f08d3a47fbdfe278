"""Issue 16's scenario end to end, over HTTP and a real SMTP server, on the seed content.

Someone asks to join STEM-POWER, confirms by the link in the mail, a coordinator approves, the
new member sets a password from the invitation, signs in, reads the members' space that the
public cannot reach through any list, lookup, `node` or search, and appears in the member
directory for other members only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from cms import models
from cms.app import create_app
from cms.config import Settings
from seeds import load_seed
from tests import factories
from tests.support.api import KNOWN_CODES
from tests.support.mail import Inbox, deliver, token_in
from tests.support.search import index

pytestmark = pytest.mark.anyio

STEM = "stem-power"
PASSWORD = "a long enough passphrase"

INVITE = """mutation ($input: InviteMemberInput!) {
  inviteMember(input: $input) { errors { field code message } } }"""
ACCEPT = """mutation ($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { membership { communityRole } errors { field code } } }"""
SIGN_IN = """mutation ($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { token errors { code } } }"""
COMMUNITY = "{ community { acceptsJoinRequests privacyVersion membershipTarget memberCount } }"
REQUEST = """mutation ($input: RequestToJoinInput!) {
  requestToJoin(input: $input) { received errors { field code } } }"""
CONFIRM = """mutation ($token: String!) {
  confirmJoinRequest(token: $token) { confirmed errors { code } } }"""
QUEUE = """{ joinRequests(first: 10) { edges { node { id state email } } } }"""
APPROVE = """mutation ($id: ID!) {
  approveJoinRequest(id: $id, message: "Welcome!") { joinRequest { state } errors { code } } }"""
LISTED = """mutation { setDirectoryListing(listed: true) { membership { inDirectory }
  errors { code } } }"""
DIRECTORY = "{ memberDirectory(first: 50) { totalCount edges { node { name organisation } } } }"
PAGE = """{ page(path: "members-space") { id title audience } }"""
PAGES = """{ pages(first: 100) { edges { node { path } } } }"""
NODE = """query ($id: ID!) { node(id: $id) { id ... on Page { title } } }"""
SEARCH = """{ search(query: "\\"safe space\\" trusted", first: 20) {
  totalCount edges { node { item { ... on Page { path } } } } } }"""


class Site:
    """One app and its HTTP client, as a CoP's front end calls it."""

    def __init__(self, http: httpx.AsyncClient, app: Any) -> None:
        self.http, self.app = http, app

    async def call(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"X-CMS-Tenant": STEM}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        return dict(response.json())

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.call(query, variables, token)
        assert "errors" not in body, body
        return dict(body["data"])


@pytest.fixture
async def site(app_settings: Settings, clean_database: None) -> AsyncIterator[Site]:
    app = create_app(app_settings, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver",
        event_hooks=KNOWN_CODES,
    ) as http:  # fmt: skip
        yield Site(http, app)


async def _join_by_invitation(
    site: Site, settings: Settings, inbox: Inbox, email: str, name: str
) -> str:
    """Follow the invitation mailed to `email`, set a password, sign in: the session token."""
    message = inbox.last(email, "invitation")
    assert message in await deliver(settings, inbox) or message in inbox.messages
    accepted = await site.data(
        ACCEPT, {"input": {"token": token_in(message, "accept-invitation"), "name": name,
                           "password": PASSWORD}},
    )  # fmt: skip
    assert accepted["acceptInvitation"]["errors"] == []
    signed = await site.data(SIGN_IN, {"email": email, "password": PASSWORD})
    token = signed["signIn"]["token"]
    assert token, signed
    return str(token)


async def _invite(site: Site, admin: str, email: str, name: str, role: str) -> None:
    invited = await site.data(
        INVITE, {"input": {"email": email, "name": name, "communityRole": role}}, admin
    )
    assert invited["inviteMember"]["errors"] == []


async def test_someone_joins_stem_power_and_reads_what_is_for_members(
    site: Site, app_settings: Settings, inbox: Inbox
) -> None:
    await load_seed()
    await index(site.app)
    stem = await models.Tenant.get(slug=STEM)
    _, admin = await factories.token(stem, "admin")

    # The CoP has a coordinator and a member who lists herself in the directory.
    await _invite(site, admin, "cora@example.org", "Cora Coordinator", "COORDINATOR")
    await _invite(site, admin, "bea@example.org", "Bea Member", "MEMBER")
    await deliver(app_settings, inbox)
    cora = await _join_by_invitation(site, app_settings, inbox, "cora@example.org", "Cora")
    bea = await _join_by_invitation(site, app_settings, inbox, "bea@example.org", "Bea")
    assert (await site.data(LISTED, token=bea))["setDirectoryListing"]["errors"] == []

    # 1. Ada asks to join, with the privacy text's version the site showed her.
    community = (await site.data(COMMUNITY))["community"]
    assert community["acceptsJoinRequests"] and community["membershipTarget"] == 40
    count_before = community["memberCount"]
    asked = await site.data(
        REQUEST,
        {"input": {"name": "Ada Lovelace", "email": "ada@example.org",
                   "organisation": "Birmingham City University", "country": "United Kingdom",
                   "position": "Associate professor", "motivation": "Share experience.",
                   "consent": True, "privacyVersion": community["privacyVersion"]}},
    )  # fmt: skip
    assert asked["requestToJoin"] == {"received": True, "errors": []}
    # Nothing reaches the coordinators before the address is confirmed.
    assert (await site.data(QUEUE, token=cora))["joinRequests"]["edges"] == []

    # 2. She confirms by the link in the mail she received.
    received = await deliver(app_settings, inbox)
    confirm = inbox.last("ada@example.org")
    assert confirm in received
    confirmed = await site.data(CONFIRM, {"token": token_in(confirm, "confirm-join")})
    assert confirmed["confirmJoinRequest"] == {"confirmed": True, "errors": []}

    # 3. The coordinator sees the request and approves it; Ada gets her invitation.
    queue = (await site.data(QUEUE, token=cora))["joinRequests"]["edges"]
    assert [(e["node"]["email"], e["node"]["state"]) for e in queue] == [
        ("ada@example.org", "PENDING")
    ]
    approved = await site.data(APPROVE, {"id": queue[0]["node"]["id"]}, cora)
    assert approved["approveJoinRequest"] == {"joinRequest": {"state": "APPROVED"}, "errors": []}
    await deliver(app_settings, inbox)

    # 4. She sets her password from the invitation and signs in.
    ada = await _join_by_invitation(site, app_settings, inbox, "ada@example.org", "Ada Lovelace")
    assert (await site.data(COMMUNITY))["community"]["memberCount"] == count_before + 1

    # 5. She reads the members' space; the public reaches it by no path.
    page = (await site.data(PAGE, token=ada))["page"]
    assert page is not None and page["audience"] == "MEMBERS"
    assert (await site.data(PAGE))["page"] is None
    assert (await site.data(NODE, {"id": page["id"]}))["node"] is None
    assert (await site.data(NODE, {"id": page["id"]}, ada))["node"]["title"] == page["title"]
    public_paths = [e["node"]["path"] for e in (await site.data(PAGES))["pages"]["edges"]]
    member_paths = [
        e["node"]["path"] for e in (await site.data(PAGES, token=ada))["pages"]["edges"]
    ]
    assert "members-space" in member_paths and "members-space" not in public_paths
    await index(site.app)
    public_hits = (await site.data(SEARCH))["search"]
    member_hits = (await site.data(SEARCH, token=ada))["search"]
    assert {"path": "members-space"} in [e["node"]["item"] for e in member_hits["edges"]]
    assert {"path": "members-space"} not in [e["node"]["item"] for e in public_hits["edges"]]
    assert public_hits["totalCount"] == member_hits["totalCount"] - 1

    # 6. She lists herself; other members see her in the directory, the public sees nothing.
    assert (await site.data(LISTED, token=ada))["setDirectoryListing"]["errors"] == []
    names = {
        e["node"]["name"]
        for e in (await site.data(DIRECTORY, token=bea))["memberDirectory"]["edges"]
    }
    assert {"Ada Lovelace", "Bea"} <= names
    refused = await site.call(DIRECTORY)
    assert refused["errors"][0]["extensions"]["reason"] == "PERMISSION_DENIED"
    assert "Ada Lovelace" not in str(refused)
