"""Tenants: programmes, hubs and Communities of Practice."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields

from cms.models.base import DelimitedListField, TimestampedModel

if TYPE_CHECKING:
    from cms.models.auth import ApiToken
    from cms.models.content import Event, NewsItem, Page, Resource, Tag, Video
    from cms.models.delivery import Redirect, SiteRoutes, Webhook
    from cms.models.history import AuditEntry, Revision
    from cms.models.media import File, Image
    from cms.models.people import Organisation, Profile


class TenantKind(StrEnum):
    PROGRAMME = "programme"
    HUB = "hub"
    COP = "cop"


class Maturity(StrEnum):
    STARTING = "starting"
    GROWING = "growing"
    MATURE = "mature"


class Tenant(TimestampedModel):
    """One CoP website, hub or programme, the unit of content ownership."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=300)
    acronym = fields.CharField(max_length=64, default="")
    kind = fields.CharEnumField(TenantKind, max_length=16)
    parent: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    parent_id: int | None
    description = fields.TextField(default="")
    domains = DelimitedListField()
    website = fields.CharField(max_length=500, default="")
    contact_email = fields.CharField(max_length=254, default="")
    thematic_areas = DelimitedListField()
    maturity = fields.CharEnumField(Maturity, max_length=16, null=True)
    default_language = fields.CharField(max_length=16, default="en")
    # The languages the tenant works in (its site's and its members'), default language first.
    languages = DelimitedListField()
    # IANA name: how dates given without an offset (a Plone export's, say) are read.
    timezone = fields.CharField(max_length=64, default="Europe/Brussels")

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    children: fields.ReverseRelation[Tenant]
    tags: fields.ReverseRelation[Tag]
    resources: fields.ReverseRelation[Resource]
    videos: fields.ReverseRelation[Video]
    events: fields.ReverseRelation[Event]
    news: fields.ReverseRelation[NewsItem]
    pages: fields.ReverseRelation[Page]
    organisations: fields.ReverseRelation[Organisation]
    profiles: fields.ReverseRelation[Profile]
    member_organisations: fields.ManyToManyRelation[Organisation]
    images: fields.ReverseRelation[Image]
    files: fields.ReverseRelation[File]
    tokens: fields.ReverseRelation[ApiToken]
    revisions: fields.ReverseRelation[Revision]
    audit_entries: fields.ReverseRelation[AuditEntry]
    webhooks: fields.ReverseRelation[Webhook]
    redirects: fields.ReverseRelation[Redirect]
    site_routes: fields.OneToOneNullableRelation[SiteRoutes]

    class Meta:
        table = "tenant"

    def __str__(self) -> str:
        return self.slug
