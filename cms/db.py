"""Tortoise configuration, start-up and migrations, shared by the app, the CLI and the tests."""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise import Tortoise
from tortoise.backends.sqlite.client import SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError
from tortoise.migrations.api import migrate as tortoise_migrate

from cms.config import Settings

APP_LABEL = "models"
MIGRATIONS_MODULE = "cms.migrations"


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The one Tortoise config dict for a database URL."""
    return {
        "connections": {"default": database_url},
        "apps": {
            APP_LABEL: {
                "models": ["cms.models"],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# For `tortoise -c cms.db.TORTOISE_ORM makemigrations`: the autodetector diffs the models
# against the committed migration files, so an in-memory database is enough.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


async def _begin_immediate(self: SqliteTransactionWrapper) -> None:
    """Open a SQLite transaction holding the write lock from its first statement.

    Tortoise begins with a plain (deferred) BEGIN: a transaction that reads and then writes
    fails at once with "database is locked" when another process (a second worker, its
    webhook clock, the mailer) committed in between, since SQLite cannot upgrade a stale read
    snapshot. BEGIN IMMEDIATE waits its turn instead (the busy timeout), so writes from
    several processes on one file queue rather than fail.
    """
    try:
        await self._connection.commit()
        await self._connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise TransactionManagementError(exc) from exc


SqliteTransactionWrapper.begin = _begin_immediate  # type: ignore[method-assign]


def database_url(settings: Settings) -> str:
    """The configured database URL, creating the data dir that a SQLite file lives in."""
    if settings.database_url.startswith("sqlite://"):
        settings.ensure_data_dir()
    return settings.database_url


async def migrate(settings: Settings) -> None:
    """Bring the database schema up to the latest committed migration."""
    await tortoise_migrate(config=tortoise_config(database_url(settings)))
    await Tortoise.close_connections()


async def init(settings: Settings, *, run_migrations: bool = True, serving: bool = False) -> None:
    """Migrate (by default) and open the connections for this process.

    `serving` is for the app's lifespan: uvicorn runs it in a task of its own, so the
    connections must be reachable from the request tasks too (Tortoise's own Starlette
    integration does the same).
    """
    if run_migrations:
        await migrate(settings)
    await Tortoise.init(
        config=tortoise_config(database_url(settings)), _enable_global_fallback=serving
    )


async def close() -> None:
    """Close every connection Tortoise opened."""
    await Tortoise.close_connections()
