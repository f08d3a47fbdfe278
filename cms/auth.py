"""Tokens, roles and the permission table every write and every preview checks.

| permission      | admin | editor | contributor | viewer |
| --------------- | ----- | ------ | ----------- | ------ |
| preview         |   x   |   x    |      x      |   x    |
| create          |   x   |   x    |      x      |        |
| edit draft      |   x   |   x    |      x      |        |
| edit published  |   x   |   x    |             |        |
| publish         |   x   |   x    |             |        |
| delete draft    |   x   |   x    |      x      |        |
| delete published|   x   |   x    |             |        |
| manage tokens   |   x   |        |             |        |
| manage webhooks |   x   |        |             |        |
| manage members  |   x   |        |             |        |
| manage community|   x   |        |             |        |

Memberships and invitations have a second axis, the community roles: a coordinator manages
the tenant's members and observers too (`cms/services/memberships.py`, `MEMBER_TABLE`).

A token belongs to one tenant; a platform admin token (no tenant, role admin) acts as admin
everywhere. A role only ever applies inside its own tenant: a hub's or programme's oversight of
the tenants below it (preview, the programme workflow) is `cms/oversight.py`, never a write here.

A person signed in (a session token, `cmss_…`) holds the role of their membership in the
request's tenant, or in the nearest tenant above it where they have one (so a hub's people
oversee its CoPs as its tokens do); a membership with only a community role gives no role, and
a person is never a platform admin. That membership's institute binding, if any, is the
person's `organisation_id` (gender data: `cms/services/genderdata.py`), as a bound token's.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cms.errors import AuthenticationFailed, PermissionDenied
from cms.models.accounts import AccountSession, CommunityRole, Membership
from cms.models.auth import ApiToken, Role

TOKEN_PREFIX = "cms_"
# A person's session token (cms.services.sessions): told apart from an API token by its prefix.
SESSION_PREFIX = "cmss_"
# The name a closed account's writes show (revisions, audit entries, createdBy/updatedBy).
FORMER_MEMBER = "former member"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Permission(StrEnum):
    PREVIEW = "preview"
    CREATE = "create"
    EDIT_DRAFT = "edit draft"
    EDIT_PUBLISHED = "edit published"
    PUBLISH = "publish"
    DELETE_DRAFT = "delete draft"
    DELETE_PUBLISHED = "delete published"
    MANAGE_TOKENS = "manage tokens"
    # Webhooks, their secrets and deliveries, and the site's public routes.
    MANAGE_WEBHOOKS = "manage webhooks"
    # Invitations and memberships with any role (coordinators: `cms.services.memberships`).
    MANAGE_MEMBERS = "manage members"
    # The community's settings (join requests, privacy text, contact, target); a tenant's
    # coordinators also decide its join requests (`cms.services.joining.may_coordinate`).
    MANAGE_COMMUNITY = "manage community"


_WRITER = {
    Permission.PREVIEW,
    Permission.CREATE,
    Permission.EDIT_DRAFT,
    Permission.EDIT_PUBLISHED,
    Permission.PUBLISH,
    Permission.DELETE_DRAFT,
    Permission.DELETE_PUBLISHED,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.EDITOR: frozenset(_WRITER),
    Role.CONTRIBUTOR: frozenset(
        {Permission.PREVIEW, Permission.CREATE, Permission.EDIT_DRAFT, Permission.DELETE_DRAFT}
    ),
    Role.VIEWER: frozenset({Permission.PREVIEW}),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request: an API token, or a person signed in.

    A token belongs to one tenant with one role. A person (`account_id`) is made a principal
    per request (`authenticate`, issue 16): `tenant_id` and `role` are their
    membership's in the request's tenant (or in the nearest tenant above it where they have
    one, which gives a hub's people the oversight its tokens have), `role` is None when the
    membership holds only a community role, and `community` is that community role.
    """

    token_id: int
    name: str
    role: Role | None
    tenant_id: int | None
    # The institute (organisation) a token, or a person's membership of `tenant_id`, acts for
    # in that tenant's data framework, if bound.
    organisation_id: int | None = None
    # A person signed in (0 or None for tokens and the system).
    account_id: int | None = None
    community: CommunityRole | None = None
    # The person's session this request came with (what `signOut` ends).
    session_id: int | None = None

    @property
    def is_platform_admin(self) -> bool:
        return self.tenant_id is None and self.role is Role.ADMIN and not self.account_id

    def role_in(self, tenant_id: int | None) -> Role | None:
        """The caller's editorial role in a tenant, or None when it has none there."""
        if self.is_platform_admin:
            return Role.ADMIN
        if tenant_id is None or tenant_id != self.tenant_id:
            return None
        return self.role

    def reads_members_of(self, tenant_id: int | None) -> bool:
        """Whether the caller reads the tenant's members-only items: any editorial role or
        any community role held in that very tenant (not above it)."""
        if tenant_id is None:
            return False
        if self.role_in(tenant_id) is not None:
            return True
        return self.community is not None and self.tenant_id == tenant_id

    def can(self, permission: Permission, tenant_id: int | None) -> bool:
        role = self.role_in(tenant_id)
        return role is not None and permission in ROLE_PERMISSIONS[role]


def can(principal: Principal | None, permission: Permission, tenant_id: int | None) -> bool:
    return principal is not None and principal.can(permission, tenant_id)


def require(principal: Principal | None, permission: Permission, tenant_id: int | None) -> None:
    """Raise PermissionDenied unless the caller holds `permission` in the tenant."""
    if principal is None:
        raise PermissionDenied("This needs an API token (Authorization: Bearer …).")
    if not principal.can(permission, tenant_id):
        raise PermissionDenied(f"Token {principal.name!r} may not {permission} in this tenant.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_value() -> str:
    """A fresh random token: 32 bytes of entropy, URL-safe, recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer` header; None when there is no header."""
    if authorization is None:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationFailed("The Authorization header must be `Bearer <token>`.")
    return value.strip()


async def authenticate(
    authorization: str | None, tenant_ids: Sequence[int] = ()
) -> Principal | None:
    """The principal of a request; None for the public; an error for a bad or revoked token.

    `tenant_ids` are where a person's membership counts, nearest first: the request's tenant,
    then its ancestors (`TenantDirectory.ancestor_ids`). Tokens ignore them: a token's tenant is
    its own.
    """
    token = bearer_token(authorization)
    if token is None:
        return None
    if token.startswith(SESSION_PREFIX):
        return await _person(token, tenant_ids)
    row = await ApiToken.get_or_none(token_hash=hash_token(token))
    if row is None or row.revoked_at is not None:
        raise AuthenticationFailed("The API token is unknown or revoked.")
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        # Coarse on purpose: a write per request would double the cost of every read.
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return Principal(
        token_id=row.id,
        name=row.name,
        role=Role(row.role),
        tenant_id=row.tenant_id,
        organisation_id=row.organisation_id,
    )


async def _person(token: str, tenant_ids: Sequence[int]) -> Principal:
    """A signed-in person as the principal of a request to the first of `tenant_ids` where
    they have a membership (none: no tenant, no role): two queries, the session with its
    account, and the memberships."""
    now = datetime.now(UTC)
    session = (
        await AccountSession.filter(token_hash=hash_token(token)).select_related("account").first()
    )
    if session is None or session.expires_at <= now or session.account.closed_at is not None:
        raise AuthenticationFailed("The session is unknown, expired or signed out.")
    if session.last_used_at is None or now - session.last_used_at > LAST_USED_RESOLUTION:
        await AccountSession.filter(id=session.id).update(last_used_at=now)
    account = session.account
    membership: Membership | None = None
    if tenant_ids:
        found = {
            m.tenant_id: m
            for m in await Membership.filter(account_id=account.id, tenant_id__in=tenant_ids)
        }
        membership = next((found[t] for t in tenant_ids if t in found), None)
    return Principal(
        token_id=0,
        name=(account.name or account.pseudonym)[:100],
        role=Role(membership.role) if membership and membership.role else None,
        tenant_id=membership.tenant_id if membership else None,
        # Only from the membership that gives `tenant_id`, so never another tenant's binding.
        organisation_id=membership.organisation_id if membership else None,
        account_id=account.id,
        community=CommunityRole(membership.community_role)
        if membership and membership.community_role
        else None,
        session_id=session.id,
    )
