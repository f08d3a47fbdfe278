"""Inputs of the programme workflow's mutations, and their service values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from cms.errors import FieldError, NotFound, ValidationFailed
from schema.core.enums import Maturity, TenantKind, ThematicArea
from schema.core.ids import database_id
from schema.programmes.types import AttestedRole, BudgetCategory, PackageStatus


@strawberry.input(description="A tenant's fields; on update, only those given change.")
class TenantInput:
    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Unique short name (lower-case letters, digits, hyphens; at most 64).",
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Full name.")
    acronym: str | None = strawberry.field(default=strawberry.UNSET, description="Short name.")
    kind: TenantKind | None = strawberry.field(
        default=strawberry.UNSET, description="Programme, hub or CoP."
    )
    parent: str | None = strawberry.field(
        default=strawberry.UNSET, description="Slug of the hub or programme above it."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="About it (HTML, sanitised)."
    )
    domains: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Host names, unique across tenants."
    )
    website: str | None = strawberry.field(
        default=strawberry.UNSET, description="Public website URL."
    )
    contact_email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Public contact address."
    )
    thematic_areas: list[ThematicArea] | None = strawberry.field(
        default=strawberry.UNSET, description="Areas it works on."
    )
    maturity: Maturity | None = strawberry.field(
        default=strawberry.UNSET, description="Starting, growing or mature."
    )
    timezone: str | None = strawberry.field(
        default=strawberry.UNSET, description="IANA timezone of dates given without an offset."
    )
    default_language: str | None = strawberry.field(
        default=strawberry.UNSET, description="Language of its content by default."
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Languages it works in (or, on an application, of the support wanted).",
    )


@strawberry.input(description="A programme's rules; every field is needed.")
class ProgrammeRulesInput:
    window_opens: datetime = strawberry.field(description="Submissions open.")
    window_closes: datetime = strawberry.field(description="Submissions close.")
    packages_per_cop: int = strawberry.field(description="Applications per CoP.")
    budget_per_cop_cents: int = strawberry.field(description="Budget per CoP in cents.")
    currency: str = strawberry.field(default="EUR", description="ISO 4217 code.")


@strawberry.input(description="A support package's fields; on update, only those given change.")
class SupportPackageInput:
    number: int | None = strawberry.field(
        default=strawberry.UNSET, description="Its number in the programme."
    )
    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Unique short name (lower-case letters, digits, hyphens; at most 64).",
    )
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Title.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="One paragraph.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="About it (HTML, sanitised)."
    )
    includes: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="What it includes."
    )
    expected_outcomes: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="What a CoP delivers with it."
    )
    targets: str | None = strawberry.field(
        default=strawberry.UNSET, description="Which CoPs it is for."
    )
    first_version_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Planned first version."
    )
    final_version_on: date | None = strawberry.field(
        default=strawberry.UNSET, description="Planned final version."
    )
    status: PackageStatus | None = strawberry.field(
        default=strawberry.UNSET, description="Planned, first version or final."
    )
    resource_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Linked knowledge-base resources."
    )


@strawberry.input(description="One budget line.")
class BudgetLineInput:
    description: str = strawberry.field(description="What it pays for.")
    category: BudgetCategory = strawberry.field(description="Expert fees, design, travel, other.")
    amount_cents: int = strawberry.field(description="Amount in cents of the currency.")
    profile_id: strawberry.ID | None = strawberry.field(
        default=None, description="The contracted person, if the line pays one."
    )


@strawberry.input(description="An application's fields; on update, only those given change.")
class ApplicationInput:
    package_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The support package applied for."
    )
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Title.")
    objectives: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the CoP wants to achieve."
    )
    work_plan: str | None = strawberry.field(default=strawberry.UNSET, description="How and when.")
    activities: str | None = strawberry.field(
        default=strawberry.UNSET, description="The activities the support pays for."
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Languages it works in (or, on an application, of the support wanted).",
    )
    people_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Chosen Change Catalysts and experts."
    )
    resource_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Chosen (language-specific) resources."
    )
    mentor_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Mentoring organisations."
    )
    budget_lines: list[BudgetLineInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The whole budget (replaces the lines)."
    )
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="On update: the version you read."
    )


@strawberry.input(description="A listing in a programme's stakeholder database.")
class AttestationInput:
    profile_id: strawberry.ID = strawberry.field(description="The person.")
    programme: str = strawberry.field(description="The programme's slug.")
    role: AttestedRole = strawberry.field(description="Change Catalyst or expert.")
    thematic_areas: list[ThematicArea] | None = strawberry.field(
        default=None, description="What for (empty: any)."
    )
    valid_from: datetime | None = strawberry.field(default=None, description="Default: now.")
    valid_until: datetime | None = strawberry.field(default=None, description="Null: open.")


IDS = {
    "package_id": "SupportPackage",
    "people_ids": "Profile",
    "resource_ids": "Resource",
    "mentor_ids": "Organisation",
    "profile_id": "Profile",
}


def values_of(data: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """An input's given fields as service values: global ids become database ids."""
    values: dict[str, Any] = {}
    problems: list[FieldError] = []
    for name, value in vars(data).items():
        if value is strawberry.UNSET or name in skip:
            continue
        try:
            if name in IDS and value is not None:
                if isinstance(value, list):
                    value = [database_id(v, IDS[name], name) for v in value]
                else:
                    value = database_id(value, IDS[name], name)
            if name == "budget_lines" and value is not None:
                value = [values_of(line) for line in value]
        except NotFound as error:
            problems.append(FieldError(error.field or name, error.message, error.code))
            continue
        values[name] = getattr(value, "value", value) if name in ("kind", "maturity") else value
    if problems:
        raise ValidationFailed(problems)
    return values
