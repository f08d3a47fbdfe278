"""The tenant directory's GraphQL type."""

from __future__ import annotations

import strawberry

from cms import models
from schema.context import Info
from schema.enums import Maturity, TenantKind, ThematicArea, enum_list
from schema.ids import to_global_id
from schema.nodes import Node


@strawberry.type(name="Tenant", description="A programme, hub or Community of Practice.")
class TenantType(Node):
    slug: str = strawberry.field(description="Unique short name, used in `X-CMS-Tenant`.")
    name: str = strawberry.field(description="Full name.")
    acronym: str = strawberry.field(description="Short name as the CoP writes it.")
    kind: TenantKind = strawberry.field(description="Programme, hub or CoP.")
    description: str = strawberry.field(description="What the tenant is about (HTML).")
    domains: list[str] = strawberry.field(description="Host names its website is served on.")
    website: str = strawberry.field(description="Public website URL.")
    contact_email: str = strawberry.field(description="Public contact address.")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it works on.")
    maturity: Maturity | None = strawberry.field(description="Starting, growing or mature.")
    default_language: str = strawberry.field(description="Language of its content by default.")
    pk: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.Tenant) -> TenantType:
        return cls(
            id=strawberry.ID(to_global_id("Tenant", m.id)),
            slug=m.slug,
            name=m.name,
            acronym=m.acronym,
            kind=m.kind,
            description=m.description,
            domains=list(m.domains),
            website=m.website,
            contact_email=m.contact_email,
            thematic_areas=enum_list(models.ThematicArea, m.thematic_areas),
            maturity=m.maturity,
            default_language=m.default_language,
            pk=m.id,
            parent_id=m.parent_id,
        )

    @strawberry.field(description="The hub or programme this tenant belongs to.")
    async def parent(self, info: Info) -> TenantType | None:
        if self.parent_id is None:
            return None
        parent = await info.context.loaders.tenant_by_id.load(self.parent_id)
        return TenantType.from_model(parent) if parent else None

    @strawberry.field(description="Tenants that have this one as parent.")
    async def children(self, info: Info) -> list[TenantType]:
        rows = await info.context.loaders.children_by_tenant_id.load(self.pk)
        return [TenantType.from_model(t) for t in rows]
