"""Each read's SQL built once per shape, not per request.

Tortoise builds a query's SQL anew each time (its Q trees, pypika terms, one select term per
column): 0.3 to 0.5 ms a statement, as much as SQLite takes to answer it. Here a read is
described by a builder, `build(scope, *arguments) -> QuerySet`, and a key naming everything
else its SQL depends on. The first time, the builder runs with stand-in values: a stand-in
tenant id and reading instant in the Scope, and a stand-in for every argument (an int, a
string or a list of ints). Tortoise turns them into parameters unchanged, so the SQL text and
a template of its parameters are kept; each later request puts its own values where the
stand-ins were. The visibility rules stay those of cms/tenancy.py: Tortoise still writes the
SQL from them, once.

A builder that derives a value from the scope or an argument (`now - 1 day`) would bake the
stand-in's derivative into the SQL: `template` refuses any parameter that looks like a
stand-in without being one, and such a read is simply not cached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from tortoise import connections
from tortoise.models import Model
from tortoise.queryset import QuerySet

from cms.tenancy import Scope
from schema.core.rows import Row, fetch_rows, read

CACHE_SIZE = 1024  # statement shapes kept (keys include filter values: bounded, LRU)

_TENANT = -1_987_654_321
_NOW = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)
_INT_BASE = -1_000_000_000  # argument i, item j: _INT_BASE - 10_000 * i - j
_TEXT = "\x00cms-stand-in-{}\x00"


class Unsupported(Exception):
    """A builder whose SQL cannot be kept (it derives values from the stand-ins)."""


@dataclass(frozen=True)
class _Slot:
    """Where a template takes a request's value: the tenant id, the instant, or an
    argument (`item` is the position in a list argument, None for a scalar one)."""

    source: str  # "tenant", "now" or "argument"
    argument: int = 0
    item: int | None = None


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple[Any, ...]  # constants and _Slots
    model: type[Model]

    def bind(self, scope: Scope, arguments: Sequence[Any]) -> list[Any]:
        values: list[Any] = []
        for param in self.params:
            if type(param) is not _Slot:
                values.append(param)
            elif param.source == "tenant":
                values.append(scope.tenant_id)
            elif param.source == "now":
                values.append(scope.now)
            elif param.item is None:
                values.append(arguments[param.argument])
            else:
                values.append(arguments[param.argument][param.item])
        return values


def _stand_in(index: int, argument: Any) -> Any:
    if isinstance(argument, bool):
        raise Unsupported("a boolean argument")
    if isinstance(argument, int):
        return _INT_BASE - 10_000 * index
    if isinstance(argument, str):
        return _TEXT.format(index)
    if isinstance(argument, list | tuple) and all(
        isinstance(a, int) and not isinstance(a, bool) for a in argument
    ):
        return [_INT_BASE - 10_000 * index - j for j in range(1, len(argument) + 1)]
    raise Unsupported(f"an argument of type {type(argument).__name__}")


def _slots(stand_ins: Sequence[Any]) -> dict[Any, _Slot]:
    found: dict[Any, _Slot] = {_TENANT: _Slot("tenant"), _NOW: _Slot("now")}
    for index, value in enumerate(stand_ins):
        if isinstance(value, list):
            for j, item in enumerate(value):
                found[item] = _Slot("argument", index, j)
        else:
            found[value] = _Slot("argument", index)
    return found


def _suspicious(value: Any) -> bool:
    """A parameter that looks derived from a stand-in."""
    if isinstance(value, datetime):
        return value.year < 1902
    if isinstance(value, int) and not isinstance(value, bool):
        return value < -999_000_000
    return isinstance(value, str) and "cms-stand-in" in value


def template(
    build: Callable[..., QuerySet[Any]],
    preview: bool,
    member: bool,
    platform: bool,
    arguments: Sequence[Any],
    names: Sequence[str],
) -> Statement:
    """The SQL of `build` with stand-ins, and where each request's values go."""
    tenant = None if platform else cast(Any, SimpleNamespace(id=_TENANT))
    scope = Scope(tenant=tenant, now=_NOW, preview=preview, member=member)
    stand_ins = [_stand_in(i, a) for i, a in enumerate(arguments)]
    query = build(scope, *stand_ins).values(*names)
    query._make_query()
    sql, params = query.query.get_parameterized_sql()
    slots = _slots(stand_ins)
    made: list[Any] = []
    for param in params:
        slot = slots.get(param) if isinstance(param, Hashable) else None
        if slot is None and _suspicious(param):
            raise Unsupported(f"a parameter derived from a stand-in: {param!r}")
        made.append(slot if slot is not None else param)
    return Statement(sql=sql, params=tuple(made), model=query.model)


class Statements:
    """The kept statements, by key (an LRU of `size`)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[Hashable, Statement | None] = OrderedDict()

    async def rows(
        self,
        key: Hashable,
        build: Callable[..., QuerySet[Any]],
        scope: Scope,
        arguments: Sequence[Any],
        names: Sequence[str],
    ) -> list[Row]:
        """The rows of `build(scope, *arguments)` with the columns `names`."""
        dialect = connections.get("default").capabilities.dialect
        shape = tuple(len(a) if isinstance(a, list | tuple) else -1 for a in arguments)
        # Preview and members-only reading change the SQL's shape, not only its values.
        flags = (scope.preview, scope.member, scope.tenant is None)
        full = (key, dialect, tuple(names), flags, shape)
        if full in self.entries:
            statement = self.entries[full]
            self.entries.move_to_end(full)
        else:
            try:
                statement = template(build, *flags, arguments, names)
            except Unsupported:
                statement = None
            self.entries[full] = statement
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        if statement is None:  # built for this request, as Tortoise does
            return await fetch_rows(build(scope, *arguments), names)
        connection = statement.model._meta.db
        records = await connection.execute_query_dict(
            statement.sql, statement.bind(scope, arguments)
        )
        return read(statement.model, records)


STATEMENTS = Statements()
"""The process's statements (their SQL depends only on the code and the database dialect)."""
