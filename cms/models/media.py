"""Image and file records that content points to; the bytes live in media storage."""

from __future__ import annotations

from tortoise import fields

from cms.models.base import TimestampedModel


class Image(TimestampedModel):
    """An uploaded image, stored once by content hash."""

    id = fields.IntField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="images", on_delete=fields.RESTRICT
    )
    storage_key = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField(default=0)
    width = fields.IntField(default=0)
    height = fields.IntField(default=0)
    alt = fields.CharField(max_length=500, default="")
    credit = fields.CharField(max_length=300, default="")

    class Meta:
        table = "image"


class File(TimestampedModel):
    """An uploaded document (PDF, slides, data), stored once by content hash."""

    id = fields.IntField(primary_key=True)
    tenant = fields.ForeignKeyField(
        "models.Tenant", related_name="files", on_delete=fields.RESTRICT
    )
    storage_key = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField(default=0)
    title = fields.CharField(max_length=300, default="")
    filename = fields.CharField(max_length=255, default="")

    class Meta:
        table = "file"
