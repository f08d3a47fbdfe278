"""Upload mutations (GraphQL multipart request spec): `uploadImage` and `uploadFile`."""

# No `from __future__ import annotations`: strawberry must see the real payload classes.

from typing import Annotated, Any

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload as UploadScalar

from cms.errors import ErrorCode, FieldError, ValidationFailed
from media import uploads
from media.pdf import PdfLimits
from schema.context import Info
from schema.core.payloads import MutationError, attempt, require_principal, require_tenant
from schema.media.types import FileType, ImageType


@strawberry.input(description="Where COVER crops centre, as fractions of width and height.")
class FocalPointInput:
    x: float = strawberry.field(description="0 is the left edge, 1 the right.")
    y: float = strawberry.field(description="0 is the top edge, 1 the bottom.")


@strawberry.type(description="The result of an image upload.")
class ImagePayload:
    image: ImageType | None = strawberry.field(default=None, description="The image as saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list,
        description="Empty on success. Codes: UNSUPPORTED_FORMAT, DAMAGED_IMAGE, "
        "TOO_MANY_PIXELS, POLYGLOT, FILE_TOO_LARGE, EMPTY_FILE, PERMISSION_DENIED, …",
    )


@strawberry.type(description="The result of a file upload.")
class FilePayload:
    file: FileType | None = strawberry.field(default=None, description="The file as saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list,
        description="Empty on success. Codes: UNSUPPORTED_FORMAT, DAMAGED_FILE, "
        "FILE_TOO_LARGE, EMPTY_FILE, PERMISSION_DENIED, …",
    )


async def _read(file: Any) -> uploads.Upload:
    if not isinstance(file, UploadFile):
        raise ValidationFailed(
            [FieldError("file", "Send the file as a multipart upload.", ErrorCode.NOT_A_FILE)]
        )
    return uploads.Upload(data=await file.read(), filename=file.filename or "")


class UploadMutation:
    """Uploads; each needs a token that may create in the tenant."""

    @strawberry.mutation(
        name="uploadImage",
        description="Upload an image (JPEG, PNG, WebP, GIF or AVIF, decided from its bytes).",
    )
    async def upload_image(
        self,
        info: Info,
        file: Annotated[UploadScalar, strawberry.argument(description="The image file.")],
        alt: Annotated[str, strawberry.argument(description="Alternative text.")] = "",
        focal_point: Annotated[
            FocalPointInput | None, strawberry.argument(description="Centre of COVER crops.")
        ] = None,
        credit: Annotated[str, strawberry.argument(description="Photographer or source.")] = "",
    ) -> ImagePayload:
        async def work() -> Any:
            principal, tenant = require_principal(info), require_tenant(info)
            focal = (focal_point.x, focal_point.y) if focal_point is not None else None
            return await uploads.upload_image(
                principal,
                tenant,
                info.context.storage,
                await _read(file),
                alt=alt,
                credit=credit,
                focal_point=focal,
                max_bytes=info.context.settings.max_upload_bytes,
            )

        return await attempt(
            work,
            lambda row: ImagePayload(image=ImageType.from_model(row)),
            lambda errors: ImagePayload(errors=errors),
        )

    @strawberry.mutation(
        name="uploadFile",
        description="Upload a document (a PDF's text is extracted for search) or a video file.",
    )
    async def upload_file(
        self,
        info: Info,
        file: Annotated[UploadScalar, strawberry.argument(description="The file.")],
        title: Annotated[
            str, strawberry.argument(description="Human title; the file name if empty.")
        ] = "",
    ) -> FilePayload:
        async def work() -> Any:
            principal, tenant = require_principal(info), require_tenant(info)
            return await uploads.upload_file(
                principal,
                tenant,
                info.context.storage,
                await _read(file),
                title=title,
                max_bytes=info.context.settings.max_upload_bytes,
                pdf_limits=PdfLimits.of(info.context.settings),
            )

        return await attempt(
            work,
            lambda row: FilePayload(file=FileType.from_model(row)),
            lambda errors: FilePayload(errors=errors),
        )
