"""Root fields of the content kinds: lists, single lookups and the tag vocabulary."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from tortoise.queryset import QuerySet

from cms import models
from cms.tenancy import Scope
from schema.content.filters import (
    PAGE_MENU_COLUMNS,
    EventFilter,
    EventOrder,
    EventOrderField,
    EventWhen,
    NewsFilter,
    PageFilter,
    PageOrder,
    PageOrderField,
    PublicationOrder,
    PublicationOrderField,
    ResourceFilter,
    VideoFilter,
    filter_events,
    filter_news,
    filter_pages,
    filter_resources,
    filter_videos,
)
from schema.content.types import (
    EventType,
    NewsItemType,
    PageType,
    ResourceType,
    TagType,
    VideoType,
)
from schema.context import Info
from schema.core.filters import ordering
from schema.core.lists import (
    After,
    Before,
    First,
    IncludeShared,
    Last,
    OwnerSlug,
    first_or_none,
    listed_owned,
    listed_shareable,
    owned_item,
    page_of,
    shareable_item,
)
from schema.core.pagination import Connection, OrderDirection
from schema.core.types import HoldsModel
from schema.delivery.redirects import redirected  # an old slug or path still resolves

_T = TypeVar("_T", bound=HoldsModel)


def _redirect(type_: type[_T], row: Any) -> _T | None:
    """The type of an item found by an old slug or path (marked with it), or None."""
    return type_.from_model(row) if row is not None else None


class ContentQuery:
    """Lists and lookups of resources, videos, events, news, pages and tags."""

    @strawberry.field(description="Resources of this site, optionally with shared ones.")
    async def resources(
        self,
        info: Info,
        filter: ResourceFilter | None = None,
        order_by: PublicationOrder | None = None,
        include_shared: IncludeShared = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ResourceType]:
        order = order_by or PublicationOrder(field=PublicationOrderField.PUBLISHED_AT)

        def query(scope: Scope) -> QuerySet[Any]:
            listed = listed_shareable(models.Resource, scope, include_shared, filter)
            return filter_resources(listed, filter, scope)

        return await page_of(
            info,
            models.Resource,
            query,
            ("resources", include_shared, repr(filter)),
            ordering(order.field, order.direction),
            ResourceType,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="Videos of this site, optionally with shared ones.")
    async def videos(
        self,
        info: Info,
        filter: VideoFilter | None = None,
        order_by: PublicationOrder | None = None,
        include_shared: IncludeShared = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[VideoType]:
        order = order_by or PublicationOrder(field=PublicationOrderField.PUBLISHED_AT)

        def query(scope: Scope) -> QuerySet[Any]:
            listed = listed_shareable(models.Video, scope, include_shared, filter)
            return filter_videos(listed, filter)

        return await page_of(
            info,
            models.Video,
            query,
            ("videos", include_shared, repr(filter)),
            ordering(order.field, order.direction),
            VideoType,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(
        description="Events of this site by start, soonest first (PAST: latest first); "
        "filter `when: UPCOMING` for a calendar."
    )
    async def events(
        self,
        info: Info,
        filter: EventFilter | None = None,
        order_by: EventOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[EventType]:
        if order_by is None:
            past = filter is not None and filter.when is EventWhen.PAST
            direction = OrderDirection.DESC if past else OrderDirection.ASC
            order_by = EventOrder(field=EventOrderField.START, direction=direction)

        def query(scope: Scope) -> QuerySet[Any]:
            return filter_events(listed_owned(models.Event, scope, filter), filter, scope)

        return await page_of(
            info,
            models.Event,
            query,
            ("events", repr(filter)),
            ordering(order_by.field, order_by.direction),
            EventType,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="News items and press releases of this site, newest first.")
    async def news(
        self,
        info: Info,
        filter: NewsFilter | None = None,
        order_by: PublicationOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[NewsItemType]:
        order = order_by or PublicationOrder(field=PublicationOrderField.PUBLISHED_AT)

        def query(scope: Scope) -> QuerySet[Any]:
            return filter_news(listed_owned(models.NewsItem, scope, filter), filter)

        return await page_of(
            info,
            models.NewsItem,
            query,
            ("news", repr(filter)),
            ordering(order.field, order.direction),
            NewsItemType,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="Pages of this site, in menu order by default.")
    async def pages(
        self,
        info: Info,
        filter: PageFilter | None = None,
        order_by: PageOrder | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PageType]:
        order = order_by or PageOrder(field=PageOrderField.MENU)
        columns = PAGE_MENU_COLUMNS if order.field is PageOrderField.MENU else ()

        def query(scope: Scope) -> QuerySet[Any]:
            return filter_pages(listed_owned(models.Page, scope, filter), filter, scope)

        return await page_of(
            info,
            models.Page,
            query,
            ("pages", repr(filter)),
            ordering(order.field, order.direction, columns),
            PageType,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="This site's tag vocabulary, by name.")
    async def tags(self, info: Info) -> list[TagType]:
        scope = info.context.scope
        if scope.tenant_id is None:
            return []
        rows = await models.Tag.filter(tenant_id=scope.tenant_id).order_by("name", "id")
        return [TagType.from_model(t) for t in rows]

    @strawberry.field(description="One tag of this site by slug.")
    async def tag(self, info: Info, slug: str) -> TagType | None:
        scope = info.context.scope
        if scope.tenant_id is None:
            return None
        row = await first_or_none(models.Tag.filter(tenant_id=scope.tenant_id, slug=slug))
        return TagType.from_model(row) if row else None

    @strawberry.field(description="One resource by slug.")
    async def resource(
        self, info: Info, slug: str, tenant: OwnerSlug = None
    ) -> ResourceType | None:
        return await shareable_item(info, models.Resource, ResourceType, slug, tenant) or _redirect(
            ResourceType, await redirected(info, models.Resource, "Resource", slug, tenant=tenant)
        )

    @strawberry.field(description="One video by slug.")
    async def video(self, info: Info, slug: str, tenant: OwnerSlug = None) -> VideoType | None:
        return await shareable_item(info, models.Video, VideoType, slug, tenant) or _redirect(
            VideoType, await redirected(info, models.Video, "Video", slug, tenant=tenant)
        )

    @strawberry.field(description="One event of this site by slug.")
    async def event(self, info: Info, slug: str) -> EventType | None:
        return await owned_item(info, models.Event, EventType, "slug", slug) or _redirect(
            EventType, await redirected(info, models.Event, "Event", slug)
        )

    @strawberry.field(name="newsItem", description="One news item of this site by slug.")
    async def news_item(self, info: Info, slug: str) -> NewsItemType | None:
        return await owned_item(info, models.NewsItem, NewsItemType, "slug", slug) or _redirect(
            NewsItemType, await redirected(info, models.NewsItem, "NewsItem", slug)
        )

    @strawberry.field(description="One page of this site by path, e.g. `about/how-to-join`.")
    async def page(self, info: Info, path: str) -> PageType | None:
        clean = path.strip("/")
        return await owned_item(info, models.Page, PageType, "path", clean) or _redirect(
            PageType, await redirected(info, models.Page, "Page", clean)
        )
