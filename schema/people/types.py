"""Organisation and stakeholder profile types (a profile's private contact is never here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from cms import models
from schema.context import Info
from schema.core.enums import OrganisationKind, ProfileRole, enum_list
from schema.core.nodes import CONTENT_RELATIONS, TRANSLATIONS, Content
from schema.core.relations import Relation, related
from schema.media.types import ImageType, image_by_id

if TYPE_CHECKING:
    from schema.programmes.types import AttestationType
    from schema.tenants.types import TenantType


def organisation_by_id(info: Info, organisation_id: int | None) -> OrganisationType | None:
    """The organisation a relation points at, if the reader may see it: at once when its
    page primed it, else an awaitable (see schema/core/relations.py)."""
    if organisation_id is None:
        return None
    return related(info.context.loaders.organisation_by_id, organisation_id, _organisation)


def _organisation(row: Any) -> OrganisationType | None:
    return OrganisationType.from_model(row) if row is not None else None


@strawberry.type(name="Organisation", description="A university, RPO, RFO, association or project.")
class OrganisationType(Content):
    name: str = strawberry.field(description="Full name.")
    acronym: str = strawberry.field(description="Short name.")
    kind: OrganisationKind = strawberry.field(description="What the organisation is.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    website: str = strawberry.field(description="Public website URL.")
    description: str = strawberry.field(description="About the organisation (HTML).")
    shared: bool = strawberry.field(description="Visible to other tenants and the portal.")
    model: strawberry.Private[models.Organisation]
    relations = CONTENT_RELATIONS

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[OrganisationType]:
        return [OrganisationType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Tenants the organisation is a member of.")
    async def memberships(
        self, info: Info
    ) -> list[Annotated[TenantType, strawberry.lazy("schema.tenants.types")]]:
        from schema.tenants.types import TenantType

        rows = await info.context.loaders.memberships_by_organisation_id.load(self.model.id)
        return [TenantType.from_model(t) for t in rows]


@strawberry.type(name="Profile", description="A person in the stakeholder database.")
class ProfileType(Content):
    name: str = strawberry.field(description="Full name.")
    roles: list[ProfileRole] = strawberry.field(description="Roles in the programme.")
    expertise: list[str] = strawberry.field(description="Fields of expertise.")
    languages: list[str] = strawberry.field(description="Languages the person works in.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    bio: str = strawberry.field(description="Short biography (HTML).")
    shared: bool = strawberry.field(description="Visible to other tenants and the portal.")
    model: strawberry.Private[models.Profile]
    relations = {
        **CONTENT_RELATIONS,
        "organisation": Relation("organisation_by_id", "organisation_id"),
        "photo": Relation("image_by_id", "photo_id"),
    }

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return {"roles": enum_list(models.ProfileRole, model.roles)}

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[ProfileType]:
        return [ProfileType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(
        description="Listed now as a Change Catalyst or expert in a programme's stakeholder "
        "database (a current attestation), so they may be contracted for support."
    )
    async def eligible_for_contracting(self, info: Info) -> bool:
        from schema.programmes.queries import current_attestations

        return bool(await current_attestations(info, self.model.id))

    @strawberry.field(description="Listings in programmes' stakeholder databases, newest first.")
    async def attestations(
        self, info: Info
    ) -> list[Annotated[AttestationType, strawberry.lazy("schema.programmes.types")]]:
        from schema.programmes.types import AttestationType

        rows = await info.context.loaders.programmes.attestations_by_profile_id.load(self.model.id)
        return [AttestationType.from_model(r) for r in rows]

    @strawberry.field(description="Where the person works.")
    def organisation(self, info: Info) -> OrganisationType | None:
        return organisation_by_id(info, self.model.organisation_id)

    @strawberry.field(description="Portrait.")
    def photo(self, info: Info) -> ImageType | None:
        return image_by_id(info, self.model.photo_id)
