"""Types of search results: hits with highlights, facets and a suggestion."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.core.nodes import Content
from schema.core.pagination import PageInfo


@strawberry.enum(name="SearchScope", description="Which items a search looks in.")
class SearchScope(Enum):
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
