"""Content generations: counters that every write bumps, so cached public answers know they
are out of date."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

# The row every tenant's cache key reads too: bumped by writes other tenants' public may see
# (shared knowledge-base items, and tenants, which every tenant's answers may name).
SHARED = 0


class ContentGeneration(Model):
    """How often what one tenant's public may see has changed (`scope` = tenant id, or
    SHARED for what every tenant may see)."""

    scope = fields.IntField(primary_key=True, generated=False)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "content_generation"
