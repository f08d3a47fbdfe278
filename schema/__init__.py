"""The GraphQL API: `build_schema()` composes the domains' root fields into one schema.

Each domain (tenants, content, people, media, search) has its own folder with its types,
root fields and loaders; `core` holds what they share. The root types are made here.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

# The root Query's fields in the order of the published schema; fields not named here
# follow in the order of their domains.
QUERY_ORDER = (
    "site", "tenants", "tenant",
    "resources", "videos", "profiles", "organisations", "events", "news", "pages",
    "tags", "tag",
    "resource", "video", "profile", "organisation", "event", "news_item", "page",
    "node", "search",
)  # fmt: skip


def _root(name: str, description: str, parts: tuple[type, ...], order: tuple[str, ...]) -> Any:
    """A root type holding the root fields of every part, `order` first."""
    fields: dict[str, StrawberryField] = {}
    for part in parts:
        for attribute, value in vars(part).items():
            if isinstance(value, StrawberryField):
                if attribute in fields:
                    raise ValueError(f"{name}.{attribute} is defined twice.")
                fields[attribute] = value
    ordered = {attribute: fields.pop(attribute) for attribute in order} | fields
    return strawberry.type(type(name, (), ordered), description=description)


def build_schema() -> strawberry.Schema:
    """The schema, with every type that only `node(id:)` reaches registered too."""
    from schema.accounts.mutations import AccountMutation
    from schema.accounts.queries import AccountQuery
    from schema.content.mutations import KindMutation, WorkflowMutation
    from schema.content.queries import ContentQuery
    from schema.delivery.mutations import DeliveryMutation
    from schema.delivery.previews import PreviewMutation, PreviewQuery
    from schema.delivery.queries import DeliveryQuery
    from schema.delivery.redirects import RedirectQuery
    from schema.execution import EXTENSIONS, CMSSchema, CostLimitedExecution
    from schema.genderdata.mutations import GenderDataMutation
    from schema.genderdata.queries import GenderDataQuery
    from schema.joining.mutations import JoiningMutation
    from schema.joining.queries import JoiningQuery
    from schema.media.mutations import UploadMutation
    from schema.memberships.mutations import MembershipMutation
    from schema.memberships.queries import MembershipQuery
    from schema.node import NODE_TYPES, NodeQuery
    from schema.people.queries import PeopleQuery
    from schema.programmes.mutations import ProgrammeMutation
    from schema.programmes.queries import ProgrammeQuery
    from schema.search.queries import SearchQuery
    from schema.tenants.queries import TenantQuery

    query = _root(
        "Query",
        "Everything a CoP website or the knowledge portal can read.",
        (
            TenantQuery,
            ContentQuery,
            PeopleQuery,
            NodeQuery,
            SearchQuery,
            ProgrammeQuery,
            GenderDataQuery,
            DeliveryQuery,
            PreviewQuery,
            RedirectQuery,
            MembershipQuery,
            JoiningQuery,
            AccountQuery,
        ),
        QUERY_ORDER,
    )
    mutation = _root(
        "Mutation",
        "Writes: most need an API token of the tenant or a person signed in (a session).",
        (
            WorkflowMutation,
            UploadMutation,
            KindMutation,
            ProgrammeMutation,
            GenderDataMutation,
            DeliveryMutation,
            PreviewMutation,
            MembershipMutation,
            JoiningMutation,
            AccountMutation,
        ),
        (),
    )
    return CMSSchema(
        query=query,
        mutation=mutation,
        types=[reachable.node_type for reachable in NODE_TYPES.values()],
        extensions=EXTENSIONS,
        execution_context_class=CostLimitedExecution,
    )
