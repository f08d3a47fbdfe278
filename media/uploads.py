"""Uploads: check the bytes, store them once by content hash, and write the Image or File row.

Nothing is stored unless every check passes; the checks (images in media/operations.py, a
file's type in media/sniffing.py, a PDF's text in media/pdf.py) run in a worker thread because
Pillow and pypdf are CPU-bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Permission, Principal, require
from cms.errors import ErrorCode, FieldError, ValidationFailed
from cms.services import generations
from cms.services.history import token_id
from media import memory, operations
from media.pdf import DEFAULT_LIMITS, PdfLimits, PdfProblem, pdf_text
from media.sniffing import sniff
from media.storage import Storage, content_hash, original_key


@dataclass(frozen=True)
class Upload:
    """The bytes of one uploaded file and the name the client gave it (never trusted)."""

    data: bytes
    filename: str = ""


def _problem(code: ErrorCode, message: str, field: str = "file") -> ValidationFailed:
    return ValidationFailed([FieldError(field, message, code)])


def _check_size(upload: Upload, limit: int) -> None:
    if not upload.data:
        raise _problem(ErrorCode.EMPTY_FILE, "The file is empty.")
    if len(upload.data) > limit:
        raise _problem(
            ErrorCode.FILE_TOO_LARGE, f"The file is over the limit of {limit // (1024 * 1024)} MiB."
        )


def _inspect(data: bytes) -> operations.Inspected:
    """Decode the upload fully (in a worker thread), then give the decoded pixels' memory back."""
    try:
        return operations.inspect(data)
    finally:
        memory.release()


def _text(value: str, field: str, limit: int, errors: list[FieldError]) -> str:
    value = value.strip()
    if "\x00" in value:
        errors.append(FieldError(field, "Remove the NUL character.", ErrorCode.INVALID))
    elif len(value) > limit:
        errors.append(FieldError(field, f"Use at most {limit} characters.", ErrorCode.TOO_LONG))
    return value


def _safe_filename(name: str) -> str:
    """The last path segment of a client's file name, printable and short; only for display."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>:|?*').strip(" .")
    return name[:255]


async def upload_image(
    principal: Principal,
    tenant: models.Tenant,
    storage: Storage,
    upload: Upload,
    *,
    alt: str = "",
    credit: str = "",
    focal_point: tuple[float, float] | None = None,
    max_bytes: int,
    source_uid: str | None = None,
    replace: models.Image | None = None,
) -> models.Image:
    """A new Image of `tenant` from uploaded bytes, stored once by content hash; with
    `replace`, that image of the tenant takes the new bytes and text instead."""
    require(principal, Permission.CREATE, tenant.id)
    errors: list[FieldError] = []
    alt = _text(alt, "alt", 500, errors)
    credit = _text(credit, "credit", 300, errors)
    focal = focal_point or (0.5, 0.5)
    if not all(0.0 <= v <= 1.0 for v in focal):
        errors.append(
            FieldError(
                "focalPoint", "x and y are fractions between 0 and 1.", ErrorCode.OUT_OF_RANGE
            )
        )
    _check_size(upload, max_bytes)
    if errors:
        raise ValidationFailed(errors)
    try:
        info = await run_in_threadpool(_inspect, upload.data)
    except operations.ImageProblem as problem:
        raise _problem(problem.code, problem.message) from None
    digest = content_hash(upload.data)
    key = original_key(digest, info.extension)
    await run_in_threadpool(storage.put, key, upload.data)
    values = {
        "storage_key": key,
        "content_type": info.content_type,
        "size": len(upload.data),
        "width": info.width,
        "height": info.height,
        "alt": alt,
        "credit": credit,
        "content_hash": digest,
        "focal_x": focal[0],
        "focal_y": focal[1],
        "placeholder": info.placeholder,
    }
    async with in_transaction():
        image = await _write_row(models.Image, tenant, values, source_uid, replace)
        await _audit(principal, tenant.id, "replace" if replace else "upload", "Image", image.id)
    return image


async def upload_file(
    principal: Principal,
    tenant: models.Tenant,
    storage: Storage,
    upload: Upload,
    *,
    title: str = "",
    max_bytes: int,
    pdf_limits: PdfLimits = DEFAULT_LIMITS,
    source_uid: str | None = None,
    replace: models.File | None = None,
) -> models.File:
    """A new File of `tenant`: its type sniffed from the bytes, a PDF's text extracted; with
    `replace`, that file of the tenant takes the new bytes and title instead."""
    require(principal, Permission.CREATE, tenant.id)
    errors: list[FieldError] = []
    title = _text(title, "title", 300, errors)
    _check_size(upload, max_bytes)
    if errors:
        raise ValidationFailed(errors)
    content_type, extension = sniff(upload.data)
    if content_type is None:
        raise _problem(
            ErrorCode.UNSUPPORTED_FORMAT,
            "SVG, HTML and other markup files are not accepted (they can carry scripts).",
        )
    text = ""
    if content_type == "application/pdf":
        try:
            text = await run_in_threadpool(pdf_text, upload.data, pdf_limits)
        except PdfProblem as problem:
            raise _problem(problem.code, problem.message) from None
    elif content_type.startswith("image/"):
        try:
            await run_in_threadpool(_inspect, upload.data)
        except operations.ImageProblem as problem:
            raise _problem(problem.code, problem.message) from None
    digest = content_hash(upload.data)
    key = original_key(digest, extension)
    await run_in_threadpool(storage.put, key, upload.data)
    filename = _safe_filename(upload.filename) or f"{digest[:12]}.{extension}"
    values = {
        "storage_key": key,
        "content_type": content_type,
        "size": len(upload.data),
        "title": title or filename,
        "filename": filename,
        "content_hash": digest,
        "text": text,
    }
    async with in_transaction():
        row = await _write_row(models.File, tenant, values, source_uid, replace)
        await _audit(principal, tenant.id, "replace" if replace else "upload", "File", row.id)
    return row


# An image or a file row: what _write_row creates or updates, typed as what it was given.
_Media = TypeVar("_Media", models.Image, models.File)


async def _write_row(
    model: type[_Media],
    tenant: models.Tenant,
    values: dict[str, Any],
    source_uid: str | None,
    replace: _Media | None,
) -> _Media:
    if replace is None:
        return await model.create(tenant_id=tenant.id, source_uid=source_uid, **values)
    if replace.tenant_id != tenant.id:
        raise _problem(ErrorCode.NOT_FOUND, "No media item of this tenant has this id.", "id")
    replace.update_from_dict(values)
    await replace.save()
    return replace


async def _audit(principal: Principal, tenant_id: int, action: str, kind: str, pk: int) -> None:
    # An audit entry but no outbox event: media are indexed with the items that use them.
    await generations.content_changed(kind, tenant_id, pk, action, None)
    await models.AuditEntry.create(
        tenant_id=tenant_id,
        token_id=token_id(principal),
        token_name=principal.name,
        account_id=principal.account_id,
        action=action,
        content_type=kind,
        object_id=pk,
    )
