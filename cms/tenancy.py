"""Tenant resolution and the visibility rules every read goes through."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from cms.errors import UnknownTenant
from cms.models import Audience, DirectoryGeneration, Status, Tenant

TENANT_HEADER = "x-cms-tenant"


@dataclass(frozen=True)
class Scope:
    """Who is reading: the request's tenant (None = platform scope), the instant of reading,
    whether the caller may preview that tenant's drafts and scheduled items, and whether the
    caller reads that tenant's members-only items (`Principal.reads_members_of`)."""

    tenant: Tenant | None
    now: datetime
    preview: bool = False
    member: bool = False

    @property
    def tenant_id(self) -> int | None:
        return self.tenant.id if self.tenant is not None else None


class TenantDirectory:
    """Slugs and domains of every tenant, cached per process.

    Tenants change rarely and every request needs one, so a lookup per request would be the
    most frequent query of the app. Every tenant write (`cms.services.tenants`, the seed
    loader) bumps one generation row in its transaction; each process reads that row at most
    every `recheck_seconds` (one primary-key read) and reloads the tenants when it moved, so a
    change made through any process is seen by all within a second, and at once by the process
    that wrote it (`invalidate`). Whatever bypasses the services (raw SQL, a restore) is still
    seen within `ttl_seconds`, when the directory reloads anyway. `ttl_seconds <= 0` reloads on
    every request (tests that write tenants between requests).
    """

    def __init__(self, ttl_seconds: float = 5.0, recheck_seconds: float = 1.0) -> None:
        self.ttl_seconds = ttl_seconds
        self.recheck_seconds = min(recheck_seconds, ttl_seconds)
        self._loaded_at = float("-inf")
        self._checked_at = float("-inf")
        self._generation: int | None = None
        self._by_slug: dict[str, Tenant] = {}
        self._by_domain: dict[str, Tenant] = {}
        self._by_id: dict[int, Tenant] = {}

    def invalidate(self) -> None:
        """Reload on the next lookup: this process just wrote a tenant."""
        self._loaded_at = float("-inf")

    async def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._loaded_at < self.ttl_seconds:
            if now - self._checked_at < self.recheck_seconds:
                return
            self._checked_at = now
            if await _generation() == self._generation:
                return
        # Only a cache that lasts compares generations (tests reload on every request).
        generation = await _generation() if self.ttl_seconds > 0 else None
        tenants = await Tenant.all()
        self._by_slug = {t.slug: t for t in tenants}
        self._by_domain = {d.lower(): t for t in tenants for d in t.domains}
        self._by_id = {t.id: t for t in tenants}
        self._generation = generation
        self._loaded_at = self._checked_at = time.monotonic()

    def ancestor_ids(self, tenant: Tenant) -> list[int]:
        """The ids of the tenant's parent, its parent's parent…, from what was last loaded."""
        found: list[int] = []
        parent_id = tenant.parent_id
        while parent_id is not None and parent_id not in found and parent_id != tenant.id:
            found.append(parent_id)
            parent = self._by_id.get(parent_id)
            parent_id = parent.parent_id if parent is not None else None
        return found

    async def by_id(self, tenant_id: int) -> Tenant | None:
        await self._refresh()
        return self._by_id.get(tenant_id)

    async def by_slug(self, slug: str) -> Tenant | None:
        await self._refresh()
        return self._by_slug.get(slug)

    async def by_domain(self, host: str) -> Tenant | None:
        """The tenant with `host` (a bare host name, no port) among its domains."""
        await self._refresh()
        return self._by_domain.get(host.lower())

    async def resolve(self, host: str | None, header_slug: str | None) -> Tenant | None:
        """The tenant a request addresses: Host first, then the header, else the platform."""
        await self._refresh()
        if host:
            tenant = self._by_domain.get(_strip_port(host).lower())
            if tenant is not None:
                return tenant
        if header_slug is not None:
            slug = header_slug.strip()
            tenant = self._by_slug.get(slug)
            if tenant is None:
                raise UnknownTenant(f"No tenant has the slug {slug[:64]!r}.")
            return tenant
        return None


async def _generation() -> int | None:
    rows = await DirectoryGeneration.filter(id=1).values("generation")
    return int(rows[0]["generation"]) if rows else None


def _strip_port(host: str) -> str:
    if host.startswith("["):  # an IPv6 literal: [::1]:8000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def live_q(now: datetime) -> Q:
    """Items in their public life, whoever their audience: published, with a publication time
    that has passed, and not expired (an expiry at or before the reading instant ends it)."""
    unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    return Q(status=Status.PUBLISHED, published_at__lte=now) & unexpired


def published_q(now: datetime) -> Q:
    """Items the public may see: live, and for everyone (not members-only). Whatever serves
    anonymous readers without a Scope (feeds, sitemaps, media, webhooks) reads through this."""
    return live_q(now) & Q(audience=Audience.PUBLIC)


def audience_q(tenant_id: int | None, *, member: bool) -> Q:
    """The audiences a reader may see: public items, and the request's own tenant's
    members-only items when the caller reads them (`Scope.member`). Another tenant's
    members-only item is never seen, even when it is shared: sharing does not widen its
    audience. In the platform scope there are no members."""
    if member and tenant_id is not None:
        return Q(audience=Audience.PUBLIC) | Q(tenant_id=tenant_id)
    return Q(audience=Audience.PUBLIC)


def readable_q(scope: Scope) -> Q:
    """Live items of an audience the reader may see (`live_q` and `audience_q`); a caller who
    may preview the tenant (a hub's token below it, too) sees everything of it anyway."""
    member = scope.member or scope.preview
    return live_q(scope.now) & audience_q(scope.tenant_id, member=member)


def owned_q(scope: Scope) -> Q:
    """Items of the request's own tenant (nothing in the platform scope)."""
    if scope.tenant_id is None:
        return Q(id__in=[])
    return Q(tenant_id=scope.tenant_id)


def knowledge_base_q(scope: Scope, *, include_shared: bool) -> Q:
    """Own items, plus other tenants' shared ones when asked (always, in the platform scope)."""
    if scope.tenant_id is None:
        return Q(shared=True)
    if include_shared:
        return Q(tenant_id=scope.tenant_id) | Q(shared=True)
    return Q(tenant_id=scope.tenant_id)


def visible_q(scope: Scope, *, shareable: bool) -> Q:
    """What a reader may see of a kind when reached by id or relation, not by a list.

    A caller who may preview the tenant also sees its drafts, scheduled, expired and archived
    items, members-only ones included.
    """
    where = knowledge_base_q(scope, include_shared=True) if shareable else owned_q(scope)
    public = where & readable_q(scope)
    if scope.preview and scope.tenant_id is not None:
        return public | Q(tenant_id=scope.tenant_id)
    return public


def listed_q(
    scope: Scope, *, shareable: bool, include_shared: bool, statuses: list[Status] | None
) -> Q:
    """What a list shows: live published items, unless a previewing caller asks by status.

    Other tenants' shared items are only ever their live published ones.
    """
    where = knowledge_base_q(scope, include_shared=include_shared) if shareable else owned_q(scope)
    public = where & readable_q(scope)
    if statuses is None:
        return public
    if not (scope.preview and scope.tenant_id is not None):
        return public & Q(status__in=statuses)
    own = Q(tenant_id=scope.tenant_id, status__in=statuses)
    if Status.PUBLISHED in statuses:
        return own | public
    return own
