"""Who reads applications: the CoP's own tokens and its hub's and programme's (any role), and
platform admins; within the tenant the request addresses (and below it). Nobody else, and
never the public: a list is empty, a lookup and `node` are null.
"""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from schema.context import Info

NOTHING = Q(id__in=[])


async def readable_applications_q(info: Info, prefix: str = "") -> Q:
    """The applications (or, with `prefix` such as ``application__``, rows of them) this
    request may read."""
    principal, scope = info.context.principal, info.context.scope
    if principal is None:
        return NOTHING
    under = info.context.loaders.programmes.tenant_ids_under
    cops: set[int] | None = None  # None: every CoP
    if not principal.is_platform_admin:
        if principal.tenant_id is None or principal.role is None:
            return NOTHING  # a person with only a community role reads no applications
        cops = set(await under.load(principal.tenant_id))
    if scope.tenant_id is not None:
        addressed = set(await under.load(scope.tenant_id))
        cops = addressed if cops is None else cops & addressed
    if cops is None:
        return Q()
    if not cops:
        return NOTHING
    where: dict[str, Any] = {f"{prefix}cop_id__in": sorted(cops)}
    return Q(**where)
