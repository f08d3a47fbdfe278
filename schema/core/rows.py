"""Rows for reads: the columns a selection needs, as plain attribute holders, not ORM models.

Building a Tortoise model costs a `__setattr__` per column and a date parser of its own
(`iso8601`, 60 times slower than the standard library's `datetime.fromisoformat`); a read
only needs the values. `fetch_rows` runs a QuerySet's SQL (Tortoise still builds it, with
every visibility rule) through the query's own connection and reads each record into a `Row`
whose attributes are named as the model's, converted as the model's fields would.

`columns` reads only what the selection shows, plus the keys relations resolve through: a list
page never loads bodies, descriptions or timestamps it does not show.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from cms.models import DelimitedListField
from cms.names import camel

Convert = Callable[[Any], Any] | None


class Row:
    """A row's values as attributes named as the model's fields (`id`, `tenant_id`, …)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values

    @property
    def pk(self) -> Any:
        return self.__dict__["id"]

    def __repr__(self) -> str:
        return f"Row({self.__dict__!r})"

    if TYPE_CHECKING:  # its attributes are the row's columns

        def __getattr__(self, name: str) -> Any: ...


def _datetime(value: Any) -> datetime | None:
    """As Tortoise's DatetimeField with use_tz reads it: aware, in UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def _boolean(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _enum(enum: type[Enum]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else enum(value)

    return convert


def _converter(field: fields.Field[Any]) -> Convert:
    """How a stored value becomes the model attribute's value (None: as it is)."""
    if isinstance(field, fields.DatetimeField):
        return _datetime
    if isinstance(field, fields.BooleanField):
        return _boolean
    if isinstance(field, fields.data.CharEnumFieldInstance | fields.data.IntEnumFieldInstance):
        return _enum(field.enum_type)
    if type(field) in (fields.IntField, fields.BigIntField, fields.CharField, fields.TextField):
        return None
    return field.to_python_value


@cache
def _fields(model: type[Model]) -> dict[str, Convert]:
    """Every data column of `model` (foreign keys as `<name>_id`) with its converter."""
    return {
        name: _converter(model._meta.fields_map[name]) for name in model._meta.fields_db_projection
    }


@cache
def _kept(model: type[Model]) -> frozenset[str]:
    """The columns read whatever the selection: the id, the owner, foreign keys (relations
    resolve through them), the translation group, and the small list columns that types
    convert when they are built (thematic areas, roles, …)."""
    meta = model._meta
    keys = {key for name in meta.fk_fields if (key := meta.fields_map[name].source_field)}
    lists = {
        name
        for name in meta.fields_db_projection
        if isinstance(meta.fields_map[name], DelimitedListField)
    }
    base = {"id", "tenant_id", "translation_group"} & set(meta.fields_db_projection)
    return frozenset(keys | lists | base)


@cache
def _by_field(model: type[Model]) -> dict[str, str]:
    """The columns of `model` by the GraphQL name of the field that shows them."""
    return {camel(name): name for name in model._meta.fields_db_projection}


def columns(
    model: type[Model], selected: Collection[str] | None, always: Iterable[str] = ()
) -> tuple[str, ...]:
    """The columns of `model` to read for the GraphQL fields `selected` (None: all of them):
    those the selected fields show, those every read keeps (`_kept`), and `always`."""
    if selected is None:
        return tuple(_fields(model))
    by_field = _by_field(model)
    wanted = set(_kept(model)).union(always)
    wanted.update(by_field[name] for name in selected if name in by_field)
    return tuple(name for name in _fields(model) if name in wanted)


def read(model: type[Model], records: Iterable[Any]) -> list[Row]:
    """Records (mappings by column name) as Rows, each value converted as the model would;
    a record that is a dict becomes the Row's attributes itself (drivers make them anew)."""
    converters = _fields(model)
    rows: list[Row] = []
    convert: list[tuple[str, Callable[[Any], Any]]] | None = None
    for record in records:
        values = record if type(record) is dict else dict(record)
        if convert is None:
            convert = [(n, c) for n in values if (c := converters.get(n)) is not None]
        for name, converter in convert:
            value = values[name]
            if value is not None:
                values[name] = converter(value)
        rows.append(Row(values))
    return rows


async def fetch_rows(query: QuerySet[Any], names: Iterable[str] | None = None) -> list[Row]:
    """The rows of `query` (its filters, order and limit), with only the columns `names`."""
    model: type[Model] = query.model
    values = query.values(*(names if names is not None else _fields(model)))
    values._make_query()
    sql, params = values.query.get_parameterized_sql()
    connection = values._choose_db()
    return read(model, await connection.execute_query_dict(sql, params))
