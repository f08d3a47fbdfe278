"""Content generations: what lets a cached public answer know, exactly, that it is out of date.

Every write that can change what a tenant's public may see bumps that tenant's generation in
its own transaction (`history.record` does it for every content write, media uploads and the
seeds for theirs); a write other tenants' public may see too (a shared knowledge-base item, a
tenant, what a shared item shows of its tenant) also bumps the SHARED generation, which every
cache key holds. Time is the other input of an answer: `next_change` is the next instant at
which something scheduled goes live, expires or an event ends, after which an answer may differ.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise import connections
from tortoise.expressions import Q
from tortoise.functions import Min

from cms import models
from cms.models import SHARED, Status
from cms.services.kinds import KINDS

# Kinds whose items other tenants may see (the knowledge base), and kinds that only show what
# a shared item points to (its tags, images and files), by outbox content type.
_SHAREABLE = {kind.name: kind for kind in KINDS.values() if kind.shareable}
_NEVER_SHARED = {kind.name for kind in KINDS.values() if not kind.shareable}
_SHOWN_BY_SHARED = {"Tag", "Image", "File"}


def _upsert(scope: int) -> str:
    # One statement on both databases; `scope` is an int, so it is written in safely.
    return (
        f"INSERT INTO content_generation (scope, value) VALUES ({int(scope)}, 1) "
        "ON CONFLICT (scope) DO UPDATE SET value = content_generation.value + 1"
    )


async def bump(tenant_id: int | None, *, shared: bool = False) -> None:
    """Count a change of what `tenant_id`'s public may see (and every tenant's, if `shared`),
    in the caller's transaction: the new generation is visible exactly when the change is."""
    connection = connections.get("default")
    if tenant_id is not None:
        await connection.execute_query(_upsert(tenant_id))
    if shared or tenant_id is None:
        await connection.execute_query(_upsert(SHARED))


async def tenant_changed(tenant_id: int) -> None:
    """A tenant was created or changed: its answers, and every answer that names it (other
    tenants' shared items, the tenant directory), may differ."""
    await bump(tenant_id, shared=True)


async def content_changed(
    content_type: str,
    tenant_id: int,
    object_id: int,
    operation: str,
    state: dict[str, Any] | None,
) -> None:
    """Bump for one write recorded by `history.record` (before its revision is written)."""
    shared = await _seen_by_others(content_type, tenant_id, object_id, operation, state)
    await bump(tenant_id, shared=shared)


async def _seen_by_others(
    content_type: str,
    tenant_id: int,
    object_id: int,
    operation: str,
    state: dict[str, Any] | None,
) -> bool:
    """Whether other tenants' public may have seen the item before or may see it after."""
    if content_type in _NEVER_SHARED:
        return False
    if content_type in _SHOWN_BY_SHARED:
        return await has_shared(tenant_id)
    if content_type not in _SHAREABLE:
        return True  # a type this module does not know: assume the worst
    if state is not None and state.get("shared"):
        return True
    if operation in ("create", "delete") and state is not None:
        return False  # nothing before a create; a delete's state is the item's last one
    # Tortoise types a flat values_list as tuples (tortoise-orm#1112): this is a snapshot.
    previous: Any = (
        await models.Revision.filter(content_type=content_type, object_id=object_id)
        .order_by("-version")
        .first()
        .values_list("snapshot", flat=True)
    )
    if not isinstance(previous, dict):
        return True  # no history (a bulk-written item): it may have been shared
    return bool(previous.get("shared"))


async def has_shared(tenant_id: int) -> bool:
    """Whether any item of the tenant is shared (so its tags, media and name reach others)."""
    for kind in _SHAREABLE.values():
        if await kind.model.filter(tenant_id=tenant_id, shared=True).exists():
            return True
    return False


async def current(tenant_id: int | None) -> tuple[int, int]:
    """The generations of `tenant_id` (0 in the platform scope) and of shared items: one query."""
    scope = int(tenant_id) if tenant_id is not None else SHARED
    _, rows = await connections.get("default").execute_query(
        f"SELECT scope, value FROM content_generation WHERE scope IN ({SHARED}, {scope})"
    )
    values = {int(row[0]): int(row[1]) for row in rows}
    own = values.get(scope, 0) if tenant_id is not None else 0
    return own, values.get(SHARED, 0)


async def next_change(tenant_id: int | None, now: datetime) -> datetime | None:
    """The first instant after `now` at which something the tenant's public may see goes live
    or expires, or one of its events ends (`when: UPCOMING` changes then); None if nothing is
    scheduled. Other tenants' shared items count too; drafts do not (publishing one is a write)."""
    found: list[datetime] = []
    published = Q(status=Status.PUBLISHED)
    for kind in KINDS.values():
        if tenant_id is None and not kind.shareable:
            continue
        if tenant_id is None:
            where = Q(shared=True)
        elif kind.shareable:
            where = Q(tenant_id=tenant_id) | Q(shared=True)
        else:
            where = Q(tenant_id=tenant_id)
        times = {
            "live": Min("published_at", _filter=Q(published_at__gt=now)),
            "gone": Min("expires_at", _filter=Q(expires_at__gt=now)),
        }
        if kind.model is models.Event:
            times["ends"] = Min("end", _filter=Q(end__gt=now))
        rows = await kind.model.filter(where & published).annotate(**times).values(*times)
        for row in rows:
            found.extend(value for value in row.values() if isinstance(value, datetime))
    return min(found, default=None)
