"""The tenant directory's GraphQL type."""

from __future__ import annotations

from typing import Any

import strawberry

from cms import models
from schema.context import Info
from schema.core.enums import Maturity, TenantKind, ThematicArea, enum_list
from schema.core.nodes import Node


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
    languages: list[str] = strawberry.field(description="Languages it works in.")
    timezone: str = strawberry.field(description="IANA timezone of its dates without offset.")
    model: strawberry.Private[models.Tenant]

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return {"thematic_areas": enum_list(models.ThematicArea, model.thematic_areas)}

    @strawberry.field(description="The hub or programme this tenant belongs to.")
    async def parent(self, info: Info) -> TenantType | None:
        parent_id = self.model.parent_id
        if parent_id is None:
            return None
        parent = await info.context.loaders.tenant_by_id.load(parent_id)
        return TenantType.from_model(parent) if parent else None

    @strawberry.field(description="Tenants that have this one as parent.")
    async def children(self, info: Info) -> list[TenantType]:
        rows = await info.context.loaders.children_by_tenant_id.load(self.model.id)
        return [TenantType.from_model(t) for t in rows]
