"""Root fields of joining: the public face of a community, its settings, and the queue of
join requests (its coordinators and admins only)."""

from __future__ import annotations

import strawberry

from cms import models
from cms.errors import PermissionDenied
from cms.models import JoinRequestState
from cms.services import community
from cms.services.joining import may_coordinate
from schema.context import Info
from schema.core.lists import After, Before, First, Last, page_of_models
from schema.core.pagination import Connection, Ordering
from schema.core.payloads import require_tenant
from schema.core.types import build
from schema.joining.types import Community, CommunitySettingsType, JoinRequestType

OLDEST = Ordering(name="CREATED_AT:ASC", fields=(("created_at", False),))
LISTED = [JoinRequestState.PENDING, JoinRequestState.APPROVED, JoinRequestState.DECLINED]


async def settings_type(tenant_id: int, row: models.CommunitySettings) -> CommunitySettingsType:
    return build(CommunitySettingsType, row, member_count=await community.member_count(tenant_id))


class JoiningQuery:
    """How a community takes in people."""

    @strawberry.field(
        description="What anyone may read of this site's community: whether it takes join "
        "requests and enquiries, its privacy text, and its membership target if shown."
    )
    async def community(self, info: Info) -> Community | None:
        tenant = info.context.scope.tenant
        return Community.of(await community.public_of(tenant)) if tenant is not None else None

    @strawberry.field(description="This site's community settings (its admins and coordinators).")
    async def community_settings(self, info: Info) -> CommunitySettingsType:
        tenant = require_tenant(info)
        if not may_coordinate(info.context.principal, tenant.id):
            raise PermissionDenied("Only the community's coordinators and admins read this.")
        return await settings_type(tenant.id, await community.settings_of(tenant.id))

    @strawberry.field(
        description="Confirmed join requests of this site, oldest first (its coordinators and "
        "admins only); by default the PENDING queue."
    )
    async def join_requests(
        self,
        info: Info,
        states: list[JoinRequestState] | None = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[JoinRequestType]:
        tenant = require_tenant(info)
        if not may_coordinate(info.context.principal, tenant.id):
            raise PermissionDenied("Only the community's coordinators and admins see requests.")
        wanted = [s for s in states or [JoinRequestState.PENDING] if s in LISTED]
        query = models.JoinRequest.filter(tenant_id=tenant.id, state__in=wanted)
        return await page_of_models(
            info, query, OLDEST, JoinRequestType.from_model, first, after, last, before
        )
