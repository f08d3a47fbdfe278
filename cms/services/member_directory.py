"""Who sees which of a tenant's people: the member directory and the public profiles.

The directory (members who opted in, `Membership.in_directory`) is for the tenant's own
members and its tokens (`Principal.reads_members_of`); anyone else is refused with
PERMISSION_DENIED rather than handed an empty list, so a front end can tell "sign in" from
"nobody listed". Public profiles (`Account.public_profile`) are for anyone and never carry
the address. Closed accounts appear in neither.
"""

from __future__ import annotations

from tortoise.queryset import QuerySet

from cms.auth import Principal
from cms.errors import PermissionDenied
from cms.models import Membership, Tenant


def listed(principal: Principal | None, tenant: Tenant) -> QuerySet[Membership]:
    """The tenant's members who opted into its directory, for its members."""
    if principal is None or not principal.reads_members_of(tenant.id):
        raise PermissionDenied("The member directory is for the tenant's members only.")
    return Membership.filter(
        tenant_id=tenant.id, in_directory=True, account__closed_at__isnull=True
    ).select_related("account")


def public(tenant: Tenant) -> QuerySet[Membership]:
    """The tenant's members who published a profile, for anyone."""
    return Membership.filter(
        tenant_id=tenant.id, account__public_profile=True, account__closed_at__isnull=True
    ).select_related("account")
