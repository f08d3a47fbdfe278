"""Join requests and enquiries: asked in public, confirmed by a mailed link, then decided or
delivered (issue 16).

The flow of a join request: `request_to_join` (anyone) stores it unconfirmed with the hash of a
token and mails the link; `confirm_join_request` puts it in the queue of the tenant's
coordinators and mails them; a coordinator (or an admin) approves it, which invites the
requester as a member (`cms.services.invitations.invite`), or declines it, and the requester is
told by mail either way. An enquiry is confirmed the same way and then mailed to the tenant's
contact. Nothing reaches anyone before the address is confirmed.

What an anonymous caller can trigger is bounded: every field's size, attempts per client per
hour and per address per day (`JoiningAttempt` rows, so the limits hold across processes), a
honeypot field (a filled one is answered as a success and does nothing), and retention: `purge`
deletes unconfirmed rows, declined requests and delivered enquiries after their periods. The
answers never tell whether an address asked before or is a member: such a caller is answered as
anyone else, and only the address's owner learns it, by mail.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from cms.auth import Permission, Principal, hash_token
from cms.config import Settings
from cms.errors import (
    CMSError,
    ErrorCode,
    FieldError,
    LimitExceeded,
    NotFound,
    RuleBroken,
    ValidationFailed,
)
from cms.models import (
    Account,
    CommunityRole,
    Enquiry,
    EnquiryState,
    EnquiryTopic,
    JoiningAttempt,
    JoinRequest,
    JoinRequestState,
    Membership,
    Tenant,
)
from cms.passwords import normalise_email
from cms.services import community, history, invitations, mail
from cms.services.validation import EMAIL

log = logging.getLogger("cms.joining")

JOIN_TOKEN = "join_"
ENQUIRY_TOKEN = "enquiry_"
TOKEN_MAX = 200
# The longest each field may be, by its API name.
LIMITS = {
    "name": 200,
    "email": 254,
    "organisation": 200,
    "country": 100,
    "position": 200,
    "motivation": 4000,
    "message": 4000,
}
CLIENT_WINDOW = timedelta(hours=1)
ADDRESS_WINDOW = timedelta(days=1)


class NotAccepting(CMSError):
    """A tenant that takes no join requests, or has nowhere to deliver an enquiry."""

    code = ErrorCode.NOT_ACCEPTING


class ConfirmationInvalid(CMSError):
    """A confirmation token that is malformed, expired, used, or of another tenant."""

    code = ErrorCode.INVALID_CONFIRMATION_TOKEN


def _now() -> datetime:
    return datetime.now(UTC)


def may_coordinate(principal: Principal | None, tenant_id: int) -> bool:
    """Whether the caller sees and decides the tenant's join requests: its coordinators (a
    community role held in that very tenant) and its admins."""
    if principal is None:
        return False
    if principal.can(Permission.MANAGE_COMMUNITY, tenant_id):
        return True
    return principal.community is CommunityRole.COORDINATOR and principal.tenant_id == tenant_id


# Fields of one line: their runs of whitespace (newlines too) become one space, as they end up
# in mail subjects and headers.
ONE_LINE = {"name", "organisation", "country", "position"}


def _text(field: str, value: str, errors: list[FieldError], *, required: bool) -> str:
    text = " ".join(value.split()) if field in ONE_LINE else value.strip()
    if required and not text:
        errors.append(FieldError(field, "Required.", ErrorCode.REQUIRED))
    elif len(text) > LIMITS[field]:
        errors.append(FieldError(field, f"At most {LIMITS[field]} characters.", ErrorCode.TOO_LONG))
    return text


def _address(value: str, errors: list[FieldError]) -> str:
    address = normalise_email(value)
    if not address:
        errors.append(FieldError("email", "Required.", ErrorCode.REQUIRED))
    elif len(address) > LIMITS["email"] or not EMAIL.match(address):
        errors.append(
            FieldError(
                "email",
                "Expected an email address such as name@example.org.",
                ErrorCode.INVALID_EMAIL,
            )
        )
    return address


def _attempt_key(settings: Settings, what: str, value: str) -> str:
    """A keyed hash, so the attempts table holds neither client addresses nor e-mails."""
    secret = settings.resolved_secret_key().encode()
    return hmac.new(secret, f"{what}:{value}".encode(), hashlib.sha256).hexdigest()


async def _count_attempt(settings: Settings, client: str, address: str, now: datetime) -> None:
    """Record an attempt of this client and address, then refuse it past either limit.

    Written before counting and outside the request's transaction, so two processes that race
    each see the other's attempt (the limit may refuse one too many, never allow one more)."""
    by_client = _attempt_key(settings, "client", client)
    by_address = _attempt_key(settings, "address", address)
    bounds = (
        (by_client, settings.joining_per_client_hour, CLIENT_WINDOW),
        (by_address, settings.joining_per_address_day, ADDRESS_WINDOW),
    )
    await JoiningAttempt.bulk_create([JoiningAttempt(key=key, at=now) for key, _, _ in bounds])
    for key, limit, window in bounds:
        if await JoiningAttempt.filter(key=key, at__gt=now - window).count() > limit:
            raise LimitExceeded(
                "Too many requests from here or for this address: try again later.",
                field="email",
            )


def _new_token(prefix: str) -> tuple[str, str]:
    """A token for a link and the hash that is stored."""
    token = prefix + secrets.token_urlsafe(32)
    return token, hash_token(token)


def _usable(token: str, prefix: str) -> str | None:
    """The stored hash a well-formed token would have, or None for a malformed one."""
    token = token.strip()
    if not token.startswith(prefix) or len(token) > TOKEN_MAX:
        return None
    return hash_token(token)


# Join requests.


@dataclass(frozen=True)
class JoinInput:
    """What a requester sends; `website` is the honeypot a person never sees."""

    name: str
    email: str
    organisation: str
    country: str
    position: str
    motivation: str
    consent: bool
    privacy_version: int
    website: str = ""


async def request_to_join(
    settings: Settings,
    tenant: Tenant,
    given: JoinInput,
    *,
    client: str,
    now: datetime | None = None,
) -> None:
    """Store an unconfirmed request and mail its confirmation link; answers the same whether
    or not the address asked before or is a member (then a notice is mailed instead)."""
    now = now or _now()
    if given.website.strip():
        log.info("join request to %s: honeypot filled; ignored", tenant.slug)
        return
    row = await community.settings_of(tenant.id)
    if not row.accepts_join_requests:
        raise NotAccepting(f"{tenant.name} does not take join requests.")
    errors: list[FieldError] = []
    values: dict[str, Any] = {
        "name": _text("name", given.name, errors, required=True),
        "email": _address(given.email, errors),
        "organisation": _text("organisation", given.organisation, errors, required=False),
        "country": _text("country", given.country, errors, required=False),
        "position": _text("position", given.position, errors, required=False),
        "motivation": _text("motivation", given.motivation, errors, required=False),
    }
    if not given.consent:
        errors.append(
            FieldError("consent", "Consent to the privacy text is required.", ErrorCode.REQUIRED)
        )
    if given.privacy_version != row.privacy_version:
        errors.append(
            FieldError(
                "privacyVersion",
                f"The privacy text changed (now version {row.privacy_version}): show it again.",
                ErrorCode.STALE_PRIVACY_VERSION,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    address = values["email"]
    await _count_attempt(settings, client, address, now)
    async with in_transaction():
        if await _is_member(tenant.id, address):
            await _notice(tenant, address, "You are already a member of this community.")
            return
        if await JoinRequest.exists(
            tenant_id=tenant.id, email=address, state=JoinRequestState.PENDING
        ):
            await _notice(tenant, address, "Your request to join is already with its coordinators.")
            return
        token, digest = _new_token(JOIN_TOKEN)
        await JoinRequest.create(
            tenant_id=tenant.id,
            **values,
            privacy_version=row.privacy_version,
            token_hash=digest,
            token_expires_at=now + timedelta(hours=settings.unconfirmed_retention_hours),
        )
        link = await mail.link(settings, tenant, "confirm-join", token)
        await mail.enqueue(
            purpose="join-confirm",
            tenant_id=tenant.id,
            recipient=address,
            subject=f"Confirm your request to join {tenant.name}",
            body=(
                f"Hello {values['name']},\n\n"
                f"someone (we hope you) asked to join {tenant.name} with this address. To send "
                f"the request to its coordinators, open this link within "
                f"{settings.unconfirmed_retention_hours:g} hours:\n\n{link}\n\n"
                "If it was not you, ignore this message: the request is deleted unconfirmed."
            ),
        )


async def _is_member(tenant_id: int, address: str) -> bool:
    return await Membership.exists(tenant_id=tenant_id, account__email=address)


async def _notice(tenant: Tenant, address: str, what: str) -> None:
    """Tell only the address's owner why nothing new happened."""
    await mail.enqueue(
        purpose="join-notice",
        tenant_id=tenant.id,
        recipient=address,
        subject=f"Your request to join {tenant.name}",
        body=(
            f"Hello,\n\nsomeone (we hope you) asked to join {tenant.name} with this address. "
            f"{what} Nothing else needs doing.\n\nIf it was not you, ignore this message."
        ),
    )


async def confirm_join_request(
    settings: Settings, tenant: Tenant | None, token: str, *, now: datetime | None = None
) -> JoinRequest:
    """Move a request into the coordinators' queue and tell them by mail."""
    now = now or _now()
    digest = _usable(token, JOIN_TOKEN)
    found = await JoinRequest.get_or_none(token_hash=digest) if digest else None
    if (
        found is None
        or found.state is not JoinRequestState.UNCONFIRMED
        or found.token_expires_at is None
        or found.token_expires_at <= now
        or (tenant is not None and found.tenant_id != tenant.id)
    ):
        raise ConfirmationInvalid(
            "This confirmation link is not valid (it may have expired or been used).",
            field="token",
        )
    owner = await Tenant.get(id=found.tenant_id)
    async with in_transaction():
        moved = await JoinRequest.filter(id=found.id, token_hash=digest).update(
            state=JoinRequestState.PENDING, confirmed_at=now, token_hash=None, token_expires_at=None
        )
        if moved != 1:
            raise ConfirmationInvalid("This confirmation link was just used.", field="token")
        duplicate = await JoinRequest.filter(
            tenant_id=found.tenant_id, email=found.email, state=JoinRequestState.PENDING
        ).exclude(id=found.id)
        if duplicate:  # two requests confirmed: the queue keeps the first
            await JoinRequest.filter(id=found.id).delete()
            return duplicate[0]
        await found.refresh_from_db()
        await _tell_coordinators(settings, owner, found)
    return found


async def _coordinator_addresses(tenant_id: int) -> list[str]:
    rows = await Account.filter(
        memberships__tenant_id=tenant_id,
        memberships__community_role=CommunityRole.COORDINATOR,
        email__isnull=False,
        closed_at__isnull=True,
    ).values_list("email", flat=True)
    return sorted({str(email) for email in rows})


async def _tell_coordinators(settings: Settings, tenant: Tenant, row: JoinRequest) -> None:
    """Mail the coordinators (or, while there are none, the community's contact)."""
    recipients = await _coordinator_addresses(tenant.id)
    if not recipients:
        contact = community.contact_of(tenant, await community.settings_of(tenant.id))
        recipients = [contact] if contact else []
    body = (
        f"{row.name} <{row.email}> asks to join {tenant.name}.\n\n"
        f"Organisation: {row.organisation or '-'}\nCountry: {row.country or '-'}\n"
        f"Position or career stage: {row.position or '-'}\n\nMotivation:\n{row.motivation or '-'}"
        f"\n\nThey consented to version {row.privacy_version} of the privacy text. Approve or "
        "decline the request in the join request queue."
    )
    for recipient in recipients:
        await mail.enqueue(
            purpose="join-request",
            tenant_id=tenant.id,
            recipient=recipient,
            subject=f"Join request from {row.name} ({tenant.name})",
            body=body,
        )


async def queued(principal: Principal | None, request_id: int) -> JoinRequest:
    """A confirmed request the caller may decide (NOT_FOUND for any other id)."""
    row = await JoinRequest.get_or_none(id=request_id)
    if (
        row is None
        or row.state is JoinRequestState.UNCONFIRMED
        or not may_coordinate(principal, row.tenant_id)
    ):
        raise NotFound("No join request you may decide has this id.", field="id")
    return row


def _message(message: str) -> str:
    text = message.strip()
    if len(text) > LIMITS["message"]:
        raise ValidationFailed(
            [FieldError("message", f"At most {LIMITS['message']} characters.", ErrorCode.TOO_LONG)]
        )
    return text


async def _decide(
    principal: Principal, row: JoinRequest, state: JoinRequestState, message: str, now: datetime
) -> None:
    """Move a pending request to `state` (compare-and-set, in the caller's transaction)."""
    moved = await JoinRequest.filter(id=row.id, state=JoinRequestState.PENDING).update(
        state=state, decided_at=now, decided_by=principal.name[:200], decision_message=message
    )
    if moved != 1:
        raise RuleBroken(
            ErrorCode.INVALID_TRANSITION, f"This join request is already {row.state.value}."
        )
    await history.audit(principal, state.value, "JoinRequest", row.tenant_id, row.id)


async def approve(
    principal: Principal,
    settings: Settings,
    request_id: int,
    message: str = "",
    *,
    now: datetime | None = None,
) -> JoinRequest:
    """Approve a pending request: the requester is invited as a member, and the invitation's
    mail (with the coordinator's message) tells them."""
    row = await queued(principal, request_id)
    text = _message(message)
    tenant = await Tenant.get(id=row.tenant_id)
    async with in_transaction():
        await _decide(principal, row, JoinRequestState.APPROVED, text, now or _now())
        said = f"Your request to join {tenant.name} was approved."
        invitation = await invitations.invite(
            principal,
            tenant,
            settings=settings,
            email=row.email,
            name=row.name,
            community_role=CommunityRole.MEMBER,
            message=f"{said}\n\n{text}" if text else said,
        )
        await JoinRequest.filter(id=row.id).update(invitation_id=invitation)
    await row.refresh_from_db()
    return row


async def decline(
    principal: Principal,
    settings: Settings,
    request_id: int,
    message: str = "",
    *,
    now: datetime | None = None,
) -> JoinRequest:
    """Decline a pending request and tell the requester, with the coordinator's message."""
    row = await queued(principal, request_id)
    text = _message(message)
    tenant = await Tenant.get(id=row.tenant_id)
    async with in_transaction():
        await _decide(principal, row, JoinRequestState.DECLINED, text, now or _now())
        await mail.enqueue(
            purpose="join-declined",
            tenant_id=tenant.id,
            recipient=row.email,
            subject=f"Your request to join {tenant.name}",
            body=(
                f"Hello {row.name},\n\nthank you for your interest in {tenant.name}. Its "
                "coordinators have declined your request to join."
                + (f"\n\nTheir message:\n{text}" if text else "")
                + f"\n\nWe delete the request after {settings.declined_retention_days:g} days."
            ),
        )
    await row.refresh_from_db()
    return row


# Enquiries.


@dataclass(frozen=True)
class EnquiryInput:
    """A "get in touch" message; `website` is the honeypot."""

    name: str
    email: str
    organisation: str
    topic: EnquiryTopic
    message: str
    website: str = ""


async def send_enquiry(
    settings: Settings,
    tenant: Tenant,
    given: EnquiryInput,
    *,
    client: str,
    now: datetime | None = None,
) -> None:
    """Store an unconfirmed enquiry and mail its confirmation link to the sender."""
    now = now or _now()
    if given.website.strip():
        log.info("enquiry to %s: honeypot filled; ignored", tenant.slug)
        return
    if not community.contact_of(tenant, await community.settings_of(tenant.id)):
        raise NotAccepting(f"{tenant.name} has no contact address for enquiries.")
    errors: list[FieldError] = []
    values: dict[str, Any] = {
        "name": _text("name", given.name, errors, required=True),
        "email": _address(given.email, errors),
        "organisation": _text("organisation", given.organisation, errors, required=False),
        "message": _text("message", given.message, errors, required=True),
    }
    if errors:
        raise ValidationFailed(errors)
    await _count_attempt(settings, client, values["email"], now)
    token, digest = _new_token(ENQUIRY_TOKEN)
    async with in_transaction():
        await Enquiry.create(
            tenant_id=tenant.id,
            topic=given.topic,
            **values,
            token_hash=digest,
            token_expires_at=now + timedelta(hours=settings.unconfirmed_retention_hours),
        )
        link = await mail.link(settings, tenant, "confirm-enquiry", token)
        await mail.enqueue(
            purpose="enquiry-confirm",
            tenant_id=tenant.id,
            recipient=values["email"],
            subject=f"Confirm your message to {tenant.name}",
            body=(
                f"Hello {values['name']},\n\nto send your message to {tenant.name}, open this "
                f"link within {settings.unconfirmed_retention_hours:g} hours:\n\n{link}\n\n"
                "If it was not you, ignore this message: nothing is sent."
            ),
        )


async def confirm_enquiry(
    settings: Settings, tenant: Tenant | None, token: str, *, now: datetime | None = None
) -> Enquiry:
    """Deliver a confirmed enquiry to the tenant's contact address."""
    now = now or _now()
    digest = _usable(token, ENQUIRY_TOKEN)
    found = await Enquiry.get_or_none(token_hash=digest) if digest else None
    if (
        found is None
        or found.state is not EnquiryState.UNCONFIRMED
        or found.token_expires_at is None
        or found.token_expires_at <= now
        or (tenant is not None and found.tenant_id != tenant.id)
    ):
        raise ConfirmationInvalid(
            "This confirmation link is not valid (it may have expired or been used).",
            field="token",
        )
    owner = await Tenant.get(id=found.tenant_id)
    contact = community.contact_of(owner, await community.settings_of(owner.id))
    if not contact:
        raise NotAccepting(f"{owner.name} has no contact address for enquiries.")
    async with in_transaction():
        moved = await Enquiry.filter(id=found.id, token_hash=digest).update(
            state=EnquiryState.DELIVERED, delivered_at=now, token_hash=None, token_expires_at=None
        )
        if moved != 1:
            raise ConfirmationInvalid("This confirmation link was just used.", field="token")
        await mail.enqueue(
            purpose="enquiry",
            tenant_id=owner.id,
            recipient=contact,
            subject=f"Enquiry ({found.topic.value}) from {found.name}",
            body=(
                f"{found.name} <{found.email}>"
                + (f", {found.organisation}" if found.organisation else "")
                + f", writes about {found.topic.value} through the {owner.name} website "
                f"(the address is confirmed; reply to it):\n\n{found.message}"
            ),
        )
    await found.refresh_from_db()
    return found


# Retention.


@dataclass(frozen=True)
class Purged:
    """Rows deleted by one purge, by what they were."""

    unconfirmed_requests: int
    declined_requests: int
    unconfirmed_enquiries: int
    delivered_enquiries: int
    attempts: int

    @property
    def total(self) -> int:
        return (
            self.unconfirmed_requests
            + self.declined_requests
            + self.unconfirmed_enquiries
            + self.delivered_enquiries
            + self.attempts
        )


async def purge(settings: Settings, now: datetime | None = None) -> Purged:
    """Delete what is kept no longer: unconfirmed requests and enquiries, declined requests,
    delivered enquiries (each after its retention setting) and attempts past every window."""
    now = now or _now()
    unconfirmed = now - timedelta(hours=settings.unconfirmed_retention_hours)
    declined = now - timedelta(days=settings.declined_retention_days)
    delivered = now - timedelta(days=settings.enquiry_retention_days)
    return Purged(
        unconfirmed_requests=await JoinRequest.filter(
            state=JoinRequestState.UNCONFIRMED, created_at__lte=unconfirmed
        ).delete(),
        declined_requests=await JoinRequest.filter(
            state=JoinRequestState.DECLINED, decided_at__lte=declined
        ).delete(),
        unconfirmed_enquiries=await Enquiry.filter(
            state=EnquiryState.UNCONFIRMED, created_at__lte=unconfirmed
        ).delete(),
        delivered_enquiries=await Enquiry.filter(
            state=EnquiryState.DELIVERED, delivered_at__lte=delivered
        ).delete(),
        attempts=await JoiningAttempt.filter(
            at__lte=now - max(CLIENT_WINDOW, ADDRESS_WINDOW)
        ).delete(),
    )


async def purge_and_log(settings: Settings) -> None:
    """One round of the server's purge (a `cms.background.Periodic` job of the app, every
    `purge_minutes`, first after one interval so that a short-lived app never purges)."""
    purged = await purge(settings)
    if purged.total:
        log.info("purged %s", purged)


# Personal data (`myData`, `closeAccount`).


def _address_of(subject: str | Account) -> str:
    return normalise_email(subject if isinstance(subject, str) else subject.email or "")


def _exported(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()} for row in rows
    ]


async def export_personal_data(subject: str | Account) -> dict[str, Any]:
    """Every join request and enquiry sent with the address (of the account), as JSON values."""
    address = _address_of(subject)
    if not address:
        return {"joinRequests": [], "enquiries": []}
    requests = await JoinRequest.filter(email=address).order_by("id").values(
        "id", "state", "name", "email", "organisation", "country", "position",
        "motivation", "privacy_version", "created_at", "confirmed_at", "decided_at",
        "decision_message", tenant="tenant__slug",
    )  # fmt: skip
    enquiries = await Enquiry.filter(email=address).order_by("id").values(
        "id", "state", "topic", "name", "email", "organisation", "message",
        "created_at", "delivered_at", tenant="tenant__slug",
    )  # fmt: skip
    return {"joinRequests": _exported(requests), "enquiries": _exported(enquiries)}


async def erase_personal_data(subject: str | Account) -> int:
    """Delete every join request and enquiry sent with the address; how many rows went.

    The attempt counters hold only keyed hashes and leave within a day (`purge`)."""
    address = _address_of(subject)
    if not address:
        return 0
    async with in_transaction():
        requests = await JoinRequest.filter(email=address).delete()
        enquiries = await Enquiry.filter(email=address).delete()
    return requests + enquiries
