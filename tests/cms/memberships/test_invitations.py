"""Invitations at the service level: the mail and its link, acceptance, replacement, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms.config import Settings
from cms.errors import ErrorCode, PermissionDenied, ValidationFailed
from cms.models import Account, AuditEntry, CommunityRole, Invitation, MailMessage, Membership, Role
from cms.passwords import verify_password
from cms.services import invitations
from tests import factories
from tests.cms.memberships.people import (
    PASSWORD,
    admin_token,
    as_person,
    invitation_mail,
    person,
    token_of,
)

pytestmark = pytest.mark.anyio


def _codes(error: ValidationFailed) -> dict[str, ErrorCode]:
    return {e.field: e.code for e in error.errors}


async def test_an_invitation_is_mailed_and_its_link_makes_the_account_and_membership(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant(name="STEM-POWER")
    invitation_id = await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=settings,
        email="  Ada@Example.ORG ",
        name="Ada",
        role=Role.EDITOR,
        community_role=CommunityRole.MEMBER,
        message="Welcome aboard.",
    )
    row = await Invitation.get(id=invitation_id)
    assert (row.email, row.role, row.community_role) == ("ada@example.org", "editor", "member")
    assert row.expires_at - datetime.now(UTC) > timedelta(days=13)
    mail = await invitation_mail("ada@example.org")
    assert mail.tenant_id == tenant.id and "STEM-POWER" in mail.subject
    assert "Welcome aboard." in mail.body and "editor and member" in mail.body
    token = token_of(mail.body)
    assert token not in row.token_hash  # only the hash is stored
    assert await AuditEntry.filter(action="invite", object_id=invitation_id).exists()

    membership = await invitations.accept(token, name="Ada Lovelace", password=PASSWORD)
    account = await Account.get(id=membership.account_id)
    assert (account.email, account.name) == ("ada@example.org", "Ada Lovelace")
    assert account.pseudonym.startswith("acct_") and len(account.pseudonym) == 29
    assert verify_password(account.password_hash, PASSWORD)
    assert (membership.tenant_id, membership.role, membership.community_role) == (
        tenant.id,
        Role.EDITOR,
        CommunityRole.MEMBER,
    )
    assert (await Invitation.get(id=invitation_id)).accepted_at is not None
    audit = await AuditEntry.get(action="accept-invitation")
    assert audit.token_name == account.pseudonym  # the person, by their pseudonym

    with pytest.raises(ValidationFailed) as used:
        await invitations.accept(token, name="Again", password=PASSWORD)
    assert _codes(used.value) == {"token": ErrorCode.INVALID_INVITATION}
    assert await Account.all().count() == 1


async def test_an_existing_account_accepts_with_its_own_password(
    settings: Settings, clean_database: None
) -> None:
    home, other = await factories.tenant(), await factories.tenant()
    account, _ = await person(home, community_role=CommunityRole.MEMBER)
    assert account.email is not None
    await invitations.invite(
        admin_token(other),
        other,
        settings=settings,
        email=account.email.upper(),
        name="",
        community_role=CommunityRole.OBSERVER,
    )
    token = token_of((await invitation_mail(account.email)).body)
    with pytest.raises(ValidationFailed) as wrong:
        await invitations.accept(token, password="not the password at all")
    assert _codes(wrong.value) == {"password": ErrorCode.WRONG_PASSWORD}
    assert not await Membership.filter(tenant=other).exists()

    membership = await invitations.accept(token, password=PASSWORD)
    assert membership.account_id == account.id and membership.tenant_id == other.id
    assert membership.community_role is CommunityRole.OBSERVER
    assert await Account.all().count() == 1


async def test_accepting_into_a_tenant_one_belongs_to_keeps_roles_the_invitation_leaves_out(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant()
    account, membership = await person(tenant, role=Role.VIEWER, community_role=None)
    assert account.email is not None and membership is not None
    await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=settings,
        email=account.email,
        name="",
        community_role=CommunityRole.MEMBER,
    )
    token = token_of((await invitation_mail(account.email)).body)
    accepted = await invitations.accept(token, password=PASSWORD)
    assert accepted.id == membership.id
    assert (accepted.role, accepted.community_role) == (Role.VIEWER, CommunityRole.MEMBER)


async def test_reinviting_replaces_the_pending_invitation(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant()
    for role in (CommunityRole.OBSERVER, CommunityRole.MEMBER):
        await invitations.invite(
            admin_token(tenant),
            tenant,
            settings=settings,
            email="bo@example.org",
            name="Bo",
            community_role=role,
        )
    first, second = await MailMessage.filter(recipient="bo@example.org").order_by("id")
    assert await Invitation.filter(tenant=tenant).count() == 1
    with pytest.raises(ValidationFailed):
        await invitations.accept(token_of(first.body), password=PASSWORD)
    membership = await invitations.accept(token_of(second.body), password=PASSWORD)
    assert membership.community_role is CommunityRole.MEMBER


async def test_expired_unknown_and_revoked_links_change_nothing(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant()
    short = settings.with_overrides(invitation_days=0)
    await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=short,
        email="old@example.org",
        name="Old",
        community_role=CommunityRole.MEMBER,
    )
    expired = token_of((await invitation_mail("old@example.org")).body)
    revoked_id = await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=settings,
        email="gone@example.org",
        name="Gone",
        community_role=CommunityRole.MEMBER,
    )
    revoked = token_of((await invitation_mail("gone@example.org")).body)
    await invitations.revoke(admin_token(tenant), revoked_id)
    for token in (expired, revoked, "cms_unknown", "", "x" * 10_000):
        with pytest.raises(ValidationFailed) as refused:
            await invitations.accept(token, name="Someone", password=PASSWORD)
        assert _codes(refused.value) == {"token": ErrorCode.INVALID_INVITATION}
    assert await Account.all().count() == 0
    assert await Membership.all().count() == 0


async def test_bad_input_is_refused_field_by_field_and_writes_nothing(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant()
    with pytest.raises(ValidationFailed) as bad:
        await invitations.invite(
            admin_token(tenant),
            tenant,
            settings=settings,
            email="not an address",
            name="n" * 201,
            community_role=CommunityRole.MEMBER,
            message="m" * 2001,
        )
    assert _codes(bad.value) == {
        "email": ErrorCode.INVALID_EMAIL,
        "name": ErrorCode.TOO_LONG,
        "message": ErrorCode.TOO_LONG,
    }
    with pytest.raises(ValidationFailed) as roleless:
        await invitations.invite(
            admin_token(tenant), tenant, settings=settings, email="a@example.org", name=""
        )
    assert _codes(roleless.value) == {"role": ErrorCode.REQUIRED}
    assert await Invitation.all().count() == 0 and await MailMessage.all().count() == 0

    await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=settings,
        email="new@example.org",
        name="",
        community_role=CommunityRole.MEMBER,
    )
    token = token_of((await invitation_mail("new@example.org")).body)
    with pytest.raises(ValidationFailed) as weak:
        await invitations.accept(token, name="", password="short")
    assert _codes(weak.value) == {"password": ErrorCode.TOO_SHORT, "name": ErrorCode.REQUIRED}
    assert await Account.all().count() == 0
    assert (await Invitation.get(email="new@example.org")).accepted_at is None


async def test_a_coordinator_may_not_replace_an_admins_invitation(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant()
    account, membership = await person(tenant, community_role=CommunityRole.COORDINATOR)
    assert membership is not None
    await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=settings,
        email="ed@example.org",
        name="Ed",
        role=Role.EDITOR,
    )
    with pytest.raises(PermissionDenied):
        await invitations.invite(
            as_person(account, membership),
            tenant,
            settings=settings,
            email="ed@example.org",
            name="Ed",
            community_role=CommunityRole.MEMBER,
        )
    assert (await Invitation.get(email="ed@example.org")).role is Role.EDITOR


async def test_an_account_without_a_password_gets_the_one_given(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant()
    account, _ = await person(None, password_hash=None, name="Linked")
    assert account.email is not None
    await invitations.invite(
        admin_token(tenant),
        tenant,
        settings=settings,
        email=account.email,
        name="",
        community_role=CommunityRole.MEMBER,
    )
    token = token_of((await invitation_mail(account.email)).body)
    membership = await invitations.accept(token, name="Other name", password="a new passphrase")
    stored = await Account.get(id=account.id)
    assert membership.account_id == account.id and stored.name == "Linked"
    assert verify_password(stored.password_hash, "a new passphrase")


async def test_a_coordinators_invitation_names_them_and_gives_membership(
    settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant(name="GENERA")
    account, membership = await person(
        tenant, community_role=CommunityRole.COORDINATOR, name="Grace Coordinator"
    )
    assert membership is not None
    invitation_id = await invitations.invite(
        as_person(account, membership),
        tenant,
        settings=settings,
        email="new@example.org",
        name="",
        community_role=CommunityRole.OBSERVER,
    )
    row = await Invitation.get(id=invitation_id)
    assert (row.invited_by, row.invited_by_account_id) == ("Grace Coordinator", account.id)
    mail = await invitation_mail("new@example.org")
    assert "Grace Coordinator invites you to join GENERA as observer." in mail.body
    joined = await invitations.accept(token_of(mail.body), name="Nia", password=PASSWORD)
    assert joined.community_role is CommunityRole.OBSERVER and joined.role is None
