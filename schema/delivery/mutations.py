"""Webhook writes: create, update, delete, ping, redeliver; and the site's route patterns."""

from __future__ import annotations

import strawberry

from cms.services import webhooks
from schema.context import Info
from schema.core.ids import database_id
from schema.core.payloads import (
    DeletePayload,
    MutationError,
    attempt,
    require_principal,
    require_tenant,
)
from schema.delivery.types import WebhookDeliveryType, WebhookType


@strawberry.input(description="A new webhook.")
class CreateWebhookInput:
    url: str = strawberry.field(description="Where to POST (http or https, a public host).")
    events: list[str] = strawberry.field(
        description="Events to send: content.published, content.updated, content.unpublished, "
        "content.deleted, content.went_live, content.expired."
    )
    description: str = strawberry.field(default="", description="A note for the admins.")


@strawberry.input(description="Changes to a webhook; fields left out stay.")
class UpdateWebhookInput:
    url: str | None = strawberry.field(default=None, description="A new URL.")
    events: list[str] | None = strawberry.field(default=None, description="New events.")
    active: bool | None = strawberry.field(default=None, description="Pause or resume.")
    description: str | None = strawberry.field(default=None, description="A new note.")
    rotate_secret: bool = strawberry.field(
        default=False, description="Make a new signing secret (returned once in `secret`)."
    )


@strawberry.input(description="The route pattern of one kind's public page.")
class RoutePatternInput:
    kind: str = strawberry.field(description="A kind: Page, NewsItem, Event, Resource, …")
    pattern: str = strawberry.field(
        description="e.g. /news/{slug}; placeholders {slug} {path} {id}."
    )


@strawberry.type(description="The result of a webhook mutation.")
class WebhookPayload:
    webhook: WebhookType | None = strawberry.field(default=None, description="As saved.")
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (whsec_…), only when made: on create and rotation.",
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a ping or a redelivery.")
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None = strawberry.field(
        default=None, description="The queued delivery."
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of setSiteRoutes.")
class SiteRoutesPayload:
    base_url: str | None = strawberry.field(default=None, description="The front end's base URL.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


def _failed_webhook(errors: list[MutationError]) -> WebhookPayload:
    return WebhookPayload(errors=errors)


def _failed_delivery(errors: list[MutationError]) -> WebhookDeliveryPayload:
    return WebhookDeliveryPayload(errors=errors)


class DeliveryMutation:
    """Webhooks and site routes: the tenant's admins only."""

    @strawberry.mutation(description="Make a webhook; its secret is answered once.")
    async def create_webhook(self, info: Info, input: CreateWebhookInput) -> WebhookPayload:
        async def work() -> object:
            return await webhooks.create(
                require_principal(info),
                info.context.settings,
                require_tenant(info),
                input.url,
                input.events,
                input.description,
            )

        return await attempt(
            work,
            lambda row: WebhookPayload(webhook=WebhookType(model=row), secret=row.secret),
            _failed_webhook,
        )

    @strawberry.mutation(description="Change a webhook, or rotate its secret.")
    async def update_webhook(
        self, info: Info, id: strawberry.ID, input: UpdateWebhookInput
    ) -> WebhookPayload:
        async def work() -> object:
            return await webhooks.update(
                require_principal(info),
                info.context.settings,
                database_id(id, "Webhook", "id"),
                url=input.url,
                events=input.events,
                active=input.active,
                description=input.description,
                rotate_secret=input.rotate_secret,
            )

        return await attempt(
            work,
            lambda row: WebhookPayload(
                webhook=WebhookType(model=row), secret=row.secret if input.rotate_secret else None
            ),
            _failed_webhook,
        )

    @strawberry.mutation(description="Remove a webhook and its delivery log.")
    async def delete_webhook(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> object:
            await webhooks.delete(require_principal(info), database_id(id, "Webhook", "id"))
            return id

        return await attempt(
            work, lambda _: DeletePayload(deleted_id=id), lambda e: DeletePayload(errors=e)
        )

    @strawberry.mutation(description="Send a signed webhook.ping delivery to test the receiver.")
    async def ping_webhook(self, info: Info, id: strawberry.ID) -> WebhookDeliveryPayload:
        async def work() -> object:
            return await webhooks.ping(require_principal(info), database_id(id, "Webhook", "id"))

        return await attempt(
            work,
            lambda row: WebhookDeliveryPayload(delivery=WebhookDeliveryType(model=row)),
            _failed_delivery,
        )

    @strawberry.mutation(description="Send a delivery's body again, as a new delivery.")
    async def redeliver_webhook_delivery(
        self, info: Info, id: strawberry.ID
    ) -> WebhookDeliveryPayload:
        async def work() -> object:
            return await webhooks.redeliver(
                require_principal(info), database_id(id, "WebhookDelivery", "id")
            )

        return await attempt(
            work,
            lambda row: WebhookDeliveryPayload(delivery=WebhookDeliveryType(model=row)),
            _failed_delivery,
        )

    @strawberry.mutation(description="Set the front end's base URL and route patterns by kind.")
    async def set_site_routes(
        self,
        info: Info,
        patterns: list[RoutePatternInput],
        base_url: str | None = None,
    ) -> SiteRoutesPayload:
        async def work() -> object:
            return await webhooks.set_site_routes(
                require_principal(info),
                require_tenant(info),
                base_url,
                {p.kind: p.pattern for p in patterns},
            )

        return await attempt(
            work,
            lambda row: SiteRoutesPayload(base_url=row.base_url),
            lambda e: SiteRoutesPayload(errors=e),
        )
