"""The search index in tests: indexing what is pending now instead of waiting for the poller."""

from __future__ import annotations

from starlette.applications import Starlette


async def index(app: Starlette) -> int:
    """Drain the outbox into the app's index now (the lifespan poller does it in production)."""
    return await app.state.search.drain()
