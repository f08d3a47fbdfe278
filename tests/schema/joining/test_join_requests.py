"""Join requests over HTTP, with mail delivered to a real SMTP server and its links followed:
asked in public, confirmed by the mailed link, decided by a coordinator or an admin of that
tenant only."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cms import models
from cms.models import CommunityRole, JoinRequest, JoinRequestState, MailMessage
from cms.services import community
from schema.core.ids import to_global_id
from tests import factories
from tests.cms.memberships.people import admin_token, person
from tests.support.api import data_of, graphql
from tests.support.mail import Inbox, body_of, deliver, token_in

pytestmark = pytest.mark.anyio

PRIVACY = "We keep your request to decide on it, and delete it if we decline it."
COMMUNITY = """{ community { acceptsJoinRequests acceptsEnquiries privacyText privacyVersion
  membershipTarget memberCount } }"""
REQUEST = """mutation ($input: RequestToJoinInput!) {
  requestToJoin(input: $input) { received errors { field code message } } }"""
CONFIRM = """mutation ($token: String!) {
  confirmJoinRequest(token: $token) { confirmed errors { field code } } }"""
QUEUE = """query ($states: [JoinRequestState!], $first: Int, $after: String) {
  joinRequests(states: $states, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id state name email organisation country position motivation
      privacyVersion decidedBy decisionMessage } } } }"""
NODE = """query ($id: ID!) { node(id: $id) { id ... on JoinRequest { email state } } }"""
APPROVE = """mutation ($id: ID!, $message: String!) {
  approveJoinRequest(id: $id, message: $message) {
    joinRequest { state decidedBy decisionMessage } errors { field code } } }"""
DECLINE = """mutation ($id: ID!, $message: String!) {
  declineJoinRequest(id: $id, message: $message) {
    joinRequest { state decisionMessage } errors { field code } } }"""
ACCEPT = """mutation ($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { membership { communityRole } errors { field code } } }"""


async def accepting(tenant: models.Tenant, **changes: Any) -> models.CommunitySettings:
    """The tenant takes join requests under PRIVACY (version 1)."""
    return await community.set_settings(
        admin_token(tenant), tenant, accepts_join_requests=True, privacy_text=PRIVACY, **changes
    )


def join_input(**changes: Any) -> dict[str, Any]:
    values = {
        "name": "Ada Lovelace",
        "email": "Ada@Example.org",
        "organisation": "Birmingham City University",
        "country": "United Kingdom",
        "position": "Associate professor",
        "motivation": "I lead a research group in engineering and want to share experience.",
        "consent": True,
        "privacyVersion": 1,
    }
    values.update(changes)
    return values


async def ask(client: httpx.AsyncClient, tenant: models.Tenant, **changes: Any) -> dict[str, Any]:
    data = await data_of(client, REQUEST, {"input": join_input(**changes)}, tenant=tenant.slug)
    return dict(data["requestToJoin"])


async def as_admin(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], tenant: models.Tenant
) -> dict[str, Any]:
    _, value = await factories.token(tenant, "admin")
    response = await graphql(
        client, query, variables, tenant=tenant.slug, headers=factories.bearer(value)
    )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


async def test_a_request_is_confirmed_by_its_link_then_approved_into_an_invitation(
    client: httpx.AsyncClient, app_settings: Any, inbox: Inbox
) -> None:
    tenant = await factories.tenant(name="STEM-POWER Community of Practice")
    await accepting(tenant)
    coordinator, _ = await person(tenant, community_role=CommunityRole.COORDINATOR)
    public = (await data_of(client, COMMUNITY, tenant=tenant.slug))["community"]
    assert public["acceptsJoinRequests"] and public["privacyText"] == PRIVACY
    assert public["privacyVersion"] == 1

    assert await ask(client, tenant) == {"received": True, "errors": []}
    # Before the address is confirmed nothing reaches anyone: only the requester gets mail,
    # and the queue is empty.
    received = await deliver(app_settings, inbox)
    assert [str(m["To"]) for m in received] == ["ada@example.org"]
    queue = await as_admin(client, QUEUE, {}, tenant)
    assert queue["joinRequests"]["totalCount"] == 0

    token = token_in(inbox.last("ada@example.org", "Confirm"), "confirm-join")
    confirmed = await data_of(client, CONFIRM, {"token": token}, tenant=tenant.slug)
    assert confirmed["confirmJoinRequest"] == {"confirmed": True, "errors": []}
    # The link works once.
    again = await data_of(client, CONFIRM, {"token": token}, tenant=tenant.slug)
    assert again["confirmJoinRequest"]["errors"] == [
        {"field": "token", "code": "INVALID_CONFIRMATION_TOKEN"}
    ]
    await deliver(app_settings, inbox)
    notice = inbox.last(str(coordinator.email), "Join request from Ada Lovelace")
    assert "Birmingham City University" in body_of(notice)
    assert "version 1 of the privacy text" in body_of(notice)

    queue = await as_admin(client, QUEUE, {}, tenant)
    [edge] = queue["joinRequests"]["edges"]
    assert edge["node"]["state"] == "PENDING" and edge["node"]["email"] == "ada@example.org"
    assert edge["node"]["privacyVersion"] == 1
    approved = await as_admin(
        client, APPROVE, {"id": edge["node"]["id"], "message": "Welcome aboard!"}, tenant
    )
    assert approved["approveJoinRequest"]["joinRequest"]["state"] == "APPROVED"
    assert approved["approveJoinRequest"]["joinRequest"]["decisionMessage"] == "Welcome aboard!"
    # A decided request is decided once.
    twice = await as_admin(client, DECLINE, {"id": edge["node"]["id"], "message": ""}, tenant)
    assert twice["declineJoinRequest"]["errors"] == [{"field": None, "code": "INVALID_TRANSITION"}]

    await deliver(app_settings, inbox)
    invitation = inbox.last("ada@example.org", "Invitation to join")
    text = body_of(invitation)
    assert "was approved" in text and "Welcome aboard!" in text and "as member" in text
    accepted = await data_of(
        client,
        ACCEPT,
        {"input": {"token": token_in(invitation, "accept-invitation"), "password": "a" * 12}},
    )
    assert accepted["acceptInvitation"] == {
        "membership": {"communityRole": "MEMBER"},
        "errors": [],
    }


async def test_a_declined_requester_is_told_with_the_message(
    client: httpx.AsyncClient, app_settings: Any, inbox: Inbox
) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    await ask(client, tenant)
    await deliver(app_settings, inbox)
    token = token_in(inbox.last("ada@example.org", "Confirm"), "confirm-join")
    await data_of(client, CONFIRM, {"token": token}, tenant=tenant.slug)
    row = await JoinRequest.get(email="ada@example.org")
    gid = to_global_id("JoinRequest", row.id)
    declined = await as_admin(
        client, DECLINE, {"id": gid, "message": "We are full for this year."}, tenant
    )
    assert declined["declineJoinRequest"]["joinRequest"] == {
        "state": "DECLINED",
        "decisionMessage": "We are full for this year.",
    }
    await deliver(app_settings, inbox)
    text = body_of(inbox.last("ada@example.org", "Your request to join"))
    assert "declined" in text and "We are full for this year." in text
    states = {"states": ["DECLINED"]}
    assert (await as_admin(client, QUEUE, states, tenant))["joinRequests"]["totalCount"] == 1


async def test_another_tenants_admins_and_coordinators_see_and_decide_nothing(
    client: httpx.AsyncClient,
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    await accepting(tenant)
    await ask(client, tenant)
    token = _token_of(await MailMessage.filter(purpose="join-confirm").first())
    await data_of(client, CONFIRM, {"token": token}, tenant=tenant.slug)
    row = await JoinRequest.get(tenant_id=tenant.id)
    gid = to_global_id("JoinRequest", row.id)
    assert (await as_admin(client, NODE, {"id": gid}, tenant))["node"]["email"] == row.email
    # Another tenant's admin: an empty queue, no node, and the id names nothing to decide.
    assert (await as_admin(client, QUEUE, {}, other))["joinRequests"]["totalCount"] == 0
    assert (await as_admin(client, NODE, {"id": gid}, other))["node"] is None
    for mutation, field in ((APPROVE, "approveJoinRequest"), (DECLINE, "declineJoinRequest")):
        answer = await as_admin(client, mutation, {"id": gid, "message": ""}, other)
        assert answer[field]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    # An admin of the other tenant addressing this tenant is no admin here.
    _, value = await factories.token(other, "admin")
    body = (
        await graphql(client, QUEUE, {}, tenant=tenant.slug, headers=factories.bearer(value))
    ).json()
    assert body["errors"][0]["extensions"]["reason"] == "PERMISSION_DENIED"
    # An editor of the tenant, and the public, neither.
    _, editor = await factories.token(tenant, "editor")
    body = (
        await graphql(client, QUEUE, {}, tenant=tenant.slug, headers=factories.bearer(editor))
    ).json()
    assert body["errors"][0]["extensions"]["reason"] == "PERMISSION_DENIED"
    body = (await graphql(client, NODE, {"id": gid}, tenant=tenant.slug)).json()
    assert body["data"]["node"] is None
    assert (await JoinRequest.get(id=row.id)).state is JoinRequestState.PENDING


async def test_unconfirmed_requests_are_never_listed_nor_reached_by_id(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    await ask(client, tenant)
    row = await JoinRequest.get(tenant_id=tenant.id)
    assert row.state is JoinRequestState.UNCONFIRMED
    gid = to_global_id("JoinRequest", row.id)
    every = {"states": ["UNCONFIRMED", "PENDING", "APPROVED", "DECLINED"]}
    assert (await as_admin(client, QUEUE, every, tenant))["joinRequests"]["totalCount"] == 0
    assert (await as_admin(client, NODE, {"id": gid}, tenant))["node"] is None
    answer = await as_admin(client, APPROVE, {"id": gid, "message": ""}, tenant)
    assert answer["approveJoinRequest"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_the_queue_pages_by_cursor(client: httpx.AsyncClient) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    for n in range(3):
        await JoinRequest.create(
            tenant=tenant,
            state=JoinRequestState.PENDING,
            name=f"Person {n}",
            email=f"p{n}@example.org",
            privacy_version=1,
        )
    first = (await as_admin(client, QUEUE, {"first": 2}, tenant))["joinRequests"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Person 0", "Person 1"]
    assert first["pageInfo"]["hasNextPage"] and first["totalCount"] == 3
    after = {"first": 2, "after": first["pageInfo"]["endCursor"]}
    rest = (await as_admin(client, QUEUE, after, tenant))["joinRequests"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["Person 2"]


def _token_of(message: MailMessage | None) -> str:
    """The token of a queued confirmation mail (for tests that need no SMTP server)."""
    assert message is not None
    url = next(word for word in message.body.split() if "/account/confirm-join?" in word)
    return parse_qs(urlsplit(url).query)["token"][0]


async def test_bad_input_gets_field_errors_and_changes_nothing(client: httpx.AsyncClient) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    answer = await ask(
        client,
        tenant,
        name=" ",
        email="not an address",
        motivation="x" * 4001,
        consent=False,
        privacyVersion=0,
    )
    assert answer["received"] is False
    assert {(e["field"], e["code"]) for e in answer["errors"]} == {
        ("name", "REQUIRED"),
        ("email", "INVALID_EMAIL"),
        ("motivation", "TOO_LONG"),
        ("consent", "REQUIRED"),
        ("privacyVersion", "STALE_PRIVACY_VERSION"),
    }
    for field in ("name", "organisation", "country", "position"):
        answer = await ask(client, tenant, **{field: "y" * 201})
        assert [(e["field"], e["code"]) for e in answer["errors"]] == [(field, "TOO_LONG")]
    assert await JoinRequest.all().count() == 0
    assert await MailMessage.all().count() == 0
    assert await models.JoiningAttempt.all().count() == 0


async def test_names_stay_on_one_line_as_mail_subjects_need(client: httpx.AsyncClient) -> None:
    tenant = await factories.tenant(contact_email="contact@example.org")
    await accepting(tenant)
    name = "Ada\r\nBcc: x@example.org"
    assert (await ask(client, tenant, name=name, organisation="BCU\n\tUK"))["received"] is True
    token = _token_of(await MailMessage.filter(purpose="join-confirm").first())
    confirmed = await data_of(client, CONFIRM, {"token": token}, tenant=tenant.slug)
    assert confirmed["confirmJoinRequest"]["confirmed"] is True
    row = await JoinRequest.get(email="ada@example.org")
    assert (row.name, row.organisation) == ("Ada Bcc: x@example.org", "BCU UK")
    notice = await MailMessage.get(purpose="join-request")
    assert notice.recipient == "contact@example.org"
    assert notice.subject == f"Join request from Ada Bcc: x@example.org ({tenant.name})"


async def test_a_new_privacy_text_makes_the_shown_version_stale(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    await community.set_settings(
        admin_token(tenant), tenant, privacy_text=PRIVACY + " We also share nothing."
    )
    answer = await ask(client, tenant, privacyVersion=1)
    assert answer["errors"][0]["code"] == "STALE_PRIVACY_VERSION"
    public = (await data_of(client, COMMUNITY, tenant=tenant.slug))["community"]
    assert public["privacyVersion"] == 2
    assert (await ask(client, tenant, privacyVersion=2))["received"] is True
    assert (await JoinRequest.get(tenant_id=tenant.id)).privacy_version == 2


async def test_the_honeypot_is_answered_as_a_success_and_does_nothing(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    answer = await ask(client, tenant, website="http://spam.example")
    assert answer == {"received": True, "errors": []}
    assert await JoinRequest.all().count() == 0
    assert await MailMessage.all().count() == 0


async def test_a_tenant_that_takes_no_requests_says_so(client: httpx.AsyncClient) -> None:
    tenant = await factories.tenant()
    answer = await ask(client, tenant)
    assert answer["errors"] == [
        {"field": None, "code": "NOT_ACCEPTING", "message": f"{tenant.name} does not take join "
         "requests."}
    ]  # fmt: skip
    body = (await graphql(client, REQUEST, {"input": join_input()})).json()
    assert body["data"]["requestToJoin"]["errors"][0]["code"] == "TENANT_REQUIRED"
    assert await JoinRequest.all().count() == 0


async def test_answers_do_not_tell_members_or_earlier_requesters_apart(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    member, _ = await person(tenant, email="member@example.org")
    await JoinRequest.create(
        tenant=tenant,
        state=JoinRequestState.PENDING,
        name="Waiting",
        email="waiting@example.org",
        privacy_version=1,
    )
    answers = [
        await ask(client, tenant, email=address)
        for address in ("member@example.org", "waiting@example.org", "new@example.org")
    ]
    assert answers == [{"received": True, "errors": []}] * 3
    # Only the owners of the addresses learn why nothing new happened, by mail.
    mails = {m.recipient: m for m in await MailMessage.all()}
    assert "already a member" in mails["member@example.org"].body
    assert "already with its coordinators" in mails["waiting@example.org"].body
    assert "/account/confirm-join?" in mails["new@example.org"].body
    assert await JoinRequest.filter(tenant_id=tenant.id).count() == 2


async def test_requests_past_the_per_address_limit_are_refused(
    client: httpx.AsyncClient, app_settings: Any
) -> None:
    tenant = await factories.tenant()
    await accepting(tenant)
    limit = app_settings.joining_per_address_day
    for _ in range(limit):
        assert (await ask(client, tenant))["received"] is True
    answer = await ask(client, tenant, email=" ADA@example.org ")
    assert answer["received"] is False
    assert answer["errors"][0]["code"] == "LIMIT_EXCEEDED"
    assert await JoinRequest.all().count() == limit


async def test_requests_past_the_per_client_limit_are_refused(
    app_settings: Any, clean_database: None
) -> None:
    from cms.app import create_app
    from tests.support.api import KNOWN_CODES

    tenant = await factories.tenant()
    await accepting(tenant)
    app = create_app(app_settings.with_overrides(joining_per_client_hour=2), manage_database=False)

    def client_from(host: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(host, 40000))
        return httpx.AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
        )

    async with client_from("203.0.113.7") as one, client_from("198.51.100.9") as two:
        for n in range(2):
            assert (await ask(one, tenant, email=f"a{n}@example.org"))["received"] is True
        refused = await ask(one, tenant, email="a9@example.org")
        assert refused["errors"][0]["code"] == "LIMIT_EXCEEDED"
        # Another client is counted apart.
        assert (await ask(two, tenant, email="b@example.org"))["received"] is True
    assert await JoinRequest.all().count() == 3


async def test_community_shows_a_target_and_the_count_only_when_asked(
    client: httpx.AsyncClient,
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    await accepting(tenant, membership_target=40)
    for role in (CommunityRole.MEMBER, CommunityRole.COORDINATOR, CommunityRole.OBSERVER):
        await person(tenant, community_role=role)
    await person(other, community_role=CommunityRole.MEMBER)
    await person(tenant, role=models.Role.EDITOR, community_role=None)
    public = (await data_of(client, COMMUNITY, tenant=tenant.slug))["community"]
    assert (public["membershipTarget"], public["memberCount"]) == (None, None)
    await community.set_settings(admin_token(tenant), tenant, show_target=True)
    public = (await data_of(client, COMMUNITY, tenant=tenant.slug))["community"]
    assert (public["membershipTarget"], public["memberCount"]) == (40, 2)
    assert (await data_of(client, COMMUNITY))["community"] is None


SETTINGS = """{ communitySettings { acceptsJoinRequests privacyText privacyVersion contactEmail
  membershipTarget showTarget memberCount } }"""
SET = """mutation ($input: CommunitySettingsInput!) { setCommunitySettings(input: $input) {
  communitySettings { privacyVersion contactEmail membershipTarget showTarget acceptsJoinRequests }
  errors { field code } } }"""


async def test_admins_set_the_settings_and_the_contact_stays_private(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant(contact_email="public@example.org")
    set_input = {
        "acceptsJoinRequests": True,
        "privacyText": PRIVACY,
        "contactEmail": "Enquiries@Example.org",
        "membershipTarget": 40,
        "showTarget": True,
    }
    saved = await as_admin(client, SET, {"input": set_input}, tenant)
    assert saved["setCommunitySettings"] == {
        "communitySettings": {
            "privacyVersion": 1,
            "contactEmail": "enquiries@example.org",
            "membershipTarget": 40,
            "showTarget": True,
            "acceptsJoinRequests": True,
        },
        "errors": [],
    }
    # The admin may set the version (never below the current one); the same text keeps it.
    saved = await as_admin(client, SET, {"input": {"privacyVersion": 5}}, tenant)
    assert saved["setCommunitySettings"]["communitySettings"]["privacyVersion"] == 5
    saved = await as_admin(client, SET, {"input": {"privacyText": PRIVACY}}, tenant)
    assert saved["setCommunitySettings"]["communitySettings"]["privacyVersion"] == 5
    bad = {"privacyVersion": 4, "contactEmail": "nope", "membershipTarget": -1}
    refused = await as_admin(client, SET, {"input": bad}, tenant)
    assert {(e["field"], e["code"]) for e in refused["setCommunitySettings"]["errors"]} == {
        ("privacyVersion", "OUT_OF_RANGE"),
        ("contactEmail", "INVALID_EMAIL"),
        ("membershipTarget", "OUT_OF_RANGE"),
    }
    read = (await as_admin(client, SETTINGS, {}, tenant))["communitySettings"]
    assert read["privacyVersion"] == 5 and read["contactEmail"] == "enquiries@example.org"
    # The public reads no contact address, and may not read or write the settings.
    public = (await graphql(client, COMMUNITY, tenant=tenant.slug)).text
    assert "enquiries@example.org" not in public
    body = (await graphql(client, SETTINGS, tenant=tenant.slug)).json()
    assert body["errors"][0]["extensions"]["reason"] == "PERMISSION_DENIED"
    # Nor may an editor of the tenant, or another tenant's admin.
    _, editor = await factories.token(tenant, "editor")
    _, stranger = await factories.token(await factories.tenant(), "admin")
    for value in (editor, stranger):
        body = (
            await graphql(
                client,
                SET,
                {"input": {"acceptsJoinRequests": False}},
                tenant=tenant.slug,
                headers=factories.bearer(value),
            )
        ).json()
        assert body["data"]["setCommunitySettings"]["errors"][0]["code"] == "PERMISSION_DENIED"
        body = (
            await graphql(client, SETTINGS, tenant=tenant.slug, headers=factories.bearer(value))
        ).json()
        assert body["errors"][0]["extensions"]["reason"] == "PERMISSION_DENIED"
    assert (await community.settings_of(tenant.id)).accepts_join_requests is True
    # Accepting needs a privacy text.
    fresh = await factories.tenant()
    refused = await as_admin(client, SET, {"input": {"acceptsJoinRequests": True}}, fresh)
    assert refused["setCommunitySettings"]["errors"] == [
        {"field": "acceptsJoinRequests", "code": "REQUIRED"}
    ]
