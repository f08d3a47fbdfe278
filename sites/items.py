"""The public items of one tenant that feeds, calendars and sitemaps list, and their validator.

Only the tenant's own live published items (`cms.tenancy.published_q`): never a draft, a
scheduled or expired item, or another tenant's item, shared or not. Each list is bounded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cms import models
from cms.tenancy import published_q


@dataclass(frozen=True)
class Listing:
    """What a feed is made of: the rows, and a validator that changes whenever they do."""

    rows: list[models.ContentModel]
    etag: str
    last_modified: datetime | None


async def public_items(
    model: type[models.ContentModel],
    tenant: models.Tenant,
    now: datetime,
    limit: int,
    order: tuple[str, ...] = ("-published_at", "-id"),
) -> list[models.ContentModel]:
    query = model.filter(published_q(now), tenant_id=tenant.id).order_by(*order).limit(limit)
    return list(await query)


def validator(
    name: str, tenant: models.Tenant, rows: list[models.ContentModel], routes_key: str
) -> tuple[str, datetime | None]:
    """An ETag over the listed items' ids and versions (and the routes), and Last-Modified."""
    digest = hashlib.sha256(f"{name}:{tenant.id}:{tenant.updated_at}:{routes_key}".encode())
    for row in rows:
        digest.update(f"|{row.id}:{row.version}".encode())
    changed = [t for row in rows for t in (row.updated_at, row.published_at) if t is not None]
    return f'"{digest.hexdigest()[:32]}"', max(changed, default=None)
