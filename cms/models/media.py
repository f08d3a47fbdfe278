"""Image and file records that content points to; the bytes live in media storage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields

from cms.models.base import TimestampedModel

if TYPE_CHECKING:
    from cms.models.content import NewsItem, Resource, Video
    from cms.models.people import Profile
    from cms.models.tenants import Tenant


class Image(TimestampedModel):
    """An uploaded image, stored once by content hash."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="images", on_delete=fields.RESTRICT
    )
    tenant_id: int
    storage_key = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField(default=0)
    width = fields.IntField(default=0)
    height = fields.IntField(default=0)
    alt = fields.CharField(max_length=500, default="")
    credit = fields.CharField(max_length=300, default="")
    # SHA-256 of the uploaded bytes: the storage key and every rendition derive from it.
    content_hash = fields.CharField(max_length=64, default="", db_index=True)
    # Where COVER crops centre, as fractions of width and height (0.5, 0.5 is the middle).
    focal_x = fields.FloatField(default=0.5)
    focal_y = fields.FloatField(default=0.5)
    # A tiny blurred preview as a data: URI, shown while the real image loads.
    placeholder = fields.TextField(default="")
    # The UID of the Plone item this image was imported from (null = uploaded here).
    source_uid = fields.CharField(max_length=64, null=True)

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    resource_covers: fields.ReverseRelation[Resource]
    video_thumbnails: fields.ReverseRelation[Video]
    news_items: fields.ReverseRelation[NewsItem]
    profiles: fields.ReverseRelation[Profile]

    class Meta:
        table = "image"
        unique_together = (("tenant", "source_uid"),)


class File(TimestampedModel):
    """An uploaded document (PDF, slides, data), stored once by content hash."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="files", on_delete=fields.RESTRICT
    )
    tenant_id: int
    storage_key = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField(default=0)
    title = fields.CharField(max_length=300, default="")
    filename = fields.CharField(max_length=255, default="")
    content_hash = fields.CharField(max_length=64, default="", db_index=True)
    # Words of the document (PDF text via pypdf) for search; empty for other types.
    text = fields.TextField(default="")
    # The UID of the Plone item this file was imported from (null = uploaded here).
    source_uid = fields.CharField(max_length=64, null=True)

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    resources: fields.ManyToManyRelation[Resource]

    class Meta:
        table = "file"
        unique_together = (("tenant", "source_uid"),)
