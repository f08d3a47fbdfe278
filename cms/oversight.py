"""Oversight down the tenant tree: what a CoP's own tokens and its hub's or programme's tokens
may do in the programme workflow.

A token acts in its own tenant (`own`), or as an overseer in a tenant below its own (`over`:
a hub over its CoPs, a programme over its hubs and their CoPs). Oversight never reaches a
tenant that is not below the token's tenant, and never edits content (`cms.auth` keeps content
writes to a tenant's own tokens). A platform admin may do everything.

| act                 | own roles                          | overseer roles                     |
| ------------------- | ---------------------------------- | ---------------------------------- |
| read applications   | viewer, contributor, editor, admin | viewer, contributor, editor, admin |
| draft application   | contributor, editor, admin         |                                    |
| submit application  | editor, admin                      |                                    |
| comment             | contributor, editor, admin         | editor, admin                      |
| decide application  |                                    | editor, admin                      |
| curate outcomes     |                                    | editor, admin                      |
| manage tenants      | admin (children of its tenant)     | admin                              |
| manage packages     | editor, admin (its programme)      |                                    |
| attest              | editor, admin (its programme)      | editor, admin (a hub under it)     |
| preview content     | (cms.auth)                         | viewer, contributor, editor, admin |

`submit application` also covers withdrawing, starting delivery, completing and proposing
outcomes; `decide application` covers opening negotiation, approving and rejecting.
"""

from __future__ import annotations

from enum import StrEnum

from cms.auth import Principal
from cms.errors import PermissionDenied
from cms.models import Role, Tenant

ALL = frozenset(Role)
WRITERS = frozenset({Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN})
EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
NONE: frozenset[Role] = frozenset()
MAX_DEPTH = 8  # a tenant tree is three levels deep; a longer chain is a loop


class Act(StrEnum):
    READ = "read applications"
    DRAFT = "draft application"
    SUBMIT = "submit application"
    COMMENT = "comment"
    DECIDE = "decide application"
    CURATE = "curate outcomes"
    MANAGE_TENANTS = "manage tenants"
    MANAGE_PACKAGES = "manage packages"
    ATTEST = "attest"
    PREVIEW = "preview content"


# (roles acting in their own tenant, roles acting in a tenant below theirs), per act.
TABLE: dict[Act, tuple[frozenset[Role], frozenset[Role]]] = {
    Act.READ: (ALL, ALL),
    Act.DRAFT: (WRITERS, NONE),
    Act.SUBMIT: (EDITORS, NONE),
    Act.COMMENT: (WRITERS, EDITORS),
    Act.DECIDE: (NONE, EDITORS),
    Act.CURATE: (NONE, EDITORS),
    Act.MANAGE_TENANTS: (ADMINS, ADMINS),
    Act.MANAGE_PACKAGES: (EDITORS, NONE),
    Act.ATTEST: (EDITORS, NONE),
    Act.PREVIEW: (NONE, ALL),
}


async def ancestor_ids(tenant: Tenant) -> list[int]:
    """The tenant's parent, its parent's parent…, read from the database (a few PK reads)."""
    found: list[int] = []
    parent_id = tenant.parent_id
    while parent_id is not None and parent_id not in found and len(found) < MAX_DEPTH:
        found.append(parent_id)
        rows = await Tenant.filter(id=parent_id).values("parent_id")
        parent_id = rows[0]["parent_id"] if rows else None
    return found


def allowed(principal: Principal | None, act: Act, tenant_id: int, ancestors: list[int]) -> bool:
    """Whether the caller may do `act` in the tenant whose ancestors are `ancestors`."""
    if principal is None:
        return False
    if principal.is_platform_admin:
        return True
    own, over = TABLE[act]
    if principal.tenant_id == tenant_id:
        return principal.role in own
    if principal.tenant_id is not None and principal.tenant_id in ancestors:
        return principal.role in over
    return False


async def may(principal: Principal | None, act: Act, tenant: Tenant) -> bool:
    if principal is None:
        return False
    return allowed(principal, act, tenant.id, await ancestor_ids(tenant))


async def may_attest(principal: Principal | None, programme: Tenant) -> bool:
    """Attesting is done for a programme by the programme itself or by a hub under it."""
    if principal is None:
        return False
    if principal.is_platform_admin:
        return True
    if principal.role not in TABLE[Act.ATTEST][0] or principal.tenant_id is None:
        return False
    if principal.tenant_id == programme.id:
        return True
    attester = await Tenant.get_or_none(id=principal.tenant_id)
    return (
        attester is not None
        and attester.kind == "hub"
        and programme.id in await ancestor_ids(attester)
    )


async def require(principal: Principal | None, act: Act, tenant: Tenant) -> None:
    """Raise PermissionDenied unless the caller may do `act` in `tenant`."""
    if principal is None:
        raise PermissionDenied("This needs an API token (Authorization: Bearer …).")
    if not await may(principal, act, tenant):
        raise PermissionDenied(
            f"Token {principal.name!r} may not {act} in {tenant.slug!r}: only its own tokens "
            "or its hub's and programme's may, each as the permission table says."
        )
