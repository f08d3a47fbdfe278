"""Keyset (cursor) connections shared by every list.

A cursor holds the ordering's name and the sort values of the row it points at, so a page is
"the rows after these values" — page 500 costs what page 1 costs, and rows inserted while a
client pages never make it skip or repeat one. Offsets are never used.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.expressions import Q
from tortoise.fields import BooleanField, CharField, DatetimeField, IntField, TextField
from tortoise.models import Model
from tortoise.queryset import QuerySet

from cms.errors import InvalidInput

NodeType = TypeVar("NodeType")


@strawberry.enum(description="The direction of an ordering.")
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True)
class Ordering:
    """Sort fields (the model's attribute names) and their directions; `id` breaks ties."""

    name: str
    fields: tuple[tuple[str, bool], ...]  # (field, descending)

    def with_tiebreak(self) -> tuple[tuple[str, bool], ...]:
        last_desc = self.fields[-1][1] if self.fields else False
        return (*self.fields, ("id", last_desc))

    def reversed(self) -> tuple[tuple[str, bool], ...]:
        return tuple((f, not desc) for f, desc in self.with_tiebreak())


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge.")


@strawberry.type(description="An item of a connection with the cursor that points at it.")
class Edge(Generic[NodeType]):
    """An edge made by `edge` encodes its cursor only when it is read: most pages are
    requested without their cursors."""

    cursor: str = strawberry.field(description="Opaque position to pass to `after`/`before`.")
    node: NodeType = strawberry.field(description="The item.")

    def __getattr__(self, name: str) -> Any:  # only for attributes the instance lacks
        if name == "cursor":
            ordering, row = self.__dict__["_cursor_of"]
            return encode_keyset_cursor(ordering, row)
        raise AttributeError(name)


def edge(ordering: Ordering, row: Any) -> Edge[Any]:
    """The edge of `row` in `ordering`, its cursor left to be encoded when read."""
    made: Edge[Any] = object.__new__(Edge)
    made.__dict__.update(node=row, _cursor_of=(ordering, row))
    return made


@strawberry.type(description="A page of a list, Relay style, with the size of the whole list.")
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    _count_query: strawberry.Private[Callable[[], QuerySet[Any]] | None]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        if self._count_query is None:
            return 0
        return await self._count_query().count()


def map_nodes(connection: Connection[Any], wrap: Any) -> Connection[Any]:
    """The same page with each model wrapped in its GraphQL type."""
    for edge in connection.edges:
        edge.node = wrap(edge.node)
    return connection


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _decode_value(model: type[Model], name: str, value: Any) -> Any:
    """A cursor value checked against the type of the model field it stands for.

    Raises ValueError for anything our own cursors never hold (a value of another type, a
    naive or out-of-range datetime, an int the column cannot store, a NUL in a string), so
    that a tampered cursor is refused before it reaches the database.
    """
    field = model._meta.fields_map[name]
    if isinstance(field, DatetimeField):
        if isinstance(value, dict) and set(value) == {"t"} and isinstance(value["t"], str):
            parsed = datetime.fromisoformat(value["t"])
            if parsed.tzinfo is not None:
                return parsed.astimezone(UTC)
    elif isinstance(field, BooleanField):
        if isinstance(value, bool):
            return value
    elif isinstance(field, IntField):
        low = field.constraints.get("ge", -(2**31))
        high = field.constraints.get("le", 2**31 - 1)
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
    elif isinstance(field, CharField | TextField):
        if isinstance(value, str) and "\x00" not in value:
            return value
    raise ValueError(f"not a cursor value of {name}")


def encode_keyset_cursor(ordering: Ordering, row: Any) -> str:
    values = [_encode_value(getattr(row, f)) for f, _ in ordering.with_tiebreak()]
    raw = json.dumps([ordering.name, values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_keyset_cursor(
    ordering: Ordering, cursor: str, argument: str, model: type[Model]
) -> list[Any]:
    """The sort values a cursor carries; a clear error for anything not made by us."""
    invalid = InvalidInput(f"`{argument}` is not a valid cursor.", field=argument)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(payload, list) or len(payload) != 2:
        raise invalid
    name, values = payload
    if name != ordering.name:
        raise InvalidInput(
            f"`{argument}` is a cursor of another ordering; restart paging without it.",
            field=argument,
        )
    sort_fields = ordering.with_tiebreak()
    if not isinstance(values, list) or len(values) != len(sort_fields):
        raise invalid
    try:
        return [
            _decode_value(model, field, value)
            for (field, _), value in zip(sort_fields, values, strict=True)
        ]
    except (ValueError, TypeError, OverflowError):
        raise invalid from None


def _after_q(fields: Sequence[tuple[str, bool]], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the ordering `fields` (lexicographic keyset condition)."""
    clauses: list[Q] = []
    for i, (name, desc) in enumerate(fields):
        equal = {f: v for (f, _), v in zip(fields[:i], values[:i], strict=True)}
        op = "lt" if desc else "gt"
        clauses.append(Q(**equal, **{f"{name}__{op}": values[i]}))
    return Q(*clauses, join_type=Q.OR)


def _order_by(fields: Sequence[tuple[str, bool]]) -> list[str]:
    return [f"-{name}" if desc else name for name, desc in fields]


def check_page_size(value: int | None, argument: str, maximum: int) -> int | None:
    if value is None:
        return None
    if value < 0 or value > maximum:
        raise InvalidInput(
            f"`{argument}` must be between 0 and {maximum}, got {value}.", field=argument
        )
    return value


Fetch = Callable[[Callable[[Any], QuerySet[Any]], Hashable], Awaitable[list[Any]]]
"""How `paginate` reads a page: from a builder of its query for a Scope and the key of
everything else that query depends on (see schema/core/statements.py)."""


async def paginate(
    query_for: Callable[[Any], QuerySet[Any]],
    scope: Any,
    model: type[Model],
    ordering: Ordering,
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default_size: int,
    max_size: int,
    fetch: Fetch,
) -> Connection[Any]:
    """One page of the query `query_for(scope)` (rows of `model`) as a connection of the rows
    `fetch` reads; types wrap the nodes afterwards."""
    first = check_page_size(first, "first", max_size)
    last = check_page_size(last, "last", max_size)
    if first is not None and last is not None:
        raise InvalidInput("Pass `first` or `last`, not both.", field="last")
    forward_fields = ordering.with_tiebreak()
    after_values = None if after is None else decode_keyset_cursor(ordering, after, "after", model)
    before_values = (
        None if before is None else decode_keyset_cursor(ordering, before, "before", model)
    )
    backwards = last is not None or (first is None and before is not None)
    size = last if backwards else first
    if size is None:
        size = default_size
    fields = ordering.reversed() if backwards else forward_fields

    def page_for(reader: Any) -> QuerySet[Any]:
        page = query_for(reader)
        if after_values is not None:
            page = page.filter(_after_q(forward_fields, after_values))
        if before_values is not None:
            page = page.filter(_after_q(ordering.reversed(), before_values))
        # Even for a page of 0 the extra row is read: it says whether more items follow.
        return page.order_by(*_order_by(fields)).limit(size + 1)

    rows = await fetch(page_for, (ordering, after, before, backwards, size))
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    edges = [edge(ordering, row) for row in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_more if not backwards else before is not None,
            has_previous_page=has_more if backwards else after is not None,
            start_cursor=encode_keyset_cursor(ordering, rows[0]) if rows else None,
            end_cursor=encode_keyset_cursor(ordering, rows[-1]) if rows else None,
        ),
        _count_query=lambda: query_for(scope),
    )
