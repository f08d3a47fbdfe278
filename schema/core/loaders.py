"""What every domain's DataLoaders share: answering in key order, grouping, one batch query.

Loaders answer in key order with None or [] for misses, and apply the reader's visibility
rules themselves, so a relation can never reveal what a list or lookup would hide. They are
named `<Thing>By<Key>Loader` and made fresh for each request (see schema/loaders.py).
"""

from __future__ import annotations

from abc import abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model
from tortoise.queryset import QuerySet

from cms.tenancy import Scope, visible_q
from schema.core.rows import Row, columns, read
from schema.core.statements import STATEMENTS

K = TypeVar("K")
V = TypeVar("V")
M = TypeVar("M", bound=Model)


class Loader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader whose batch function is its `fetch` method."""

    def __init__(self) -> None:
        super().__init__(load_fn=self.fetch)

    @abstractmethod
    async def fetch(self, keys: list[K]) -> list[V]:
        """One value per key, in key order."""


def in_key_order(keys: Sequence[int], rows: Sequence[Any]) -> list[Any]:
    by_id = {row.pk: row for row in rows}
    return [by_id.get(key) for key in keys]


def grouped(keys: Sequence[Any], pairs: Sequence[tuple[Any, V]]) -> list[list[V]]:
    """The values of (key, value) pairs grouped under each key, in key order."""
    groups: dict[Any, list[V]] = defaultdict(list)
    for key, value in pairs:
        groups[key].append(value)
    return [groups.get(key, []) for key in keys]


def grouped_rows(
    keys: Sequence[int], records: Sequence[dict[str, Any]], model: type[Model]
) -> list[list[Row]]:
    """Records with an `owner_id` and `model`'s columns, as Rows grouped by owner."""
    owners = [record.pop("owner_id") for record in records]
    return grouped(keys, list(zip(owners, read(model, records), strict=True)))


NOBODY = Scope(tenant=None, now=datetime.min.replace(tzinfo=UTC))
"""The scope of reads that do not depend on the reader (media by id, tenants by id)."""


def bind_markers(dialect: str, count: int) -> str:
    """Bind markers for `count` values in the SQL dialect of the connection."""
    if dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" * count)


class ByIdLoader(Loader[int, M | None]):
    """Rows of `model` by primary key, whatever their visibility (media: shown by reference)."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[M | None]:
        model = self.model

        def build(scope: Scope, ids: list[int]) -> QuerySet[Any]:
            return model.filter(id__in=ids)

        rows = await STATEMENTS.rows((model, "by-id"), build, NOBODY, (keys,), columns(model, None))
        return in_key_order(keys, rows)


class VisibleByIdLoader(Loader[int, M | None]):
    """Rows of a content `model` by primary key that the reader may see."""

    def __init__(self, scope: Scope, model: type[M], *, shareable: bool) -> None:
        self.scope, self.model, self.shareable = scope, model, shareable
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[M | None]:
        model, shareable = self.model, self.shareable

        def build(scope: Scope, ids: list[int]) -> QuerySet[Any]:
            return model.filter(visible_q(scope, shareable=shareable), id__in=ids)

        key = (model, "visible-by-id", shareable)
        rows = await STATEMENTS.rows(key, build, self.scope, (keys,), columns(model, None))
        return in_key_order(keys, rows)
