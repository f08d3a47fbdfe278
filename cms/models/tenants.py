"""Tenants: programmes, hubs and Communities of Practice."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from cms.models.base import DelimitedListField, TimestampedModel


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
    description = fields.TextField(default="")
    domains = DelimitedListField()
    website = fields.CharField(max_length=500, default="")
    contact_email = fields.CharField(max_length=254, default="")
    thematic_areas = DelimitedListField()
    maturity = fields.CharEnumField(Maturity, max_length=16, null=True)
    default_language = fields.CharField(max_length=16, default="en")
    # IANA name: how dates given without an offset (a Plone export's, say) are read.
    timezone = fields.CharField(max_length=64, default="Europe/Brussels")

    class Meta:
        table = "tenant"

    def __str__(self) -> str:
        return self.slug
