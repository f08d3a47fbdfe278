"""On SQLite a transaction holds the write lock from its start (BEGIN IMMEDIATE), so another
process's write waits its turn instead of failing a read-then-write transaction."""

from __future__ import annotations

import sqlite3

import pytest
from tortoise.transactions import in_transaction

from cms.config import Settings
from cms.models import Tenant

pytestmark = pytest.mark.anyio


async def test_a_transaction_takes_the_write_lock_before_it_writes(
    settings: Settings, clean_database: None
) -> None:
    if not settings.database_url.startswith("sqlite://"):
        pytest.skip("a SQLite file's locking")
    path = settings.database_url.removeprefix("sqlite://")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)  # another process, say
    try:
        async with in_transaction():
            await Tenant.all().count()  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()
