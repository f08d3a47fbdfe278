"""The search index in tests: indexing what is pending now instead of waiting for the poller."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.applications import Starlette

from cms import outbox
from search_index import SearchService


async def index(app: Starlette) -> int:
    """Drain the outbox into the app's index now (the lifespan poller does it in production)."""
    return await app.state.search.drain()


async def follow_from_start(service: SearchService) -> None:
    """Make the service's index an empty one that has applied no outbox event yet."""
    service.store.open_or_create().close()
    await outbox.register(service.indexer.consumer, outbox.START, datetime.now(UTC))


async def pending_events(service: SearchService) -> int:
    """Outbox events the service's index has not applied yet."""
    position = await outbox.position_of(service.indexer.consumer) or outbox.START
    return len(await outbox.pending(position, 1_000_000))
