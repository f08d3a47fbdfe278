"""Root fields of the tenant directory: the current site and the tenants."""

from __future__ import annotations

from typing import Annotated

import strawberry
from tortoise.exceptions import ValidationError

from cms import models
from schema.context import Info
from schema.core.enums import TenantKind
from schema.tenants.types import TenantType


class TenantQuery:
    """The tenant this request addresses and the directory of all of them."""

    @strawberry.field(description="The tenant this request addresses (null in the platform scope).")
    def site(self, info: Info) -> TenantType | None:
        tenant = info.context.scope.tenant
        return TenantType.from_model(tenant) if tenant else None

    @strawberry.field(description="The tenant directory: programmes, hubs and CoPs, by name.")
    async def tenants(
        self,
        kind: Annotated[
            TenantKind | None, strawberry.argument(description="Only this kind.")
        ] = None,
        parent: Annotated[
            str | None, strawberry.argument(description="Only children of this slug.")
        ] = None,
    ) -> list[TenantType]:
        query = models.Tenant.all().order_by("name", "id")
        if kind is not None:
            query = query.filter(kind=kind)
        if parent is not None:
            query = query.filter(parent__slug=parent)
        try:
            return [TenantType.from_model(t) for t in await query]
        except ValidationError:  # a parent slug longer than any slug names no tenant
            return []

    @strawberry.field(description="One tenant of the directory by slug.")
    async def tenant(self, info: Info, slug: str) -> TenantType | None:
        row = await info.context.directory.by_slug(slug)
        return TenantType.from_model(row) if row else None
