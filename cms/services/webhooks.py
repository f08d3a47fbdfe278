"""Webhooks of a tenant and its site routes: create, change, delete, ping, redeliver.

Only the tenant's admins manage them (`Permission.MANAGE_WEBHOOKS`). Each operation is one
transaction with its audit entry. A new webhook becomes an outbox consumer at the outbox's head
in the same transaction, so it receives every change made after it exists and nothing before.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from cms import models, outbox
from cms.auth import Permission, Principal, require
from cms.config import Settings
from cms.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from cms.models import DeliveryStatus, WebhookEvent
from cms.services import history
from cms.services.validation import is_web_url
from cms.signing import new_secret
from cms.targets import TargetRefused, check_target
from cms.urls import pattern_problem

SUBSCRIBABLE = [e for e in WebhookEvent if e is not WebhookEvent.PING]
MAX_WEBHOOKS = 20  # per tenant: each is a consumer that holds outbox events until it reads them


def consumer_name(webhook_id: int) -> str:
    """The outbox consumer of a webhook."""
    return f"webhook:{webhook_id}"


def _now() -> datetime:
    return datetime.now(UTC)


async def _checked(
    settings: Settings, url: str | None, events: list[str] | None, errors: list[FieldError]
) -> None:
    if url is not None:
        try:
            await check_target(url.strip(), allow_private=settings.webhook_allow_private)
        except TargetRefused as refused:
            errors.append(FieldError("url", str(refused), ErrorCode.UNSAFE_TARGET))
    if events is not None:
        unknown = [e for e in events if e not in {w.value for w in SUBSCRIBABLE}]
        if unknown or not events:
            errors.append(
                FieldError(
                    "events",
                    f"Choose among {', '.join(e.value for e in SUBSCRIBABLE)}.",
                    ErrorCode.INVALID_CHOICE,
                )
            )


async def create(
    principal: Principal,
    settings: Settings,
    tenant: models.Tenant,
    url: str,
    events: list[str],
    description: str = "",
) -> models.Webhook:
    """A webhook of `tenant` that is sent the `events` from now on, with a fresh secret."""
    require(principal, Permission.MANAGE_WEBHOOKS, tenant.id)
    errors: list[FieldError] = []
    await _checked(settings, url, events, errors)
    if len(description) > 300:
        errors.append(FieldError("description", "At most 300 characters.", ErrorCode.TOO_LONG))
    if await models.Webhook.filter(tenant_id=tenant.id).count() >= MAX_WEBHOOKS:
        errors.append(
            FieldError("url", f"A tenant has at most {MAX_WEBHOOKS} webhooks.", ErrorCode.TOO_LONG)
        )
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        row = await models.Webhook.create(
            tenant_id=tenant.id,
            url=url.strip(),
            events=list(dict.fromkeys(events)),
            secret=new_secret(),
            description=description,
        )
        await outbox.register(consumer_name(row.id), await outbox.head(), _now())
        await history.audit(principal, "create", "Webhook", tenant.id, row.id)
    return row


async def _own(principal: Principal, webhook_id: int) -> models.Webhook:
    row = await models.Webhook.get_or_none(id=webhook_id)
    if row is None or not principal.can(Permission.MANAGE_WEBHOOKS, row.tenant_id):
        raise NotFound("No webhook you may manage has this id.", field="id")
    return row


async def get(principal: Principal, webhook_id: int) -> models.Webhook:
    """A webhook the caller may manage (NOT_FOUND for others', as for ids that name nothing)."""
    return await _own(principal, webhook_id)


async def update(
    principal: Principal,
    settings: Settings,
    webhook_id: int,
    *,
    url: str | None = None,
    events: list[str] | None = None,
    active: bool | None = None,
    description: str | None = None,
    rotate_secret: bool = False,
) -> models.Webhook:
    """Change a webhook's URL, events, active flag or description, or give it a new secret."""
    row = await _own(principal, webhook_id)
    errors: list[FieldError] = []
    await _checked(settings, url, events, errors)
    if description is not None and len(description) > 300:
        errors.append(FieldError("description", "At most 300 characters.", ErrorCode.TOO_LONG))
    if errors:
        raise ValidationFailed(errors)
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url.strip()
    if events is not None:
        changes["events"] = list(dict.fromkeys(events))
    if active is not None:
        changes["active"] = active
    if description is not None:
        changes["description"] = description
    if rotate_secret:
        changes["secret"] = new_secret()
    async with in_transaction():
        row.update_from_dict(changes)
        await row.save()
        await history.audit(principal, "update", "Webhook", row.tenant_id, row.id)
    return row


async def delete(principal: Principal, webhook_id: int) -> None:
    """Remove a webhook, its deliveries, and its outbox position (it no longer holds events)."""
    row = await _own(principal, webhook_id)
    async with in_transaction():
        await models.OutboxConsumer.filter(name=consumer_name(row.id)).delete()
        await history.audit(principal, "delete", "Webhook", row.tenant_id, row.id)
        await row.delete()


async def ping(principal: Principal, webhook_id: int) -> models.WebhookDelivery:
    """Queue a `webhook.ping` delivery, sent and logged as any other."""
    row = await _own(principal, webhook_id)
    tenant = await models.Tenant.get(id=row.tenant_id)
    now = _now()
    payload = {"event": WebhookEvent.PING.value, "tenant": tenant.slug, "time": now.isoformat()}
    async with in_transaction():
        delivery = await models.WebhookDelivery.create(
            webhook_id=row.id,
            event_key=f"ping:{uuid.uuid4().hex}",
            event=WebhookEvent.PING.value,
            payload=payload,
            next_attempt_at=now,
        )
        await history.audit(principal, "ping", "Webhook", row.tenant_id, row.id)
    return delivery


async def redeliver(principal: Principal, delivery_id: int) -> models.WebhookDelivery:
    """Send a delivery's body again, as a new delivery (with its own id and retries)."""
    old = await models.WebhookDelivery.get_or_none(id=delivery_id)
    if old is None:
        raise NotFound("No delivery you may manage has this id.", field="id")
    webhook = await _own(principal, old.webhook_id)
    async with in_transaction():
        delivery = await models.WebhookDelivery.create(
            webhook_id=webhook.id,
            event_key=f"redeliver:{old.id}:{uuid.uuid4().hex[:12]}",
            event=old.event,
            payload=old.payload,
            next_attempt_at=_now(),
            status=DeliveryStatus.PENDING,
        )
        await history.audit(principal, "redeliver", "Webhook", webhook.tenant_id, webhook.id)
    return delivery


async def set_site_routes(
    principal: Principal, tenant: models.Tenant, base_url: str | None, patterns: dict[str, str]
) -> models.SiteRoutes:
    """Set the tenant's front-end base URL and route patterns (kinds not named keep theirs)."""
    require(principal, Permission.MANAGE_WEBHOOKS, tenant.id)
    errors: list[FieldError] = []
    for kind, pattern in patterns.items():
        problem = pattern_problem(kind, pattern)
        if problem is not None:
            errors.append(FieldError("patterns", problem, ErrorCode.INVALID_PATTERN))
    if base_url:
        if len(base_url) > 500 or not is_web_url(base_url):
            errors.append(FieldError("baseUrl", "Expected an http(s) URL.", ErrorCode.INVALID_URL))
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        row, _ = await models.SiteRoutes.get_or_create(tenant_id=tenant.id)
        if base_url is not None:
            row.base_url = base_url.rstrip("/")
        row.patterns = {**(row.patterns or {}), **patterns}
        await row.save()
        await history.audit(principal, "update", "SiteRoutes", tenant.id, tenant.id)
    return row
