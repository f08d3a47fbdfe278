"""A tenant's community settings: whether it takes join requests, the privacy text people
consent to (and its version), where enquiries go, and its membership target (issue 16).

Its admins set them (`Permission.MANAGE_COMMUNITY`); the public reads what `Public` holds,
never the contact address. A new privacy text bumps the version unless the admin gives one,
so a join request always records which text its requester was shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from cms.auth import Permission, Principal, require
from cms.errors import ErrorCode, FieldError, ValidationFailed
from cms.models import CommunityRole, CommunitySettings, Membership, Tenant
from cms.passwords import normalise_email
from cms.services import generations, history
from cms.services.validation import EMAIL

PRIVACY_TEXT_MAX = 20_000
TARGET_MAX = 1_000_000
# The community roles that count towards a membership target.
COUNTED = (CommunityRole.MEMBER, CommunityRole.COORDINATOR)


@dataclass(frozen=True)
class Public:
    """What anyone may read of a tenant's community settings."""

    accepts_join_requests: bool
    accepts_enquiries: bool
    privacy_text: str
    privacy_version: int
    # Both None unless the tenant shows its target.
    membership_target: int | None
    member_count: int | None


async def settings_of(tenant_id: int) -> CommunitySettings:
    """The tenant's settings, or the defaults (unsaved) when its admins set none yet."""
    row = await CommunitySettings.get_or_none(tenant_id=tenant_id)
    return row if row is not None else CommunitySettings(tenant_id=tenant_id)


def contact_of(tenant: Tenant, row: CommunitySettings) -> str:
    """Where enquiries go: the community's contact address, else the tenant's public one."""
    return row.contact_email or tenant.contact_email or ""


async def member_count(tenant_id: int) -> int:
    """Memberships of the tenant with a community role of member or coordinator."""
    return await Membership.filter(tenant_id=tenant_id, community_role__in=COUNTED).count()


async def public_of(tenant: Tenant) -> Public:
    row = await settings_of(tenant.id)
    shown = row.show_target and row.membership_target is not None
    return Public(
        accepts_join_requests=row.accepts_join_requests,
        accepts_enquiries=bool(contact_of(tenant, row)),
        privacy_text=row.privacy_text,
        privacy_version=row.privacy_version,
        membership_target=row.membership_target if shown else None,
        member_count=await member_count(tenant.id) if shown else None,
    )


def _checked(
    row: CommunitySettings,
    privacy_text: str | None,
    privacy_version: int | None,
    contact_email: str | None,
    membership_target: int | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if privacy_text is not None and len(privacy_text) > PRIVACY_TEXT_MAX:
        errors.append(
            FieldError("privacyText", f"At most {PRIVACY_TEXT_MAX} characters.", ErrorCode.TOO_LONG)
        )
    if privacy_version is not None and not row.privacy_version <= privacy_version <= TARGET_MAX:
        errors.append(
            FieldError(
                "privacyVersion",
                f"A version from the current one ({row.privacy_version}) up: earlier consents "
                "must never look newer.",
                ErrorCode.OUT_OF_RANGE,
            )
        )
    if contact_email is not None and contact_email.strip():
        address = contact_email.strip()
        if len(address) > 254 or not EMAIL.match(address):
            errors.append(
                FieldError(
                    "contactEmail",
                    "Expected an email address such as name@example.org.",
                    ErrorCode.INVALID_EMAIL,
                )
            )
    if membership_target is not None and not 0 <= membership_target <= TARGET_MAX:
        errors.append(
            FieldError(
                "membershipTarget",
                f"From 1 to {TARGET_MAX} (0 removes the target).",
                ErrorCode.OUT_OF_RANGE,
            )
        )
    return errors


async def set_settings(
    principal: Principal,
    tenant: Tenant,
    *,
    accepts_join_requests: bool | None = None,
    privacy_text: str | None = None,
    privacy_version: int | None = None,
    contact_email: str | None = None,
    membership_target: int | None = None,
    show_target: bool | None = None,
) -> CommunitySettings:
    """Change the settings given (None leaves one as it is); a changed privacy text takes the
    next version unless `privacy_version` names one. 0 as the target removes it."""
    require(principal, Permission.MANAGE_COMMUNITY, tenant.id)
    row = await settings_of(tenant.id)
    errors = _checked(row, privacy_text, privacy_version, contact_email, membership_target)
    text = row.privacy_text if privacy_text is None else privacy_text.strip()
    accepting = (
        row.accepts_join_requests if accepts_join_requests is None else accepts_join_requests
    )
    if accepting and not text:
        errors.append(
            FieldError(
                "acceptsJoinRequests",
                "Set a privacy text first: requesters consent to it.",
                ErrorCode.REQUIRED,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    if text != row.privacy_text:
        row.privacy_version = (
            row.privacy_version + 1 if privacy_version is None else privacy_version
        )
    elif privacy_version is not None:
        row.privacy_version = privacy_version
    row.privacy_text = text
    row.accepts_join_requests = accepting
    if contact_email is not None:
        row.contact_email = normalise_email(contact_email)
    if membership_target is not None:
        row.membership_target = membership_target or None
    if show_target is not None:
        row.show_target = show_target
    async with in_transaction():
        await row.save()
        await history.audit(principal, "update", "CommunitySettings", tenant.id, row.id)
        # The public `community` answer is cached by content generation.
        await generations.bump(tenant.id)
    return row
