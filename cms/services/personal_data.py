"""Everything stored about a person, as one list of parts: what `myData` exports and what
closing an account erases.

Each domain that keeps data about a person adds a `Part` to `PARTS` (its name in the export,
how to export it as JSON, how to erase it), so the export and the erasure cannot drift apart.
The account's own fields come last: erasing them removes the address the others may need.
Erasure runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cms.auth import FORMER_MEMBER
from cms.models import (
    Account,
    AccountLink,
    AccountSession,
    AuditEntry,
    Invitation,
    Membership,
    Revision,
)
from cms.services import joining


@dataclass(frozen=True)
class Part:
    """One kind of data about a person."""

    name: str
    export: Callable[[Account], Awaitable[Any]]
    erase: Callable[[Account], Awaitable[None]]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def _export_account(account: Account) -> dict[str, Any]:
    return {
        "pseudonym": account.pseudonym,
        "email": account.email,
        "name": account.name,
        "organisation": account.organisation,
        "country": account.country,
        "position": account.position,
        "expertise": account.expertise,
        "publicProfile": account.public_profile,
        "hasPassword": account.password_hash is not None,
        "createdAt": _when(account.created_at),
        "updatedAt": _when(account.updated_at),
    }


async def _erase_account(account: Account) -> None:
    account.email = None
    account.name = ""
    account.password_hash = None
    account.organisation = account.country = account.position = account.expertise = ""
    account.public_profile = False
    account.closed_at = datetime.now(UTC)
    await account.save()


async def _export_memberships(account: Account) -> list[dict[str, Any]]:
    rows = await Membership.filter(account_id=account.id).select_related("tenant").order_by("id")
    return [
        {
            "tenant": row.tenant.slug,
            "role": row.role.value if row.role else None,
            "communityRole": row.community_role.value if row.community_role else None,
            "inDirectory": row.in_directory,
            "createdAt": _when(row.created_at),
        }
        for row in rows
    ]


async def _erase_memberships(account: Account) -> None:
    await Membership.filter(account_id=account.id).delete()


async def _export_sessions(account: Account) -> list[dict[str, Any]]:
    rows = await AccountSession.filter(account_id=account.id).order_by("id")
    return [
        {
            "id": row.id,
            "label": row.label,
            "createdAt": _when(row.created_at),
            "expiresAt": _when(row.expires_at),
            "lastUsedAt": _when(row.last_used_at),
        }
        for row in rows
    ]


async def _erase_sessions(account: Account) -> None:
    await AccountSession.filter(account_id=account.id).delete()


async def _export_links(account: Account) -> list[dict[str, Any]]:
    rows = await AccountLink.filter(account_id=account.id).order_by("id")
    return [{"purpose": row.purpose.value, "createdAt": _when(row.created_at)} for row in rows]


async def _erase_links(account: Account) -> None:
    await AccountLink.filter(account_id=account.id).delete()


async def _export_revisions(account: Account) -> list[dict[str, Any]]:
    rows = (
        await Revision.filter(account_id=account.id)
        .order_by("id")
        .values("id", "content_type", "object_id", "version", "created_at")
    )
    return [
        {
            "id": row["id"],
            "contentType": row["content_type"],
            "objectId": row["object_id"],
            "version": row["version"],
            "createdAt": _when(row["created_at"]),
        }
        for row in rows
    ]


async def _erase_revisions(account: Account) -> None:
    """The revisions stay (the content's history) and keep the account id; the name goes."""
    await Revision.filter(account_id=account.id).update(author_name=FORMER_MEMBER)


async def _export_audit(account: Account) -> list[dict[str, Any]]:
    rows = (
        await AuditEntry.filter(account_id=account.id)
        .order_by("id")
        .values("id", "action", "content_type", "object_id", "created_at")
    )
    return [
        {
            "id": row["id"],
            "action": row["action"],
            "contentType": row["content_type"],
            "objectId": row["object_id"],
            "createdAt": _when(row["created_at"]),
        }
        for row in rows
    ]


async def _erase_audit(account: Account) -> None:
    """Audit entries stay with the account id (its pseudonym); the name goes."""
    await AuditEntry.filter(account_id=account.id).update(token_name=FORMER_MEMBER)


async def _export_joining(account: Account) -> dict[str, Any]:
    return await joining.export_personal_data(account)


async def _erase_joining(account: Account) -> None:
    await joining.erase_personal_data(account)


async def _export_invitations(account: Account) -> dict[str, Any]:
    """Invitations to the person's address, and those they sent (to whom is others' data)."""
    received = (
        await Invitation.filter(email=account.email or "").select_related("tenant").order_by("id")
        if account.email
        else []
    )
    sent = await Invitation.filter(invited_by_account_id=account.id).order_by("id")
    return {
        "received": [
            {
                "tenant": row.tenant.slug,
                "name": row.name,
                "role": row.role.value if row.role else None,
                "communityRole": row.community_role.value if row.community_role else None,
                "message": row.message,
                "createdAt": _when(row.created_at),
                "acceptedAt": _when(row.accepted_at),
            }
            for row in received
        ],
        "sent": [{"id": row.id, "createdAt": _when(row.created_at)} for row in sent],
    }


async def _erase_invitations(account: Account) -> None:
    if account.email:
        await Invitation.filter(email=account.email, accepted_at__isnull=True).delete()
        await Invitation.filter(email=account.email).update(email="", name="")
    await Invitation.filter(invited_by_account_id=account.id).update(invited_by=FORMER_MEMBER)


PARTS: tuple[Part, ...] = (
    Part("invitations", _export_invitations, _erase_invitations),
    Part("joining", _export_joining, _erase_joining),
    Part("memberships", _export_memberships, _erase_memberships),
    Part("sessions", _export_sessions, _erase_sessions),
    Part("links", _export_links, _erase_links),
    Part("revisions", _export_revisions, _erase_revisions),
    Part("auditEntries", _export_audit, _erase_audit),
    Part("account", _export_account, _erase_account),
)


async def export(account: Account) -> dict[str, Any]:
    """Everything stored about the person, part by part, as JSON."""
    return {part.name: await part.export(account) for part in PARTS}


async def erase(account: Account) -> None:
    """Erase every part (in the caller's transaction); the account row and its pseudonym
    stay, so that content and audit rows keep pointing at "former member"."""
    for part in PARTS:
        await part.erase(account)
