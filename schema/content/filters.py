"""Typed filter and ordering inputs of the content lists, and how each narrows a query."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from cms import models
from cms.tenancy import Scope
from schema.core.enums import (
    ContentStatus,
    EventFormat,
    NewsKind,
    ResourceKind,
    ThematicArea,
    VideoProvider,
)
from schema.core.filters import (
    STATUS,
    checked_values,
    has_member,
    owned_by,
    published_range,
    utc,
    visible_ids,
    with_tags,
)
from schema.core.pagination import OrderDirection


@strawberry.enum(description="Which events a list holds, relative to now.")
class EventWhen(Enum):
    UPCOMING = "upcoming"
    PAST = "past"
    ALL = "all"


@strawberry.input(description="Narrow a list of resources; every given field must match.")
class ResourceFilter:
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
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
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
    providers: list[VideoProvider] | None = strawberry.field(default=None, description="Any.")
    tags: list[str] | None = strawberry.field(default=None, description="All of these tag slugs.")
    language: str | None = strawberry.field(default=None, description="Language tag.")
    thematic_area: ThematicArea | None = strawberry.field(default=None, description="Area.")
    tenants: list[str] | None = strawberry.field(default=None, description="Owner tenant slugs.")
    published_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    published_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.input(description="Narrow a list of events; every given field must match.")
class EventFilter:
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
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
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
    kinds: list[NewsKind] | None = strawberry.field(default=None, description="Any of these.")
    tags: list[str] | None = strawberry.field(default=None, description="All of these tag slugs.")
    language: str | None = strawberry.field(default=None, description="Language tag.")
    thematic_area: ThematicArea | None = strawberry.field(default=None, description="Area.")
    published_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    published_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


@strawberry.input(description="Narrow a list of pages; every given field must match.")
class PageFilter:
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
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


@strawberry.input(description="Order of pages (default menu order, then title).")
class PageOrder:
    field: PageOrderField = strawberry.field(description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Dir.")


PAGE_MENU_COLUMNS = ("menu_order", "title")


def filter_resources(query: QuerySet[Any], f: ResourceFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    if f.kinds:
        query = query.filter(kind__in=[k.value for k in checked_values(f.kinds, "kinds") or []])
    if f.language:
        query = query.filter(language=f.language)
    if f.author:
        authors = visible_ids(models.Profile, scope, slug=f.author)
        authored = models.ResourceAuthor.filter(profile_id__in=authors).values("resource_id")
        query = query.filter(id__in=Subquery(authored))
    if f.organisation:
        organisations = visible_ids(models.Organisation, scope, slug=f.organisation)
        query = query.filter(organisation_id__in=organisations)
    query = query.filter(has_member("thematic_areas", f.thematic_area))
    query = owned_by(query, f.tenants)
    query = with_tags(query, models.Resource, f.tags)
    return published_range(query, f.published_after, f.published_before)


def filter_videos(query: QuerySet[Any], f: VideoFilter | None) -> QuerySet[Any]:
    if f is None:
        return query
    if f.providers:
        query = query.filter(
            provider__in=[p.value for p in checked_values(f.providers, "providers") or []]
        )
    if f.language:
        query = query.filter(language=f.language)
    query = query.filter(has_member("thematic_areas", f.thematic_area))
    query = owned_by(query, f.tenants)
    query = with_tags(query, models.Video, f.tags)
    return published_range(query, f.published_after, f.published_before)


def filter_events(query: QuerySet[Any], f: EventFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    now = scope.now
    if f.when is EventWhen.UPCOMING:
        query = query.filter(end__gte=now)
    elif f.when is EventWhen.PAST:
        query = query.filter(end__lt=now)
    if f.starts_after is not None:
        query = query.filter(start__gte=utc(f.starts_after, "startsAfter"))
    if f.starts_before is not None:
        query = query.filter(start__lt=utc(f.starts_before, "startsBefore"))
    if f.formats:
        query = query.filter(
            format__in=[x.value for x in checked_values(f.formats, "formats") or []]
        )
    if f.language:
        query = query.filter(language=f.language)
    if f.organisation:
        hosts = visible_ids(models.Organisation, scope, slug=f.organisation)
        query = query.filter(host_organisation_id__in=hosts)
    query = query.filter(has_member("thematic_areas", f.thematic_area))
    return with_tags(query, models.Event, f.tags)


def filter_news(query: QuerySet[Any], f: NewsFilter | None) -> QuerySet[Any]:
    if f is None:
        return query
    if f.kinds:
        query = query.filter(kind__in=[k.value for k in checked_values(f.kinds, "kinds") or []])
    if f.language:
        query = query.filter(language=f.language)
    query = query.filter(has_member("thematic_areas", f.thematic_area))
    query = with_tags(query, models.NewsItem, f.tags)
    return published_range(query, f.published_after, f.published_before)


def filter_pages(query: QuerySet[Any], f: PageFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    if f.parent_path is not None:
        if f.parent_path.strip("/") == "":
            query = query.filter(parent_id=None)
        else:
            parents = visible_ids(models.Page, scope, path=f.parent_path.strip("/"))
            query = query.filter(parent_id__in=parents)
    if f.in_menu is not None:
        query = query.filter(show_in_menu=f.in_menu)
    if f.language:
        query = query.filter(language=f.language)
    return query
