"""The plumbing of root lists and lookups: paging arguments, visibility, one page of a query."""

from __future__ import annotations

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
from schema.core.rows import columns, fetch_rows

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


async def page_of(
    info: Info,
    query: QuerySet[Any],
    order: Ordering,
    node_type: type[NodeType],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    """One page of `query` in `order`: rows with the columns the selection of `edges.node`
    needs, their selected relations loaded for the whole page, each wrapped in `node_type`."""
    settings = info.context.settings
    wanted = selected(info, "edges", "node")
    names = columns(query.model, wanted, always=[name for name, _ in order.fields])

    async def fetch(page: QuerySet[Any]) -> list[Any]:
        return await fetch_rows(page, names)

    try:
        connection = await paginate(
            query,
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


async def item_of(info: Info, query: QuerySet[Any], node_type: type[NodeType]) -> Any | None:
    """The first row of `query` as `node_type` (columns and relations as `page_of` reads
    them), or None; None too when an argument is longer than its column (Tortoise refuses
    to compare such a value, and no row could hold it)."""
    wanted = selected(info)
    try:
        rows = await fetch_rows(query.limit(1), columns(query.model, wanted))
    except ValidationError:
        return None
    if not rows:
        return None
    await prime(info, rows, node_type.relations, wanted)
    return node_type.from_model(rows[0])


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
    info: Info, model: type[Model], node_type: type[NodeType], **where: Any
) -> Any | None:
    """One item of this site by a unique key: live published, or any status in preview."""
    scope = info.context.scope
    if scope.tenant_id is None:
        return None
    return await item_of(info, model.filter(visible_q(scope, shareable=False), **where), node_type)


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
    scope = info.context.scope
    query = model.filter(visible_q(scope, shareable=True), tenant_id=owner, slug=slug)
    return await item_of(info, query, node_type)
