"""The `search` root field: knowledge-base and site search with facets and highlights."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

import strawberry
from strawberry.types.nodes import SelectedField

import search_index
from cms import models
from cms.errors import InvalidInput
from schema.content.types import CONTENT_TYPES
from schema.context import Info
from schema.core.enums import ThematicArea
from schema.core.pagination import PageInfo
from schema.search.types import (
    FacetValue,
    SearchConnection,
    SearchEdge,
    SearchFacet,
    SearchHighlight,
    SearchHit,
    SearchKind,
    SearchScope,
)
from search_index import Audience, Filters, decode_cursor, encode_cursor

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


def _fields(selections: Iterable[Any], name: str) -> list[SelectedField]:
    """The fields called `name` in a selection set, through fragments and inline fragments."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found.append(selection)
        else:  # a fragment spread or an inline fragment: its own selections count
            found.extend(_fields(selection.selections, name))
    return found


def selects(info: Info, *path: str) -> bool:
    """Whether the query asks for the field at `path` under this resolver's field."""
    level: list[Any] = list(info.selected_fields)
    for name in path:
        level = [f for field in level for f in _fields(field.selections, name)]
        if not level:
            return False
    return True


class SearchQuery:
    """Full-text search over the items the reader may see."""

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
            SearchScope | None,
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
        info.context.searched = True  # the index lags writes: no stored answer uses it
        settings = info.context.settings
        size = settings.default_page_size if first is None else first
        if size < 0 or size > settings.max_page_size:
            raise InvalidInput(
                f"first must be between 0 and {settings.max_page_size}.", field="first"
            )
        offset = decode_cursor(after) + 1 if after else 0
        audience = Audience.of(
            info.context.scope, search_index.SearchScope[scope.name] if scope is not None else None
        )
        filters = Filters(
            kinds=tuple(k.value for k in kinds or ()),
            tags=tuple(tags or ()),
            thematic_areas=tuple(a.value for a in thematic_areas or ()),
            language=language or None,
            tenants=tuple(tenants or ()),
        )
        # Facets and highlights cost most of a search: made only when the query asks for them.
        results = await info.context.search.search(
            query,
            audience,
            filters,
            first=size,
            offset=offset,
            facets=selects(info, "facets"),
            highlights=selects(info, "edges", "node", "highlights"),
            public=info.context.principal is None,
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
                    item=CONTENT_TYPES[found.hit.content_type].from_model(found.row),
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
