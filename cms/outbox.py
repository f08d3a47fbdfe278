"""Reading the outbox: every consumer (a node's search index, later webhooks) at its own position.

A consumer reads events in (txid, id) order and remembers the last one it applied in
`OutboxConsumer`; nothing marks an event as done for everyone, so any number of nodes can each
keep their own index from one database.

Why (txid, id) and not the id alone: on PostgreSQL an id is drawn when the row is inserted but
becomes visible when its transaction commits, and transactions commit out of order. A reader
that saw id 11 and moved its position past it would never see id 10 if 10's transaction was
still open then. So each event also records its transaction's id (`txid`, filled by the
database: `pg_current_xact_id()`), and a reader only takes events whose transaction is older
than the oldest one still running (`pg_snapshot_xmin(pg_current_snapshot())`): those are all
final, committed or gone, and any transaction that commits later has a larger txid, so it sorts
after every position already taken. A long write transaction holds every reader back until it
ends (it cannot be skipped), never longer. On SQLite one writer at a time holds the database
until it commits, so ids are committed in order: txid is 0 and the id alone orders events.

Events are deleted once every consumer has passed them (`purge`); a consumer not seen for
longer than the keep period is dropped first, so it no longer holds them back, and a consumer
that finds its row gone starts again from a full rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise import connections

from cms.models import OutboxConsumer


@dataclass(frozen=True, order=True)
class Position:
    """Where a consumer is: the (txid, id) of the last event it applied."""

    txid: int
    id: int


START = Position(0, 0)
# A consumer whose rebuild is under way: it holds back every event until the rebuild is done.
REBUILDING = Position(-1, -1)


@dataclass(frozen=True)
class Event:
    position: Position
    content_type: str
    object_id: int
    # What the write did and whose item it was (webhooks read them; the indexer does not).
    operation: str = ""
    tenant_id: int = 0


def _postgres() -> bool:
    return bool(connections.get("default").capabilities.dialect == "postgres")


def _sql(text: str) -> str:
    """`?` placeholders in the dialect's style."""
    if not _postgres():
        return text
    parts = text.split("?")
    return "".join(f"{p}${i}" if i < len(parts) else p for i, p in enumerate(parts, 1))


# Transactions with a txid below this have all ended (PostgreSQL's oldest running xid).
_HORIZON = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


async def pending(after: Position, limit: int) -> list[Event]:
    """The next events after `after`, in order; only those no later commit can precede."""
    final = f"txid < {_HORIZON} AND " if _postgres() else ""
    rows = await connections.get("default").execute_query_dict(
        _sql(
            "SELECT id, txid, content_type, object_id, operation, tenant_id FROM outbox_event "
            f"WHERE {final}(txid > ? OR (txid = ? AND id > ?)) ORDER BY txid, id LIMIT ?"
        ),
        [after.txid, after.txid, after.id, limit],
    )
    return [
        Event(
            Position(int(r["txid"]), int(r["id"])),
            r["content_type"],
            r["object_id"],
            r["operation"],
            r["tenant_id"],
        )
        for r in rows
    ]


async def in_flight(after: Position) -> bool:
    """Whether events after `after` exist whose transaction (or an older one) has not ended."""
    if not _postgres():
        return False
    rows = await connections.get("default").execute_query_dict(
        _sql(
            "SELECT 1 AS found FROM outbox_event "
            f"WHERE txid >= {_HORIZON} AND (txid > ? OR (txid = ? AND id > ?)) LIMIT 1"
        ),
        [after.txid, after.txid, after.id],
    )
    return bool(rows)


async def head() -> Position:
    """A position past every event whose transaction has ended by now (what a rebuild sees)."""
    conn = connections.get("default")
    if _postgres():
        rows = await conn.execute_query_dict(
            f"SELECT {_HORIZON} - 1 AS txid, COALESCE(MAX(id), 0) AS id FROM outbox_event"
        )
    else:
        rows = await conn.execute_query_dict(
            "SELECT 0 AS txid, COALESCE(MAX(id), 0) AS id FROM outbox_event"
        )
    return Position(int(rows[0]["txid"]), int(rows[0]["id"]))


async def position_of(name: str) -> Position | None:
    """Where consumer `name` is, or None if it is unknown (new, or dropped as unseen)."""
    row = await OutboxConsumer.get_or_none(name=name)
    return None if row is None else Position(row.txid, row.position)


async def register(name: str, position: Position, now: datetime) -> None:
    """Create consumer `name` at `position`, or move it there."""
    await OutboxConsumer.update_or_create(
        {"txid": position.txid, "position": position.id, "seen_at": now}, name=name
    )


async def advance(name: str, position: Position, now: datetime) -> bool:
    """Move consumer `name` to `position`; False if it was dropped meanwhile (it must rebuild)."""
    updated = await OutboxConsumer.filter(name=name).update(
        txid=position.txid, position=position.id, seen_at=now
    )
    return updated > 0


async def purge(now: datetime, keep: timedelta) -> int:
    """Drop consumers unseen for `keep`, then the events every remaining consumer has applied."""
    await OutboxConsumer.filter(seen_at__lt=now - keep).delete()
    slowest = await OutboxConsumer.all().order_by("txid", "position").first()
    if slowest is None or slowest.txid < 0:
        return 0
    conn = connections.get("default")
    count, _ = await conn.execute_query(
        _sql("DELETE FROM outbox_event WHERE txid < ? OR (txid = ? AND id <= ?)"),
        [slowest.txid, slowest.txid, slowest.position],
    )
    return int(count)
