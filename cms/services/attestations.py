"""The stakeholder database: a hub or programme attests that a profile is a listed Change
Catalyst or expert of a programme, which is what makes the person eligible for contracting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Principal
from cms.errors import ErrorCode, FieldError, NotFound, PermissionDenied, ValidationFailed
from cms.models import Attestation, AttestedRole, Tenant, TenantKind, ThematicArea
from cms.oversight import ancestor_ids, may_attest
from cms.services import history
from cms.services.validation import date_problem, to_utc


def _now() -> datetime:
    return datetime.now(UTC)


async def attest(
    principal: Principal, profile_id: int, programme: Tenant, values: dict[str, Any]
) -> Attestation:
    """List a profile for the programme from now (or `valid_from`) until `valid_until`."""
    if not await may_attest(principal, programme):
        raise PermissionDenied(
            f"Token {principal.name!r} may not attest for {programme.slug!r}: only its own "
            "editors and admins, or those of a hub under it, may."
        )
    errors: list[FieldError] = []
    if programme.kind != TenantKind.PROGRAMME:
        errors.append(
            FieldError("programme", "Attestations are for a programme.", ErrorCode.INVALID)
        )
    profile = await models.Profile.get_or_none(id=profile_id)
    if profile is None or not await _in_reach(profile, programme):
        raise NotFound(
            "No profile of the programme's tenants (or shared) has this id.", field="profileId"
        )
    try:
        role = AttestedRole(str(getattr(values.get("role"), "value", values.get("role"))))
    except ValueError:
        errors.append(
            FieldError("role", "A Change Catalyst or an expert.", ErrorCode.INVALID_CHOICE)
        )
        role = AttestedRole.EXPERT
    moments: dict[str, datetime | None] = {"valid_from": _now(), "valid_until": None}
    for name in moments:
        value = values.get(name)
        if value is None:
            continue
        problem = date_problem(value)
        if problem is not None:
            errors.append(
                FieldError("validFrom" if name == "valid_from" else "validUntil", *problem)
            )
        else:
            moments[name] = to_utc(value)
    start, end = moments["valid_from"], moments["valid_until"]
    if start is not None and end is not None and end <= start:
        errors.append(FieldError("validUntil", "Ends after it starts.", ErrorCode.END_BEFORE_START))
    areas = [str(getattr(a, "value", a)) for a in values.get("thematic_areas") or []]
    if any(a not in {m.value for m in ThematicArea} for a in areas):
        errors.append(FieldError("thematicAreas", "Not an area.", ErrorCode.INVALID_CHOICE))
    if errors:
        raise ValidationFailed(errors)
    assert principal.is_platform_admin or principal.tenant_id is not None
    async with in_transaction():
        row = await Attestation.create(
            profile_id=profile.id,
            programme_id=programme.id,
            attested_by_id=principal.tenant_id or programme.id,
            role=role,
            thematic_areas=list(dict.fromkeys(areas)),
            actor_name=principal.name,
            valid_from=start,
            valid_until=end,
        )
        # record bumps the shared content generation (an unknown type), so every cached answer
        # showing the profile's eligibility goes.
        await history.record(principal, "attest", "Attestation", programme.id, row.id)
    return row


async def revoke(principal: Principal, attestation_id: int) -> Attestation:
    """End an attestation now: the person is no longer eligible from this instant."""
    row = await Attestation.get_or_none(id=attestation_id)
    programme = await Tenant.get_or_none(id=row.programme_id) if row is not None else None
    if row is None or programme is None or not await may_attest(principal, programme):
        raise NotFound("No attestation you may revoke has this id.", field="id")
    async with in_transaction():
        row = await Attestation.select_for_update().get(id=attestation_id)
        if row.revoked_at is None:
            row.revoked_at = _now()
            await row.save(update_fields=["revoked_at"])
            await history.record(principal, "revoke", "Attestation", programme.id, row.id)
    return row


async def _in_reach(profile: models.Profile, programme: Tenant) -> bool:
    """A programme lists people of its own tree, or anyone's shared profile."""
    if profile.shared:
        return True
    owner = await Tenant.get(id=profile.tenant_id)
    return owner.id == programme.id or programme.id in await ancestor_ids(owner)


def current_q(now: datetime, prefix: str = "") -> Q:
    """Attestations in force at `now` (`prefix` to filter another model through a relation)."""
    revoked: dict[str, Any] = {f"{prefix}revoked_at__isnull": True}
    started: dict[str, Any] = {f"{prefix}valid_from__lte": now}
    open_ended: dict[str, Any] = {f"{prefix}valid_until__isnull": True}
    running: dict[str, Any] = {f"{prefix}valid_until__gt": now}
    return Q(**revoked) & Q(**started) & (Q(**open_ended) | Q(**running))
