"""Several nodes on one database, each with its own index fed from the outbox at its own position.

Two real `cms serve` processes on loopback, each with its own data dir, share the test database
(PostgreSQL, or on SQLite the session's database file named by CMS_DATABASE_URL). On
PostgreSQL, a transaction that commits after a later one must not be skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from cms import outbox
from cms.config import Settings
from cms.models import OutboxConsumer
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from search_index import Audience, SearchScope, SearchService
from tests import factories
from tests.support.search import follow_from_start, pending_events
from tests.support.servers import serving_async

pytestmark = pytest.mark.anyio

CREATE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id } errors { field code } }
}"""
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { node { id } errors { field code } } }"
SEARCH = "query ($q: String!) { search(query: $q, first: 5) { totalCount } }"


@asynccontextmanager
async def _node(settings: Settings, data_dir: Path) -> AsyncIterator[str]:
    """`cms serve` on its own data dir and the shared database, until the block ends."""
    env: dict[str, str | None] = {"CMS_TENANT_CACHE_SECONDS": "0", "CMS_NODE_NAME": None}
    async with serving_async(data_dir, settings.database_url, env=env) as server:
        yield server.url


async def _post(url: str, query: str, variables: dict, headers: dict[str, str]) -> dict:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return dict(body["data"])


async def _write(url: str, headers: dict[str, str], title: str) -> None:
    created = await _post(url, CREATE, {"input": {"title": title, "kind": "TOOLKIT"}}, headers)
    assert created["createResource"]["errors"] == []
    published = await _post(
        url, PUBLISH, {"id": created["createResource"]["resource"]["id"]}, headers
    )
    assert published["publish"]["errors"] == []


async def _found(url: str, tenant: str, words: str) -> int:
    """Hits for `words` on a node, waiting a bounded while for its indexer to poll."""
    total = 0
    for _ in range(100):
        data = await _post(url, SEARCH, {"q": words}, {"X-CMS-Tenant": tenant})
        total = data["search"]["totalCount"]
        if total:
            break
        await asyncio.sleep(0.1)
    return int(total)


async def test_a_write_on_one_node_is_found_on_the_other_and_a_stopped_node_catches_up(
    app_settings: Settings, clean_database: None, tmp_path: Path
) -> None:
    owner = await factories.tenant()  # a database with a tenant: the nodes load no seed content
    _, value = await factories.token(owner)
    writer = {**factories.bearer(value), "X-CMS-Tenant": owner.slug}

    async with _node(app_settings, tmp_path / "a") as a:
        async with _node(app_settings, tmp_path / "b") as b:
            await _write(a, writer, "Quorate xylophone toolkit")
            assert await _found(b, owner.slug, "xylophone") == 1
            assert await _found(a, owner.slug, "xylophone") == 1
            names = set(await OutboxConsumer.all().values_list("name", flat=True))
            assert len(names) == 2  # one position per node, under names made once each
        # b is down: a write on a meanwhile...
        await _write(a, writer, "Marimba glockenspiel guide")
        assert await _found(a, owner.slug, "glockenspiel") == 1
        # ...reaches b's own index when it comes back (the same data dir, the same name).
        async with _node(app_settings, tmp_path / "b") as b:
            assert await _found(b, owner.slug, "glockenspiel") == 1
            assert await _found(b, owner.slug, "xylophone") == 1
    assert len(await OutboxConsumer.all()) == 2


async def test_a_transaction_committed_after_a_later_one_is_not_skipped(
    app_settings: Settings, clean_database: None, tmp_path: Path
) -> None:
    if not app_settings.database_url.startswith("postgres"):
        pytest.skip("SQLite commits one writer at a time: a later id never commits first there")
    owner = await factories.tenant()
    early = await content.create(
        SYSTEM, owner, KINDS["Resource"], {"title": "Early bassoon", "kind": "report"}
    )
    service = SearchService(tmp_path / "ix")
    await follow_from_start(service)
    await service.drain()

    # A writer draws its outbox id first and commits last.
    conn = await asyncpg.connect(app_settings.database_url)
    try:
        slow = conn.transaction()
        await slow.start()
        await conn.execute("UPDATE resource SET status = 'published', published_at = now()")
        await conn.execute(
            "INSERT INTO outbox_event (tenant_id, content_type, object_id, operation, created_at)"
            " VALUES ($1, 'Resource', $2, 'publish', now())",
            owner.id,
            early.id,
        )
        late = await content.create(
            SYSTEM, owner, KINDS["Resource"], {"title": "Late bassoon", "kind": "report"}
        )
        await content.publish(SYSTEM, KINDS["Resource"], late.id)
        before = await outbox.position_of(service.indexer.consumer)
        await service.drain()
        # The open transaction holds the reader back: nothing after it is taken either.
        assert await outbox.position_of(service.indexer.consumer) == before
        await slow.commit()
    finally:
        await conn.close()
    await service.drain()
    assert await pending_events(service) == 0
    audience = Audience(tenant_id=owner.id, now=datetime.now(UTC), scope=SearchScope.SITE)
    found = await service.search("bassoon", audience)
    assert sorted(f.row.id for f in found.found) == sorted([early.id, late.id])
    service.searching.close()


async def test_old_events_go_once_every_node_has_them_and_an_absent_node_stops_holding_them(
    clean_database: None, tmp_path: Path
) -> None:
    owner = await factories.tenant()
    first, second = SearchService(tmp_path / "a"), SearchService(tmp_path / "b")
    await first.drain()
    await second.drain()  # both registered (each rebuilt its empty index)
    await content.create(SYSTEM, owner, KINDS["Resource"], {"title": "Oboe", "kind": "report"})
    await first.drain()
    now = datetime.now(UTC)
    await outbox.purge(now, timedelta(days=1))
    assert await pending_events(second) == 1  # second has not applied it: it stays
    await second.drain()
    await outbox.purge(now, timedelta(days=1))
    assert await outbox.pending(outbox.START, 100) == []  # every node had them: gone

    # A node unseen for longer than the keep period no longer holds events back...
    await content.create(SYSTEM, owner, KINDS["Resource"], {"title": "Tuba", "kind": "report"})
    await first.drain()
    later = datetime.now(UTC) + timedelta(days=2)
    await OutboxConsumer.filter(name=first.indexer.consumer).update(seen_at=later)
    await outbox.purge(later, timedelta(days=1))
    assert await outbox.position_of(second.indexer.consumer) is None
    assert await outbox.pending(outbox.START, 100) == []
    # ...and rebuilds when it comes back, so it misses nothing.
    await second.drain()
    audience = Audience(tenant_id=owner.id, now=datetime.now(UTC), scope=SearchScope.SITE)
    assert await outbox.position_of(second.indexer.consumer) is not None
    assert (await second.search("tuba", audience)).page.total == 0  # drafts stay unfound
    assert await second.document_count() == 2
    first.searching.close()
    second.searching.close()


async def test_a_node_whose_index_is_empty_answers_searches(
    clean_database: None, tmp_path: Path
) -> None:
    owner = await factories.tenant()
    service = SearchService(tmp_path / "ix")
    await service.drain()  # a database without content: an index without documents
    audience = Audience(tenant_id=owner.id, now=datetime.now(UTC), scope=SearchScope.SITE)
    assert (await service.search("anything", audience)).page.total == 0
    service.searching.close()
