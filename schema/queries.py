"""The root Query: the tenant directory, the current site, lists, single lookups and node()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry
from tortoise.exceptions import ValidationError
from tortoise.models import Model
from tortoise.queryset import QuerySet

from cms import models
from cms.errors import InvalidInput
from cms.models import Status
from cms.tenancy import Scope, listed_q, visible_q
from schema.content.types import EventType, NewsItemType, PageType, ResourceType, TagType, VideoType
from schema.context import Info
from schema.core.enums import TenantKind
from schema.content.filters import (
    EventFilter,
    EventOrder,
    EventOrderField,
    EventWhen,
    NameOrder,
    NameOrderField,
    NewsFilter,
    OrganisationFilter,
    PageFilter,
    PageOrder,
    PageOrderField,
    ProfileFilter,
    PublicationOrder,
    PublicationOrderField,
    ResourceFilter,
    VideoFilter,
    filter_events,
    filter_news,
    filter_organisations,
    filter_pages,
    filter_profiles,
    filter_resources,
    filter_videos,
    ordering,
)
from schema.core.ids import from_global_id
from schema.media.types import FileType, ImageType
from schema.core.nodes import Node
from schema.core.pagination import Connection, OrderDirection, Ordering, map_nodes, paginate
from schema.people.types import OrganisationType, ProfileType
from schema.tenants.types import TenantType

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


async def _page(
    info: Info,
    query: QuerySet[Any],
    order: Ordering,
    wrap: Callable[[Any], Any],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Connection[Any]:
    settings = info.context.settings
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
        )
    except ValidationError:  # Tortoise refuses to compare a value longer than its column
        raise InvalidInput("A filter value is longer than any stored value allows.") from None
    return map_nodes(connection, wrap)


async def _first(query: QuerySet[Any]) -> Any | None:
    """The first row, or None when an argument is longer than its column (Tortoise refuses
    to compare such a value, and no row could hold it)."""
    try:
        return await query.first()
    except ValidationError:
        return None


def _statuses(filter: Any) -> list[Status] | None:
    statuses = getattr(filter, "status", None)
    return [Status(s) for s in statuses] if statuses else None


def _kb(
    model: type[Model], scope: Scope, include_shared: bool, filter: Any = None
) -> QuerySet[Any]:
    where = listed_q(
        scope, shareable=True, include_shared=include_shared, statuses=_statuses(filter)
    )
    return model.filter(where)


def _own(model: type[Model], scope: Scope, filter: Any = None) -> QuerySet[Any]:
    where = listed_q(scope, shareable=False, include_shared=False, statuses=_statuses(filter))
    return model.filter(where)


async def _owned_lookup(info: Info, model: type[Model], **where: Any) -> Any | None:
    """One item of this site by a unique key: live published, or any status in preview."""
    scope = info.context.scope
    if scope.tenant_id is None:
        return None
    return await _first(model.filter(visible_q(scope, shareable=False), **where))


async def _owner_id(info: Info, tenant: str | None) -> int | None:
    """The tenant a single lookup addresses: the argument, else the request's tenant."""
    if tenant is None:
        return info.context.scope.tenant_id
    row = await info.context.directory.by_slug(tenant)
    return row.id if row is not None else None


async def _shareable_by_slug(
    info: Info, model: type[Model], slug: str, tenant: str | None
) -> Any | None:
    owner = await _owner_id(info, tenant)
    if owner is None:
        return None
    scope = info.context.scope
    return await _first(model.filter(visible_q(scope, shareable=True), tenant_id=owner, slug=slug))


# node(id) resolves each type through the same visibility rule as its lists and relations.
_NODE_TYPES: dict[str, tuple[type[Model], Callable[[Any], Any], str]] = {
    "Tenant": (models.Tenant, TenantType.from_model, "directory"),
    "Resource": (models.Resource, ResourceType.from_model, "shareable"),
    "Video": (models.Video, VideoType.from_model, "shareable"),
    "Profile": (models.Profile, ProfileType.from_model, "shareable"),
    "Organisation": (models.Organisation, OrganisationType.from_model, "shareable"),
    "Event": (models.Event, EventType.from_model, "owned"),
    "NewsItem": (models.NewsItem, NewsItemType.from_model, "owned"),
    "Page": (models.Page, PageType.from_model, "owned"),
    "Tag": (models.Tag, TagType.from_model, "vocabulary"),
    "Image": (models.Image, ImageType.from_model, "media"),
    "File": (models.File, FileType.from_model, "media"),
}

_MAX_ID = 2**31 - 1  # every model's primary key is an IntField (32-bit)


@strawberry.type(description="Everything a CoP website or the knowledge portal can read.")
class Query:
    @strawberry.field(description="The tenant this request addresses (null in the platform scope).")
    def site(self, info: Info) -> TenantType | None:
        tenant = info.context.scope.tenant
        return TenantType.from_model(tenant) if tenant else None

    @strawberry.field(description="The tenant directory: programmes, hubs and CoPs, by name.")
    async def tenants(
        self,
        kind: Annotated[
            TenantKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
        parent: Annotated[
            str | None, strawberry.argument(description="Only children of this slug.")
        ] = None,
    ) -> list[TenantType]:
        query = models.Tenant.all().order_by("name", "id")
        if kind is not None:
            query = query.filter(kind=kind)
        if parent is not None:
            query = query.filter(parent__slug=parent)
        try:
            return [TenantType.from_model(t) for t in await query]
        except ValidationError:  # a parent slug longer than any slug names no tenant
            return []

    @strawberry.field(description="One tenant of the directory by slug.")
    async def tenant(self, info: Info, slug: str) -> TenantType | None:
        row = await info.context.directory.by_slug(slug)
        return TenantType.from_model(row) if row else None

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
        query = filter_resources(_kb(models.Resource, scope, include_shared, filter), filter, scope)
        return await _page(
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
        query = filter_videos(_kb(models.Video, info.context.scope, include_shared, filter), filter)
        return await _page(
            info,
            query,
            ordering(order.field, order.direction),
            VideoType.from_model,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="Stakeholder profiles of this site, optionally with shared ones.")
    async def profiles(
        self,
        info: Info,
        filter: ProfileFilter | None = None,
        order_by: NameOrder | None = None,
        include_shared: IncludeShared = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ProfileType]:
        order = order_by or NameOrder(field=NameOrderField.NAME)
        scope = info.context.scope
        query = filter_profiles(_kb(models.Profile, scope, include_shared, filter), filter, scope)
        return await _page(
            info,
            query,
            ordering(order.field, order.direction),
            ProfileType.from_model,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="Organisations of this site, optionally with shared ones.")
    async def organisations(
        self,
        info: Info,
        filter: OrganisationFilter | None = None,
        order_by: NameOrder | None = None,
        include_shared: IncludeShared = False,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[OrganisationType]:
        order = order_by or NameOrder(field=NameOrderField.NAME)
        scope = info.context.scope
        query = filter_organisations(
            _kb(models.Organisation, scope, include_shared, filter), filter
        )
        return await _page(
            info,
            query,
            ordering(order.field, order.direction),
            OrganisationType.from_model,
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
        query = filter_events(_own(models.Event, scope, filter), filter, scope)
        return await _page(
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
        query = filter_news(_own(models.NewsItem, info.context.scope, filter), filter)
        return await _page(
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
        query = filter_pages(_own(models.Page, scope, filter), filter, scope)
        return await _page(
            info,
            query,
            ordering(order.field, order.direction),
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
        row = await _first(models.Tag.filter(tenant_id=scope.tenant_id, slug=slug))
        return TagType.from_model(row) if row else None

    @strawberry.field(description="One resource by slug.")
    async def resource(
        self, info: Info, slug: str, tenant: OwnerSlug = None
    ) -> ResourceType | None:
        row = await _shareable_by_slug(info, models.Resource, slug, tenant)
        return ResourceType.from_model(row) if row else None

    @strawberry.field(description="One video by slug.")
    async def video(self, info: Info, slug: str, tenant: OwnerSlug = None) -> VideoType | None:
        row = await _shareable_by_slug(info, models.Video, slug, tenant)
        return VideoType.from_model(row) if row else None

    @strawberry.field(description="One profile by slug.")
    async def profile(self, info: Info, slug: str, tenant: OwnerSlug = None) -> ProfileType | None:
        row = await _shareable_by_slug(info, models.Profile, slug, tenant)
        return ProfileType.from_model(row) if row else None

    @strawberry.field(description="One organisation by slug.")
    async def organisation(
        self, info: Info, slug: str, tenant: OwnerSlug = None
    ) -> OrganisationType | None:
        row = await _shareable_by_slug(info, models.Organisation, slug, tenant)
        return OrganisationType.from_model(row) if row else None

    @strawberry.field(description="One event of this site by slug.")
    async def event(self, info: Info, slug: str) -> EventType | None:
        row = await _owned_lookup(info, models.Event, slug=slug)
        return EventType.from_model(row) if row else None

    @strawberry.field(description="One news item of this site by slug.")
    async def news_item(self, info: Info, slug: str) -> NewsItemType | None:
        row = await _owned_lookup(info, models.NewsItem, slug=slug)
        return NewsItemType.from_model(row) if row else None

    @strawberry.field(description="One page of this site by path, e.g. `about/how-to-join`.")
    async def page(self, info: Info, path: str) -> PageType | None:
        clean = path.strip("/")
        row = await _owned_lookup(info, models.Page, path=clean)
        return PageType.from_model(row) if row else None

    @strawberry.field(description="Any object by its global id, if the reader may see it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(str(id))
        if decoded is None or decoded[0] not in _NODE_TYPES:
            return None
        type_name, pk = decoded
        model, wrap, rule = _NODE_TYPES[type_name]
        if pk > _MAX_ID:  # no row has it, and PostgreSQL refuses to compare an int column to it
            return None
        scope = info.context.scope
        query = model.filter(id=pk)
        if rule == "shareable":
            query = query.filter(visible_q(scope, shareable=True))
        elif rule == "owned":
            query = query.filter(visible_q(scope, shareable=False))
        elif rule == "vocabulary":
            if scope.tenant_id is None:
                return None
            query = query.filter(tenant_id=scope.tenant_id)
        elif rule == "media":
            # Media is public only through the items that show it; by id it could be a
            # draft's picture or file, so only the tenant's previewers get it.
            if scope.tenant_id is None or not scope.preview:
                return None
            query = query.filter(tenant_id=scope.tenant_id)
        row = await query.first()
        return wrap(row) if row else None
