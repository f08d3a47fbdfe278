"""Create, rename and delete tags of one tenant's vocabulary."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from cms.auth import Permission, Principal, require
from cms.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from cms.models import Tag, Tenant
from cms.services import history
from cms.services.validation import check_slug, slugify


def _check_name(name: str, errors: list[FieldError]) -> str:
    name = name.strip()
    if not name or len(name) > 100:
        errors.append(FieldError("name", "Give a name of 1 to 100 characters.", ErrorCode.INVALID))
    return name


SLUG_MAX = 100  # Tag.slug


def _check_slug(slug: str, errors: list[FieldError]) -> bool:
    """Whether the slug is well formed and fits the column (only then can it be looked up)."""
    before = len(errors)
    check_slug(slug, errors)
    if len(errors) == before and len(slug) > SLUG_MAX:
        errors.append(FieldError("slug", f"At most {SLUG_MAX} characters.", ErrorCode.TOO_LONG))
    return len(errors) == before


async def _free(tenant_id: int, slug: str, own_id: int | None, errors: list[FieldError]) -> None:
    taken = Tag.filter(tenant_id=tenant_id, slug=slug)
    if own_id is not None:
        taken = taken.exclude(id=own_id)
    if await taken.exists():
        errors.append(
            FieldError("slug", "Another tag of this tenant has this slug.", ErrorCode.DUPLICATE)
        )


async def create_tag(principal: Principal, tenant: Tenant, name: str, slug: str | None) -> Tag:
    require(principal, Permission.CREATE, tenant.id)
    async with in_transaction():
        errors: list[FieldError] = []
        name = _check_name(name, errors)
        slug = slug if slug is not None else slugify(name, SLUG_MAX)
        if _check_slug(slug, errors):
            await _free(tenant.id, slug, None, errors)
        if errors:
            raise ValidationFailed(errors)
        try:
            tag = await Tag.create(tenant_id=tenant.id, name=name, slug=slug)
        except IntegrityError:
            raise ValidationFailed(
                [
                    FieldError(
                        "slug", "Another tag of this tenant has this slug.", ErrorCode.DUPLICATE
                    )
                ]
            ) from None
        await history.record(principal, "create", "Tag", tenant.id, tag.id)
        return tag


async def _get(principal: Principal, tag_id: int) -> Tag:
    tag = await Tag.get_or_none(id=tag_id)
    if tag is None or principal.role_in(tag.tenant_id) is None:
        # Another tenant's tag answers as a missing one: writes do not reveal which ids exist.
        raise NotFound("No tag you may change has this id.", field="id")
    # Renaming or removing a tag changes published items, so it takes an editor.
    require(principal, Permission.EDIT_PUBLISHED, tag.tenant_id)
    return tag


async def update_tag(principal: Principal, tag_id: int, name: str | None, slug: str | None) -> Tag:
    async with in_transaction():
        tag = await _get(principal, tag_id)
        errors: list[FieldError] = []
        if name is not None:
            tag.name = _check_name(name, errors)
        if slug is not None:
            if _check_slug(slug, errors):
                await _free(tag.tenant_id, slug, tag.id, errors)
            tag.slug = slug
        if errors:
            raise ValidationFailed(errors)
        await tag.save()
        await history.record(principal, "update", "Tag", tag.tenant_id, tag.id)
        return tag


async def delete_tag(principal: Principal, tag_id: int) -> None:
    async with in_transaction():
        tag = await _get(principal, tag_id)
        await history.record(principal, "delete", "Tag", tag.tenant_id, tag.id)
        await tag.delete()
