"""The GraphQL API: `build_schema()` makes the strawberry schema."""

from __future__ import annotations

import strawberry


def build_schema() -> strawberry.Schema:
    """The schema with every type that only `node(id:)` reaches registered too."""
    from schema.content import EventType, NewsItemType, PageType, ResourceType, TagType, VideoType
    from schema.media import FileType, ImageType
    from schema.mutations import build_mutation
    from schema.people import OrganisationType, ProfileType
    from schema.query import Query
    from schema.tenants import TenantType

    return strawberry.Schema(
        query=Query,
        mutation=build_mutation(),
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
