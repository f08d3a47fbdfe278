"""Who reads gender data, one rule per type for lists, lookups, relations and `node`.

Frameworks are public within their network tenant (the request must address it); published
versions too, drafts only for the network's stewards; a submission's raw figures only for its
own institute's tokens and the stewards (`cms.services.genderdata`). Another tenant, the
platform scope and the public see no submission through any path.
"""

from __future__ import annotations

from tortoise.expressions import Q

from cms.models import VersionStatus
from cms.services import genderdata
from schema.context import Info

NOTHING = Q(id__in=[])


def frameworks_q(info: Info) -> Q:
    tenant_id = info.context.scope.tenant_id
    return NOTHING if tenant_id is None else Q(tenant_id=tenant_id)


def sees_drafts(info: Info) -> bool:
    tenant_id = info.context.scope.tenant_id
    return tenant_id is not None and genderdata.is_steward(info.context.principal, tenant_id)


def versions_q(info: Info) -> Q:
    tenant_id = info.context.scope.tenant_id
    if tenant_id is None:
        return NOTHING
    if sees_drafts(info):
        return Q(framework__tenant_id=tenant_id)
    return Q(framework__tenant_id=tenant_id, status=VersionStatus.PUBLISHED)


def submissions_q(info: Info) -> Q:
    """Raw figures: the stewards see the network's, an institute's tokens its own."""
    tenant_id, principal = info.context.scope.tenant_id, info.context.principal
    if tenant_id is None or principal is None:
        return NOTHING
    if genderdata.is_steward(principal, tenant_id):
        return Q(tenant_id=tenant_id)
    if principal.tenant_id == tenant_id and principal.organisation_id is not None:
        return Q(tenant_id=tenant_id, organisation_id=principal.organisation_id)
    return NOTHING
