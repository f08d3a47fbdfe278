"""The GraphQL API: `build_schema()` makes the strawberry schema."""

from __future__ import annotations

import strawberry


def build_schema() -> strawberry.Schema:
    """The schema with every type that only `node(id:)` reaches registered too."""
    from schema.content import EventType, NewsItemType, PageType, ResourceType, TagType, VideoType
    from schema.execution import EXTENSIONS, CMSSchema, CostLimitedExecution
    from schema.media import FileType, ImageType
    from schema.mutations import build_mutation
    from schema.people import OrganisationType, ProfileType
    from schema.query import Query
    from schema.search import SearchQuery
    from schema.tenants import TenantType
    from schema.uploads import UploadMutation

    # Other domains (search, media) add their root fields as classes in these tuples.
    query_parts: tuple[type, ...] = (Query, SearchQuery)
    mutation_parts: tuple[type, ...] = (UploadMutation,)
    return CMSSchema(
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
        extensions=EXTENSIONS,
        execution_context_class=CostLimitedExecution,
    )
