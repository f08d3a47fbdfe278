"""Webhook delivery in the background: scheduled events, fan-out from the outbox, sending.

Each process runs one `DeliveryService` (started in the app's lifespan, like the search
poller). Every round it
1. turns scheduled times that have passed into outbox events (`live`, `expire`) once: the
   `ScheduleClock` row is moved forward by compare-and-set in the same transaction as the
   events, so two processes never emit one twice and a restart emits what passed meanwhile;
2. fans the outbox out to each webhook, which reads it as its own consumer (`webhook:<id>`):
   the move of its position (compare-and-set) and its new deliveries commit together, so each
   event becomes one delivery per webhook whatever the number of processes;
3. sends due deliveries, each claimed by bumping its `lease` (compare-and-set), signed as
   Standard Webhooks does, and POSTed to the addresses the target check resolved
   (`cms/targets.py`: no second lookup to rebind); a non-2xx answer or no answer is retried
   with exponential backoff until the retry window ends, then the delivery is failed. Every
   attempt is logged.
A slow or failing receiver holds up only its own deliveries: sends run as separate tasks with
a timeout, and neither search nor another webhook waits on them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from cms import models, outbox, signing
from cms.background import Periodic
from cms.config import Settings
from cms.models import Audience, DeliveryStatus, Status, WebhookEvent
from cms.outbox import Position
from cms.services.kinds import KINDS
from cms.targets import Target, TargetRefused, pinned
from cms.urls import DEFAULT_PATTERNS, routes_of

log = logging.getLogger("cms.delivery")

CLOCK = "schedule"
BATCH = 200
IN_FLIGHT_WAITS = 200  # of 50 ms: how long an explicit round waits for held-back events
SENDING = 8  # deliveries in flight per process
TICK_SECONDS = 1.0

OPERATIONS = {
    "publish": WebhookEvent.PUBLISHED,
    "unpublish": WebhookEvent.UNPUBLISHED,
    "archive": WebhookEvent.UNPUBLISHED,
    "delete": WebhookEvent.DELETED,
    "update": WebhookEvent.UPDATED,
    "move": WebhookEvent.UPDATED,
    "live": WebhookEvent.WENT_LIVE,
    "expire": WebhookEvent.EXPIRED,
}


def _now() -> datetime:
    return datetime.now(UTC)


def global_id(kind: str, pk: int) -> str:
    """The item's id as the API writes it (`schema.core.ids.to_global_id`)."""
    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode().rstrip("=")


class _Lost(Exception):
    """Another process moved the position or the clock first: this round's work is undone."""


async def tick(now: datetime) -> int:
    """Emit `live` and `expire` outbox events for scheduled times in (clock, now]; once."""
    clock = await models.ScheduleClock.get_or_none(name=CLOCK)
    if clock is None:
        with contextlib.suppress(IntegrityError):
            await models.ScheduleClock.create(name=CLOCK, until=now)
        return 0
    since = clock.until
    if now <= since:
        return 0
    emitted = 0
    try:
        async with in_transaction():
            moved = await models.ScheduleClock.filter(name=CLOCK, until=since).update(until=now)
            if moved != 1:
                raise _Lost
            for kind in KINDS.values():
                window = Q(published_at__gt=since, published_at__lte=now) | Q(
                    expires_at__gt=since, expires_at__lte=now
                )
                rows = await kind.model.filter(window, status=Status.PUBLISHED).values(
                    "id", "tenant_id", "published_at", "expires_at", "updated_at"
                )
                for row in rows:
                    published, expires = row["published_at"], row["expires_at"]
                    updated = row["updated_at"]
                    # Only times set in advance: a publish or expiry written when it was
                    # already due has its own write event.
                    if published is not None and since < published <= now and published > updated:
                        await _emit(kind.name, row, "live")
                        emitted += 1
                    if expires is not None and since < expires <= now and expires > updated:
                        await _emit(kind.name, row, "expire")
                        emitted += 1
    except _Lost:
        return 0
    return emitted


async def _emit(content_type: str, row: dict[str, Any], operation: str) -> None:
    await models.OutboxEvent.create(
        tenant_id=row["tenant_id"],
        content_type=content_type,
        object_id=row["id"],
        operation=operation,
    )


async def payload_of(event: outbox.Event, tenant: models.Tenant) -> dict[str, Any] | None:
    """The body of a delivery of `event`, or None when no webhook event matches it."""
    kind = KINDS.get(event.content_type)
    operation = event.operation.split(":", 1)[0]
    wanted = WebhookEvent.UPDATED if operation == "revert" else OPERATIONS.get(operation)
    if kind is None or wanted is None or event.content_type not in DEFAULT_PATTERNS:
        return None
    row = await kind.model.get_or_none(id=event.object_id, tenant_id=tenant.id)
    if row is not None:
        slug, path, version = row.slug, str(getattr(row, "path", "") or ""), row.version
        if wanted is WebhookEvent.UPDATED and row.status != Status.PUBLISHED:
            return None  # a draft's edits concern no site
        published_at = row.published_at.isoformat() if row.published_at else None
        audience = row.audience.value
    else:
        last = (
            await models.Revision.filter(
                content_type=kind.name, object_id=event.object_id, tenant_id=tenant.id
            )
            .order_by("-version")
            .first()
        )
        if last is None:
            return None
        slug = str(last.snapshot.get("slug", ""))
        path = str(last.snapshot.get("path", "") or "")
        version, published_at = last.version, None
        audience = str(last.snapshot.get("audience", Audience.PUBLIC.value))
    routes = await routes_of(tenant)
    return {
        "event": wanted.value,
        "tenant": tenant.slug,
        "kind": kind.name,
        "id": global_id(kind.name, event.object_id),
        "slug": slug,
        "path": path or None,
        "version": version,
        "publishedAt": published_at,
        # Names the item only (no body); a site tells members-only pages apart by this.
        "audience": audience,
        "url": routes.url(kind.name, slug=slug, path=path, object_id=event.object_id),
        "time": _now().isoformat(),
    }


async def fan_out(now: datetime) -> int:
    """Turn new outbox events into deliveries for every active webhook; returns how many."""
    webhooks = {w.id: w for w in await models.Webhook.filter(active=True)}
    if not webhooks:
        return 0
    names = {f"webhook:{wid}": wid for wid in webhooks}
    consumers = await models.OutboxConsumer.filter(name__in=list(names))
    positions = {names[c.name]: Position(c.txid, c.position) for c in consumers}
    for wid in webhooks.keys() - positions.keys():  # new, or dropped as unseen: from now on
        head = await outbox.head()
        await outbox.register(f"webhook:{wid}", head, now)
        positions[wid] = head
    start = min(positions.values())
    events = await outbox.pending(start, BATCH)
    if not events:
        return 0
    tenants = {
        t.id: t for t in await models.Tenant.filter(id__in={w.tenant_id for w in webhooks.values()})
    }
    made = 0
    payloads: dict[tuple[int, int], dict[str, Any] | None] = {}
    for wid, position in positions.items():
        webhook = webhooks[wid]
        mine = [e for e in events if e.position > position]
        if not mine:
            continue
        rows = []
        for event in mine:
            if event.tenant_id != webhook.tenant_id:
                continue
            key = (event.position.id, webhook.tenant_id)
            if key not in payloads:
                payloads[key] = await payload_of(event, tenants[webhook.tenant_id])
            body = payloads[key]
            if body is None or body["event"] not in webhook.events:
                continue
            rows.append(
                models.WebhookDelivery(
                    webhook_id=wid,
                    event_key=f"outbox:{event.position.txid}:{event.position.id}",
                    event=body["event"],
                    payload=body,
                    next_attempt_at=now,
                )
            )
        last = mine[-1].position
        try:
            async with in_transaction():
                moved = await models.OutboxConsumer.filter(
                    name=f"webhook:{wid}", txid=position.txid, position=position.id
                ).update(txid=last.txid, position=last.id, seen_at=now)
                if moved != 1:
                    raise _Lost
                if rows:
                    await models.WebhookDelivery.bulk_create(rows)
                made += len(rows)
        except _Lost:
            continue
    return made


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: the first retry's wait, doubled each time."""
    return timedelta(seconds=settings.webhook_retry_seconds * 2 ** max(attempts - 1, 0))


async def post_pinned(
    client: httpx.AsyncClient, target: Target, body: bytes, headers: dict[str, str]
) -> httpx.Response:
    """POST to the target's checked addresses in turn until one takes the connection.

    The URL names the address, so nothing resolves the host again; the Host header and the TLS
    server name (which the certificate is checked against) stay the host's.
    """
    url = httpx.URL(target.url)
    named = {**headers, "Host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": url.raw_host.decode("ascii")} if url.scheme == "https" else {}

    async def to(address: str) -> httpx.Response:
        return await client.post(
            url.copy_with(host=address), content=body, headers=named, extensions=extensions
        )

    *others, last = target.addresses
    for address in others:
        with contextlib.suppress(httpx.ConnectError):  # nothing was sent: try the next one
            return await to(address)
    return await to(last)


class DeliveryService:
    """One per process: the schedule clock, the fan-out and the sender, polled in the background."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._sending: set[asyncio.Task[None]] = set()
        self._ticked = float("-inf")
        self._job = Periodic(
            "webhook-delivery", lambda: self.round(wait=False), settings.webhook_poll_seconds
        )

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        """Stop after the round under way and the sends in flight (each bounded by the
        webhook timeout): cancelled inside a transaction, they could leave it holding the
        connection (`cms.background`)."""
        await self._job.stop()
        await asyncio.gather(*list(self._sending), return_exceptions=True)

    async def round(self, *, wait: bool = True) -> None:
        """One round: scheduled events (once a second), fan-out, and the due sends."""
        if time.monotonic() - self._ticked >= TICK_SECONDS or wait:
            self._ticked = time.monotonic()
            await tick(_now())
        if wait:
            # Committed events can be held behind a transaction still open elsewhere on the
            # PostgreSQL server (cms/outbox.py): an explicit round waits a moment for them.
            for _ in range(IN_FLIGHT_WAITS):
                if not await outbox.in_flight(outbox.START):
                    break
                await asyncio.sleep(0.05)
        await fan_out(_now())
        await self.send_due()
        if wait:
            await asyncio.gather(*list(self._sending), return_exceptions=True)

    async def send_due(self) -> int:
        """Claim due deliveries and send each in its own task; returns how many were claimed."""
        room = SENDING - len(self._sending)
        if room <= 0:
            return 0
        now = _now()
        due = (
            await models.WebhookDelivery.filter(
                Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
                status=DeliveryStatus.PENDING,
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at", "id")
            .limit(room)
        )
        hold = now + timedelta(seconds=self.settings.webhook_timeout_seconds + 30)
        claimed = 0
        for delivery in due:
            won = await models.WebhookDelivery.filter(id=delivery.id, lease=delivery.lease).update(
                lease=delivery.lease + 1, claimed_until=hold
            )
            if won != 1:
                continue  # another process claimed it
            delivery.lease += 1
            claimed += 1
            task = asyncio.create_task(self._send(delivery))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
        return claimed

    async def _send(self, delivery: models.WebhookDelivery) -> None:
        webhook = await models.Webhook.get(id=delivery.webhook_id)
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        started = _now()
        clock = time.perf_counter()
        status_code: int | None = None
        error = ""
        try:
            target = await pinned(webhook.url, allow_private=self.settings.webhook_allow_private)
            headers = signing.headers(
                webhook.secret, f"msg_{delivery.id}", int(started.timestamp()), body
            )
            async with httpx.AsyncClient(
                transport=self._transport,
                timeout=self.settings.webhook_timeout_seconds,
                follow_redirects=False,
                trust_env=False,
            ) as client:
                response = await post_pinned(client, target, body, headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except TargetRefused as refused:
            error = str(refused)[:300]
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:300]
        duration = int((time.perf_counter() - clock) * 1000)
        await self._record(delivery, webhook, started, status_code, duration, error)

    async def _record(
        self,
        delivery: models.WebhookDelivery,
        webhook: models.Webhook,
        started: datetime,
        status_code: int | None,
        duration: int,
        error: str,
    ) -> None:
        now = _now()
        attempts = delivery.attempts + 1
        changes: dict[str, Any] = {
            "attempts": attempts,
            "last_status_code": status_code,
            "last_duration_ms": duration,
            "last_error": error,
            "claimed_until": None,
        }
        if not error:
            changes.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now)
        else:
            retry_at = now + backoff(self.settings, attempts)
            window = timedelta(hours=self.settings.webhook_retry_hours)
            if retry_at - delivery.created_at > window:
                changes["status"] = DeliveryStatus.FAILED
                log.warning("webhook %s: delivery %s failed for good", webhook.id, delivery.id)
            else:
                changes["next_attempt_at"] = retry_at
        async with in_transaction():
            await models.WebhookAttempt.create(
                delivery_id=delivery.id,
                started_at=started,
                status_code=status_code,
                duration_ms=duration,
                error=error,
            )
            await models.WebhookDelivery.filter(id=delivery.id, lease=delivery.lease).update(
                **changes
            )
