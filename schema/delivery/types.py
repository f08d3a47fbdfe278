"""Webhooks as their tenant's admins see them, with their delivery log."""

from __future__ import annotations

from datetime import datetime

import strawberry

from cms import models
from schema.core.ids import to_global_id

DELIVERY_LOG = 50  # deliveries listed per webhook, newest first


@strawberry.type(name="WebhookAttempt", description="One POST of a delivery.")
class WebhookAttemptType:
    model: strawberry.Private[models.WebhookAttempt]

    @strawberry.field(description="When the POST started.")
    def started_at(self) -> datetime:
        return self.model.started_at

    @strawberry.field(description="The answer's HTTP status; null when there was no answer.")
    def status_code(self) -> int | None:
        return self.model.status_code

    @strawberry.field(description="How long the POST took, in milliseconds.")
    def duration_ms(self) -> int:
        return self.model.duration_ms

    @strawberry.field(description="Why it failed (empty on success).")
    def error(self) -> str:
        return self.model.error


@strawberry.type(name="WebhookDelivery", description="One event sent (or to send) to a webhook.")
class WebhookDeliveryType:
    model: strawberry.Private[models.WebhookDelivery]

    @strawberry.field(description="The delivery's id (its `webhook-id` header is msg_<number>).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("WebhookDelivery", self.model.id))

    @strawberry.field(description="The event, e.g. content.published.")
    def event(self) -> str:
        return self.model.event

    @strawberry.field(description="pending, succeeded or failed.")
    def status(self) -> str:
        return self.model.status.value

    @strawberry.field(description="POSTs made so far.")
    def attempts(self) -> int:
        return self.model.attempts

    @strawberry.field(description="The last answer's HTTP status, if any.")
    def last_status_code(self) -> int | None:
        return self.model.last_status_code

    @strawberry.field(description="How long the last POST took, in milliseconds.")
    def last_duration_ms(self) -> int | None:
        return self.model.last_duration_ms

    @strawberry.field(description="Why the last POST failed (empty on success).")
    def last_error(self) -> str:
        return self.model.last_error

    @strawberry.field(description="When the next POST is due (pending deliveries).")
    def next_attempt_at(self) -> datetime:
        return self.model.next_attempt_at

    @strawberry.field(description="When a 2xx answered.")
    def delivered_at(self) -> datetime | None:
        return self.model.delivered_at

    @strawberry.field(description="When the delivery was made.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="The JSON body sent, as text.")
    def body(self) -> str:
        import json

        return json.dumps(self.model.payload, separators=(",", ":"), sort_keys=True)

    @strawberry.field(description="Every POST of this delivery, in order.")
    async def log(self) -> list[WebhookAttemptType]:
        rows = await models.WebhookAttempt.filter(delivery_id=self.model.id).order_by("id")
        return [WebhookAttemptType(model=row) for row in rows]


@strawberry.type(name="Webhook", description="A receiver of this tenant's changes.")
class WebhookType:
    model: strawberry.Private[models.Webhook]

    @strawberry.field(description="The webhook's id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Webhook", self.model.id))

    @strawberry.field(description="Where deliveries are POSTed.")
    def url(self) -> str:
        return self.model.url

    @strawberry.field(description="The events it is sent (content.published, …).")
    def events(self) -> list[str]:
        return list(self.model.events)

    @strawberry.field(description="Whether deliveries are made.")
    def active(self) -> bool:
        return self.model.active

    @strawberry.field(description="A note for the admins.")
    def description(self) -> str:
        return self.model.description

    @strawberry.field(description="When it was made.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description=f"The latest deliveries, newest first (at most {DELIVERY_LOG}).")
    async def deliveries(self) -> list[WebhookDeliveryType]:
        rows = (
            await models.WebhookDelivery.filter(webhook_id=self.model.id)
            .order_by("-id")
            .limit(DELIVERY_LOG)
        )
        return [WebhookDeliveryType(model=row) for row in rows]
