"""A programme's rules and support packages: data a programme's editors keep, not code.

Rules: the application window, packages per CoP and the budget per CoP (integer cents of the
currency; 0 for a programme without money, like ACT). Packages: number, title, what they
include, expected outcomes, whom they target, planned dates, status, linked resources.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Principal
from cms.errors import ErrorCode, FieldError, NotFound, ValidationFailed
from cms.models import PackageStatus, ProgrammeRules, SupportPackage, Tenant, TenantKind
from cms.names import camel
from cms.oversight import Act, ancestor_ids, require
from cms.services import history
from cms.services.richtext import MAX_DEPTH, active_content, nesting_depth, sanitise
from cms.services.validation import check_slug, date_problem, slugify, to_utc

MAX_BUDGET_CENTS = 2_000_000_000  # GraphQL's Int: 20 million in a currency of cents
CURRENCY_LENGTH = 3
MAX_LIST = 50
MAX_ITEM = 500


async def programme_of(tenant: Tenant) -> Tenant | None:
    """The programme a tenant belongs to: itself if it is one, else the nearest above it."""
    if tenant.kind == TenantKind.PROGRAMME:
        return tenant
    for ancestor_id in await ancestor_ids(tenant):
        ancestor = await Tenant.get_or_none(id=ancestor_id)
        if ancestor is not None and ancestor.kind == TenantKind.PROGRAMME:
            return ancestor
    return None


async def set_rules(
    principal: Principal, programme: Tenant, values: dict[str, Any]
) -> ProgrammeRules:
    """Create or replace the programme's rules (every field is needed)."""
    await require(principal, Act.MANAGE_PACKAGES, programme)
    errors: list[FieldError] = []
    if programme.kind != TenantKind.PROGRAMME:
        errors.append(FieldError("programme", "Rules belong to a programme.", ErrorCode.INVALID))
    cleaned: dict[str, Any] = {}
    for name in ("window_opens", "window_closes"):
        problem = date_problem(values.get(name))
        if problem is not None:
            errors.append(FieldError(camel(name), *problem))
        else:
            cleaned[name] = to_utc(values[name])
    if len(cleaned) == 2 and cleaned["window_closes"] <= cleaned["window_opens"]:
        errors.append(
            FieldError(
                "windowCloses", "The window closes after it opens.", ErrorCode.END_BEFORE_START
            )
        )
    packages = values.get("packages_per_cop")
    if not isinstance(packages, int) or not 0 < packages <= 100:
        errors.append(FieldError("packagesPerCop", "From 1 to 100.", ErrorCode.OUT_OF_RANGE))
    budget = values.get("budget_per_cop_cents")
    if not isinstance(budget, int) or not 0 <= budget <= MAX_BUDGET_CENTS:
        errors.append(
            FieldError(
                "budgetPerCopCents", "From 0 to 2,000,000,000 cents.", ErrorCode.OUT_OF_RANGE
            )
        )
    currency = str(values.get("currency") or "EUR").upper()
    if len(currency) != CURRENCY_LENGTH or not currency.isalpha():
        errors.append(FieldError("currency", "An ISO 4217 code such as EUR.", ErrorCode.INVALID))
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        row = await ProgrammeRules.get_or_none(programme_id=programme.id)
        fields = {
            **cleaned,
            "packages_per_cop": packages,
            "budget_per_cop_cents": budget,
            "currency": currency,
        }
        if row is None:
            row = await ProgrammeRules.create(programme_id=programme.id, **fields)
        else:
            await row.update_from_dict(fields).save()
        state = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
        await history.record(
            principal,
            "set-rules",
            "ProgrammeRules",
            programme.id,
            row.id,
            version=await _next_version("ProgrammeRules", row.id),
            state=state,
        )
    return row


async def create_package(
    principal: Principal, programme: Tenant, values: dict[str, Any]
) -> SupportPackage:
    """A new support package of the programme."""
    await require(principal, Act.MANAGE_PACKAGES, programme)
    errors: list[FieldError] = []
    if programme.kind != TenantKind.PROGRAMME:
        errors.append(FieldError("programme", "Packages belong to a programme.", ErrorCode.INVALID))
    for name in ("number", "title"):
        if values.get(name) in (None, ""):
            errors.append(FieldError(name, "This field is required.", ErrorCode.REQUIRED))
    cleaned, resources = await _clean_package(values, errors)
    if errors:
        raise ValidationFailed(errors)
    cleaned.setdefault("slug", slugify(f"package-{cleaned['number']}-{cleaned['title']}"))
    try:
        async with in_transaction():
            row = await SupportPackage.create(programme_id=programme.id, **cleaned)
            if resources:
                await row.resources.add(*resources)
            await _record(principal, "create", row)
    except IntegrityError:
        raise ValidationFailed(
            [
                FieldError(
                    "number", "The programme has this package number or slug.", ErrorCode.DUPLICATE
                )
            ]
        ) from None
    return row


async def update_package(
    principal: Principal, package_id: int, values: dict[str, Any]
) -> SupportPackage:
    """Change the given fields of a package."""
    row = await SupportPackage.get_or_none(id=package_id)
    if row is None:
        raise NotFound("No support package has this id.", field="id")
    programme = await Tenant.get(id=row.programme_id)
    await require(principal, Act.MANAGE_PACKAGES, programme)
    errors: list[FieldError] = []
    cleaned, resources = await _clean_package(values, errors)
    if errors:
        raise ValidationFailed(errors)
    try:
        async with in_transaction():
            row = await SupportPackage.select_for_update().get(id=package_id)
            await row.update_from_dict({**cleaned, "version": row.version + 1}).save()
            if resources is not None:
                await row.resources.clear()
                if resources:
                    await row.resources.add(*resources)
            await _record(principal, "update", row)
    except IntegrityError:
        raise ValidationFailed(
            [
                FieldError(
                    "number", "The programme has this package number or slug.", ErrorCode.DUPLICATE
                )
            ]
        ) from None
    return row


async def _clean_package(
    values: dict[str, Any], errors: list[FieldError]
) -> tuple[dict[str, Any], list[models.Resource] | None]:
    cleaned: dict[str, Any] = {}
    resources: list[models.Resource] | None = None
    for name, value in values.items():
        if name == "number":
            if not isinstance(value, int) or not 0 < value <= 1000:
                errors.append(FieldError("number", "From 1 to 1000.", ErrorCode.OUT_OF_RANGE))
            cleaned[name] = value
        elif name == "slug":
            check_slug(value, errors)
            cleaned[name] = value
        elif name in ("title", "summary", "targets"):
            text = (value or "").strip()
            limit = 300 if name == "title" else 5000
            if len(text) > limit:
                errors.append(FieldError(name, f"At most {limit} characters.", ErrorCode.TOO_LONG))
            if name == "title" and not text:
                errors.append(FieldError(name, "This field is required.", ErrorCode.REQUIRED))
            cleaned[name] = text
        elif name == "description":
            text = value or ""
            if active_content(text):
                errors.append(FieldError(name, "Active content.", ErrorCode.UNSAFE_HTML))
            elif nesting_depth(text) > MAX_DEPTH or len(text) > 200_000:
                errors.append(FieldError(name, "Too deep or too long.", ErrorCode.TOO_LONG))
            else:
                cleaned[name] = sanitise(text)
        elif name in ("includes", "expected_outcomes"):
            items = [str(v).strip() for v in value or [] if str(v).strip()]
            if len(items) > MAX_LIST or any(len(i) > MAX_ITEM for i in items):
                errors.append(
                    FieldError(
                        camel(name),
                        f"At most {MAX_LIST} entries of {MAX_ITEM} characters.",
                        ErrorCode.TOO_LONG,
                    )
                )
            cleaned[name] = items
        elif name in ("first_version_on", "final_version_on"):
            if value is not None and not isinstance(value, date):
                errors.append(FieldError(camel(name), "Expected a date.", ErrorCode.INVALID))
            cleaned[name] = value
        elif name == "status":
            try:
                cleaned[name] = PackageStatus(getattr(value, "value", value))
            except ValueError:
                errors.append(
                    FieldError(name, f"{value!r} is no status.", ErrorCode.INVALID_CHOICE)
                )
        elif name == "resource_ids":
            ids = list(dict.fromkeys(value or []))
            # Linked resources are the knowledge base: shared, or the programme's own tree's.
            found = await models.Resource.filter(id__in=ids) if ids else []
            if len(found) != len(ids):
                errors.append(
                    FieldError(
                        "resourceIds", "No resource has one of these ids.", ErrorCode.NOT_FOUND
                    )
                )
            by_id = {r.id: r for r in found}
            resources = [by_id[i] for i in ids if i in by_id]
    return cleaned, resources


async def _record(principal: Principal, operation: str, row: SupportPackage) -> None:
    state = {
        "number": row.number,
        "slug": row.slug,
        "title": row.title,
        "summary": row.summary,
        "description": row.description,
        "includes": row.includes,
        "expected_outcomes": row.expected_outcomes,
        "targets": row.targets,
        "first_version_on": row.first_version_on.isoformat() if row.first_version_on else None,
        "final_version_on": row.final_version_on.isoformat() if row.final_version_on else None,
        "status": PackageStatus(row.status).value,
        "resources": sorted(await row.resources.all().values_list("id", flat=True)),
    }
    await history.record(
        principal,
        operation,
        "SupportPackage",
        row.programme_id,
        row.id,
        version=row.version,
        state=state,
    )


async def _next_version(content_type: str, object_id: int) -> int:
    return await models.Revision.filter(content_type=content_type, object_id=object_id).count() + 1
