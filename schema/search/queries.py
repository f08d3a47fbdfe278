"""The `search` root field: knowledge-base and site search with facets and highlights."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

import strawberry
from starlette.requests import Request

from cms import models
from cms.errors import InvalidInput
from schema.content.types import EventType, NewsItemType, PageType, ResourceType, VideoType
from schema.context import Info
from schema.core.enums import ThematicArea
from schema.core.nodes import Content
from schema.core.pagination import PageInfo
from schema.people.types import ProfileType
from search_index import Audience, Filters, SearchScope, SearchService, decode_cursor, encode_cursor


@strawberry.enum(name="SearchScope", description="Which items a search looks in.")
class SearchScopeEnum(Enum):
    SITE = strawberry.enum_value(
        "site", description="This site's items plus every tenant's shared ones (default here)."
    )
    KNOWLEDGE_BASE = strawberry.enum_value(
        "knowledge-base",
        description="Shared items of every tenant (the only scope without a tenant).",
    )


@strawberry.enum(description="A kind of content search finds.")
class SearchKind(Enum):
    RESOURCE = "Resource"
    VIDEO = "Video"
    NEWS_ITEM = "NewsItem"
    EVENT = "Event"
    PAGE = "Page"
    PROFILE = "Profile"


_WRAP: dict[str, Callable[[Any], Any]] = {
    "Resource": ResourceType.from_model,
    "Video": VideoType.from_model,
    "NewsItem": NewsItemType.from_model,
    "Event": EventType.from_model,
    "Page": PageType.from_model,
    "Profile": ProfileType.from_model,
}
_KIND_NAMES = {k.value: k.name for k in SearchKind}
_AREA_NAMES = {a.value: a.name for a in models.ThematicArea}
# Index facet field -> (API field name, how a value is shown)
_FACETS: dict[str, tuple[str, Callable[[str], str]]] = {
    "kind": ("kind", lambda v: _KIND_NAMES.get(v, v)),
    "tags": ("tag", lambda v: v),
    "thematic_areas": ("thematicArea", lambda v: _AREA_NAMES.get(v, v)),
    "language": ("language", lambda v: v),
    "tenant": ("tenant", lambda v: v),
}


@strawberry.type(description="A matching passage of a field, with matches in <mark>…</mark>.")
class SearchHighlight:
    field: str = strawberry.field(description="The field it comes from: `title` or `body`.")
    snippet: str = strawberry.field(description="Escaped text; matched words in <mark>.")


@strawberry.type(description="One search result: the item, how well it matches, and where.")
class SearchHit:
    score: float = strawberry.field(description="Relevance (higher is better, BM25F).")
    item: Content = strawberry.field(description="The matching content item.")
    highlights: list[SearchHighlight] = strawberry.field(description="Matching passages.")


@strawberry.type(description="A search hit with its cursor.")
class SearchEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this hit.")
    node: SearchHit = strawberry.field(description="The hit.")


@strawberry.type(description="One value of a facet and how many results have it.")
class FacetValue:
    value: str = strawberry.field(description="The value (a kind, tag slug, area, language, …).")
    count: int = strawberry.field(description="Results with this value.")


@strawberry.type(description="Counts of the whole result per value of one field.")
class SearchFacet:
    field: str = strawberry.field(
        description="`kind`, `tag`, `thematicArea`, `language` or `tenant`."
    )
    values: list[FacetValue] = strawberry.field(description="Values, most frequent first.")


@strawberry.type(description="Search results as a connection, with facets and a suggestion.")
class SearchConnection:
    total_count: int = strawberry.field(description="Results the reader may see, in all.")
    edges: list[SearchEdge] = strawberry.field(description="This page of hits, best first.")
    page_info: PageInfo = strawberry.field(description="Where this page is.")
    facets: list[SearchFacet] = strawberry.field(description="Counts over the whole result.")
    suggestion: str | None = strawberry.field(
        description=(
            'A corrected query ("did you mean") when this one finds little or only through '
            "typo tolerance; made only of words the reader may see."
        )
    )
    partial: bool = strawberry.field(
        description=(
            "True when the search stopped short: it ran out of its time budget, or a prefix*, "
            "wild*card or typo~ term matched more index terms than a term may stand for. "
            "`totalCount`, the hits and the facets then count only what was found."
        )
    )


def service_of(request: Request) -> SearchService:
    """The app's search service (made on first use when the app was built without one)."""
    state = request.app.state
    service = getattr(state, "search", None)
    if service is None:
        service = SearchService.from_settings(state.settings)
        state.search = service
    return service


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description=(
            'Full-text search: words, "phrases", AND/OR/NOT, `title:` and `body:` prefixes, '
            "prefix* and typo~ matching. Only items the reader may see are counted or shown."
        )
    )
    async def search(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="What to look for.")],
        scope: Annotated[
            SearchScopeEnum | None,
            strawberry.argument(description="SITE (default with a tenant) or KNOWLEDGE_BASE."),
        ] = None,
        kinds: Annotated[
            list[SearchKind] | None, strawberry.argument(description="Only these kinds.")
        ] = None,
        tags: Annotated[
            list[str] | None, strawberry.argument(description="Only items with one of these tags.")
        ] = None,
        thematic_areas: Annotated[
            list[ThematicArea] | None,
            strawberry.argument(description="Only items in one of these areas."),
        ] = None,
        language: Annotated[
            str | None, strawberry.argument(description="Only items in this language.")
        ] = None,
        tenants: Annotated[
            list[str] | None, strawberry.argument(description="Only items of these tenants.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size (default 20, max 100).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> SearchConnection:
        settings = info.context.settings
        size = settings.default_page_size if first is None else first
        if size < 0 or size > settings.max_page_size:
            raise InvalidInput(
                f"first must be between 0 and {settings.max_page_size}.", field="first"
            )
        offset = decode_cursor(after) + 1 if after else 0
        audience = Audience.of(
            info.context.scope, SearchScope(scope.value) if scope is not None else None
        )
        filters = Filters(
            kinds=tuple(k.value for k in kinds or ()),
            tags=tuple(tags or ()),
            thematic_areas=tuple(a.value for a in thematic_areas or ()),
            language=language or None,
            tenants=tuple(tenants or ()),
        )
        results = await service_of(info.context.request).search(
            query, audience, filters, first=size, offset=offset
        )
        page = results.page
        positions = {(h.content_type, h.object_id): i for i, h in enumerate(page.hits)}
        edges = [
            SearchEdge(
                cursor=encode_cursor(
                    offset + positions[found.hit.content_type, found.hit.object_id]
                ),
                node=SearchHit(
                    score=found.hit.score,
                    item=_WRAP[found.hit.content_type](found.row),
                    highlights=[
                        SearchHighlight(field=name, snippet=snippet)
                        for name, snippet in found.hit.highlights
                    ],
                ),
            )
            for found in results.found
        ]
        facets = [
            SearchFacet(
                field=_FACETS[name][0],
                values=[FacetValue(value=_FACETS[name][1](v), count=c) for v, c in values],
            )
            for name, values in page.facets.items()
        ]
        return SearchConnection(
            total_count=page.total,
            edges=edges,
            page_info=PageInfo(
                has_next_page=offset + len(page.hits) < page.total,
                has_previous_page=offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=encode_cursor(offset + len(page.hits) - 1) if page.hits else None,
            ),
            facets=facets,
            suggestion=page.suggestion,
            partial=page.partial,
        )
