"""The tenant directory of every process follows tenant writes: each process's directory is a
separate cache over the one database, so two directories stand for two processes."""

from __future__ import annotations

import pytest

from cms.services.content import SYSTEM
from cms.services.tenants import create_tenant, update_tenant
from cms.tenancy import TenantDirectory
from tests import factories

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]


async def test_a_tenant_write_reloads_every_directory_at_its_next_recheck() -> None:
    await factories.tenant(slug="old")
    # Both cache for an hour; the second rechecks the generation on every lookup.
    writer = TenantDirectory(ttl_seconds=3600)
    other = TenantDirectory(ttl_seconds=3600, recheck_seconds=0.0)
    assert await writer.by_slug("old") is not None and await other.by_slug("new") is None
    # A row written behind the services' back stays unseen until the hour is up: it is cached.
    await factories.tenant(slug="sneaky")
    assert await other.by_slug("sneaky") is None

    await create_tenant(
        SYSTEM, {"slug": "new", "name": "New", "kind": "cop", "domains": ["new.example.org"]}
    )
    seen = await other.by_domain("new.example.org")
    assert seen is not None and seen.slug == "new"
    assert await other.by_slug("sneaky") is not None  # the reload read everything
    # The writing process itself is told at once (the API calls invalidate after a write).
    assert await writer.by_slug("new") is None
    writer.invalidate()
    assert await writer.by_slug("new") is not None

    await update_tenant(SYSTEM, "new", {"domains": ["renamed.example.org"]})
    assert await other.by_domain("new.example.org") is None
    moved = await other.by_domain("renamed.example.org")
    assert moved is not None and moved.slug == "new"
