"""Every stored datetime in UTC: SQLite kept the offset it was written with and compares text.

Before this, a time written as `2030-01-01 10:00:00-10:00` sorted as 10:00 UTC (it is 20:00), so
scheduled and expiring items went public or stayed public at the wrong time. Every write now
stores UTC (cms.services.validation.to_utc); this rewrites the rows already stored, in every
datetime column of every table. PostgreSQL's timestamptz holds instants, not text: nothing to do.
"""

from datetime import UTC, datetime
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


def utc_text(stored: str) -> str | None:
    """The UTC text of a stored datetime, or None when it is already UTC or unreadable."""
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # Tortoise reads a naive value as UTC too
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31 23:00-10:00: the nearest instant there is
        moment = _LATEST if moment.year > 1 else _EARLIEST
    text = moment.isoformat(" ")  # as Tortoise's SQLite adapter writes it
    return None if text == stored else text


async def normalise(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    _, tables = await client.execute_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    for table in tables:
        name = table["name"]
        _, columns = await client.execute_query(f'PRAGMA table_info("{name}")')
        for column in columns:
            if column["type"].upper() not in ("TIMESTAMP", "DATETIME"):
                continue
            col = column["name"]
            _, rows = await client.execute_query(
                f'SELECT rowid AS row_id, "{col}" AS stored FROM "{name}" WHERE "{col}" IS NOT NULL'
            )
            for row in rows:
                stored = row["stored"]
                text = utc_text(stored) if isinstance(stored, str) else None
                if text is not None:
                    await client.execute_query(
                        f'UPDATE "{name}" SET "{col}" = ? WHERE rowid = ?', [text, row["row_id"]]
                    )


class Migration(migrations.Migration):
    dependencies = [("models", "0004_plone_import")]

    initial = False

    operations = [ops.RunPython(normalise, ops.RunPython.noop)]
