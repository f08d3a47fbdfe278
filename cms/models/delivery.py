"""Delivery to sites: webhooks and their deliveries, the schedule clock, site routes, redirects."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from cms.models.base import DelimitedListField

if TYPE_CHECKING:
    from cms.models.tenants import Tenant


class WebhookEvent(StrEnum):
    """What a webhook may subscribe to; the value is the `type` of a delivery's body."""

    PUBLISHED = "content.published"
    UPDATED = "content.updated"
    UNPUBLISHED = "content.unpublished"
    DELETED = "content.deleted"
    WENT_LIVE = "content.went_live"
    EXPIRED = "content.expired"
    PING = "webhook.ping"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Webhook(Model):
    """A receiver of one tenant's changes: a URL, the events it wants and its signing secret."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="webhooks", on_delete=fields.CASCADE
    )
    tenant_id: int
    url = fields.CharField(max_length=1000)
    events = DelimitedListField()
    # `whsec_` and base64 of the key, as Standard Webhooks writes secrets.
    secret = fields.CharField(max_length=100)
    active = fields.BooleanField(default=True)
    description = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    deliveries: fields.ReverseRelation[WebhookDelivery]

    class Meta:
        table = "webhook"


class WebhookDelivery(Model):
    """One event for one webhook: sent until a 2xx answers, retried with backoff, then failed.

    `event_key` is unique per webhook, so two processes that fan out the same outbox event
    make one delivery; `lease` is bumped by whoever claims the row to send it.
    """

    id = fields.BigIntField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "models.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    webhook_id: int
    event_key = fields.CharField(max_length=100)
    event = fields.CharField(max_length=40)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField()
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    lease = fields.IntField(default=0)
    last_status_code = fields.IntField(null=True)
    last_duration_ms = fields.IntField(null=True)
    last_error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    attempt_log: fields.ReverseRelation[WebhookAttempt]

    class Meta:
        table = "webhook_delivery"
        unique_together = (("webhook_id", "event_key"),)
        indexes = (("status", "next_attempt_at"),)


class WebhookAttempt(Model):
    """One POST of a delivery: when, the answer's status code (none if no answer), how long."""

    id = fields.BigIntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "models.WebhookDelivery", related_name="attempt_log", on_delete=fields.CASCADE
    )
    delivery_id: int
    started_at = fields.DatetimeField()
    status_code = fields.IntField(null=True)
    duration_ms = fields.IntField()
    error = fields.CharField(max_length=300, default="")

    class Meta:
        table = "webhook_attempt"


class ScheduleClock(Model):
    """Up to when scheduled times (went live, expired) have been turned into outbox events."""

    name = fields.CharField(max_length=50, primary_key=True)
    until = fields.DatetimeField()

    class Meta:
        table = "schedule_clock"


class SiteRoutes(Model):
    """A tenant's front end: its base URL and the route pattern of each kind's public page."""

    id = fields.IntField(primary_key=True)
    tenant: fields.OneToOneRelation[Tenant] = fields.OneToOneField(
        "models.Tenant", related_name="site_routes", on_delete=fields.CASCADE
    )
    tenant_id: int
    base_url = fields.CharField(max_length=500, default="")
    # Kind name -> pattern such as "/news/{slug}"; kinds not named use the defaults.
    patterns: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "site_routes"


class Redirect(Model):
    """An old slug (or page path) of an item, which keeps answering with the item."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="redirects", on_delete=fields.CASCADE
    )
    tenant_id: int
    content_type = fields.CharField(max_length=32)
    object_id = fields.IntField()
    old_key = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "redirect"
        unique_together = (("tenant_id", "content_type", "old_key"),)
