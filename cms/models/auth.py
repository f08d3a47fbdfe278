"""API tokens: who may read drafts and write, in which tenant, with which role."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from cms.models.history import AuditEntry, Revision
    from cms.models.people import Organisation
    from cms.models.tenants import Tenant


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"


class ApiToken(Model):
    """A bearer token, stored only as a SHA-256 hash. No tenant means a platform admin."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="tokens", null=True, on_delete=fields.RESTRICT
    )
    tenant_id: int | None
    # A token bound to an organisation acts for that institute in the tenant's data
    # framework (cms/services/genderdata.py); null for every other token.
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="tokens", null=True, on_delete=fields.SET_NULL
    )
    organisation_id: int | None
    role = fields.CharEnumField(Role, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    revisions: fields.ReverseRelation[Revision]
    audit_entries: fields.ReverseRelation[AuditEntry]

    class Meta:
        table = "api_token"
