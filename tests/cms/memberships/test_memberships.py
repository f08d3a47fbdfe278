"""Who may manage a tenant's people (MEMBER_TABLE, cell by cell), and the membership writes:
roles, removal, leaving, the last admin, the directory listing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from cms.auth import Principal
from cms.config import Settings
from cms.errors import ErrorCode, NotFound, PermissionDenied, ValidationFailed
from cms.models import AuditEntry, CommunityRole, Membership, Role, Tenant
from cms.services import invitations, memberships
from tests import factories
from tests.cms.memberships.people import admin_token, as_person, person

pytestmark = pytest.mark.anyio

Caller = Callable[[Tenant, Tenant], Awaitable[Principal]]
Act = Callable[[Principal, Tenant, Settings], Awaitable[object]]


async def _person_in(
    tenant: Tenant, role: Role | None, community: CommunityRole | None
) -> Principal:
    account, membership = await person(tenant, role=role, community_role=community)
    assert membership is not None
    return as_person(account, membership)


async def _admin_token(tenant: Tenant, other: Tenant) -> Principal:
    return admin_token(tenant)


async def _platform_admin(tenant: Tenant, other: Tenant) -> Principal:
    return admin_token(None)


async def _admin_person(tenant: Tenant, other: Tenant) -> Principal:
    return await _person_in(tenant, Role.ADMIN, None)


async def _coordinator(tenant: Tenant, other: Tenant) -> Principal:
    return await _person_in(tenant, None, CommunityRole.COORDINATOR)


async def _editor_token(tenant: Tenant, other: Tenant) -> Principal:
    return Principal(token_id=0, name="editor-token", role=Role.EDITOR, tenant_id=tenant.id)


async def _member(tenant: Tenant, other: Tenant) -> Principal:
    return await _person_in(tenant, None, CommunityRole.MEMBER)


async def _editor_person(tenant: Tenant, other: Tenant) -> Principal:
    return await _person_in(tenant, Role.EDITOR, CommunityRole.MEMBER)


async def _other_admin(tenant: Tenant, other: Tenant) -> Principal:
    return Principal(token_id=0, name="other-admin-token", role=Role.ADMIN, tenant_id=other.id)


async def _other_coordinator(tenant: Tenant, other: Tenant) -> Principal:
    return await _person_in(other, None, CommunityRole.COORDINATOR)


ADMINS = {
    "admin token": _admin_token,
    "platform admin": _platform_admin,
    "admin person": _admin_person,
}
COORDINATORS = {"coordinator": _coordinator}
OTHERS = {
    "editor token": _editor_token,
    "editor person": _editor_person,
    "member": _member,
    "other tenant's admin": _other_admin,
    "other tenant's coordinator": _other_coordinator,
}
CALLERS: dict[str, Caller] = {**ADMINS, **COORDINATORS, **OTHERS}


def _invite(role: Role | None, community: CommunityRole | None) -> Act:
    async def act(principal: Principal, tenant: Tenant, settings: Settings) -> object:
        return await invitations.invite(
            principal,
            tenant,
            settings=settings,
            email="new@example.org",
            name="New",
            role=role,
            community_role=community,
        )

    return act


async def _target(tenant: Tenant, role: Role | None, community: CommunityRole | None) -> int:
    _, membership = await person(tenant, role=role, community_role=community)
    assert membership is not None
    return membership.id


def _set_roles(
    before: tuple[Role | None, CommunityRole | None],
    after: tuple[Role | None, CommunityRole | None],
) -> Act:
    async def act(principal: Principal, tenant: Tenant, settings: Settings) -> object:
        return await memberships.set_roles(principal, await _target(tenant, *before), *after)

    return act


def _remove(role: Role | None, community: CommunityRole | None) -> Act:
    async def act(principal: Principal, tenant: Tenant, settings: Settings) -> object:
        await memberships.remove(principal, await _target(tenant, role, community))
        return None

    return act


def _revoke(role: Role | None, community: CommunityRole | None) -> Act:
    async def act(principal: Principal, tenant: Tenant, settings: Settings) -> object:
        invitation_id = await _invite(role, community)(admin_token(tenant), tenant, settings)
        assert isinstance(invitation_id, int)
        await invitations.revoke(principal, invitation_id)
        return None

    return act


async def _list(principal: Principal, tenant: Tenant, settings: Settings) -> object:
    memberships.require_list(principal, tenant.id)
    return await invitations.pending(principal, tenant)


MEMBER, OBSERVER, COORDINATOR = (
    CommunityRole.MEMBER,
    CommunityRole.OBSERVER,
    CommunityRole.COORDINATOR,
)
# act: (how, whether a coordinator may) — admins may do every act, anyone else none.
ACTS: dict[str, tuple[Act, bool]] = {
    "list memberships and invitations": (_list, True),
    "invite a member": (_invite(None, MEMBER), True),
    "invite an observer": (_invite(None, OBSERVER), True),
    "invite a coordinator": (_invite(None, COORDINATOR), False),
    "invite an editor": (_invite(Role.EDITOR, None), False),
    "invite an admin who is a member": (_invite(Role.ADMIN, MEMBER), False),
    "make a member an observer": (_set_roles((None, MEMBER), (None, OBSERVER)), True),
    "make a member a coordinator": (_set_roles((None, MEMBER), (None, COORDINATOR)), False),
    "make a coordinator a member": (_set_roles((None, COORDINATOR), (None, MEMBER)), False),
    "give a member an editorial role": (_set_roles((None, MEMBER), (Role.VIEWER, MEMBER)), False),
    "make an editor a viewer": (_set_roles((Role.EDITOR, None), (Role.VIEWER, None)), False),
    "remove a member": (_remove(None, MEMBER), True),
    "remove an observer": (_remove(None, OBSERVER), True),
    "remove a coordinator": (_remove(None, COORDINATOR), False),
    "remove an editor who is a member": (_remove(Role.EDITOR, MEMBER), False),
    "revoke a member's invitation": (_revoke(None, MEMBER), True),
    "revoke an editor's invitation": (_revoke(Role.EDITOR, None), False),
}


@pytest.mark.parametrize("act_name", ACTS)
@pytest.mark.parametrize("caller_name", CALLERS)
async def test_member_table(
    caller_name: str, act_name: str, settings: Settings, clean_database: None
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    principal = await CALLERS[caller_name](tenant, other)
    act, coordinators_may = ACTS[act_name]
    allowed = caller_name in ADMINS or (caller_name in COORDINATORS and coordinators_may)
    if allowed:
        await act(principal, tenant, settings)
        writes = act is not _list
        assert await AuditEntry.filter(tenant=tenant, token_name=principal.name).exists() is writes
        return
    with pytest.raises((PermissionDenied, NotFound)):
        await act(principal, tenant, settings)
    # Every write of these acts leaves an audit entry: a refused one left none.
    assert not await AuditEntry.filter(token_name=principal.name).exists()


async def test_roles_are_replaced_and_audited(clean_database: None) -> None:
    tenant = await factories.tenant()
    target = await _target(tenant, Role.EDITOR, MEMBER)
    row = await memberships.set_roles(admin_token(tenant), target, None, OBSERVER)
    stored = await Membership.get(id=target)
    for held in (row, stored):
        roles: tuple[object, object] = (held.role, held.community_role)
        assert roles == (None, OBSERVER)
    assert await AuditEntry.filter(action="set-roles", object_id=target, tenant=tenant).exists()
    with pytest.raises(ValidationFailed) as roleless:
        await memberships.set_roles(admin_token(tenant), target, None, None)
    assert roleless.value.errors[0].code is ErrorCode.REQUIRED


async def test_the_last_admin_membership_stays(clean_database: None) -> None:
    tenant = await factories.tenant()
    account, admin = await person(tenant, role=Role.ADMIN, community_role=None)
    assert admin is not None
    me = as_person(account, admin)
    for attempt in (
        memberships.set_roles(admin_token(tenant), admin.id, Role.EDITOR, None),
        memberships.remove(admin_token(tenant), admin.id),
        memberships.leave(me, tenant),
    ):
        with pytest.raises(ValidationFailed) as last:
            await attempt
        assert last.value.errors[0].code is ErrorCode.LAST_ADMIN
    assert (await Membership.get(id=admin.id)).role is Role.ADMIN

    second = await _target(tenant, Role.ADMIN, None)
    await memberships.leave(me, tenant)
    assert not await Membership.filter(id=admin.id).exists()
    assert await AuditEntry.filter(action="leave", object_id=admin.id).exists()
    with pytest.raises(ValidationFailed):
        await memberships.remove(admin_token(tenant), second)


async def test_a_person_leaves_and_lists_themselves_only_in_their_tenant(
    clean_database: None,
) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    account, membership = await person(tenant, community_role=MEMBER)
    assert membership is not None
    me = as_person(account, membership)
    listed = await memberships.set_directory_listing(me, tenant, True)
    assert listed.in_directory and (await Membership.get(id=membership.id)).in_directory
    with pytest.raises(NotFound):
        await memberships.set_directory_listing(me, other, True)
    with pytest.raises(NotFound):
        await memberships.leave(me, other)
    with pytest.raises(PermissionDenied):
        await memberships.leave(admin_token(tenant), tenant)  # a token is nobody's membership
    assert await memberships.leave(me, tenant) == membership.id
    assert not await Membership.filter(account_id=account.id).exists()
