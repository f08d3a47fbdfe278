"""Image and file types (renditions arrive with the media work)."""

from __future__ import annotations

import strawberry

from cms import models
from schema.ids import to_global_id
from schema.nodes import Node


def media_url(storage_key: str) -> str:
    return f"/media/{storage_key}"


@strawberry.type(name="Image", description="An uploaded image with its intrinsic size.")
class ImageType(Node):
    url: str = strawberry.field(description="Path of the original under the media root.")
    content_type: str = strawberry.field(description="MIME type decided from the bytes.")
    size: int = strawberry.field(description="Bytes of the original.")
    width: int = strawberry.field(description="Width in pixels.")
    height: int = strawberry.field(description="Height in pixels.")
    alt: str = strawberry.field(description="Alternative text for screen readers.")
    credit: str = strawberry.field(description="Photographer or source, if any.")
    pk: strawberry.Private[int]
    tenant_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.Image) -> ImageType:
        return cls(
            id=strawberry.ID(to_global_id("Image", m.id)),
            url=media_url(m.storage_key),
            content_type=m.content_type,
            size=m.size,
            width=m.width,
            height=m.height,
            alt=m.alt,
            credit=m.credit,
            pk=m.id,
            tenant_id=m.tenant_id,  # type: ignore[attr-defined]
        )


@strawberry.type(name="File", description="An uploaded document such as a PDF.")
class FileType(Node):
    url: str = strawberry.field(description="Path of the file under the media root.")
    title: str = strawberry.field(description="Human title of the document.")
    filename: str = strawberry.field(description="Name to save it under.")
    content_type: str = strawberry.field(description="MIME type decided from the bytes.")
    size: int = strawberry.field(description="Bytes.")
    pk: strawberry.Private[int]
    tenant_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.File) -> FileType:
        return cls(
            id=strawberry.ID(to_global_id("File", m.id)),
            url=media_url(m.storage_key),
            title=m.title,
            filename=m.filename,
            content_type=m.content_type,
            size=m.size,
            pk=m.id,
            tenant_id=m.tenant_id,  # type: ignore[attr-defined]
        )
