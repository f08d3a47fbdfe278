"""Building blocks of the list filters and orderings every domain's lists share."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from cms import models
from cms.errors import InvalidInput
from cms.models import DelimitedListField
from cms.tenancy import Scope, visible_q
from schema.core.pagination import OrderDirection, Ordering

MAX_FILTER_VALUES = 50
STATUS = (
    "Workflow states to list; other than PUBLISHED this needs a token that may "
    "preview this tenant (the public only ever gets live published items)."
)


def ordering(field: Enum, direction: OrderDirection, columns: tuple[str, ...] = ()) -> Ordering:
    """The keyset ordering of an order input (by `columns`, else the field's own column); its
    name is what cursors are checked against."""
    desc = direction is OrderDirection.DESC
    names = columns or (field.value,)
    return Ordering(name=f"{field.name}:{direction.name}", fields=tuple((n, desc) for n in names))


def checked_values(values: list[Any] | None, argument: str) -> list[Any] | None:
    if values is not None and len(values) > MAX_FILTER_VALUES:
        raise InvalidInput(
            f"`{argument}` takes at most {MAX_FILTER_VALUES} values.", field=f"filter.{argument}"
        )
    return values


def with_tags(
    query: QuerySet[Any], model: type[models.ContentModel], tags: list[str] | None
) -> QuerySet[Any]:
    """Items that have every one of the tags: one grouped subquery, whatever their number.

    (One `IN` subquery per tag made PostgreSQL's planning time double with every tag.)
    """
    slugs = sorted(set(checked_values(tags, "tags") or []))
    if not slugs:
        return query
    tagged = (
        model.filter(tags__slug__in=slugs)
        .annotate(matched_tags=Count("tags__slug", distinct=True))
        .group_by("id")
        .filter(matched_tags=len(slugs))
        .values("id")
    )
    return query.filter(id__in=Subquery(tagged))


def utc(moment: datetime, argument: str) -> datetime:
    """A filter's instant in UTC, as stored: SQLite compares datetimes as text, so an offset
    other than +00:00 would compare wrongly; a value without offset is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"`{argument}` is out of range.", field=f"filter.{argument}") from None


def published_range(
    query: QuerySet[Any], after: datetime | None, before: datetime | None
) -> QuerySet[Any]:
    if after is not None:
        query = query.filter(published_at__gte=utc(after, "publishedAfter"))
    if before is not None:
        query = query.filter(published_at__lt=utc(before, "publishedBefore"))
    return query


def has_member(field: str, value: Enum | str | None) -> Q:
    if value is None:
        return Q()
    raw = value.value if isinstance(value, Enum) else value
    return Q(**{f"{field}__contains": DelimitedListField.member(raw)})


def visible_ids(model: type[models.ContentModel], scope: Scope, **where: Any) -> Subquery:
    """Ids of the `model` rows the reader may see that match `where`.

    A filter by a related item's slug or path only matches through what the reader could look
    up itself: a draft or another tenant's unshared profile named by its slug must not tell,
    by the items it finds, that it exists or whose items it authored.
    """
    shareable = model is not models.Page
    return Subquery(model.filter(visible_q(scope, shareable=shareable), **where).values("id"))


def owned_by(query: QuerySet[Any], slugs: list[str] | None) -> QuerySet[Any]:
    if slugs is None:
        return query
    return query.filter(tenant__slug__in=checked_values(slugs, "tenants"))
