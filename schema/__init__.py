"""The GraphQL API: `build_schema()` makes the strawberry schema."""

from __future__ import annotations

import strawberry


def build_schema() -> strawberry.Schema:
    """The schema with every type that only `node(id:)` reaches registered too."""
    from schema.content.types import (
        EventType,
        NewsItemType,
        PageType,
        ResourceType,
        TagType,
        VideoType,
    )
    from schema.media.types import FileType, ImageType
    from schema.content.mutations import build_mutation
    from schema.people.types import OrganisationType, ProfileType
    from schema.queries import Query
    from schema.search.queries import SearchQuery
    from schema.tenants.types import TenantType
    from schema.media.mutations import UploadMutation

    # Other domains (search, media) add their root fields as classes in these tuples.
    query_parts: tuple[type, ...] = (Query, SearchQuery)
    mutation_parts: tuple[type, ...] = (UploadMutation,)
    return strawberry.Schema(
        query=strawberry.type(
            type("Query", query_parts, {}),
            description="Everything a CoP website or the knowledge portal can read.",
        ),
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
