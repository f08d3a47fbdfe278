"""What every write leaves behind: a revision, an audit entry and an outbox event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from cms.models.accounts import Account
    from cms.models.auth import ApiToken
    from cms.models.tenants import Tenant


class Revision(Model):
    """A full snapshot of a content item after a write, numbered by the item's version."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="revisions", on_delete=fields.RESTRICT
    )
    tenant_id: int
    content_type = fields.CharField(max_length=32)
    object_id = fields.IntField()
    version = fields.IntField()
    operation = fields.CharField(max_length=32)
    snapshot: fields.JSONField[dict[str, Any]] = fields.JSONField()
    token: fields.ForeignKeyNullableRelation[ApiToken] = fields.ForeignKeyField(
        "models.ApiToken", related_name="revisions", null=True, on_delete=fields.SET_NULL
    )
    token_id: int | None
    author_name = fields.CharField(max_length=100, default="")
    # The person who saved it, when one did (their name is in `author_name` until they close
    # their account, which rewrites it to "former member").
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="revisions", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "revision"
        unique_together = (("content_type", "object_id", "version"),)


class AuditEntry(Model):
    """Who did what to which item, when, and with which token (kept after tokens go)."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="audit_entries", on_delete=fields.RESTRICT
    )
    tenant_id: int
    token: fields.ForeignKeyNullableRelation[ApiToken] = fields.ForeignKeyField(
        "models.ApiToken", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    token_id: int | None
    token_name = fields.CharField(max_length=100, default="")
    # The person who did it, kept (with their pseudonym) after they close their account.
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="audit_entries", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    action = fields.CharField(max_length=32)
    content_type = fields.CharField(max_length=32)
    object_id = fields.IntField()
    version = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_entry"
        indexes = (("tenant_id", "created_at"),)


class OutboxEvent(Model):
    """A change for derived data (search index, webhooks) to consume, written with the change.

    On PostgreSQL the table also has a `txid` column the model does not declare, filled by the
    database with the writing transaction's id (see `cms.outbox`); on SQLite it is 0.
    """

    id = fields.BigIntField(primary_key=True)
    tenant_id = fields.IntField()
    content_type = fields.CharField(max_length=32)
    object_id = fields.IntField()
    operation = fields.CharField(max_length=32)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox_event"


class OutboxConsumer(Model):
    """One reader of the outbox (a node's search index, say) and the last event it applied."""

    name = fields.CharField(max_length=100, primary_key=True)
    # The (txid, id) of the last event applied, in the order `cms.outbox` reads events.
    txid = fields.BigIntField(default=0)
    position = fields.BigIntField(default=0)
    seen_at = fields.DatetimeField()

    class Meta:
        table = "outbox_consumer"
