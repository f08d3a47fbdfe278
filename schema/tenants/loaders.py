"""Loaders of the tenant directory: tenants by id, by parent, by member organisation."""

from __future__ import annotations

from cms.models import Tenant
from schema.core.loaders import ByIdLoader, Loader, grouped


class TenantByIdLoader(ByIdLoader[Tenant]):
    def __init__(self) -> None:
        super().__init__(Tenant)


class TenantsByParentIdLoader(Loader[int, list[Tenant]]):
    """A tenant's children, by name."""

    async def fetch(self, keys: list[int]) -> list[list[Tenant]]:
        rows = await Tenant.filter(parent_id__in=keys).order_by("name", "id")
        return grouped(keys, [(row.parent_id, row) for row in rows])


class TenantsByOrganisationIdLoader(Loader[int, list[Tenant]]):
    """The tenants an organisation is a member of, by name."""

    def __init__(self, tenant_by_id: TenantByIdLoader) -> None:
        self.tenant_by_id = tenant_by_id
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[Tenant]]:
        rows = (
            await Tenant.filter(member_organisations__id__in=keys)
            .order_by("name")
            .values("id", owner_id="member_organisations__id")
        )
        tenants = await self.tenant_by_id.load_many(sorted({r["id"] for r in rows}))
        by_id = {t.id: t for t in tenants if t is not None}
        return grouped(keys, [(row["owner_id"], by_id[row["id"]]) for row in rows])
