"""Memberships, invitations and the directory over real HTTP through the ASGI app, with the
invitation mail delivered by a real SMTP server on loopback and its link followed.

Admins act with API tokens; people sign in with a password and act with their session
(`tests.support.accounts.session_of`). The member table cell by cell is tested at the service
level (`tests/cms/memberships/`).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cms.config import Settings
from cms.models import Account, CommunityRole, Membership, Role, Tenant
from schema.core.ids import to_global_id
from tests import factories
from tests.cms.memberships.people import PASSWORD, person
from tests.support.accounts import session_of
from tests.support.api import graphql
from tests.support.mail import Inbox, deliver, link_in, token_in

pytestmark = pytest.mark.anyio

INVITE = """
mutation ($input: InviteMemberInput!) {
  inviteMember(input: $input) {
    invitation { id email name role communityRole message invitedBy expiresAt expired }
    errors { field code message }
  }
}"""
ACCEPT = """
mutation ($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) {
    membership { id name email role communityRole inDirectory }
    errors { field code }
  }
}"""
MEMBERSHIPS = """
query ($first: Int, $after: String, $role: EditorialRole, $community: CommunityRole) {
  memberships(first: $first, after: $after, role: $role, communityRole: $community) {
    edges { node { id name email role communityRole inDirectory } }
    pageInfo { hasNextPage endCursor }
  }
}"""
INVITATIONS = "{ invitations { edges { node { id email role communityRole } } } }"
DIRECTORY = """{ memberDirectory { edges { node {
  name organisation country position expertise communityRole } } } }"""
PUBLIC = "{ publicMembers { edges { node { name organisation country expertise } } } }"
SET_ROLES = """
mutation ($id: ID!, $role: EditorialRole, $community: CommunityRole) {
  setMembershipRoles(id: $id, role: $role, communityRole: $community) {
    membership { id role communityRole } errors { field code }
  }
}"""
REMOVE = "mutation ($id: ID!) { removeMembership(id: $id) { deletedId errors { field code } } }"
REVOKE = "mutation ($id: ID!) { revokeInvitation(id: $id) { deletedId errors { field code } } }"
LEAVE = "mutation { leaveTenant { deletedId errors { code } } }"
LISTING = "mutation { setDirectoryListing(listed: true) { membership { id } errors { code } } }"
NODE = "query ($id: ID!) { node(id: $id) { __typename } }"


async def _body(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: Tenant,
    token: str | None = None,
) -> dict[str, Any]:
    headers = factories.bearer(token) if token else None
    response = await graphql(client, query, variables, tenant=tenant.slug, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _data(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: Tenant,
    token: str | None = None,
) -> dict[str, Any]:
    body = await _body(client, query, variables, tenant=tenant, token=token)
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def _refused(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: Tenant,
    token: str | None = None,
) -> None:
    """A query answered with PERMISSION_DENIED and no data."""
    body = await _body(client, query, variables, tenant=tenant, token=token)
    assert body["data"] is None, body
    assert [e["extensions"]["reason"] for e in body["errors"]] == ["PERMISSION_DENIED"], body


async def _no_such_field(
    client: httpx.AsyncClient, query: str, *, tenant: Tenant, token: str | None = None
) -> None:
    """A query the schema refuses: the field is not part of the type."""
    headers = factories.bearer(token) if token else None
    response = await graphql(client, query, tenant=tenant.slug, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def _nodes(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in data[field]["edges"]]


async def _admin(tenant: Tenant) -> str:
    _, value = await factories.token(tenant, "admin")
    return value


async def test_an_invited_person_follows_the_mailed_link_and_becomes_a_member(
    client: httpx.AsyncClient, app_settings: Settings, inbox: Inbox
) -> None:
    tenant = await factories.tenant(name="STEM-POWER")
    admin = await _admin(tenant)
    invite = {
        "email": "Ada@Example.org",
        "name": "Ada",
        "communityRole": "MEMBER",
        "role": "CONTRIBUTOR",
        "message": "We would love your view on mentoring.",
    }
    sent = (await _data(client, INVITE, {"input": invite}, tenant=tenant, token=admin))[
        "inviteMember"
    ]
    assert sent["errors"] == []
    invitation = sent["invitation"]
    assert invitation["email"] == "ada@example.org" and not invitation["expired"]
    assert (invitation["role"], invitation["communityRole"]) == ("CONTRIBUTOR", "MEMBER")
    listed = await _data(client, INVITATIONS, tenant=tenant, token=admin)
    assert [n["id"] for n in _nodes(listed, "invitations")] == [invitation["id"]]

    (message,) = await deliver(app_settings, inbox)
    assert message["To"] == "ada@example.org" and "STEM-POWER" in str(message["Subject"])
    assert link_in(message, "accept-invitation").startswith(app_settings.public_url)
    token = token_in(message, "accept-invitation")

    accept = {"token": token, "name": "Ada Lovelace", "password": PASSWORD}
    accepted = (await _data(client, ACCEPT, {"input": accept}, tenant=tenant))["acceptInvitation"]
    assert accepted["errors"] == []
    assert accepted["membership"]["name"] == "Ada Lovelace"
    assert (accepted["membership"]["role"], accepted["membership"]["communityRole"]) == (
        "CONTRIBUTOR",
        "MEMBER",
    )
    again = (await _data(client, ACCEPT, {"input": accept}, tenant=tenant))["acceptInvitation"]
    assert again == {
        "membership": None,
        "errors": [{"field": "token", "code": "INVALID_INVITATION"}],
    }

    people = _nodes(await _data(client, MEMBERSHIPS, tenant=tenant, token=admin), "memberships")
    assert [(p["email"], p["role"]) for p in people] == [("ada@example.org", "CONTRIBUTOR")]
    assert _nodes(await _data(client, INVITATIONS, tenant=tenant, token=admin), "invitations") == []


async def test_bad_invitations_get_field_errors(
    client: httpx.AsyncClient, clean_database: None
) -> None:
    tenant = await factories.tenant()
    admin = await _admin(tenant)
    bad = {"email": "nobody", "name": "x" * 300}
    answer = (await _data(client, INVITE, {"input": bad}, tenant=tenant, token=admin))[
        "inviteMember"
    ]
    assert answer["invitation"] is None
    assert {(e["field"], e["code"]) for e in answer["errors"]} == {("role", "REQUIRED")}
    bad["communityRole"] = "MEMBER"
    answer = (await _data(client, INVITE, {"input": bad}, tenant=tenant, token=admin))[
        "inviteMember"
    ]
    assert {(e["field"], e["code"]) for e in answer["errors"]} == {
        ("email", "INVALID_EMAIL"),
        ("name", "TOO_LONG"),
    }
    editor = (await factories.token(tenant, "editor"))[1]
    answer = (
        await _data(
            client,
            INVITE,
            {"input": {"email": "a@example.org", "communityRole": "MEMBER"}},
            tenant=tenant,
            token=editor,
        )
    )["inviteMember"]
    assert [e["code"] for e in answer["errors"]] == ["PERMISSION_DENIED"]
    assert _nodes(await _data(client, INVITATIONS, tenant=tenant, token=admin), "invitations") == []


async def test_admins_change_roles_and_remove_members(
    client: httpx.AsyncClient, clean_database: None
) -> None:
    tenant = await factories.tenant()
    admin = await _admin(tenant)
    _, membership = await person(tenant, community_role=CommunityRole.MEMBER)
    assert membership is not None
    gid = to_global_id("Membership", membership.id)
    changed = (
        await _data(
            client,
            SET_ROLES,
            {"id": gid, "role": "EDITOR", "community": "COORDINATOR"},
            tenant=tenant,
            token=admin,
        )
    )["setMembershipRoles"]
    assert changed == {
        "membership": {"id": gid, "role": "EDITOR", "communityRole": "COORDINATOR"},
        "errors": [],
    }
    roleless = (await _data(client, SET_ROLES, {"id": gid}, tenant=tenant, token=admin))[
        "setMembershipRoles"
    ]
    assert roleless["errors"] == [{"field": "role", "code": "REQUIRED"}]
    removed = (await _data(client, REMOVE, {"id": gid}, tenant=tenant, token=admin))[
        "removeMembership"
    ]
    assert removed == {"deletedId": gid, "errors": []}
    assert not await Membership.filter(id=membership.id).exists()


async def test_memberships_page_by_keyset_and_filter_by_role(
    client: httpx.AsyncClient, clean_database: None
) -> None:
    tenant = await factories.tenant()
    admin = await _admin(tenant)
    made = [await person(tenant, community_role=CommunityRole.MEMBER) for _ in range(5)]
    await person(tenant, role=Role.EDITOR, community_role=None)
    seen: list[str] = []
    after = None
    while True:
        page = (
            await _data(
                client,
                MEMBERSHIPS,
                {"first": 2, "after": after, "community": "MEMBER"},
                tenant=tenant,
                token=admin,
            )
        )["memberships"]
        seen += [edge["node"]["email"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [account.email for account, _ in made]
    editors = await _data(client, MEMBERSHIPS, {"role": "EDITOR"}, tenant=tenant, token=admin)
    assert [n["role"] for n in _nodes(editors, "memberships")] == ["EDITOR"]


async def test_another_tenants_admin_and_the_public_reach_nothing_of_a_tenants_people(
    client: httpx.AsyncClient, app_settings: Settings, clean_database: None
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    admin, stranger = await _admin(tenant), await _admin(other)
    _, membership = await person(tenant, community_role=CommunityRole.MEMBER)
    assert membership is not None
    await Membership.filter(id=membership.id).update(in_directory=True)
    sent = (
        await _data(
            client,
            INVITE,
            {"input": {"email": "b@example.org", "communityRole": "MEMBER"}},
            tenant=tenant,
            token=admin,
        )
    )["inviteMember"]["invitation"]
    member_id = to_global_id("Membership", membership.id)
    invitation_id = sent["id"]

    for caller in (stranger, None):
        for query in (MEMBERSHIPS, INVITATIONS, DIRECTORY):
            await _refused(client, query, tenant=tenant, token=caller)
        for node_id in (member_id, invitation_id):
            answer = await _data(client, NODE, {"id": node_id}, tenant=tenant, token=caller)
            assert answer == {"node": None}
    # Addressed to its own tenant, the stranger's lists hold nothing of this tenant.
    own = await _data(client, MEMBERSHIPS, tenant=other, token=stranger)
    assert own["memberships"]["edges"] == []
    assert (await _data(client, INVITATIONS, tenant=other, token=stranger))["invitations"][
        "edges"
    ] == []
    # Writes by id: nothing of this tenant, whichever tenant the request addresses.
    for addressed in (tenant, other):
        for query, variables, field in (
            (SET_ROLES, {"id": member_id, "role": "ADMIN"}, "setMembershipRoles"),
            (REMOVE, {"id": member_id}, "removeMembership"),
            (REVOKE, {"id": invitation_id}, "revokeInvitation"),
        ):
            answer = (await _data(client, query, variables, tenant=addressed, token=stranger))[
                field
            ]
            assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"], (query, answer)
    invite = {"email": "c@example.org", "role": "ADMIN"}
    answer = (await _data(client, INVITE, {"input": invite}, tenant=tenant, token=stranger))[
        "inviteMember"
    ]
    assert [e["code"] for e in answer["errors"]] == ["PERMISSION_DENIED"]
    anonymous = (await _data(client, INVITE, {"input": invite}, tenant=tenant))["inviteMember"]
    assert [e["code"] for e in anonymous["errors"]] == ["PERMISSION_DENIED"]

    stored = await Membership.get(id=membership.id)
    roles: tuple[object, object] = (stored.role, stored.community_role)
    assert roles == (None, CommunityRole.MEMBER)
    people = _nodes(await _data(client, MEMBERSHIPS, tenant=tenant, token=admin), "memberships")
    assert [p["id"] for p in people] == [member_id]
    pending = _nodes(await _data(client, INVITATIONS, tenant=tenant, token=admin), "invitations")
    assert [p["email"] for p in pending] == ["b@example.org"]


async def test_the_directory_shows_listed_members_to_the_tenant_only(
    client: httpx.AsyncClient, clean_database: None
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    listed, _ = await person(
        tenant, organisation="Uni A", country="PT", position="PhD", expertise="gender audits"
    )
    await person(tenant)  # not listed
    closed, _ = await person(tenant)
    await person(other)
    await Membership.filter(account_id__in=[listed.id, closed.id]).update(in_directory=True)
    await Membership.filter(tenant=other).update(in_directory=True)
    await Account.filter(id=closed.id).update(closed_at=closed.created_at, email=None)

    viewer = (await factories.token(tenant, "viewer"))[1]
    entries = _nodes(await _data(client, DIRECTORY, tenant=tenant, token=viewer), "memberDirectory")
    assert entries == [
        {
            "name": listed.name,
            "organisation": "Uni A",
            "country": "PT",
            "position": "PhD",
            "expertise": "gender audits",
            "communityRole": "MEMBER",
        }
    ]
    await _refused(client, DIRECTORY, tenant=tenant)
    await _refused(
        client, DIRECTORY, tenant=tenant, token=(await factories.token(other, "admin"))[1]
    )
    # No address is part of an entry.
    await _no_such_field(
        client, "{ memberDirectory { edges { node { email } } } }", tenant=tenant, token=viewer
    )


async def test_public_members_are_those_who_published_a_profile(
    client: httpx.AsyncClient, clean_database: None
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    shown, _ = await person(tenant, public_profile=True, organisation="Uni B", country="ES")
    await person(tenant)
    await person(other, public_profile=True)
    answer = _nodes(await _data(client, PUBLIC, tenant=tenant), "publicMembers")
    assert answer == [
        {"name": shown.name, "organisation": "Uni B", "country": "ES", "expertise": ""}
    ]
    # A profile published later shows at once: the answer is never kept by the response cache.
    later, _ = await person(tenant)
    await Account.filter(id=later.id).update(public_profile=True)
    again = _nodes(await _data(client, PUBLIC, tenant=tenant), "publicMembers")
    assert [n["name"] for n in again] == [shown.name, later.name]
    await _no_such_field(client, "{ publicMembers { edges { node { email } } } }", tenant=tenant)


async def test_what_a_person_does_for_themselves_is_refused_to_tokens(
    client: httpx.AsyncClient, clean_database: None
) -> None:
    tenant = await factories.tenant()
    admin = await _admin(tenant)
    left = (await _data(client, LEAVE, tenant=tenant, token=admin))["leaveTenant"]
    assert left == {"deletedId": None, "errors": [{"code": "PERMISSION_DENIED"}]}
    listing = (await _data(client, LISTING, tenant=tenant, token=admin))["setDirectoryListing"]
    assert listing == {"membership": None, "errors": [{"code": "PERMISSION_DENIED"}]}
    anonymous = (await _data(client, LEAVE, tenant=tenant))["leaveTenant"]
    assert anonymous["errors"] == [{"code": "PERMISSION_DENIED"}]


async def test_signed_in_people_list_themselves_coordinate_and_leave(
    client: httpx.AsyncClient, app_settings: Settings, inbox: Inbox
) -> None:
    tenant, other = await factories.tenant(name="STEM-POWER"), await factories.tenant()
    coordinator, _ = await person(tenant, community_role=CommunityRole.COORDINATOR)
    peer, _ = await person(tenant, organisation="Uni C")
    assert coordinator.email is not None and peer.email is not None
    boss = await session_of(client, coordinator.email)

    # A coordinator invites a member, never an editor; the invitee follows the mailed link.
    invite = {"email": "nia@example.org", "communityRole": "MEMBER"}
    sent = (await _data(client, INVITE, {"input": invite}, tenant=tenant, token=boss))[
        "inviteMember"
    ]
    assert sent["errors"] == [] and sent["invitation"]["invitedBy"] == coordinator.name
    editor = {"email": "ed@example.org", "role": "EDITOR"}
    refused = (await _data(client, INVITE, {"input": editor}, tenant=tenant, token=boss))[
        "inviteMember"
    ]
    assert [e["code"] for e in refused["errors"]] == ["PERMISSION_DENIED"]
    (message,) = await deliver(app_settings, inbox)
    accept = {"token": token_in(message, "accept-invitation"), "name": "Nia", "password": PASSWORD}
    assert (await _data(client, ACCEPT, {"input": accept}, tenant=tenant))["acceptInvitation"][
        "errors"
    ] == []
    nia = await session_of(client, "nia@example.org")

    # Members list themselves; the directory is theirs, not the public's or another tenant's.
    for session in (nia, await session_of(client, peer.email)):
        listing = (await _data(client, LISTING, tenant=tenant, token=session))[
            "setDirectoryListing"
        ]
        assert listing["errors"] == []
    entries = _nodes(await _data(client, DIRECTORY, tenant=tenant, token=nia), "memberDirectory")
    assert sorted(e["name"] for e in entries) == sorted(["Nia", peer.name])
    await _refused(client, DIRECTORY, tenant=tenant)
    await _refused(client, DIRECTORY, tenant=other, token=nia)
    await _refused(client, MEMBERSHIPS, tenant=tenant, token=nia)

    left = (await _data(client, LEAVE, tenant=tenant, token=nia))["leaveTenant"]
    assert left["errors"] == []
    assert not await Membership.filter(tenant=tenant, account__email="nia@example.org").exists()
