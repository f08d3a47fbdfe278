"""Issue and revoke API tokens; the token itself is shown once and stored only as a hash."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from cms.auth import hash_token, new_token_value
from cms.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from cms.models import ApiToken, AuditEntry, Role, Tenant


async def create_token(name: str, role: str, tenant_slug: str | None) -> tuple[ApiToken, str]:
    """A new token row and the token value, which is never stored."""
    errors: list[FieldError] = []
    name = name.strip()
    name_fits = 0 < len(name) <= 100
    if not name_fits:
        errors.append(FieldError("name", "Give a name of 1 to 100 characters.", ErrorCode.INVALID))
    try:
        parsed_role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        errors.append(
            FieldError("role", f"{role!r} is not one of: {allowed}.", ErrorCode.INVALID_CHOICE)
        )
        parsed_role = None
    tenant = None
    if tenant_slug is None:
        if parsed_role is not None and parsed_role is not Role.ADMIN:
            errors.append(
                FieldError(
                    "tenant",
                    "Only an admin token may have no tenant (platform admin).",
                    ErrorCode.REQUIRED,
                )
            )
    else:
        # A slug longer than the column names no tenant (and Tortoise refuses to look it up).
        tenant = await Tenant.get_or_none(slug=tenant_slug) if len(tenant_slug) <= 64 else None
        if tenant is None:
            errors.append(
                FieldError(
                    "tenant", f"No tenant has the slug {tenant_slug!r}.", ErrorCode.NOT_FOUND
                )
            )
    if name_fits and await ApiToken.filter(name=name).exists():
        errors.append(FieldError("name", f"A token named {name!r} exists.", ErrorCode.DUPLICATE))
    if errors:
        raise ValidationFailed(errors)
    assert parsed_role is not None
    value = new_token_value()
    try:
        async with in_transaction():
            row = await ApiToken.create(
                name=name,
                role=parsed_role,
                tenant=tenant,
                token_hash=hash_token(value),
                prefix=value[:12],
            )
            if tenant is not None:
                await AuditEntry.create(
                    tenant=tenant,
                    token=row,
                    token_name=name,
                    action="create-token",
                    content_type="ApiToken",
                    object_id=row.id,
                )
    except IntegrityError:
        raise ValidationFailed(
            [FieldError("name", f"A token named {name!r} exists.", ErrorCode.DUPLICATE)]
        ) from None
    return row, value


async def revoke_token(name: str) -> ApiToken:
    """Mark a token revoked: from now on it authenticates nothing."""
    row = await ApiToken.get_or_none(name=name)
    if row is None:
        raise NotFound(f"No token is named {name!r}.", field="name")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        await row.save(update_fields=["revoked_at"])
    return row
