"""Sessions of people: signing in and out, a person's sessions, and the attempt limits.

A session token (`cmss_…`, `cms.auth.SESSION_PREFIX`) is 32 random bytes shown once; only its
SHA-256 is stored, with an expiry (`CMS_SESSION_DAYS`). Signing out deletes the row.

Attempts at signing in and at asking for or using an e-mailed link are counted per address and
per client address in fixed windows (`CMS_ATTEMPT_WINDOW_MINUTES`), in the database so that
every worker process sees the same counts; past `CMS_ATTEMPTS_PER_ADDRESS` or
`CMS_ATTEMPTS_PER_CLIENT` the operation is refused (`TooManyAttempts`) before any work.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import connections

from cms.auth import SESSION_PREFIX, Principal, hash_token
from cms.config import Settings
from cms.errors import NotFound, SignInFailed, SignInRequired, TooManyAttempts
from cms.models import Account, AccountSession, Attempt
from cms.passwords import (
    MAX_LENGTH,
    hash_in_thread,
    needs_rehash,
    normalise_email,
    verify_in_thread,
)

MAX_LABEL = 200
_SUBJECT = re.compile(r"[a-z-]+:(?:address|client):[0-9a-f]{40}")


@dataclass(frozen=True)
class Client:
    """Who is asking, as far as the limits and the session list care: the client's network
    address (Starlette's `request.client.host`) and its User-Agent."""

    address: str
    agent: str = ""


@dataclass(frozen=True)
class Opened:
    """A new session: the token, shown this once, and its row."""

    token: str
    session: AccountSession
    account: Account


def require_person(principal: Principal | None) -> int:
    """The signed-in person's account id; SignInRequired for tokens and the public."""
    if principal is None or not principal.account_id:
        raise SignInRequired("Sign in as a person (a session token from signIn) to do this.")
    return principal.account_id


def _subject(action: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:40]
    subject = f"{action}:{kind}:{digest}"
    if not _SUBJECT.fullmatch(subject):
        raise ValueError(f"not an attempt subject: {subject!r}")
    return subject


async def _count(subject: str, bucket: int) -> int:
    """Add one attempt to the subject's window and answer the window's count (one statement
    on both databases, so two processes counting at once both count)."""
    # `subject` matches _SUBJECT and `bucket` is an int, so both are written in safely.
    # (execute_query_dict: asyncpg's execute_query answers no rows for an INSERT.)
    rows = await connections.get("default").execute_query_dict(
        f"INSERT INTO attempt (subject, bucket, count) VALUES ('{subject}', {int(bucket)}, 1) "
        "ON CONFLICT (subject, bucket) DO UPDATE SET count = attempt.count + 1 RETURNING count"
    )
    count = int(rows[0]["count"])
    if count == 1:  # a new window: the ones before the last are of no more use
        await Attempt.filter(bucket__lt=bucket - 1).delete()
    return count


async def limit(settings: Settings, action: str, client: Client, address: str = "") -> None:
    """Count an attempt at `action` by the client (and for the address, when there is one);
    TooManyAttempts past either limit. Counted in its own statement, outside the operation's
    transaction, so a failing attempt counts too."""
    window = settings.attempt_window_minutes * 60
    bucket = int(time.time()) // window
    by_client = await _count(_subject(action, "client", client.address), bucket)
    by_address = 0
    if address:
        by_address = await _count(_subject(action, "address", normalise_email(address)), bucket)
    if by_client > settings.attempts_per_client or by_address > settings.attempts_per_address:
        minutes = settings.attempt_window_minutes
        raise TooManyAttempts(
            f"Too many attempts; try again in {minutes} minutes at the latest.",
        )


def new_session_token() -> str:
    return SESSION_PREFIX + secrets.token_urlsafe(32)


async def open_session(settings: Settings, account: Account, client: Client) -> Opened:
    """A new session of the account (in the caller's transaction, if any)."""
    token = new_session_token()
    session = await AccountSession.create(
        account=account,
        token_hash=hash_token(token),
        label=client.agent[:MAX_LABEL],
        expires_at=datetime.now(UTC) + timedelta(days=settings.session_days),
    )
    return Opened(token=token, session=session, account=account)


async def sign_in(settings: Settings, client: Client, email: str, password: str) -> Opened:
    """A session for the open account with this address and password.

    Every failure answers the same SignInFailed, and an unknown address costs a hash check as
    a known one does, so neither the answer nor its time tells whether an address has an
    account.
    """
    await limit(settings, "sign-in", client, email)
    account = await Account.get_or_none(email=normalise_email(email)[:254], closed_at=None)
    stored = account.password_hash if account is not None else None
    given = password[:MAX_LENGTH]  # no account has a longer one; hashing more costs more
    matches = await verify_in_thread(stored, given)
    if account is None or not matches or len(password) > MAX_LENGTH:
        raise SignInFailed("The address or the password is not right.")
    if stored is not None and needs_rehash(stored):  # the cost settings changed
        account.password_hash = await hash_in_thread(password)
        await account.save(update_fields=["password_hash"])
    return await open_session(settings, account, client)


async def sign_out(principal: Principal | None) -> None:
    """End the session the request came with."""
    require_person(principal)
    assert principal is not None
    await AccountSession.filter(id=principal.session_id).delete()


async def sign_out_everywhere(principal: Principal | None) -> int:
    """End every session of the signed-in person, this one too; how many ended."""
    account_id = require_person(principal)
    return int(await AccountSession.filter(account_id=account_id).delete())


async def revoke(principal: Principal | None, session_id: int) -> None:
    """End one of the signed-in person's own sessions (another's is not found)."""
    account_id = require_person(principal)
    if not await AccountSession.filter(id=session_id, account_id=account_id).delete():
        raise NotFound("You have no session with this id.", field="id")


async def sessions_of(account_id: int) -> list[AccountSession]:
    """The account's sessions that have not expired, newest first."""
    return (
        await AccountSession.filter(account_id=account_id, expires_at__gt=datetime.now(UTC))
        .order_by("-created_at", "-id")
        .all()
    )
