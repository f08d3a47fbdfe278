"""Create and update tenants (programmes, hubs, CoPs): checked, audited, unique domains, and
the directory generation bumped in the same transaction so every process reloads.

Who may: a platform admin anything; a programme's or hub's admin the tenants under it
(`cms.oversight`, act `manage tenants`), never moving one out from under itself.
"""

from __future__ import annotations

import re
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Principal
from cms.errors import ErrorCode, FieldError, NotFound, PermissionDenied, ValidationFailed
from cms.models import Maturity, Tenant, TenantDomain, TenantKind, ThematicArea
from cms.names import camel
from cms.oversight import Act, allowed, ancestor_ids
from cms.services import history
from cms.services.richtext import MAX_DEPTH, active_content, nesting_depth, sanitise
from cms.services.validation import EMAIL, LANGUAGE, _timezones, check_slug, is_web_url

HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
FIELDS = (
    "slug", "name", "acronym", "kind", "parent", "description", "domains", "website",
    "contact_email", "thematic_areas", "maturity", "timezone", "default_language", "languages",
)  # fmt: skip
# Which kind of tenant may sit under which: a CoP under a hub or a programme, a hub under a
# programme, a programme at the top.
PARENT_KINDS = {
    TenantKind.PROGRAMME: (),
    TenantKind.HUB: (TenantKind.PROGRAMME,),
    TenantKind.COP: (TenantKind.HUB, TenantKind.PROGRAMME),
}


async def bump_generation() -> None:
    """Tell every process's tenant directory to reload (call inside the write's transaction)."""
    updated = await models.DirectoryGeneration.filter(id=1).update(generation=F("generation") + 1)
    if not updated:
        try:
            async with in_transaction():
                await models.DirectoryGeneration.create(id=1, generation=1)
        except IntegrityError:  # another writer made the row meanwhile
            await models.DirectoryGeneration.filter(id=1).update(generation=F("generation") + 1)


async def create_tenant(principal: Principal, values: dict[str, Any]) -> Tenant:
    """A new programme, hub or CoP."""
    errors: list[FieldError] = []
    for name in ("slug", "name", "kind"):
        if not values.get(name):
            errors.append(FieldError(camel(name), "This field is required.", ErrorCode.REQUIRED))
    cleaned, parent = await _clean(values, errors, None)
    if errors:
        raise ValidationFailed(errors)
    await _may_place(principal, parent, None)
    _check_parent_kind(cleaned["kind"], parent, errors)
    if errors:
        raise ValidationFailed(errors)
    domains = cleaned.get("domains", [])
    async with in_transaction():
        if await Tenant.filter(slug=cleaned["slug"]).exists():
            raise ValidationFailed([_taken("slug", cleaned["slug"])])
        tenant = await Tenant.create(**cleaned, parent=parent)
        await _write_domains(tenant, domains)
        await _record(principal, "create-tenant", tenant)
        # history.record (in _record) bumped the content generations: the tenant's and shared.
        await bump_generation()
    return await Tenant.get(id=tenant.id)  # as stored: list fields hold lists


async def update_tenant(principal: Principal, slug: str, values: dict[str, Any]) -> Tenant:
    """Change the given fields of a tenant; the others stay."""
    tenant = await Tenant.get_or_none(slug=slug) if len(slug) <= 64 else None
    if tenant is None:
        raise NotFound(f"No tenant has the slug {slug!r}.", field="slug")
    await _may_manage(principal, tenant)
    errors: list[FieldError] = []
    cleaned, parent = await _clean(values, errors, tenant)
    if errors:
        raise ValidationFailed(errors)
    kind = cleaned.get("kind", TenantKind(tenant.kind))
    if "parent" in values:
        await _may_place(principal, parent, tenant)
    else:
        parent = await Tenant.get_or_none(id=tenant.parent_id) if tenant.parent_id else None
    _check_parent_kind(kind, parent, errors)
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        row = await Tenant.select_for_update().get(id=tenant.id)
        if "slug" in cleaned and cleaned["slug"] != row.slug:
            if await Tenant.filter(slug=cleaned["slug"]).exists():
                raise ValidationFailed([_taken("slug", cleaned["slug"])])
        for name, value in cleaned.items():
            setattr(row, name, value)
        if "parent" in values:
            row.parent_id = parent.id if parent is not None else None
        await row.save()
        if "domains" in cleaned:
            await TenantDomain.filter(tenant_id=row.id).delete()
            await _write_domains(row, cleaned["domains"])
        await _record(principal, "update-tenant", row)
        # history.record (in _record) bumped the content generations: the tenant's and shared.
        await bump_generation()
    return row


async def _write_domains(tenant: Tenant, domains: list[str]) -> None:
    for domain in domains:
        try:
            async with in_transaction():  # a savepoint: the unique constraint decides
                await TenantDomain.create(tenant_id=tenant.id, domain=domain)
        except IntegrityError:
            owner = await TenantDomain.filter(domain=domain).first().prefetch_related("tenant")
            who = owner.tenant.slug if owner is not None else "another tenant"
            raise ValidationFailed(
                [
                    FieldError(
                        "domains",
                        f"The domain {domain!r} already belongs to {who!r}.",
                        ErrorCode.DUPLICATE,
                    )
                ]
            ) from None


async def _record(principal: Principal, operation: str, tenant: Tenant) -> None:
    """A revision (the tenant as saved), an audit entry and an outbox event."""
    state = {name: _plain(getattr(tenant, name)) for name in FIELDS if name != "parent"}
    state["parent_id"] = tenant.parent_id
    done = await models.Revision.filter(content_type="Tenant", object_id=tenant.id).count()
    await history.record(
        principal, operation, "Tenant", tenant.id, tenant.id, version=done + 1, state=state
    )


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [str(getattr(v, "value", v)) for v in value]
    return getattr(value, "value", value)


async def _may_manage(principal: Principal, tenant: Tenant) -> None:
    """Updating a tenant is for the admins of the tenants above it (and the platform admin)."""
    ancestors = await ancestor_ids(tenant)
    if principal.is_platform_admin:
        return
    if principal.tenant_id in ancestors and allowed(
        principal, Act.MANAGE_TENANTS, tenant.id, ancestors
    ):
        return
    raise PermissionDenied(
        f"Token {principal.name!r} may not manage {tenant.slug!r}: only the admins of the hub "
        "or programme above it, or a platform admin, may."
    )


async def _may_place(principal: Principal, parent: Tenant | None, moving: Tenant | None) -> None:
    """A tenant may be placed under `parent` by that parent's admins or those above it."""
    if principal.is_platform_admin:
        return
    if parent is None:
        raise PermissionDenied("Only a platform admin may create or move a top-level tenant.")
    ancestors = await ancestor_ids(parent)
    if not allowed(principal, Act.MANAGE_TENANTS, parent.id, ancestors):
        raise PermissionDenied(
            f"Token {principal.name!r} may not place tenants under {parent.slug!r}: only its "
            "own admins, its hub's or programme's, or a platform admin, may."
        )


def _check_parent_kind(kind: TenantKind, parent: Tenant | None, errors: list[FieldError]) -> None:
    allowed_kinds = PARENT_KINDS[kind]
    if parent is None:
        return
    if TenantKind(parent.kind) not in allowed_kinds:
        under = " or ".join(k.value for k in allowed_kinds) or "no tenant"
        errors.append(
            FieldError("parent", f"A {kind.value} sits under {under}.", ErrorCode.INVALID_CHOICE)
        )


async def _clean(
    values: dict[str, Any], errors: list[FieldError], current: Tenant | None
) -> tuple[dict[str, Any], Tenant | None]:
    """The values as columns, and the parent tenant; problems go to `errors`."""
    cleaned: dict[str, Any] = {}
    parent: Tenant | None = None

    def fail(name: str, message: str, code: ErrorCode) -> None:
        errors.append(FieldError(camel(name), message, code))

    for name, value in values.items():
        if name not in FIELDS:
            continue
        if name == "slug":
            before = len(errors)
            check_slug(value, errors)
            if len(errors) == before and len(value) > 64:
                fail("slug", "At most 64 characters.", ErrorCode.TOO_LONG)
            cleaned["slug"] = value
        elif name == "kind":
            try:
                cleaned["kind"] = TenantKind(getattr(value, "value", value))
            except ValueError:
                fail("kind", f"{value!r} is not programme, hub or cop.", ErrorCode.INVALID_CHOICE)
        elif name == "parent":
            if value is None:
                continue
            parent = await Tenant.get_or_none(slug=value) if len(value) <= 64 else None
            if parent is None:
                fail("parent", f"No tenant has the slug {value!r}.", ErrorCode.NOT_FOUND)
            elif current is not None and (
                parent.id == current.id or current.id in await ancestor_ids(parent)
            ):
                fail("parent", "A tenant cannot sit under itself.", ErrorCode.INVALID)
        elif name == "domains":
            hosts = [str(d).strip().lower() for d in value or []]
            bad = [h for h in hosts if not HOST.match(h)]
            if bad:
                fail("domains", f"{bad[0]!r} is not a host name.", ErrorCode.INVALID)
            elif len(hosts) > 20:
                fail("domains", "At most 20 domains.", ErrorCode.TOO_LONG)
            cleaned["domains"] = list(dict.fromkeys(hosts))
        elif name == "thematic_areas":
            areas = [getattr(v, "value", v) for v in value or []]
            unknown = [a for a in areas if a not in {m.value for m in ThematicArea}]
            if unknown:
                fail("thematic_areas", f"{unknown[0]!r} is no area.", ErrorCode.INVALID_CHOICE)
            cleaned["thematic_areas"] = list(dict.fromkeys(areas))
        elif name == "maturity":
            cleaned["maturity"] = Maturity(getattr(value, "value", value)) if value else None
        elif name == "timezone":
            if value not in _timezones():
                fail("timezone", f"{value!r} is not an IANA timezone.", ErrorCode.INVALID_TIMEZONE)
            cleaned["timezone"] = value
        elif name in ("default_language", "languages"):
            tags = [value] if name == "default_language" else list(value or [])
            if any(not isinstance(t, str) or not LANGUAGE.match(t) for t in tags) or len(tags) > 50:
                fail(
                    name, "Expected language tags such as en or pt-BR.", ErrorCode.INVALID_LANGUAGE
                )
            cleaned[name] = value if name == "default_language" else list(dict.fromkeys(tags))
        elif name == "website":
            if value and not is_web_url(value):
                fail("website", "Expected an http(s) URL.", ErrorCode.INVALID_URL)
            cleaned["website"] = value or ""
        elif name == "contact_email":
            if value and not EMAIL.match(value):
                fail("contact_email", "Expected an email address.", ErrorCode.INVALID_EMAIL)
            cleaned["contact_email"] = value or ""
        else:  # name, acronym, description (HTML): text
            limit = {"name": 300, "acronym": 64}.get(name, 20_000)
            text = (value or "").strip()
            if len(text) > limit:
                fail(name, f"At most {limit} characters.", ErrorCode.TOO_LONG)
            elif name == "name" and not text:
                fail(name, "This field is required.", ErrorCode.REQUIRED)
            elif name == "description" and active_content(text):
                fail(name, "The HTML contains active content.", ErrorCode.UNSAFE_HTML)
            elif name == "description" and nesting_depth(text) > MAX_DEPTH:
                fail(name, "The HTML nests too deep.", ErrorCode.TOO_DEEP)
            cleaned[name] = sanitise(text) if name == "description" else text
    return cleaned, parent


def _taken(name: str, value: str) -> FieldError:
    return FieldError(name, f"Another tenant has the {name} {value!r}.", ErrorCode.DUPLICATE)
