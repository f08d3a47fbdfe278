"""Tortoise configuration, start-up and migrations, shared by the app, the CLI and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise, connections
from tortoise.exceptions import DBConnectionError, OperationalError
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


class NoSchema(RuntimeError):
    """The configured database does not exist or has no tables of ours yet."""


def describe(settings: Settings) -> str:
    """Where the database is, as a reader of an error message needs it."""
    url = settings.database_url
    if url.startswith("sqlite://"):
        return f"the SQLite file {url.removeprefix('sqlite://')}"
    parts = urlsplit(url)
    return f"the database {parts.path.lstrip('/') or '?'} on {parts.hostname or '?'}"


def _missing_sqlite_file(url: str) -> bool:
    """Whether a SQLite URL names a file that is not there (opening it would create it)."""
    if not url.startswith("sqlite://"):
        return False
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    return path != ":memory:" and not Path(path).is_file()


async def open_existing(settings: Settings) -> None:
    """Open a database that `cms migrate` (or `cms serve`) has set up, migrating it to the
    latest schema; raise NoSchema, creating nothing, when it is not one of ours."""
    url = settings.database_url
    if _missing_sqlite_file(url):
        raise NoSchema(f"{describe(settings)} does not exist")
    await Tortoise.init(config=tortoise_config(url))
    try:
        await connections.get("default").execute_query('SELECT 1 FROM "tenant" LIMIT 1')
    except (OperationalError, DBConnectionError) as error:
        raise NoSchema(f"{describe(settings)} has no CoP CMS schema ({error})") from None
    finally:
        await Tortoise.close_connections()
    await init(settings)


async def close() -> None:
    """Close every connection Tortoise opened."""
    await Tortoise.close_connections()
