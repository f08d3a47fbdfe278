"""Root fields of the stakeholder database: profiles and organisations."""

from __future__ import annotations

from typing import Any

import strawberry
from tortoise.queryset import QuerySet

from cms import models
from cms.tenancy import Scope
from schema.context import Info
from schema.core.filters import ordering
from schema.core.lists import (
    After,
    Before,
    First,
    IncludeShared,
    Last,
    OwnerSlug,
    listed_shareable,
    page_of,
    shareable_item,
)
from schema.core.pagination import Connection
from schema.people.filters import (
    NameOrder,
    NameOrderField,
    OrganisationFilter,
    ProfileFilter,
    filter_organisations,
    filter_profiles,
)
from schema.people.types import OrganisationType, ProfileType


class PeopleQuery:
    """Lists and lookups of profiles and organisations (shareable across tenants)."""

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

        def query(scope: Scope) -> QuerySet[Any]:
            listed = listed_shareable(models.Profile, scope, include_shared, filter)
            return filter_profiles(listed, filter, scope)

        return await page_of(
            info,
            models.Profile,
            query,
            ("profiles", include_shared, repr(filter)),
            ordering(order.field, order.direction),
            ProfileType,
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

        def query(scope: Scope) -> QuerySet[Any]:
            listed = listed_shareable(models.Organisation, scope, include_shared, filter)
            return filter_organisations(listed, filter)

        return await page_of(
            info,
            models.Organisation,
            query,
            ("organisations", include_shared, repr(filter)),
            ordering(order.field, order.direction),
            OrganisationType,
            first,
            after,
            last,
            before,
        )

    @strawberry.field(description="One profile by slug.")
    async def profile(self, info: Info, slug: str, tenant: OwnerSlug = None) -> ProfileType | None:
        return await shareable_item(info, models.Profile, ProfileType, slug, tenant)

    @strawberry.field(description="One organisation by slug.")
    async def organisation(
        self, info: Info, slug: str, tenant: OwnerSlug = None
    ) -> OrganisationType | None:
        return await shareable_item(info, models.Organisation, OrganisationType, slug, tenant)
