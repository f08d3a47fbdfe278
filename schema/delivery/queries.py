"""Root fields of delivery: the tenant's webhooks (for its admins)."""

from __future__ import annotations

import strawberry

from cms import models
from cms.auth import Permission, require
from schema.context import Info
from schema.core.payloads import require_tenant
from schema.delivery.types import WebhookType


class DeliveryQuery:
    """The webhooks of the addressed tenant."""

    @strawberry.field(description="This tenant's webhooks (its admins only).")
    async def webhooks(self, info: Info) -> list[WebhookType]:
        tenant = require_tenant(info)
        require(info.context.principal, Permission.MANAGE_WEBHOOKS, tenant.id)
        rows = await models.Webhook.filter(tenant_id=tenant.id).order_by("id")
        return [WebhookType(model=row) for row in rows]
