"""Invitations: an e-mailed link that sets up a person's account and membership (issue 16).

Admins invite with any roles, coordinators members and observers (`cms.services.memberships`
has the table). Only the token's hash is stored; the link is mailed (queued in the invite's
transaction) and valid for `CMS_INVITATION_DAYS`. Accepting it makes the account if the
address has none (its password set there), else asks for that account's password, then makes
or updates the membership, once. Join requests build on `invite` (`approve` invites the
requester).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from cms.auth import Principal, hash_token
from cms.config import Settings
from cms.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from cms.models import Account, CommunityRole, Invitation, Membership, Role, Tenant
from cms.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    hash_in_thread,
    normalise_email,
    verify_in_thread,
)
from cms.services import generations, history, mail, memberships
from cms.services.validation import EMAIL

MAX_NAME = 200
MAX_MESSAGE = 2000
MAX_TOKEN = 200  # a token is 43 characters; longer input names nothing


def new_pseudonym() -> str:
    """A stable id for audit rows and exports that says nothing about the person (the form
    `cms.services.accounts.open_account` gives)."""
    return f"acct_{secrets.token_hex(12)}"


def _roles_text(role: Role | None, community_role: CommunityRole | None) -> str:
    return " and ".join(r.value for r in (role, community_role) if r is not None)


def _one_line(text: str) -> str:
    return " ".join(text.split())


async def _inviter(principal: Principal) -> str:
    """Who the invitation names: a person by their name, a token by its name."""
    if principal.account_id:
        account = await Account.get_or_none(id=principal.account_id)
        if account is not None and account.name:
            return _one_line(account.name)
    return _one_line(principal.name)


async def _mail(settings: Settings, tenant: Tenant, row: Invitation, token: str) -> None:
    url = await mail.link(settings, tenant, "accept-invitation", token)
    greeting = f"Hello {_one_line(row.name)}," if row.name else "Hello,"
    lines = [
        greeting,
        "",
        f"{row.invited_by} invites you to join {tenant.name} as "
        f"{_roles_text(row.role, row.community_role)}.",
    ]
    if row.message:
        lines += ["", row.message]
    lines += [
        "",
        f"Accept the invitation by this link (valid until {row.expires_at:%Y-%m-%d %H:%M} UTC):",
        url,
        "",
        "If you did not expect it, ignore this message: nothing happens unless the link is used.",
    ]
    await mail.enqueue(
        purpose="invitation",
        recipient=row.email,
        subject=f"Invitation to join {_one_line(tenant.name)}",
        body="\n".join(lines),
        tenant_id=tenant.id,
    )


def _checked(email: str, name: str, message: str) -> tuple[str, str]:
    """The normalised address and trimmed name, or ValidationFailed with every problem."""
    errors: list[FieldError] = []
    address = normalise_email(email)
    if not address:
        errors.append(FieldError("email", "Give the person's e-mail address.", ErrorCode.REQUIRED))
    elif len(address) > 254 or not EMAIL.match(address):
        errors.append(
            FieldError(
                "email",
                "Expected an email address such as name@example.org.",
                ErrorCode.INVALID_EMAIL,
            )
        )
    name = name.strip()
    if len(name) > MAX_NAME:
        errors.append(FieldError("name", f"At most {MAX_NAME} characters.", ErrorCode.TOO_LONG))
    if len(message) > MAX_MESSAGE:
        errors.append(
            FieldError("message", f"At most {MAX_MESSAGE} characters.", ErrorCode.TOO_LONG)
        )
    if errors:
        raise ValidationFailed(errors)
    return address, name


async def invite(
    principal: Principal,
    tenant: Tenant,
    *,
    settings: Settings,
    email: str,
    name: str,
    role: Role | None = None,
    community_role: CommunityRole | None = None,
    message: str = "",
) -> int:
    """Invite `email` into `tenant` with the roles given; returns the invitation's id.

    Checks that `principal` may invite with these roles, writes the invitation and queues its
    mail (`cms.services.mail.enqueue`) in one transaction (or in the caller's, when called
    inside one). Accepting the link sets the account's password and makes the membership.
    A pending invitation of the same address to the tenant is replaced (its link stops
    working), if the caller may manage it.
    """
    memberships.require_manage(principal, tenant.id, (role, community_role))
    memberships.require_some_role((role, community_role))
    address, name = _checked(email, name, message)
    token = secrets.token_urlsafe(32)
    async with in_transaction():
        pending = Invitation.filter(tenant_id=tenant.id, email=address, accepted_at=None)
        for old in await pending:
            memberships.require_manage(principal, tenant.id, (old.role, old.community_role))
        await pending.delete()
        row = await Invitation.create(
            tenant_id=tenant.id,
            email=address,
            name=name,
            role=role,
            community_role=community_role,
            message=message,
            invited_by=(await _inviter(principal))[:200],
            invited_by_account_id=principal.account_id or None,
            token_hash=hash_token(token),
            expires_at=datetime.now(UTC) + timedelta(days=settings.invitation_days),
        )
        await _mail(settings, tenant, row, token)
        await history.audit(principal, "invite", "Invitation", tenant.id, row.id)
    return int(row.id)


def pending(principal: Principal | None, tenant: Tenant) -> QuerySet[Invitation]:
    """The tenant's invitations not accepted yet (expired ones too, until replaced or
    revoked), for its admins and coordinators."""
    memberships.require_list(principal, tenant.id)
    return Invitation.filter(tenant_id=tenant.id, accepted_at=None)


async def revoke(principal: Principal, invitation_id: int) -> None:
    """Delete a pending invitation: its link stops working."""
    row = await Invitation.get_or_none(id=invitation_id, accepted_at=None)
    if row is None or memberships.standing(principal, row.tenant_id) is memberships.Standing.NONE:
        raise NotFound("No pending invitation you may manage has this id.", field="id")
    memberships.require_manage(principal, row.tenant_id, (row.role, row.community_role))
    async with in_transaction():
        await row.delete()
        await history.audit(principal, "revoke-invitation", "Invitation", row.tenant_id, row.id)


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        [
            FieldError(
                "token",
                "This invitation link is unknown, expired, revoked or already used: ask for a "
                "new invitation.",
                ErrorCode.INVALID_INVITATION,
            )
        ]
    )


def _password_problems(password: str) -> list[FieldError]:
    """A new password's length, as `cms.services.accounts` checks it (which imports this
    module through join requests, so it cannot be imported here)."""
    if len(password) < MIN_LENGTH:
        message = f"Use at least {MIN_LENGTH} characters."
        return [FieldError("password", message, ErrorCode.TOO_SHORT)]
    if len(password) > MAX_LENGTH:
        message = f"Use at most {MAX_LENGTH} characters."
        return [FieldError("password", message, ErrorCode.TOO_LONG)]
    return []


async def accept(token: str, *, name: str = "", password: str = "") -> Membership:
    """Use an invitation: its account (made here, or the address's existing one, whose
    password must be given) becomes a member of its tenant with its roles.

    An existing account without a password (it signs in by e-mailed links) gets `password` as
    its password: the link reached its mailbox as a sign-in link would. Roles the invitation
    leaves out keep the membership's current ones.
    """
    now = datetime.now(UTC)
    row = None
    if 0 < len(token) <= MAX_TOKEN:
        row = await Invitation.get_or_none(token_hash=hash_token(token))
    if row is None or row.accepted_at is not None or row.expires_at <= now:
        raise _invalid()
    account = await Account.get_or_none(email=row.email)
    name = name.strip() or row.name
    errors: list[FieldError] = []
    hashed = None
    if account is not None and account.password_hash is not None:
        fits = len(password) <= MAX_LENGTH
        if not fits or not await verify_in_thread(account.password_hash, password):
            errors.append(
                FieldError(
                    "password",
                    "An account with this address exists: give its password.",
                    ErrorCode.WRONG_PASSWORD,
                )
            )
    else:
        errors += _password_problems(password)
        if account is None and not name:
            errors.append(FieldError("name", "Give your name.", ErrorCode.REQUIRED))
        if len(name) > MAX_NAME:
            errors.append(FieldError("name", f"At most {MAX_NAME} characters.", ErrorCode.TOO_LONG))
    if errors:
        raise ValidationFailed(errors)
    if account is None or account.password_hash is None:
        hashed = await hash_in_thread(password)
    async with in_transaction():
        # Compare-and-set: of two accepts of one link, one wins and the other changes nothing.
        if not await Invitation.filter(id=row.id, accepted_at=None).update(accepted_at=now):
            raise _invalid()
        if account is None:
            account = await Account.create(
                email=row.email, name=name, password_hash=hashed, pseudonym=new_pseudonym()
            )
        elif hashed is not None:
            account.password_hash = hashed
            account.name = account.name or name
            await account.save(update_fields=["password_hash", "name", "updated_at"])
        membership = await Membership.get_or_none(account_id=account.id, tenant_id=row.tenant_id)
        if membership is None:
            membership = await Membership.create(
                account_id=account.id,
                tenant_id=row.tenant_id,
                role=row.role,
                community_role=row.community_role,
            )
        else:
            membership.role = row.role or membership.role
            membership.community_role = row.community_role or membership.community_role
            await membership.save(update_fields=["role", "community_role", "updated_at"])
        person = Principal(
            token_id=0,
            name=account.pseudonym,
            role=membership.role,
            tenant_id=row.tenant_id,
            account_id=account.id,
            community=membership.community_role,
        )
        await history.audit(person, "accept-invitation", "Membership", row.tenant_id, membership.id)
        await generations.bump(row.tenant_id)  # the public's member count and lists
    return membership
