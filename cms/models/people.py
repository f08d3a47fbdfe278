"""Organisations and stakeholder profiles."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields

from cms.models.base import ContentModel, DelimitedListField

if TYPE_CHECKING:
    from cms.models.content import Event, Resource, ResourceAuthor
    from cms.models.media import Image
    from cms.models.programmes import Attestation
    from cms.models.tenants import Tenant


class OrganisationKind(StrEnum):
    UNIVERSITY = "university"
    RPO = "rpo"
    RFO = "rfo"
    ASSOCIATION = "association"
    COMPANY = "company"
    PROJECT = "project"


class ProfileRole(StrEnum):
    CHANGE_CATALYST = "change-catalyst"
    EXPERT = "expert"
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"
    MEMBER = "member"


class Organisation(ContentModel):
    """A university, RPO, RFO, association, company or project a tenant works with."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="organisations", on_delete=fields.RESTRICT
    )
    tenant_id: int
    name = fields.CharField(max_length=300)
    acronym = fields.CharField(max_length=64, default="")
    kind = fields.CharEnumField(OrganisationKind, max_length=16)
    country = fields.CharField(max_length=2, default="")
    website = fields.CharField(max_length=500, default="")
    description = fields.TextField(default="")
    shared = fields.BooleanField(default=False)
    memberships: fields.ManyToManyRelation[Tenant] = fields.ManyToManyField(
        "models.Tenant", related_name="member_organisations", through="organisation_membership"
    )

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    resources: fields.ReverseRelation[Resource]
    hosted_events: fields.ReverseRelation[Event]
    profiles: fields.ReverseRelation[Profile]

    class Meta:
        table = "organisation"
        unique_together = (("tenant", "slug"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "published_at"),)


class Profile(ContentModel):
    """A person in the stakeholder database (`private_contact` is never public)."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="profiles", on_delete=fields.RESTRICT
    )
    tenant_id: int
    name = fields.CharField(max_length=200)
    roles = DelimitedListField()
    expertise = DelimitedListField()
    languages = DelimitedListField()
    country = fields.CharField(max_length=2, default="")
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="profiles", null=True, on_delete=fields.SET_NULL
    )
    organisation_id: int | None
    bio = fields.TextField(default="")
    photo: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name="profiles", null=True, on_delete=fields.SET_NULL
    )
    photo_id: int | None
    private_contact = fields.TextField(default="")
    shared = fields.BooleanField(default=False)

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    authored_links: fields.ReverseRelation[ResourceAuthor]
    attestations: fields.ReverseRelation[Attestation]

    class Meta:
        table = "profile"
        unique_together = (("tenant", "slug"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "published_at"),)
