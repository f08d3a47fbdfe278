"""Preview links: `createPreviewLink` for editors, `preview(token:)` for a site's preview mode."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry

from cms import preview
from cms.errors import NotFound
from cms.urls import routes_of
from schema.content.types import CONTENT_TYPES
from schema.context import Info
from schema.core.ids import from_global_id
from schema.core.nodes import Content
from schema.core.payloads import MutationError, attempt, require_principal


@strawberry.type(description="A signed, short-lived link to read one draft.")
class PreviewLinkPayload:
    token: str | None = strawberry.field(default=None, description="Pass to preview(token:).")
    url: str | None = strawberry.field(
        default=None, description="The item's public URL with ?preview=<token> appended."
    )
    expires_at: datetime | None = strawberry.field(default=None, description="When it expires.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


class PreviewQuery:
    """Reading one draft with a preview token instead of an API token."""

    @strawberry.field(
        description="The item a preview token names (draft or not), in the token's tenant only."
    )
    async def preview(self, info: Info, token: str) -> Content | None:
        now = datetime.now(UTC)
        grant = preview.verify(info.context.settings.resolved_secret_key(), token, now)
        row = await preview.item(grant, info.context.scope.tenant_id)
        if row is None:
            return None
        converted: Any = CONTENT_TYPES[grant.kind].from_model(row)
        return converted  # type: ignore[no-any-return]


class PreviewMutation:
    """Asking for a preview link."""

    @strawberry.mutation(description="A preview link for one item (anyone who may preview it).")
    async def create_preview_link(self, info: Info, id: strawberry.ID) -> PreviewLinkPayload:
        async def work() -> Any:
            decoded = from_global_id(str(id))
            if decoded is None or decoded[0] not in CONTENT_TYPES:
                raise NotFound("`id` is not the id of a content item.", field="id")
            settings = info.context.settings
            token, grant, row = await preview.create(
                require_principal(info),
                settings.resolved_secret_key(),
                decoded[0],
                decoded[1],
                settings.preview_minutes,
                datetime.now(UTC),
            )
            routes = await routes_of(await row.tenant)
            url = routes.of(grant.kind, row) + f"?preview={token}"
            return PreviewLinkPayload(token=token, url=url, expires_at=grant.expires)

        return await attempt(work, lambda payload: payload, lambda e: PreviewLinkPayload(errors=e))
