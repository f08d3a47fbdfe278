"""The GraphQL API: `build_schema()` makes the strawberry schema."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types


def build_schema() -> strawberry.Schema:
    """The schema with every type that only `node(id:)` reaches registered too."""
    from schema.content import EventType, NewsItemType, PageType, ResourceType, TagType, VideoType
    from schema.media import FileType, ImageType
    from schema.mutations import build_mutation
    from schema.people import OrganisationType, ProfileType
    from schema.query import Query
    from schema.tenants import TenantType

    # Other domains (search, media) add their root fields as classes in these tuples.
    query_parts: tuple[type, ...] = (Query,)
    mutation_parts: tuple[type, ...] = ()
    return strawberry.Schema(
        query=merge_types("Query", query_parts) if len(query_parts) > 1 else Query,
        mutation=build_mutation(*mutation_parts),
        types=[
            TenantType,
            ResourceType,
            VideoType,
            ProfileType,
            OrganisationType,
            EventType,
            NewsItemType,
            PageType,
            TagType,
            ImageType,
            FileType,
        ],
    )
