"""Fixtures: one migrated database per run (SQLite or PostgreSQL), emptied before each test."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from tortoise import connections

from cms import db, passwords
from cms.app import create_app
from cms.config import Settings
from tests.support.api import KNOWN_CODES
from tests.support.database import SQLCounter, admin_url, tables
from tests.support.mail import Inbox, smtp_server


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """CMS_TEST_DATABASE_URL's server with a database made for this run, else a SQLite file."""
    base = os.environ.get("CMS_TEST_DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "asyncpg://")):
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    import asyncpg

    admin, name = admin_url(base.replace("asyncpg://", "postgres://", 1))
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(base)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("data")
    # A loaded CI machine must not turn a search partial: the suite never depends on the wall
    # clock (the deadline test moves the budget's clock itself).
    # argon2id at its cheapest: the suite hashes many passwords and must stay fast.
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret",
        search_time_ms=600_000,
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )
    passwords.configure(settings)
    return settings


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    await db.init(settings)
    yield
    await db.close()


@pytest.fixture
async def clean_database(database: None) -> AsyncIterator[None]:
    """An empty, migrated database; every test that touches the database asks for it."""
    conn = connections.get("default")
    for table in tables():
        if table == "tenant":
            await conn.execute_script("UPDATE tenant SET parent_id = NULL")
        await conn.execute_script(f'DELETE FROM "{table}"')
    yield


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    # Tests write tenants between requests; a cached directory would hide them.
    return settings.with_overrides(tenant_cache_seconds=0.0)


@pytest.fixture
async def client(app_settings: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(app_settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    ) as http:
        yield http


@pytest.fixture
def sql_counter() -> Iterator[SQLCounter]:
    logger = logging.getLogger("tortoise.db_client")
    counter = SQLCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A real SMTP server on loopback for the test; deliver to it with `support.mail.deliver`."""
    with smtp_server() as received:
        yield received
