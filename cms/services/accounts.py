"""A person's account: e-mailed one-time links (sign-in, password reset), passwords, their
profile, and closing it.

A link's token (`cmsl_…` to sign in, `cmsr_…` to reset a password) is mailed once and stored
only as its SHA-256; using it deletes it. Asking for a link answers the same whether or not the
address has an account, and mails only when it has one.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from cms.auth import Principal, hash_token
from cms.config import Settings
from cms.errors import ErrorCode, FieldError, InvalidLink, NotFound, ValidationFailed
from cms.models import (
    Account,
    AccountLink,
    AccountSession,
    LinkPurpose,
    Membership,
    Revision,
    Tenant,
)
from cms.passwords import MAX_LENGTH, MIN_LENGTH, hash_in_thread, normalise_email, verify_in_thread
from cms.services import generations, mail, personal_data
from cms.services.sessions import Client, Opened, limit, open_session, require_person
from cms.services.validation import EMAIL

LINK_PREFIXES = {LinkPurpose.SIGN_IN: "cmsl_", LinkPurpose.PASSWORD_RESET: "cmsr_"}
# The page of the tenant's front end that takes the token (`<base>/account/<action>`).
LINK_ACTIONS = {LinkPurpose.SIGN_IN: "sign-in", LinkPurpose.PASSWORD_RESET: "reset-password"}
MAX_EMAIL = 254
# The profile fields a person sets (`updateMe`) and the longest value of each.
PROFILE_LIMITS = {
    "name": 200,
    "organisation": 200,
    "country": 100,
    "position": 200,
    "expertise": 5000,
}


def password_problems(password: str, field: str) -> list[FieldError]:
    """What is wrong with a new password: its length only (10 to 1000 characters), as
    NIST SP 800-63B advises; no composition rules."""
    if len(password) < MIN_LENGTH:
        message = f"Use at least {MIN_LENGTH} characters."
        return [FieldError(field, message, ErrorCode.TOO_SHORT)]
    if len(password) > MAX_LENGTH:
        return [FieldError(field, f"Use at most {MAX_LENGTH} characters.", ErrorCode.TOO_LONG)]
    return []


def checked_email(email: str, field: str = "email") -> str:
    """The address normalised, or ValidationFailed when it is not one."""
    address = normalise_email(email)
    if len(address) > MAX_EMAIL:
        raise ValidationFailed([FieldError(field, "The address is too long.", ErrorCode.TOO_LONG)])
    if not EMAIL.match(address):
        raise ValidationFailed(
            [
                FieldError(
                    field, "Expected an address such as name@example.org.", ErrorCode.INVALID_EMAIL
                )
            ]
        )
    return address


async def open_account(email: str, name: str, password: str | None = None) -> Account:
    """A new account (seeds, tests, invitations); its password hashed when one is given."""
    address = checked_email(email)
    if password is not None and (problems := password_problems(password, "password")):
        raise ValidationFailed(problems)
    hashed = await hash_in_thread(password) if password is not None else None
    return await Account.create(
        email=address,
        name=name.strip()[: PROFILE_LIMITS["name"]],
        password_hash=hashed,
        pseudonym=f"acct_{secrets.token_hex(12)}",
    )


async def request_link(
    settings: Settings, tenant: Tenant | None, client: Client, email: str, purpose: LinkPurpose
) -> None:
    """Mail a one-time link to the address if an open account has it; the same answer (and
    nearly the same work) either way."""
    address = checked_email(email)
    await limit(settings, f"request-{LINK_ACTIONS[purpose]}", client, address)
    token = LINK_PREFIXES[purpose] + secrets.token_urlsafe(32)
    token_hash = hash_token(token)
    url = await mail.link(settings, tenant, LINK_ACTIONS[purpose], token)
    account = await Account.get_or_none(email=address, closed_at=None)
    if account is None or account.email is None:
        return
    minutes = (
        settings.sign_in_link_minutes
        if purpose is LinkPurpose.SIGN_IN
        else settings.password_reset_minutes
    )
    site = tenant.name if tenant is not None else "CoP CMS"
    if purpose is LinkPurpose.SIGN_IN:
        subject = f"Sign in to {site}"
        what = "sign in"
    else:
        subject = f"Reset your password for {site}"
        what = "choose a new password"
    body = (
        f"Hello {account.name or 'there'},\n\n"
        f"Open this link to {what} (it works once, for {minutes} minutes):\n\n{url}\n\n"
        "If you did not ask for it, ignore this message: nothing changes.\n"
    )
    async with in_transaction():
        await AccountLink.create(
            account=account,
            purpose=purpose,
            token_hash=token_hash,
            expires_at=datetime.now(UTC) + timedelta(minutes=minutes),
        )
        await mail.enqueue(
            purpose=LINK_ACTIONS[purpose],
            recipient=account.email,
            subject=subject,
            body=body,
            tenant_id=tenant.id if tenant is not None else None,
        )


async def _use_link(token: str, purpose: LinkPurpose) -> Account:
    """The open account a one-time token is for, deleting the token (in the caller's
    transaction); InvalidLink when it is unknown, used, expired or of another purpose."""
    row = (
        await AccountLink.filter(token_hash=hash_token(token), purpose=purpose)
        .select_related("account")
        .first()
    )
    # Deleting decides a race: of two requests using one link, only one deletes its row.
    if row is None or not await AccountLink.filter(id=row.id).delete():
        raise InvalidLink("This link is unknown, already used or expired.", field="token")
    if row.expires_at <= datetime.now(UTC) or row.account.closed_at is not None:
        raise InvalidLink("This link is unknown, already used or expired.", field="token")
    return row.account


async def sign_in_with_link(settings: Settings, client: Client, token: str) -> Opened:
    """A session for the account an e-mailed sign-in link was sent to."""
    await limit(settings, "use-link", client)
    async with in_transaction():
        account = await _use_link(token, LinkPurpose.SIGN_IN)
        return await open_session(settings, account, client)


async def reset_password(settings: Settings, client: Client, token: str, password: str) -> Account:
    """Set the password of the account a reset link was sent to, and end all its sessions
    (whoever knew the old password is signed out). A password the rules refuse leaves the
    link usable."""
    await limit(settings, "use-link", client)
    if problems := password_problems(password, "newPassword"):
        raise ValidationFailed(problems)
    hashed = await hash_in_thread(password)
    async with in_transaction():
        account = await _use_link(token, LinkPurpose.PASSWORD_RESET)
        await Account.filter(id=account.id).update(password_hash=hashed)
        await AccountSession.filter(account_id=account.id).delete()
        await AccountLink.filter(account_id=account.id).delete()
    return account


async def account_of(principal: Principal | None) -> Account:
    """The signed-in person's open account."""
    account = await Account.get_or_none(id=require_person(principal), closed_at=None)
    if account is None:  # closed while this request ran
        raise NotFound("The account is closed.")
    return account


async def _check_password(settings: Settings, client: Client, account: Account, given: str) -> None:
    """WRONG_PASSWORD unless `given` is the account's password (attempts count, as signIn's)."""
    await limit(settings, "confirm-password", client, account.email or "")
    if not await verify_in_thread(account.password_hash, given[:MAX_LENGTH]):
        raise ValidationFailed(
            [FieldError("currentPassword", "This is not your password.", ErrorCode.WRONG_PASSWORD)]
        )


async def change_password(
    settings: Settings, client: Client, principal: Principal | None, current: str, new: str
) -> Account:
    """Change the signed-in person's password; their other sessions end."""
    account = await account_of(principal)
    if problems := password_problems(new, "newPassword"):
        raise ValidationFailed(problems)
    await _check_password(settings, client, account, current)
    hashed = await hash_in_thread(new)
    assert principal is not None
    async with in_transaction():
        await Account.filter(id=account.id).update(password_hash=hashed)
        await AccountSession.filter(account_id=account.id).exclude(id=principal.session_id).delete()
    return account


async def update_me(principal: Principal | None, values: dict[str, Any]) -> Account:
    """Change the signed-in person's profile: the fields given, each trimmed and bounded."""
    account = await account_of(principal)
    errors: list[FieldError] = []
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name == "public_profile":
            changes[name] = bool(value)
            continue
        text = str(value).strip()
        if "\x00" in text:
            errors.append(
                FieldError(name, "Text cannot contain a NUL character.", ErrorCode.INVALID)
            )
        elif len(text) > (most := PROFILE_LIMITS[name]):
            errors.append(FieldError(name, f"At most {most} characters.", ErrorCode.TOO_LONG))
        elif name == "name" and not text:
            errors.append(FieldError(name, "A name is needed.", ErrorCode.REQUIRED))
        else:
            changes[name] = text
    if errors:
        raise ValidationFailed(errors)
    if changes:
        async with in_transaction():
            account.update_from_dict(changes)
            await account.save(update_fields=[*changes, "updated_at"])
            await _people_changed(account)
    return account


async def _people_changed(account: Account) -> None:
    """What the public of the person's tenants may see changed (public member lists, the
    names their writes carry): their cached answers go (`cms.services.generations`)."""
    memberships = await Membership.filter(account_id=account.id).values_list("tenant_id")
    authored = await Revision.filter(account_id=account.id).distinct().values_list("tenant_id")
    tenants = {int(row[0]) for row in [*memberships, *authored]}
    for tenant_id in sorted(tenants):
        await generations.bump(tenant_id)


async def close_account(
    settings: Settings,
    client: Client,
    principal: Principal | None,
    password: str | None,
    confirm_email: str | None,
) -> Account:
    """Erase the signed-in person's personal data (`cms.services.personal_data`) and keep the
    row with its pseudonym. Confirmed by the password, or by typing the address for an
    account that has no password."""
    account = await account_of(principal)
    if account.password_hash is not None:
        try:
            await _check_password(settings, client, account, password or "")
        except ValidationFailed:
            raise ValidationFailed(
                [FieldError("password", "This is not your password.", ErrorCode.WRONG_PASSWORD)]
            ) from None
    elif confirm_email is None or normalise_email(confirm_email) != account.email:
        raise ValidationFailed(
            [FieldError("confirmEmail", "Type your address to confirm.", ErrorCode.INVALID)]
        )
    async with in_transaction():
        await _people_changed(account)  # before the memberships go
        await personal_data.erase(account)
    return account
