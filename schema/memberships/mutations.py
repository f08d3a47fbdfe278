"""Membership writes: invite, accept, revoke; roles, removal, leaving, the directory listing."""

from __future__ import annotations

from typing import Annotated

import strawberry

from cms.models import Invitation, Membership
from cms.services import invitations, memberships
from schema.context import Info
from schema.core.ids import database_id, to_global_id
from schema.core.payloads import (
    DeletePayload,
    MutationError,
    attempt,
    require_principal,
    require_tenant,
)
from schema.memberships.types import CommunityRole, EditorialRole, InvitationType, MembershipType


@strawberry.input(description="Whom to invite into this tenant, with which roles.")
class InviteMemberInput:
    email: str = strawberry.field(description="The person's e-mail address.")
    name: str = strawberry.field(default="", description="The name the mail greets.")
    role: EditorialRole | None = strawberry.field(
        default=None, description="An editorial role (admins only)."
    )
    community_role: CommunityRole | None = strawberry.field(
        default=None, description="A community role (coordinator: admins only)."
    )
    message: str = strawberry.field(default="", description="A note in the mail (2000 max).")


@strawberry.input(description="The token of an invitation's link, and the account's details.")
class AcceptInvitationInput:
    token: str = strawberry.field(description="The `token` of the link in the mail.")
    name: str = strawberry.field(
        default="", description="Your name, for a new account (default: the invitation's)."
    )
    password: str = strawberry.field(
        description="A new account's password (10 characters or more), or the existing "
        "account's password when the address has one."
    )


@strawberry.type(description="The result of inviteMember.")
class InvitationPayload:
    invitation: InvitationType | None = strawberry.field(default=None, description="As sent.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a membership mutation.")
class MembershipPayload:
    membership: MembershipType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


def _membership(row: Membership) -> MembershipPayload:
    return MembershipPayload(membership=MembershipType(model=row))


def _failed_membership(errors: list[MutationError]) -> MembershipPayload:
    return MembershipPayload(errors=errors)


def _failed_delete(errors: list[MutationError]) -> DeletePayload:
    return DeletePayload(errors=errors)


async def _with_account(row: Membership) -> Membership:
    """The membership with its account loaded, which its type reads."""
    await row.fetch_related("account")
    return row


class MembershipMutation:
    """People of the addressed tenant: admins, coordinators, and each person for themselves."""

    @strawberry.mutation(
        description="Invite a person by e-mail; a pending invitation of the address is replaced."
    )
    async def invite_member(self, info: Info, input: InviteMemberInput) -> InvitationPayload:
        async def work() -> object:
            invitation_id = await invitations.invite(
                require_principal(info),
                require_tenant(info),
                settings=info.context.settings,
                email=input.email,
                name=input.name,
                role=input.role,
                community_role=input.community_role,
                message=input.message,
            )
            return await Invitation.get(id=invitation_id)

        return await attempt(
            work,
            lambda row: InvitationPayload(invitation=InvitationType(model=row)),
            lambda errors: InvitationPayload(errors=errors),
        )

    @strawberry.mutation(description="Withdraw a pending invitation: its link stops working.")
    async def revoke_invitation(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> object:
            await invitations.revoke(require_principal(info), database_id(id, "Invitation", "id"))
            return id

        return await attempt(work, lambda _: DeletePayload(deleted_id=id), _failed_delete)

    @strawberry.mutation(
        description="Use an invitation's link: makes the account (or checks its password) and "
        "the membership. Needs no token."
    )
    async def accept_invitation(
        self, info: Info, input: AcceptInvitationInput
    ) -> MembershipPayload:
        async def work() -> Membership:
            return await _with_account(
                await invitations.accept(input.token, name=input.name, password=input.password)
            )

        return await attempt(work, _membership, _failed_membership)

    @strawberry.mutation(description="Replace a membership's roles (at least one).")
    async def set_membership_roles(
        self,
        info: Info,
        id: strawberry.ID,
        role: EditorialRole | None = None,
        community_role: CommunityRole | None = None,
    ) -> MembershipPayload:
        async def work() -> Membership:
            return await _with_account(
                await memberships.set_roles(
                    require_principal(info),
                    database_id(id, "Membership", "id"),
                    role,
                    community_role,
                )
            )

        return await attempt(work, _membership, _failed_membership)

    @strawberry.mutation(
        description="Make a person act for one of this tenant's member organisations in its "
        "gender data, as a bound token does; a null organisationId unbinds (admins only)."
    )
    async def set_membership_institute(
        self,
        info: Info,
        id: strawberry.ID,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                name="organisationId", description="A member organisation of the tenant, or null."
            ),
        ] = None,
    ) -> MembershipPayload:
        async def work() -> Membership:
            membership_id = database_id(id, "Membership", "id")
            organisation = (
                None
                if organisation_id is None
                else database_id(organisation_id, "Organisation", "organisationId")
            )
            return await _with_account(
                await memberships.set_institute(
                    require_principal(info), membership_id, organisation
                )
            )

        return await attempt(work, _membership, _failed_membership)

    @strawberry.mutation(description="End a person's membership of this tenant.")
    async def remove_membership(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> object:
            await memberships.remove(require_principal(info), database_id(id, "Membership", "id"))
            return id

        return await attempt(work, lambda _: DeletePayload(deleted_id=id), _failed_delete)

    @strawberry.mutation(description="Leave this tenant (a signed-in person).")
    async def leave_tenant(self, info: Info) -> DeletePayload:
        async def work() -> int:
            return await memberships.leave(require_principal(info), require_tenant(info))

        return await attempt(
            work,
            lambda pk: DeletePayload(deleted_id=strawberry.ID(to_global_id("Membership", pk))),
            _failed_delete,
        )

    @strawberry.mutation(
        description="List or unlist yourself in this tenant's member directory (a signed-in "
        "member)."
    )
    async def set_directory_listing(self, info: Info, listed: bool) -> MembershipPayload:
        async def work() -> Membership:
            return await _with_account(
                await memberships.set_directory_listing(
                    require_principal(info), require_tenant(info), listed
                )
            )

        return await attempt(work, _membership, _failed_membership)
