"""Organisation and stakeholder profile types (a profile's private contact is never here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from cms import models
from schema.context import Info
from schema.enums import OrganisationKind, ProfileRole, enum_list
from schema.media import ImageType
from schema.nodes import TRANSLATIONS, Content, content_fields

if TYPE_CHECKING:
    from schema.tenants import TenantType


@strawberry.type(name="Organisation", description="A university, RPO, RFO, association or project.")
class OrganisationType(Content):
    name: str = strawberry.field(description="Full name.")
    acronym: str = strawberry.field(description="Short name.")
    kind: OrganisationKind = strawberry.field(description="What the organisation is.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    website: str = strawberry.field(description="Public website URL.")
    description: str = strawberry.field(description="About the organisation (HTML).")
    shared: bool = strawberry.field(description="Visible to other tenants and the portal.")

    @classmethod
    def from_model(cls, m: models.Organisation) -> OrganisationType:
        return cls(
            **content_fields("Organisation", m),
            name=m.name,
            acronym=m.acronym,
            kind=m.kind,
            country=m.country,
            website=m.website,
            description=m.description,
            shared=m.shared,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[OrganisationType]:
        return [OrganisationType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Tenants the organisation is a member of.")
    async def memberships(
        self, info: Info
    ) -> list[Annotated[TenantType, strawberry.lazy("schema.tenants")]]:
        from schema.tenants import TenantType

        rows = await info.context.loaders.memberships_by_organisation_id.load(self.pk)
        return [TenantType.from_model(t) for t in rows]


@strawberry.type(name="Profile", description="A person in the stakeholder database.")
class ProfileType(Content):
    name: str = strawberry.field(description="Full name.")
    roles: list[ProfileRole] = strawberry.field(description="Roles in the programme.")
    expertise: list[str] = strawberry.field(description="Fields of expertise.")
    languages: list[str] = strawberry.field(description="Languages the person works in.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    bio: str = strawberry.field(description="Short biography (HTML).")
    eligible_for_contracting: bool = strawberry.field(
        description="Listed Change Catalysts and experts who may be contracted for support."
    )
    shared: bool = strawberry.field(description="Visible to other tenants and the portal.")
    organisation_id: strawberry.Private[int | None]
    photo_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.Profile) -> ProfileType:
        return cls(
            **content_fields("Profile", m),
            name=m.name,
            roles=enum_list(models.ProfileRole, m.roles),
            expertise=list(m.expertise),
            languages=list(m.languages),
            country=m.country,
            bio=m.bio,
            eligible_for_contracting=m.eligible_for_contracting,
            shared=m.shared,
            organisation_id=m.organisation_id,
            photo_id=m.photo_id,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[ProfileType]:
        return [ProfileType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Where the person works.")
    async def organisation(self, info: Info) -> OrganisationType | None:
        if self.organisation_id is None:
            return None
        row = await info.context.loaders.organisation_by_id.load(self.organisation_id)
        return OrganisationType.from_model(row) if row else None

    @strawberry.field(description="Portrait.")
    async def photo(self, info: Info) -> ImageType | None:
        if self.photo_id is None:
            return None
        row = await info.context.loaders.image_by_id.load(self.photo_id)
        return ImageType.from_model(row) if row else None
