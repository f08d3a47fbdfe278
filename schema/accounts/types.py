"""A signed-in person's own account, memberships and sessions, as they see them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from cms import models
from cms.services import sessions
from schema.context import Info
from schema.core.ids import to_global_id
from schema.core.relations import related

if TYPE_CHECKING:
    from schema.tenants.types import TenantType


@strawberry.type(name="AccountSession", description="One place where you are signed in.")
class AccountSessionType:
    model: strawberry.Private[models.AccountSession]
    current_id: strawberry.Private[int | None]

    @strawberry.field(description="The session's id, for revokeSession.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("AccountSession", self.model.id))

    @strawberry.field(description="The browser or client it was opened from (its User-Agent).")
    def label(self) -> str:
        return self.model.label

    @strawberry.field(description="When you signed in.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="When it was last used (to the minute); null if never.")
    def last_used_at(self) -> datetime | None:
        return self.model.last_used_at

    @strawberry.field(description="When it ends unless you sign out first.")
    def expires_at(self) -> datetime:
        return self.model.expires_at

    @strawberry.field(description="Whether this request came with it.")
    def current(self) -> bool:
        return self.model.id == self.current_id


@strawberry.type(name="AccountMembership", description="Your place in one tenant.")
class AccountMembershipType:
    model: strawberry.Private[models.Membership]

    @strawberry.field(description="The tenant.")
    def tenant(self, info: Info) -> Annotated[TenantType, strawberry.lazy("schema.tenants.types")]:
        from schema.tenants.types import TenantType

        loader = info.context.loaders.tenant_by_id
        return related(loader, self.model.tenant_id, TenantType.from_model)

    @strawberry.field(description="Editorial role: admin, editor, contributor or viewer; or null.")
    def role(self) -> str | None:
        return self.model.role.value if self.model.role else None

    @strawberry.field(description="Community role: member, observer or coordinator; or null.")
    def community_role(self) -> str | None:
        return self.model.community_role.value if self.model.community_role else None

    @strawberry.field(description="Whether you are listed in its member directory.")
    def in_directory(self) -> bool:
        return self.model.in_directory


@strawberry.type(name="Account", description="You, signed in: what the CMS keeps about you.")
class AccountType:
    model: strawberry.Private[models.Account]

    @strawberry.field(description="Your address (you sign in with it).")
    def email(self) -> str | None:
        return self.model.email

    @strawberry.field(description="Your name, as your writes and the member directory show it.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Your organisation.")
    def organisation(self) -> str:
        return self.model.organisation

    @strawberry.field(description="Your country.")
    def country(self) -> str:
        return self.model.country

    @strawberry.field(description="Your position or career stage.")
    def position(self) -> str:
        return self.model.position

    @strawberry.field(description="Your expertise, in your words.")
    def expertise(self) -> str:
        return self.model.expertise

    @strawberry.field(description="Whether your profile may be shown publicly.")
    def public_profile(self) -> bool:
        return self.model.public_profile

    @strawberry.field(description="Whether you have a password (else you sign in by link).")
    def has_password(self) -> bool:
        return self.model.password_hash is not None

    @strawberry.field(description="When the account was made.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="Your memberships of tenants, with their roles.")
    async def memberships(self) -> list[AccountMembershipType]:
        rows = await models.Membership.filter(account_id=self.model.id).order_by("id")
        return [AccountMembershipType(model=row) for row in rows]

    @strawberry.field(description="Where you are signed in, newest first.")
    async def sessions(self, info: Info) -> list[AccountSessionType]:
        principal = info.context.principal
        current = principal.session_id if principal else None
        rows = await sessions.sessions_of(self.model.id)
        return [AccountSessionType(model=row, current_id=current) for row in rows]
