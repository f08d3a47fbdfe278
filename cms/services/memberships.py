"""Who may manage a tenant's people, and the writes on memberships: roles, removal, leaving.

Two kinds of caller manage a tenant's people. An *admin* holds `Permission.MANAGE_MEMBERS`
there: the tenant's admin tokens and admin persons, and platform admins everywhere. A
*coordinator* is a person whose membership of this very tenant (not one above it) holds the
community role coordinator. `MEMBER_TABLE`, cell by cell:

| act                                                        | admin | coordinator | others |
| ---------------------------------------------------------- | ----- | ----------- | ------ |
| list memberships and pending invitations                   |   x   |      x      |        |
| invite, set roles, remove, revoke: member or observer only |   x   |      x      |        |
| ... where an editorial role is given, held or taken        |   x   |             |        |
| ... where coordinator is given, held or taken              |   x   |             |        |
| bind a membership to an institute (gender data)            |   x   |             |        |
| leave the tenant, set one's own directory listing          |  (any person with a membership) |

"Member or observer only" means every role pair the act touches (the membership's or the
invitation's before and after) has no editorial role and a community role of member or
observer. A change never leaves a tenant that had an admin membership without one
(`LAST_ADMIN`): people could otherwise lock themselves out, leaving only tokens.
"""

from __future__ import annotations

from enum import Enum

from tortoise.transactions import in_transaction

from cms.auth import Permission, Principal
from cms.errors import ErrorCode, FieldError, NotFound, PermissionDenied, ValidationFailed
from cms.models import CommunityRole, Membership, Role, Tenant
from cms.passwords import normalise_email
from cms.services import genderdata, generations, history

RolePair = tuple[Role | None, CommunityRole | None]
"""An editorial role and a community role, either None."""

COMMUNITY_ONLY = frozenset({CommunityRole.MEMBER, CommunityRole.OBSERVER})


class Standing(Enum):
    """What a caller is for a tenant's people (the columns of `MEMBER_TABLE`)."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    NONE = "none"


def standing(principal: Principal | None, tenant_id: int) -> Standing:
    if principal is None:
        return Standing.NONE
    if principal.can(Permission.MANAGE_MEMBERS, tenant_id):
        return Standing.ADMIN
    if (
        principal.account_id
        and principal.community is CommunityRole.COORDINATOR
        and principal.tenant_id == tenant_id
    ):
        return Standing.COORDINATOR
    return Standing.NONE


def community_only(roles: RolePair) -> bool:
    """Roles a coordinator may give or take: no editorial role, member or observer at most."""
    role, community_role = roles
    return role is None and (community_role is None or community_role in COMMUNITY_ONLY)


def may_manage(principal: Principal | None, tenant_id: int, *touched: RolePair) -> bool:
    """Whether the caller may do an act that gives, holds or takes each of `touched`."""
    held = standing(principal, tenant_id)
    if held is Standing.ADMIN:
        return True
    return held is Standing.COORDINATOR and all(community_only(pair) for pair in touched)


def require_manage(principal: Principal | None, tenant_id: int, *touched: RolePair) -> None:
    """Raise PermissionDenied unless `may_manage`."""
    if not may_manage(principal, tenant_id, *touched):
        raise PermissionDenied(
            "Only the tenant's admins manage its people; its coordinators manage members and "
            "observers."
        )


def require_list(principal: Principal | None, tenant_id: int) -> None:
    """Raise PermissionDenied unless the caller sees the tenant's memberships and invitations."""
    if standing(principal, tenant_id) is Standing.NONE:
        raise PermissionDenied("Only the tenant's admins and coordinators see its people.")


def require_some_role(roles: RolePair, field: str = "role") -> None:
    if roles == (None, None):
        raise ValidationFailed(
            [FieldError(field, "Give a role, a community role or both.", ErrorCode.REQUIRED)]
        )


async def _keeps_an_admin(tenant_id: int, membership: Membership) -> None:
    """Raise unless the tenant keeps an admin membership without `membership`; call inside
    the write's transaction, which this locks the tenant's row for (two admins demoting each
    other at once would otherwise both pass)."""
    if membership.role is not Role.ADMIN:
        return
    await Tenant.filter(id=tenant_id).select_for_update().first()
    others = Membership.filter(tenant_id=tenant_id, role=Role.ADMIN).exclude(id=membership.id)
    if not await others.exists():
        raise ValidationFailed(
            [
                FieldError(
                    "role",
                    "This is the tenant's last admin membership: make another admin first.",
                    ErrorCode.LAST_ADMIN,
                )
            ]
        )


async def _managed(principal: Principal, membership_id: int) -> Membership:
    row = await Membership.get_or_none(id=membership_id)
    if row is None or standing(principal, row.tenant_id) is Standing.NONE:
        raise NotFound("No membership you may manage has this id.", field="id")
    return row


async def get(principal: Principal, membership_id: int) -> Membership:
    """A membership the caller manages (NOT_FOUND for others', as for ids that name nothing)."""
    return await _managed(principal, membership_id)


async def set_roles(
    principal: Principal,
    membership_id: int,
    role: Role | None,
    community_role: CommunityRole | None,
) -> Membership:
    """Give a membership these roles (both replaced; at least one of them)."""
    row = await _managed(principal, membership_id)
    require_manage(principal, row.tenant_id, (row.role, row.community_role), (role, community_role))
    require_some_role((role, community_role))
    async with in_transaction():
        if role is not Role.ADMIN:
            await _keeps_an_admin(row.tenant_id, row)
        # The model types its enum fields as never None; these are nullable.
        row.update_from_dict({"role": role, "community_role": community_role})
        await row.save(update_fields=["role", "community_role", "updated_at"])
        await history.audit(principal, "set-roles", "Membership", row.tenant_id, row.id)
        await generations.bump(row.tenant_id)  # the public's member count and lists
    return row


async def remove(principal: Principal, membership_id: int) -> None:
    """End a person's membership of its tenant (the account stays)."""
    row = await _managed(principal, membership_id)
    require_manage(principal, row.tenant_id, (row.role, row.community_role))
    async with in_transaction():
        await _keeps_an_admin(row.tenant_id, row)
        await row.delete()
        await history.audit(principal, "remove-member", "Membership", row.tenant_id, row.id)
        await generations.bump(row.tenant_id)


async def set_institute(
    principal: Principal, membership_id: int, organisation_id: int | None
) -> Membership:
    """Make a person act for one of the tenant's institutes in its gender data, as a token
    bound by `cms bind-token` does (None: for none). Admins only: it opens the institute's raw
    figures, which a coordinator may not grant."""
    row = await _managed(principal, membership_id)
    if standing(principal, row.tenant_id) is not Standing.ADMIN:
        raise PermissionDenied("Only the tenant's admins bind its people to institutes.")
    async with in_transaction():
        if organisation_id is not None:
            await genderdata.require_institute(row.tenant_id, organisation_id, "organisationId")
        row.organisation_id = organisation_id
        await row.save(update_fields=["organisation_id", "updated_at"])
        await history.audit(principal, "set-institute", "Membership", row.tenant_id, row.id)
    return row


async def membership_of(email: str, tenant_slug: str) -> Membership:
    """The membership of the account with this address in the tenant with this slug (the
    CLI names people by address)."""
    row = await Membership.get_or_none(
        account__email=normalise_email(email), tenant__slug=tenant_slug
    )
    if row is None:
        raise NotFound(f"{email!r} has no membership of tenant {tenant_slug!r}.", field="email")
    return row


async def own(principal: Principal, tenant: Tenant) -> Membership:
    """The signed-in person's membership of `tenant`."""
    if not principal.account_id:
        raise PermissionDenied("This needs a person signed in, not an API token.")
    row = await Membership.get_or_none(account_id=principal.account_id, tenant_id=tenant.id)
    if row is None:
        raise NotFound("You are not a member of this tenant.")
    return row


async def leave(principal: Principal, tenant: Tenant) -> int:
    """The signed-in person leaves `tenant`: their membership ends (its id is returned), their
    account stays."""
    row = await own(principal, tenant)
    async with in_transaction():
        await _keeps_an_admin(tenant.id, row)
        await row.delete()
        await history.audit(principal, "leave", "Membership", tenant.id, row.id)
        await generations.bump(tenant.id)
    return int(row.id)


async def set_directory_listing(principal: Principal, tenant: Tenant, listed: bool) -> Membership:
    """Whether the signed-in person appears in `tenant`'s member directory."""
    row = await own(principal, tenant)
    if row.in_directory != listed:
        row.in_directory = listed
        await row.save(update_fields=["in_directory", "updated_at"])
    return row
