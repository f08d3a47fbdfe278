"""Persisted GraphQL documents, known by the SHA-256 of their text (Apollo's persisted queries)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PersistedQuery(Model):
    """A GraphQL document stored once so clients (and CDNs) can name it by its hash.

    `trusted` documents come from an operator's manifest (`cms persisted-queries add`) and are
    the only ones that run in trusted-documents mode; the others were registered by clients
    through the automatic persisted query protocol and are bounded in number.
    """

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)
    body = fields.TextField()
    name = fields.CharField(max_length=200, null=True)
    trusted = fields.BooleanField(default=False, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "persisted_query"
