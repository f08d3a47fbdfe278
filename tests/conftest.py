"""Fixtures: one migrated database per run (SQLite or PostgreSQL), emptied before each test."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from tortoise import Tortoise, connections

from cms import db
from cms.app import create_app
from cms.config import Settings
from cms.errors import ErrorCode

JSON_TYPES = ("application/json", "application/graphql-response+json")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _admin_url(url: str) -> tuple[str, str]:
    """The server URL with the maintenance database, and a fresh database name."""
    parts = urlsplit(url)
    name = f"cms_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    return urlunsplit(parts._replace(path="/postgres")), name


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """CMS_TEST_DATABASE_URL's server with a database made for this run, else a SQLite file."""
    base = os.environ.get("CMS_TEST_DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "asyncpg://")):
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    import asyncpg

    admin, name = _admin_url(base.replace("asyncpg://", "postgres://", 1))
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
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret",
        search_time_ms=600_000,
    )


@pytest.fixture(scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    await db.init(settings)
    yield
    await db.close()


def _tables() -> list[str]:
    """Every table, link tables first, so deleting in this order never breaks a foreign key."""
    links: list[str] = []
    tables: list[str] = []
    for model in Tortoise.apps[db.APP_LABEL].values():
        tables.append(model._meta.db_table)
        for field in model._meta.m2m_fields:
            through = model._meta.fields_map[field].through  # type: ignore[attr-defined]
            if through not in links:
                links.append(through)
    order = [
        "resource_author",
        "resource",
        "video",
        "event",
        "news_item",
        "page",
        "profile",
        "organisation",
        "tag",
        "image",
        "file",
        "tenant",
    ]
    rest = [t for t in tables if t not in order]
    return links + rest + [t for t in order if t in tables]


@pytest.fixture
async def clean_database(database: None) -> AsyncIterator[None]:
    """An empty, migrated database; every test that touches the database asks for it."""
    conn = connections.get("default")
    for table in _tables():
        if table == "tenant":
            await conn.execute_script("UPDATE tenant SET parent_id = NULL")
        await conn.execute_script(f'DELETE FROM "{table}"')
    yield


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    # Tests write tenants between requests; a cached directory would hide them.
    return settings.with_overrides(tenant_cache_seconds=0.0)


def emitted_codes(body: Any) -> Iterator[str]:
    """Every error code in a GraphQL response: `extensions.code` and `reason`, payload errors."""
    stack = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            for error in value.get("errors") or ():
                if not isinstance(error, dict):
                    continue
                extensions = error.get("extensions") or {}
                found = (error.get("code"), extensions.get("code"), extensions.get("reason"))
                yield from (code for code in found if code is not None)
            stack.extend(value.values())


async def known_codes_only(response: httpx.Response) -> None:
    """Every code the server emits in any test is a member of ErrorCode."""
    if response.headers.get("content-type", "").startswith(JSON_TYPES):
        await response.aread()
        unknown = set(emitted_codes(response.json())) - set(ErrorCode)
        assert not unknown, f"codes outside ErrorCode: {unknown}"


# Event hooks for any test client: every response is checked for codes outside ErrorCode.
KNOWN_CODES: dict[str, list[Any]] = {"response": [known_codes_only]}


@pytest.fixture
async def client(app_settings: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(app_settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=KNOWN_CODES
    ) as http:
        yield http


class SQLCounter(logging.Handler):
    """Counts the SQL statements Tortoise sends while it is installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.statements.append(message)


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


async def graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a GraphQL request, addressed to a tenant by header when given."""
    sent = {"Accept": "application/graphql-response+json"}
    if tenant is not None:
        sent["X-CMS-Tenant"] = tenant
    sent.update(headers or {})
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=sent
    )


async def data_of(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str | None = None,
) -> dict[str, Any]:
    """The `data` of a request that must succeed without errors."""
    response = await graphql(client, query, variables, tenant=tenant)
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return body["data"]


async def errors_of(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    tenant: str | None = None,
) -> list[dict[str, Any]]:
    """The errors of a request that must fail."""
    body = (await graphql(client, query, variables, tenant=tenant)).json()
    assert body.get("errors"), body
    return body["errors"]
