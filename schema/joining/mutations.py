"""Writes of joining: the public's requests, enquiries and confirmations, the coordinators'
decisions and the admins' settings. Public ones answer the same whatever the address."""

from __future__ import annotations

import strawberry

from cms.models import EnquiryTopic
from cms.services import community, joining
from schema.context import Info
from schema.core.ids import database_id
from schema.core.payloads import MutationError, attempt, require_principal, require_tenant
from schema.joining.queries import settings_type
from schema.joining.types import CommunitySettingsType, JoinRequestType

HONEYPOT = "Leave empty: a field people never see (hide it with CSS), for robots to fill."


@strawberry.input(description="A request to join this site's community.")
class RequestToJoinInput:
    name: str = strawberry.field(description="Your name (at most 200 characters).")
    email: str = strawberry.field(description="Your address: a link to confirm is sent to it.")
    organisation: str = strawberry.field(default="", description="Your organisation (200).")
    country: str = strawberry.field(default="", description="Your country (100).")
    position: str = strawberry.field(default="", description="Your position or career stage (200).")
    motivation: str = strawberry.field(default="", description="Why you want to join (4000).")
    consent: bool = strawberry.field(description="Consent to the privacy text (must be true).")
    privacy_version: int = strawberry.field(
        description="The version of the privacy text shown (`community { privacyVersion }`)."
    )
    website: str = strawberry.field(default="", description=HONEYPOT)


@strawberry.input(description="A message to this site's community (get in touch).")
class SendEnquiryInput:
    name: str = strawberry.field(description="Your name (at most 200 characters).")
    email: str = strawberry.field(description="Your address: a link to confirm is sent to it.")
    organisation: str = strawberry.field(default="", description="Your organisation (200).")
    topic: EnquiryTopic = strawberry.field(description="What it is about.")
    message: str = strawberry.field(description="Your message (at most 4000 characters).")
    website: str = strawberry.field(default="", description=HONEYPOT)


@strawberry.input(description="Changes to the community settings; fields left out stay.")
class CommunitySettingsInput:
    accepts_join_requests: bool | None = strawberry.field(
        default=None, description="Open or close `requestToJoin` (needs a privacy text)."
    )
    privacy_text: str | None = strawberry.field(
        default=None, description="A new privacy text (plain text): takes the next version."
    )
    privacy_version: int | None = strawberry.field(
        default=None, description="Set the version yourself (not below the current one)."
    )
    contact_email: str | None = strawberry.field(
        default=None, description="Where enquiries go (empty: the tenant's contact e-mail)."
    )
    membership_target: int | None = strawberry.field(
        default=None, description="How many members it aims for (0 removes the target)."
    )
    show_target: bool | None = strawberry.field(
        default=None, description="Show the target and the count towards it to the public."
    )


@strawberry.type(description="The answer to a public request: received, or why not.")
class ReceivedPayload:
    received: bool = strawberry.field(
        default=False,
        description="True when the request was taken: a link to confirm it was mailed to the "
        "address (the same answer whether or not the address asked before).",
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The answer to a confirmation link.")
class ConfirmationPayload:
    confirmed: bool = strawberry.field(
        default=False, description="True when the request or enquiry went on its way."
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a decision on a join request.")
class JoinRequestPayload:
    join_request: JoinRequestType | None = strawberry.field(default=None, description="As decided.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of setCommunitySettings.")
class CommunitySettingsPayload:
    community_settings: CommunitySettingsType | None = strawberry.field(
        default=None, description="As saved."
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


def _client(info: Info) -> str:
    """The request's client host, which the per-client limit counts."""
    client = info.context.request.client
    return client.host if client is not None else "unknown"


def _received(_: object) -> ReceivedPayload:
    return ReceivedPayload(received=True)


def _confirmed(_: object) -> ConfirmationPayload:
    return ConfirmationPayload(confirmed=True)


def _decided(row: object) -> JoinRequestPayload:
    return JoinRequestPayload(join_request=JoinRequestType.from_model(row))


class JoiningMutation:
    """Join requests, enquiries and the community settings."""

    @strawberry.mutation(
        description="Public: ask to join this site's community. A link to confirm is mailed "
        "to the address; only then does the request reach the coordinators."
    )
    async def request_to_join(self, info: Info, input: RequestToJoinInput) -> ReceivedPayload:
        async def work() -> object:
            given = joining.JoinInput(
                name=input.name,
                email=input.email,
                organisation=input.organisation,
                country=input.country,
                position=input.position,
                motivation=input.motivation,
                consent=input.consent,
                privacy_version=input.privacy_version,
                website=input.website,
            )
            settings = info.context.settings
            await joining.request_to_join(
                settings, require_tenant(info), given, client=_client(info)
            )
            return True

        return await attempt(work, _received, lambda e: ReceivedPayload(errors=e))

    @strawberry.mutation(
        description="Public: the token of the link a join request's mail holds; puts the "
        "request in the coordinators' queue."
    )
    async def confirm_join_request(self, info: Info, token: str) -> ConfirmationPayload:
        async def work() -> object:
            settings = info.context.settings
            return await joining.confirm_join_request(settings, info.context.scope.tenant, token)

        return await attempt(work, _confirmed, lambda e: ConfirmationPayload(errors=e))

    @strawberry.mutation(
        description="Public: a message to this site's community (sponsoring, a question). A "
        "link to confirm is mailed to the address; only then is the message delivered."
    )
    async def send_enquiry(self, info: Info, input: SendEnquiryInput) -> ReceivedPayload:
        async def work() -> object:
            given = joining.EnquiryInput(
                name=input.name,
                email=input.email,
                organisation=input.organisation,
                topic=input.topic,
                message=input.message,
                website=input.website,
            )
            settings = info.context.settings
            await joining.send_enquiry(settings, require_tenant(info), given, client=_client(info))
            return True

        return await attempt(work, _received, lambda e: ReceivedPayload(errors=e))

    @strawberry.mutation(
        description="Public: the token of the link an enquiry's mail holds; delivers it."
    )
    async def confirm_enquiry(self, info: Info, token: str) -> ConfirmationPayload:
        async def work() -> object:
            settings = info.context.settings
            return await joining.confirm_enquiry(settings, info.context.scope.tenant, token)

        return await attempt(work, _confirmed, lambda e: ConfirmationPayload(errors=e))

    @strawberry.mutation(
        description="Approve a pending join request: the requester is invited as a member "
        "(coordinators and admins)."
    )
    async def approve_join_request(
        self, info: Info, id: strawberry.ID, message: str = ""
    ) -> JoinRequestPayload:
        async def work() -> object:
            return await joining.approve(
                require_principal(info),
                info.context.settings,
                database_id(id, "JoinRequest", "id"),
                message,
            )

        return await attempt(work, _decided, lambda e: JoinRequestPayload(errors=e))

    @strawberry.mutation(
        description="Decline a pending join request; the requester is told by mail, with the "
        "message (coordinators and admins)."
    )
    async def decline_join_request(
        self, info: Info, id: strawberry.ID, message: str = ""
    ) -> JoinRequestPayload:
        async def work() -> object:
            return await joining.decline(
                require_principal(info),
                info.context.settings,
                database_id(id, "JoinRequest", "id"),
                message,
            )

        return await attempt(work, _decided, lambda e: JoinRequestPayload(errors=e))

    @strawberry.mutation(description="Change this site's community settings (its admins).")
    async def set_community_settings(
        self, info: Info, input: CommunitySettingsInput
    ) -> CommunitySettingsPayload:
        async def work() -> object:
            tenant = require_tenant(info)
            row = await community.set_settings(
                require_principal(info),
                tenant,
                accepts_join_requests=input.accepts_join_requests,
                privacy_text=input.privacy_text,
                privacy_version=input.privacy_version,
                contact_email=input.contact_email,
                membership_target=input.membership_target,
                show_target=input.show_target,
            )
            return await settings_type(tenant.id, row)

        return await attempt(
            work,
            lambda saved: CommunitySettingsPayload(community_settings=saved),
            lambda e: CommunitySettingsPayload(errors=e),
        )
