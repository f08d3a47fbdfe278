"""API tokens: who may read drafts and write, in which tenant, with which role."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"


class ApiToken(Model):
    """A bearer token, stored only as a SHA-256 hash. No tenant means a platform admin."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="tokens", null=True, on_delete=fields.RESTRICT
    )
    role = fields.CharEnumField(Role, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
