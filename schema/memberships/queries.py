"""Root fields of memberships: the tenant's people for its managers, its directory for its
members, and the public profiles for anyone."""

from __future__ import annotations

from typing import Annotated

import strawberry

from cms.models import Membership
from cms.services import invitations, member_directory, memberships
from schema.context import Info
from schema.core.lists import After, Before, First, Last, page_of_models
from schema.core.pagination import Connection, Ordering
from schema.core.payloads import require_tenant
from schema.memberships.types import (
    CommunityRole,
    DirectoryEntry,
    EditorialRole,
    InvitationType,
    MembershipType,
    PublicMember,
)

OLDEST = Ordering(name="CREATED_AT:ASC", fields=(("created_at", False),))


class MembershipQuery:
    """People of the addressed tenant."""

    @strawberry.field(
        description="This tenant's memberships, oldest first (its admins and coordinators only)."
    )
    async def memberships(
        self,
        info: Info,
        role: Annotated[
            EditorialRole | None, strawberry.argument(description="Only this editorial role.")
        ] = None,
        community_role: Annotated[
            CommunityRole | None, strawberry.argument(description="Only this community role.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[MembershipType]:
        tenant = require_tenant(info)
        memberships.require_list(info.context.principal, tenant.id)
        query = Membership.filter(tenant_id=tenant.id).select_related("account")
        if role is not None:
            query = query.filter(role=role)
        if community_role is not None:
            query = query.filter(community_role=community_role)
        return await page_of_models(
            info, query, OLDEST, MembershipType.from_model, first, after, last, before
        )

    @strawberry.field(
        description="This tenant's invitations not accepted yet, expired ones included, oldest "
        "first (its admins and coordinators only)."
    )
    async def invitations(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[InvitationType]:
        query = invitations.pending(info.context.principal, require_tenant(info))
        return await page_of_models(
            info, query, OLDEST, InvitationType.from_model, first, after, last, before
        )

    @strawberry.field(
        description="The members who listed themselves in this tenant's directory, oldest "
        "first: for its members only (PERMISSION_DENIED for anyone else)."
    )
    async def member_directory(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[DirectoryEntry]:
        query = member_directory.listed(info.context.principal, require_tenant(info))
        return await page_of_models(
            info, query, OLDEST, DirectoryEntry.from_model, first, after, last, before
        )

    @strawberry.field(
        description="This tenant's members who published a profile, oldest first: for anyone."
    )
    async def public_members(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[PublicMember]:
        query = member_directory.public(require_tenant(info))
        # Profiles change outside content writes (no content generation moves), so this
        # answer must not be kept by the response cache; it skips answers that used search
        # for the same reason.
        info.context.searched = True
        return await page_of_models(
            info, query, OLDEST, PublicMember.from_model, first, after, last, before
        )
