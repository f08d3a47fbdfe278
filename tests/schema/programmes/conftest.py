"""Fixtures: an app with its own index directory, so outcomes can be searched."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from cms.app import create_app
from cms.config import Settings
from tests.support.api import KNOWN_CODES


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(tenant_cache_seconds=0.0, data_dir=tmp_path)


@pytest.fixture
def app(app_settings: Settings, clean_database: None) -> Starlette:
    return create_app(app_settings, manage_database=False)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    ) as http:
        yield http
    app.state.search.searching.close()
