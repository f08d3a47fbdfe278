"""Joining a community: its settings, join requests, enquiries, and the counts that bound them
(issue 16).

A request or an enquiry is stored unconfirmed with the hash of a token mailed to its address;
only confirming that link puts it before anyone. Unconfirmed rows, declined requests and
delivered enquiries are deleted after their retention periods (`cms.services.joining.purge`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from cms.models.tenants import Tenant


class CommunitySettings(Model):
    """How a tenant takes in people: one row per tenant, set by its admins."""

    id = fields.IntField(primary_key=True)
    tenant: fields.OneToOneRelation[Tenant] = fields.OneToOneField(
        "models.Tenant", related_name="community_settings", on_delete=fields.CASCADE
    )
    tenant_id: int
    accepts_join_requests = fields.BooleanField(default=False)
    # What a requester consents to; a request records the version it was shown.
    privacy_text = fields.TextField(default="")
    privacy_version = fields.IntField(default=0)
    # Where enquiries go (never shown to the public); empty: the tenant's contact e-mail.
    contact_email = fields.CharField(max_length=254, default="")
    membership_target = fields.IntField(null=True)
    # Whether the public sees the target and the count of members towards it.
    show_target = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "community_settings"


class JoinRequestState(StrEnum):
    """unconfirmed → pending (the address confirmed) → approved or declined."""

    UNCONFIRMED = "unconfirmed"
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class JoinRequest(Model):
    """A person's request to become a member of a tenant."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="join_requests", on_delete=fields.CASCADE
    )
    tenant_id: int
    state = fields.CharEnumField(
        JoinRequestState, max_length=16, default=JoinRequestState.UNCONFIRMED
    )
    name = fields.CharField(max_length=200)
    # Normalised (`cms.passwords.normalise_email`).
    email = fields.CharField(max_length=254, db_index=True)
    organisation = fields.CharField(max_length=200, default="")
    country = fields.CharField(max_length=100, default="")
    position = fields.CharField(max_length=200, default="")
    motivation = fields.TextField(default="")
    privacy_version = fields.IntField()
    # SHA-256 of the confirmation token; cleared once confirmed.
    token_hash = fields.CharField(max_length=64, unique=True, null=True)
    token_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    confirmed_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(max_length=200, default="")
    decision_message = fields.TextField(default="")
    invitation_id = fields.IntField(null=True)

    class Meta:
        table = "join_request"
        indexes = (("tenant_id", "state", "id"),)


class EnquiryTopic(StrEnum):
    SPONSORING = "sponsoring"
    GENERAL = "general"


class EnquiryState(StrEnum):
    UNCONFIRMED = "unconfirmed"
    DELIVERED = "delivered"


class Enquiry(Model):
    """A "get in touch" message to a tenant's contact, sent once its address is confirmed."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="enquiries", on_delete=fields.CASCADE
    )
    tenant_id: int
    state = fields.CharEnumField(EnquiryState, max_length=16, default=EnquiryState.UNCONFIRMED)
    topic = fields.CharEnumField(EnquiryTopic, max_length=16)
    name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, db_index=True)
    organisation = fields.CharField(max_length=200, default="")
    message = fields.TextField()
    token_hash = fields.CharField(max_length=64, unique=True, null=True)
    token_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "enquiry"


class JoiningAttempt(Model):
    """One attempt at `requestToJoin` or `sendEnquiry`, by client and by address, counted in
    the database so that the limits hold across worker processes. Keys are keyed hashes
    (HMAC with the secret key), so the table holds no address in the clear."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=64)
    at = fields.DatetimeField()

    class Meta:
        table = "joining_attempt"
        indexes = (("key", "at"),)
