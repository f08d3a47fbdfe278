"""Image and file types: signed renditions, srcset and placeholder; a document's text."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from cms import models
from cms.errors import InvalidInput
from media import renditions, specs
from media.routes import file_url
from schema.context import Info
from schema.core.nodes import Node
from schema.core.relations import related

RenditionFit = specs.Fit
RenditionFormat = specs.Format
strawberry.enum(
    RenditionFit,
    name="RenditionFit",
    description="COVER fills the box, cropping around the focal point; CONTAIN fits the whole "
    "image inside it.",
)
strawberry.enum(RenditionFormat, name="RenditionFormat", description="Encoding of a rendition.")


@strawberry.type(description="One size of an image, at a signed URL that makes it on demand.")
class Rendition:
    url: str = strawberry.field(description="Signed path; served with a year-long cache.")
    width: int = strawberry.field(description="Width in pixels (never more than the original).")
    height: int = strawberry.field(description="Height in pixels.")
    format: RenditionFormat = strawberry.field(description="Encoding.")


@strawberry.type(description="Where COVER crops centre, as fractions of width and height.")
class FocalPoint:
    x: float = strawberry.field(description="0 is the left edge, 1 the right.")
    y: float = strawberry.field(description="0 is the top edge, 1 the bottom.")


def media_url(storage_key: str) -> str:
    return f"/media/{storage_key}"


def _ladder(info: Info) -> specs.Ladder:
    return specs.Ladder.of(info.context.settings)


@strawberry.type(name="Image", description="An uploaded image with its intrinsic size.")
class ImageType(Node):
    url: str = strawberry.field(
        description="Path of the original's full-size copy (orientation applied, EXIF and GPS "
        "metadata removed); served once a published item uses it, else only to tokens that "
        "may preview its tenant."
    )
    content_type: str = strawberry.field(description="MIME type decided from the bytes.")
    size: int = strawberry.field(description="Bytes of the original.")
    width: int = strawberry.field(description="Width in pixels.")
    height: int = strawberry.field(description="Height in pixels.")
    alt: str = strawberry.field(description="Alternative text for screen readers.")
    credit: str = strawberry.field(description="Photographer or source, if any.")
    placeholder: str = strawberry.field(
        description="A tiny blurred preview as a data: URI to show while the image loads."
    )
    focal_point: FocalPoint = strawberry.field(description="Centre of COVER crops.")
    source_uid: str | None = strawberry.field(
        description="UID of the Plone item it was imported from (null: uploaded here)."
    )
    model: strawberry.Private[models.Image]

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return {
            "url": media_url(model.storage_key),
            "focal_point": FocalPoint(x=model.focal_x, y=model.focal_y),
        }

    def _spec(self, info: Info, width: int | None, height: int | None, fit: specs.Fit,
              format: specs.Format, quality: int | None) -> specs.Spec:  # fmt: skip
        focal = (self.focal_point.x, self.focal_point.y)
        return specs.make(width, height, fit, format, quality, focal, ladder=_ladder(info))

    def _rendition(self, info: Info, spec: specs.Spec) -> Rendition:
        size = (self.width, self.height)
        width, height = specs.output_size(size, spec, _ladder(info).max_pixels)
        signer = renditions.signer_for(info.context.settings)
        url = renditions.url(signer, self.model.storage_key, spec)
        return Rendition(url=url, width=width, height=height, format=spec.format)

    @strawberry.field(
        description="The image at a size and format; made on its first request. Give a width, "
        "a height or both (1 to 4000): each is rounded up to the next step of the server's "
        "size ladder, a COVER box to the nearest common aspect ratio, and the quality to the "
        "nearest allowed one. It is never enlarged beyond the original, nor beyond the "
        "server's pixel limit."
    )
    def rendition(
        self,
        info: Info,
        width: Annotated[int | None, strawberry.argument(description="Box width.")] = None,
        height: Annotated[int | None, strawberry.argument(description="Box height.")] = None,
        fit: Annotated[
            RenditionFit, strawberry.argument(description="COVER crops, CONTAIN fits.")
        ] = specs.Fit.COVER,
        format: Annotated[
            RenditionFormat, strawberry.argument(description="Encoding.")
        ] = specs.Format.WEBP,
        quality: Annotated[
            int | None,
            strawberry.argument(
                description="1 to 100, rounded to the nearest allowed; a default per format."
            ),
        ] = None,
    ) -> Rendition:
        return self._rendition(info, self._spec(info, width, height, fit, format, quality))

    @strawberry.field(
        description="A srcset attribute value (`url 400w, url 800w`) for these widths, "
        "each rounded up to the size ladder and no wider than the original."
    )
    def srcset(
        self,
        info: Info,
        widths: Annotated[list[int], strawberry.argument(description="1 to 12 widths.")],
        format: Annotated[
            RenditionFormat, strawberry.argument(description="Encoding.")
        ] = specs.Format.WEBP,
    ) -> str:
        if not widths or len(widths) > specs.MAX_SRCSET_WIDTHS:
            raise InvalidInput(f"Give 1 to {specs.MAX_SRCSET_WIDTHS} widths.", field="widths")
        seen: dict[int, str] = {}
        for width in sorted(set(widths)):
            made = self._rendition(
                info, self._spec(info, width, None, specs.Fit.CONTAIN, format, None)
            )
            seen.setdefault(made.width, made.url)
        return ", ".join(f"{url} {width}w" for width, url in seen.items())


@strawberry.type(name="File", description="An uploaded document such as a PDF.")
class FileType(Node):
    url: str = strawberry.field(
        description="Path of the file, served as a download (images inline) under /media/files/; "
        "only once a published item uses it, else to tokens that may preview its tenant."
    )
    title: str = strawberry.field(description="Human title of the document.")
    filename: str = strawberry.field(description="Name to save it under.")
    content_type: str = strawberry.field(description="MIME type decided from the bytes.")
    size: int = strawberry.field(description="Bytes.")
    source_uid: str | None = strawberry.field(
        description="UID of the Plone item it was imported from (null: uploaded here)."
    )
    model: strawberry.Private[models.File]

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return {"url": file_url(model.storage_key)}

    @strawberry.field(description="The document's words (a PDF's extracted text), for search.")
    async def text(self, info: Info) -> str:
        # Loaded only when asked: a list of attachments should not carry whole documents.
        row = await info.context.loaders.file_by_id.load(self.model.id)
        return row.text if row is not None else ""


def image_by_id(info: Info, image_id: int | None) -> ImageType | None:
    """The image a relation points at (pictures of items the reader sees are public): at
    once when its page primed it, else an awaitable (see schema/core/relations.py)."""
    if image_id is None:
        return None
    return related(info.context.loaders.image_by_id, image_id, _image)


def _image(row: Any) -> ImageType | None:
    return ImageType.from_model(row) if row is not None else None
