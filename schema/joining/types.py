"""Types of joining a community: what the public reads of its settings, the settings as its
admins and coordinators see them, and join requests (coordinators' queue only)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from cms import models
from cms.services.community import Public
from schema.core.nodes import Node
from schema.core.types import HoldsModel

strawberry.enum(
    models.JoinRequestState,
    description="UNCONFIRMED (never listed: the address is not confirmed yet), PENDING (in the "
    "coordinators' queue), APPROVED (invited as a member) or DECLINED.",
)
strawberry.enum(models.EnquiryTopic, description="What an enquiry is about.")


@strawberry.type(description="What anyone may read of how this community takes in people.")
class Community:
    accepts_join_requests: bool = strawberry.field(description="Whether `requestToJoin` is open.")
    accepts_enquiries: bool = strawberry.field(
        description="Whether `sendEnquiry` is open (the community has a contact)."
    )
    privacy_text: str = strawberry.field(
        description="What a requester consents to (plain text); show it beside the form."
    )
    privacy_version: int = strawberry.field(
        description="The version of the privacy text: send it back with `requestToJoin`."
    )
    membership_target: int | None = strawberry.field(
        description="How many members the community aims for (null unless it shows it)."
    )
    member_count: int | None = strawberry.field(
        description="Members and coordinators now, towards the target (null unless shown)."
    )

    @classmethod
    def of(cls, public: Public) -> Community:
        return cls(
            accepts_join_requests=public.accepts_join_requests,
            accepts_enquiries=public.accepts_enquiries,
            privacy_text=public.privacy_text,
            privacy_version=public.privacy_version,
            membership_target=public.membership_target,
            member_count=public.member_count,
        )


@strawberry.type(
    name="CommunitySettings",
    description="How this community takes in people, as its admins and coordinators see it.",
)
class CommunitySettingsType(HoldsModel):
    accepts_join_requests: bool = strawberry.field(description="Whether it takes join requests.")
    privacy_text: str = strawberry.field(description="What requesters consent to.")
    privacy_version: int = strawberry.field(
        description="Its version (a new text takes the next one)."
    )
    contact_email: str = strawberry.field(
        description="Where enquiries go (never public); empty: the tenant's contact e-mail."
    )
    membership_target: int | None = strawberry.field(description="The target, if any.")
    show_target: bool = strawberry.field(
        description="Whether the public sees the target and the count towards it."
    )
    member_count: int = strawberry.field(description="Members and coordinators now.")
    model: strawberry.Private[models.CommunitySettings]


@strawberry.type(
    name="JoinRequest",
    description="A confirmed request to become a member (its tenant's coordinators and admins).",
)
class JoinRequestType(Node):
    state: models.JoinRequestState = strawberry.field(description="Where it is.")
    name: str = strawberry.field(description="The requester's name.")
    email: str = strawberry.field(description="Their address, confirmed by its link.")
    organisation: str = strawberry.field(description="Their organisation.")
    country: str = strawberry.field(description="Their country.")
    position: str = strawberry.field(description="Their position or career stage.")
    motivation: str = strawberry.field(description="Why they want to join.")
    privacy_version: int = strawberry.field(
        description="The version of the privacy text they consented to."
    )
    created_at: datetime = strawberry.field(description="When they asked.")
    confirmed_at: datetime | None = strawberry.field(description="When they confirmed.")
    decided_at: datetime | None = strawberry.field(description="When it was decided.")
    decided_by: str = strawberry.field(description="Who decided it.")
    decision_message: str = strawberry.field(description="The message sent with the decision.")
    model: strawberry.Private[models.JoinRequest]
