"""Root fields of the content kinds: lists, single lookups and the tag vocabulary."""

from __future__ import annotations

import strawberry

from cms import models
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
from schema.delivery.redirects import redirected  # an old slug or path still resolves


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
        scope = info.context.scope
        listed = listed_shareable(models.Resource, scope, include_shared, filter)
        query = filter_resources(listed, filter, scope)
        return await page_of(
            info,
            query,
            ordering(order.field, order.direction),
            ResourceType.from_model,
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
        listed = listed_shareable(models.Video, info.context.scope, include_shared, filter)
        query = filter_videos(listed, filter)
        return await page_of(
            info,
            query,
            ordering(order.field, order.direction),
            VideoType.from_model,
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
        scope = info.context.scope
        if order_by is None:
            past = filter is not None and filter.when is EventWhen.PAST
            direction = OrderDirection.DESC if past else OrderDirection.ASC
            order_by = EventOrder(field=EventOrderField.START, direction=direction)
        query = filter_events(listed_owned(models.Event, scope, filter), filter, scope)
        return await page_of(
            info,
            query,
            ordering(order_by.field, order_by.direction),
            EventType.from_model,
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
        query = filter_news(listed_owned(models.NewsItem, info.context.scope, filter), filter)
        return await page_of(
            info,
            query,
            ordering(order.field, order.direction),
            NewsItemType.from_model,
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
        scope = info.context.scope
        query = filter_pages(listed_owned(models.Page, scope, filter), filter, scope)
        columns = PAGE_MENU_COLUMNS if order.field is PageOrderField.MENU else ()
        return await page_of(
            info,
            query,
            ordering(order.field, order.direction, columns),
            PageType.from_model,
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
        row = await shareable_item(info, models.Resource, slug, tenant) or await redirected(
            info, models.Resource, "Resource", slug, tenant=tenant
        )
        return ResourceType.from_model(row) if row else None

    @strawberry.field(description="One video by slug.")
    async def video(self, info: Info, slug: str, tenant: OwnerSlug = None) -> VideoType | None:
        row = await shareable_item(info, models.Video, slug, tenant) or await redirected(
            info, models.Video, "Video", slug, tenant=tenant
        )
        return VideoType.from_model(row) if row else None

    @strawberry.field(description="One event of this site by slug.")
    async def event(self, info: Info, slug: str) -> EventType | None:
        row = await owned_item(info, models.Event, slug=slug) or await redirected(
            info, models.Event, "Event", slug
        )
        return EventType.from_model(row) if row else None

    @strawberry.field(name="newsItem", description="One news item of this site by slug.")
    async def news_item(self, info: Info, slug: str) -> NewsItemType | None:
        row = await owned_item(info, models.NewsItem, slug=slug) or await redirected(
            info, models.NewsItem, "NewsItem", slug
        )
        return NewsItemType.from_model(row) if row else None

    @strawberry.field(description="One page of this site by path, e.g. `about/how-to-join`.")
    async def page(self, info: Info, path: str) -> PageType | None:
        clean = path.strip("/")
        row = await owned_item(info, models.Page, path=clean) or await redirected(
            info, models.Page, "Page", clean
        )
        return PageType.from_model(row) if row else None
