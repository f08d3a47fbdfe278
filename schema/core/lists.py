"""The plumbing of root lists and lookups: paging arguments, visibility, one page of a query."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Any, ClassVar, Protocol

import strawberry
from tortoise.exceptions import ValidationError
from tortoise.models import Model
from tortoise.queryset import QuerySet

from cms.errors import InvalidInput
from cms.models import Status
from cms.tenancy import Scope, listed_q, visible_q
from schema.context import Info
from schema.core.pagination import Connection, Ordering, map_nodes, paginate
from schema.core.relations import Relation, prime, selected
from schema.core.rows import columns
from schema.core.statements import STATEMENTS

First = Annotated[
    int | None, strawberry.argument(description="Page size from the start (default 20, max 100).")
]
After = Annotated[str | None, strawberry.argument(description="Cursor to continue after.")]
Last = Annotated[int | None, strawberry.argument(description="Page size from the end (max 100).")]
Before = Annotated[str | None, strawberry.argument(description="Cursor to continue before.")]
IncludeShared = Annotated[
    bool, strawberry.argument(description="Add other tenants' shared knowledge-base items.")
]
OwnerSlug = Annotated[
    str | None,
    strawberry.argument(
        description="Owner tenant's slug (default: this site); others' must be shared."
    ),
]


class NodeType(Protocol):
    """A GraphQL type made from a row, with the relations a page may load for all its rows."""

    relations: ClassVar[dict[str, Relation]]

    @classmethod
    def from_model(cls, model: Any) -> Any: ...


QueryFor = Callable[[Scope], QuerySet[Any]]
"""A list's query for a reading Scope: its SQL is built once per shape (statements.py)."""


async def page_of(
    info: Info,
    model: type[Model],
    query_for: QueryFor,
    shape: Hashable,
    order: Ordering,
    node_type: type[NodeType],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    """One page of `query_for(scope)` in `order`: rows with the columns the selection of
    `edges.node` needs, their selected relations loaded for the whole page, each wrapped in
    `node_type`. `shape` names everything `query_for` depends on besides the scope (the
    list and its arguments); the page's SQL is kept under it."""
    settings = info.context.settings
    scope = info.context.scope
    wanted = selected(info, "edges", "node")
    names = columns(model, wanted, always=[name for name, _ in order.fields])

    async def fetch(page_for: QueryFor, page: Hashable) -> list[Any]:
        return await STATEMENTS.rows((model, shape, page), page_for, scope, (), names)

    try:
        connection = await paginate(
            query_for,
            scope,
            model,
            order,
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
            fetch=fetch,
        )
    except ValidationError:  # Tortoise refuses to compare a value longer than its column
        raise InvalidInput("A filter value is longer than any stored value allows.") from None
    await prime(info, [edge.node for edge in connection.edges], node_type.relations, wanted)
    return map_nodes(connection, node_type.from_model)


async def item_of(
    info: Info,
    model: type[Model],
    key: Hashable,
    build: Callable[..., QuerySet[Any]],
    arguments: tuple[Any, ...],
    node_type: type[NodeType],
) -> Any | None:
    """The first row of `build(scope, *arguments)` (rows of `model`; `key` names what else
    the query depends on) as `node_type` (columns and relations as
    `page_of` reads them), or None; None too when an argument is longer than its column
    (Tortoise refuses to compare such a value, and no row could hold it)."""
    wanted = selected(info)

    def first_of(scope: Scope, *values: Any) -> QuerySet[Any]:
        return build(scope, *values).limit(1)

    try:
        rows = await STATEMENTS.rows(
            (model, key), first_of, info.context.scope, arguments, columns(model, wanted)
        )
    except ValidationError:
        return None
    if not rows:
        return None
    await prime(info, rows, node_type.relations, wanted)
    return node_type.from_model(rows[0])


async def page_of_models(
    info: Info,
    query: QuerySet[Any],
    order: Ordering,
    wrap: Callable[[Any], Any],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    """One page of `query` in `order` as ORM models, each wrapped in its GraphQL type: for
    the lists that are not worth the lean way of `page_of` (few rows, authenticated readers)."""
    settings = info.context.settings

    async def fetch(page_for: QueryFor, page: Hashable) -> list[Any]:
        return list(await page_for(info.context.scope))

    try:
        connection = await paginate(
            lambda _scope: query,
            info.context.scope,
            query.model,
            order,
            first=first,
            after=after,
            last=last,
            before=before,
            default_size=settings.default_page_size,
            max_size=settings.max_page_size,
            fetch=fetch,
        )
    except ValidationError:  # Tortoise refuses to compare a value longer than its column
        raise InvalidInput("A filter value is longer than any stored value allows.") from None
    return map_nodes(connection, wrap)


async def first_or_none(query: QuerySet[Any]) -> Any | None:
    """The first row, or None when an argument is longer than its column (Tortoise refuses
    to compare such a value, and no row could hold it)."""
    try:
        return await query.first()
    except ValidationError:
        return None


def _statuses(filter: Any) -> list[Status] | None:
    statuses = getattr(filter, "status", None)
    return [Status(s) for s in statuses] if statuses else None


def listed_shareable(
    model: type[Model], scope: Scope, include_shared: bool, filter: Any = None
) -> QuerySet[Any]:
    """A list of a shareable kind: this site's items, plus others' shared ones if asked."""
    where = listed_q(
        scope, shareable=True, include_shared=include_shared, statuses=_statuses(filter)
    )
    return model.filter(where)


def listed_owned(model: type[Model], scope: Scope, filter: Any = None) -> QuerySet[Any]:
    """A list of a kind that is never shared: this site's items only."""
    where = listed_q(scope, shareable=False, include_shared=False, statuses=_statuses(filter))
    return model.filter(where)


async def owned_item(
    info: Info, model: type[Model], node_type: type[NodeType], field: str, value: str
) -> Any | None:
    """One item of this site by a unique key: live published, or any status in preview."""
    if info.context.scope.tenant_id is None:
        return None

    def build(scope: Scope, wanted: str) -> QuerySet[Any]:
        return model.filter(visible_q(scope, shareable=False), **{field: wanted})

    return await item_of(info, model, ("owned", field), build, (value,), node_type)


async def _owner_id(info: Info, tenant: str | None) -> int | None:
    """The tenant a single lookup addresses: the argument, else the request's tenant."""
    if tenant is None:
        return info.context.scope.tenant_id
    row = await info.context.directory.by_slug(tenant)
    return row.id if row is not None else None


async def shareable_item(
    info: Info, model: type[Model], node_type: type[NodeType], slug: str, tenant: str | None
) -> Any | None:
    """One item of a shareable kind by its owner and slug, if the reader may see it."""
    owner = await _owner_id(info, tenant)
    if owner is None:
        return None

    def build(scope: Scope, owner_id: int, wanted: str) -> QuerySet[Any]:
        return model.filter(visible_q(scope, shareable=True), tenant_id=owner_id, slug=wanted)

    return await item_of(info, model, "shareable", build, (owner, slug), node_type)
