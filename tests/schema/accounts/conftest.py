"""Fixtures of the account tests: an app with small attempt limits, and a client of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from cms.app import create_app
from cms.config import Settings
from tests.support.api import KNOWN_CODES

LIMITS = {"attempts_per_address": 4, "attempts_per_client": 8}

Clients = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.with_overrides(tenant_cache_seconds=0.0, **LIMITS)


@pytest.fixture
def client_at(app_settings: Settings, clean_database: None) -> Clients:
    """Clients of one app, each from the network address given (for the per-client limits)."""
    app = create_app(app_settings, manage_database=False)

    @asynccontextmanager
    async def open_client(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 4711))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
        ) as http:
            yield http

    return open_client
