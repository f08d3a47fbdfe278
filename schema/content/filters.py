"""Typed filter and ordering inputs of the lists, and how each narrows a query."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from cms import models
from cms.errors import InvalidInput
from cms.models import DelimitedListField
from cms.tenancy import Scope, visible_q
from schema.core.enums import (
    ContentStatus,
    EventFormat,
    NewsKind,
    OrganisationKind,
    ProfileRole,
    ResourceKind,
    ThematicArea,
    VideoProvider,
)
from schema.core.pagination import OrderDirection, Ordering

MAX_FILTER_VALUES = 50


@strawberry.enum(description="Which events a list holds, relative to now.")
class EventWhen(Enum):
    UPCOMING = "upcoming"
    PAST = "past"
    ALL = "all"


@strawberry.input(description="Narrow a list of resources; every given field must match.")
class ResourceFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    kinds: list[ResourceKind] | None = strawberry.field(default=None, description="Any of these.")
    tags: list[str] | None = strawberry.field(default=None, description="All of these tag slugs.")
    language: str | None = strawberry.field(default=None, description="Language tag.")
    thematic_area: ThematicArea | None = strawberry.field(default=None, description="Area.")
    author: str | None = strawberry.field(default=None, description="An author's profile slug.")
    organisation: str | None = strawberry.field(default=None, description="Organisation slug.")
    tenants: list[str] | None = strawberry.field(default=None, description="Owner tenant slugs.")
    published_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    published_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.input(description="Narrow a list of videos; every given field must match.")
class VideoFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    providers: list[VideoProvider] | None = strawberry.field(default=None, description="Any.")
    tags: list[str] | None = strawberry.field(default=None, description="All of these tag slugs.")
    language: str | None = strawberry.field(default=None, description="Language tag.")
    thematic_area: ThematicArea | None = strawberry.field(default=None, description="Area.")
    tenants: list[str] | None = strawberry.field(default=None, description="Owner tenant slugs.")
    published_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    published_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.input(description="Narrow a list of profiles; every given field must match.")
class ProfileFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    roles: list[ProfileRole] | None = strawberry.field(default=None, description="Any of these.")
    country: str | None = strawberry.field(default=None, description="ISO country code.")
    language: str | None = strawberry.field(default=None, description="Speaks this language.")
    organisation: str | None = strawberry.field(default=None, description="Organisation slug.")
    eligible_for_contracting: bool | None = strawberry.field(default=None, description="Listed.")
    tenants: list[str] | None = strawberry.field(default=None, description="Owner tenant slugs.")


@strawberry.input(description="Narrow a list of organisations; every given field must match.")
class OrganisationFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    kinds: list[OrganisationKind] | None = strawberry.field(default=None, description="Any.")
    country: str | None = strawberry.field(default=None, description="ISO country code.")


@strawberry.input(description="Narrow a list of events; every given field must match.")
class EventFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    when: EventWhen = strawberry.field(
        default=EventWhen.ALL, description="Upcoming (not yet ended), past, or all."
    )
    starts_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    starts_before: datetime | None = strawberry.field(default=None, description="Exclusive.")
    formats: list[EventFormat] | None = strawberry.field(default=None, description="Any.")
    tags: list[str] | None = strawberry.field(default=None, description="All of these tag slugs.")
    language: str | None = strawberry.field(default=None, description="Language tag.")
    thematic_area: ThematicArea | None = strawberry.field(default=None, description="Area.")
    organisation: str | None = strawberry.field(default=None, description="Host's slug.")


@strawberry.input(description="Narrow a list of news items; every given field must match.")
class NewsFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    kinds: list[NewsKind] | None = strawberry.field(default=None, description="Any of these.")
    tags: list[str] | None = strawberry.field(default=None, description="All of these tag slugs.")
    language: str | None = strawberry.field(default=None, description="Language tag.")
    thematic_area: ThematicArea | None = strawberry.field(default=None, description="Area.")
    published_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    published_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.input(description="Narrow a list of pages; every given field must match.")
class PageFilter:
    status: list[ContentStatus] | None = strawberry.field(
        default=None,
        description="Workflow states to list; other than PUBLISHED this needs a token that may "
        "preview this tenant (the public only ever gets live published items).",
    )
    parent_path: str | None = strawberry.field(
        default=None, description="Children of this path; empty string for top-level pages."
    )
    in_menu: bool | None = strawberry.field(default=None, description="Shown in menus.")
    language: str | None = strawberry.field(default=None, description="Language tag.")


@strawberry.enum(description="Sort keys of resources, videos and news.")
class PublicationOrderField(Enum):
    PUBLISHED_AT = "published_at"
    TITLE = "title"
    UPDATED_AT = "updated_at"


@strawberry.enum(description="Sort keys of events.")
class EventOrderField(Enum):
    START = "start"
    TITLE = "title"


@strawberry.enum(description="Sort keys of profiles and organisations.")
class NameOrderField(Enum):
    NAME = "name"
    PUBLISHED_AT = "published_at"


@strawberry.enum(description="Sort keys of pages.")
class PageOrderField(Enum):
    MENU = "menu"
    PATH = "path"
    TITLE = "title"


@strawberry.input(description="Order of a publication list (default newest first).")
class PublicationOrder:
    field: PublicationOrderField = strawberry.field(description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Dir.")


@strawberry.input(description="Order of events (default: by start, soonest first).")
class EventOrder:
    field: EventOrderField = strawberry.field(description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Dir.")


@strawberry.input(description="Order of people and organisations (default by name).")
class NameOrder:
    field: NameOrderField = strawberry.field(description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Dir.")


@strawberry.input(description="Order of pages (default menu order, then title).")
class PageOrder:
    field: PageOrderField = strawberry.field(description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Dir.")


_PAGE_MENU_FIELDS = ("menu_order", "title")


def ordering(field: Enum, direction: OrderDirection) -> Ordering:
    """The keyset ordering of an order input; its name is what cursors are checked against."""
    desc = direction is OrderDirection.DESC
    names = _PAGE_MENU_FIELDS if field is PageOrderField.MENU else (field.value,)
    return Ordering(name=f"{field.name}:{direction.name}", fields=tuple((n, desc) for n in names))


def _values(values: list[Any] | None, argument: str) -> list[Any] | None:
    if values is not None and len(values) > MAX_FILTER_VALUES:
        raise InvalidInput(
            f"`{argument}` takes at most {MAX_FILTER_VALUES} values.", field=f"filter.{argument}"
        )
    return values


def _with_tags(
    query: QuerySet[Any], model: type[models.ContentModel], tags: list[str] | None
) -> QuerySet[Any]:
    """Items that have every one of the tags: one grouped subquery, whatever their number.

    (One `IN` subquery per tag made PostgreSQL's planning time double with every tag.)
    """
    slugs = sorted(set(_values(tags, "tags") or []))
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


def _utc(moment: datetime, argument: str) -> datetime:
    """A filter's instant in UTC, as stored: SQLite compares datetimes as text, so an offset
    other than +00:00 would compare wrongly; a value without offset is taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"`{argument}` is out of range.", field=f"filter.{argument}") from None


def _published_range(
    query: QuerySet[Any], after: datetime | None, before: datetime | None
) -> QuerySet[Any]:
    if after is not None:
        query = query.filter(published_at__gte=_utc(after, "publishedAfter"))
    if before is not None:
        query = query.filter(published_at__lt=_utc(before, "publishedBefore"))
    return query


def _member(field: str, value: Enum | str | None) -> Q:
    if value is None:
        return Q()
    raw = value.value if isinstance(value, Enum) else value
    return Q(**{f"{field}__contains": DelimitedListField.member(raw)})


def _visible_ids(model: type[models.ContentModel], scope: Scope, **where: Any) -> Subquery:
    """Ids of the `model` rows the reader may see that match `where`.

    A filter by a related item's slug or path only matches through what the reader could look
    up itself: a draft or another tenant's unshared profile named by its slug must not tell,
    by the items it finds, that it exists or whose items it authored.
    """
    shareable = model is not models.Page
    return Subquery(model.filter(visible_q(scope, shareable=shareable), **where).values("id"))


def _owners(query: QuerySet[Any], slugs: list[str] | None) -> QuerySet[Any]:
    if slugs is None:
        return query
    return query.filter(tenant__slug__in=_values(slugs, "tenants"))


def filter_resources(query: QuerySet[Any], f: ResourceFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    if f.kinds:
        query = query.filter(kind__in=[k.value for k in _values(f.kinds, "kinds") or []])
    if f.language:
        query = query.filter(language=f.language)
    if f.author:
        authors = _visible_ids(models.Profile, scope, slug=f.author)
        authored = models.ResourceAuthor.filter(profile_id__in=authors).values("resource_id")
        query = query.filter(id__in=Subquery(authored))
    if f.organisation:
        organisations = _visible_ids(models.Organisation, scope, slug=f.organisation)
        query = query.filter(organisation_id__in=organisations)
    query = query.filter(_member("thematic_areas", f.thematic_area))
    query = _owners(query, f.tenants)
    query = _with_tags(query, models.Resource, f.tags)
    return _published_range(query, f.published_after, f.published_before)


def filter_videos(query: QuerySet[Any], f: VideoFilter | None) -> QuerySet[Any]:
    if f is None:
        return query
    if f.providers:
        query = query.filter(
            provider__in=[p.value for p in _values(f.providers, "providers") or []]
        )
    if f.language:
        query = query.filter(language=f.language)
    query = query.filter(_member("thematic_areas", f.thematic_area))
    query = _owners(query, f.tenants)
    query = _with_tags(query, models.Video, f.tags)
    return _published_range(query, f.published_after, f.published_before)


def filter_profiles(query: QuerySet[Any], f: ProfileFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    if f.roles:
        any_role = [_member("roles", r) for r in _values(f.roles, "roles") or []]
        query = query.filter(Q(*any_role, join_type=Q.OR))
    if f.country:
        query = query.filter(country=f.country.upper())
    if f.organisation:
        organisations = _visible_ids(models.Organisation, scope, slug=f.organisation)
        query = query.filter(organisation_id__in=organisations)
    if f.eligible_for_contracting is not None:
        query = query.filter(eligible_for_contracting=f.eligible_for_contracting)
    query = query.filter(_member("languages", f.language))
    return _owners(query, f.tenants)


def filter_organisations(query: QuerySet[Any], f: OrganisationFilter | None) -> QuerySet[Any]:
    if f is None:
        return query
    if f.kinds:
        query = query.filter(kind__in=[k.value for k in _values(f.kinds, "kinds") or []])
    if f.country:
        query = query.filter(country=f.country.upper())
    return query


def filter_events(query: QuerySet[Any], f: EventFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    now = scope.now
    if f.when is EventWhen.UPCOMING:
        query = query.filter(end__gte=now)
    elif f.when is EventWhen.PAST:
        query = query.filter(end__lt=now)
    if f.starts_after is not None:
        query = query.filter(start__gte=_utc(f.starts_after, "startsAfter"))
    if f.starts_before is not None:
        query = query.filter(start__lt=_utc(f.starts_before, "startsBefore"))
    if f.formats:
        query = query.filter(format__in=[x.value for x in _values(f.formats, "formats") or []])
    if f.language:
        query = query.filter(language=f.language)
    if f.organisation:
        hosts = _visible_ids(models.Organisation, scope, slug=f.organisation)
        query = query.filter(host_organisation_id__in=hosts)
    query = query.filter(_member("thematic_areas", f.thematic_area))
    return _with_tags(query, models.Event, f.tags)


def filter_news(query: QuerySet[Any], f: NewsFilter | None) -> QuerySet[Any]:
    if f is None:
        return query
    if f.kinds:
        query = query.filter(kind__in=[k.value for k in _values(f.kinds, "kinds") or []])
    if f.language:
        query = query.filter(language=f.language)
    query = query.filter(_member("thematic_areas", f.thematic_area))
    query = _with_tags(query, models.NewsItem, f.tags)
    return _published_range(query, f.published_after, f.published_before)


def filter_pages(query: QuerySet[Any], f: PageFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    if f.parent_path is not None:
        if f.parent_path.strip("/") == "":
            query = query.filter(parent_id=None)
        else:
            parents = _visible_ids(models.Page, scope, path=f.parent_path.strip("/"))
            query = query.filter(parent_id__in=parents)
    if f.in_menu is not None:
        query = query.filter(show_in_menu=f.in_menu)
    if f.language:
        query = query.filter(language=f.language)
    return query
