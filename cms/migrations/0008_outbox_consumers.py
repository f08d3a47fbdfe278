"""Outbox consumers, each with its own position, instead of one global `processed_at` flag.

Every node keeps its own search index and reads the outbox at its own pace (`cms.outbox`). On
PostgreSQL each event also records its transaction's id (`txid`, filled by the database), so
that a reader takes events in an order no later commit can fall behind; on SQLite, where one
writer at a time commits, it is 0 and the id alone orders events. The column is not in the
model: the ORM never writes it, so the database's default always does.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

TXID_DEFAULT = {
    "postgres": "(pg_current_xact_id()::text::bigint)",
    "sqlite": "0",
}


async def add_txid(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    default = TXID_DEFAULT[client.capabilities.dialect]
    await client.execute_script(
        f"ALTER TABLE outbox_event ADD COLUMN txid BIGINT NOT NULL DEFAULT {default}"
    )
    await client.execute_script(
        "CREATE INDEX outbox_event_txid_id ON outbox_event (txid, id)"
    )


async def drop_txid(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    await client.execute_script("DROP INDEX outbox_event_txid_id")
    await client.execute_script("ALTER TABLE outbox_event DROP COLUMN txid")


class Migration(migrations.Migration):
    dependencies = [("models", "0007_persisted_queries")]

    initial = False

    operations = [
        ops.CreateModel(
            name="OutboxConsumer",
            fields=[
                (
                    "name",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100),
                ),
                ("txid", fields.BigIntField(default=0)),
                ("position", fields.BigIntField(default=0)),
                ("seen_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outbox_consumer",
                "app": "models",
                "pk_attr": "name",
                "table_description": (
                    "One reader of the outbox (a node's search index, say) and the last event"
                    " it applied."
                ),
            },
            bases=["Model"],
        ),
        ops.RemoveIndex(
            model_name="OutboxEvent",
            name=None,
            fields=["processed_at", "id"],
        ),
        ops.RemoveField(model_name="OutboxEvent", name="processed_at"),
        ops.RunPython(add_txid, drop_txid),
    ]
