"""People of a tenant as its managers, its members and the public see them.

`Membership` and `Invitation` are for the tenant's admins and coordinators (with the e-mail
address); `DirectoryEntry` is what members see of each other (no address); `PublicMember` is
what anyone sees of a person who published a profile. None of them is a `Node`: each is read
only through the list that applies its rule (`schema/memberships/queries.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from cms import models
from schema.core.ids import to_global_id

EditorialRole = models.Role
CommunityRole = models.CommunityRole

strawberry.enum(
    EditorialRole,
    name="EditorialRole",
    description="What a person or token may do with content (the permission table).",
)
strawberry.enum(CommunityRole, description="What a person is in a community.")


@strawberry.type(name="Membership", description="A person's place in this tenant and its roles.")
class MembershipType:
    model: strawberry.Private[models.Membership]

    @classmethod
    def from_model(cls, model: models.Membership) -> MembershipType:
        return cls(model=model)

    @strawberry.field(description="The membership's id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Membership", self.model.id))

    @strawberry.field(description="The person's name.")
    def name(self) -> str:
        return self.model.account.name

    @strawberry.field(description="The person's e-mail address (null once the account closed).")
    def email(self) -> str | None:
        return self.model.account.email

    @strawberry.field(description="The editorial role, if any.")
    def role(self) -> EditorialRole | None:
        return self.model.role

    @strawberry.field(description="The community role, if any.")
    def community_role(self) -> CommunityRole | None:
        return self.model.community_role

    @strawberry.field(description="Whether the person is listed in the member directory.")
    def in_directory(self) -> bool:
        return self.model.in_directory

    @strawberry.field(
        name="instituteId",
        description="The institute (an Organisation id) the person acts for in this tenant's "
        "gender data, as a bound token does; null when unbound (setMembershipInstitute).",
    )
    def institute_id(self) -> strawberry.ID | None:
        organisation_id = self.model.organisation_id
        if organisation_id is None:
            return None
        return strawberry.ID(to_global_id("Organisation", organisation_id))

    @strawberry.field(description="When the person joined.")
    def created_at(self) -> datetime:
        return self.model.created_at


@strawberry.type(name="Invitation", description="An e-mailed invitation not accepted yet.")
class InvitationType:
    model: strawberry.Private[models.Invitation]

    @classmethod
    def from_model(cls, model: models.Invitation) -> InvitationType:
        return cls(model=model)

    @strawberry.field(description="The invitation's id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Invitation", self.model.id))

    @strawberry.field(description="The address invited (normalised).")
    def email(self) -> str:
        return self.model.email

    @strawberry.field(description="The name the invitation greets.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="The editorial role accepting gives, if any.")
    def role(self) -> EditorialRole | None:
        return self.model.role

    @strawberry.field(description="The community role accepting gives, if any.")
    def community_role(self) -> CommunityRole | None:
        return self.model.community_role

    @strawberry.field(description="The inviter's note in the mail.")
    def message(self) -> str:
        return self.model.message

    @strawberry.field(description="Who invited: a token's or a person's name.")
    def invited_by(self) -> str:
        return self.model.invited_by

    @strawberry.field(description="When it was sent.")
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="Until when the link may be accepted.")
    def expires_at(self) -> datetime:
        return self.model.expires_at

    @strawberry.field(description="Whether the link has expired (invite again to renew it).")
    def expired(self) -> bool:
        return self.model.expires_at <= datetime.now(UTC)


@strawberry.type(description="A member as the tenant's other members see them.")
class DirectoryEntry:
    model: strawberry.Private[models.Membership]

    @classmethod
    def from_model(cls, model: models.Membership) -> DirectoryEntry:
        return cls(model=model)

    @strawberry.field(description="The member's name.")
    def name(self) -> str:
        return self.model.account.name

    @strawberry.field(description="Their organisation.")
    def organisation(self) -> str:
        return self.model.account.organisation

    @strawberry.field(description="Their country.")
    def country(self) -> str:
        return self.model.account.country

    @strawberry.field(description="Their position or career stage.")
    def position(self) -> str:
        return self.model.account.position

    @strawberry.field(description="Their expertise, in their words.")
    def expertise(self) -> str:
        return self.model.account.expertise

    @strawberry.field(description="Their community role, if any.")
    def community_role(self) -> CommunityRole | None:
        return self.model.community_role


@strawberry.type(description="A member who published a profile, as anyone sees them.")
class PublicMember:
    model: strawberry.Private[models.Membership]

    @classmethod
    def from_model(cls, model: models.Membership) -> PublicMember:
        return cls(model=model)

    @strawberry.field(description="The member's name.")
    def name(self) -> str:
        return self.model.account.name

    @strawberry.field(description="Their organisation.")
    def organisation(self) -> str:
        return self.model.account.organisation

    @strawberry.field(description="Their country.")
    def country(self) -> str:
        return self.model.account.country

    @strawberry.field(description="Their expertise, in their words.")
    def expertise(self) -> str:
        return self.model.account.expertise
