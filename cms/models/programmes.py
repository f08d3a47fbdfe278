"""Programmes at work: their rules and support packages, CoPs' applications, attestations of
listed experts, outcomes fed back into a hub's knowledge base; and the tenant directory's
unique domains and generation."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from cms.models.base import DelimitedListField, TimestampedModel

if TYPE_CHECKING:
    from cms.models.content import Resource
    from cms.models.people import Organisation, Profile
    from cms.models.tenants import Tenant


class TenantDomain(Model):
    """One host name of one tenant: unique across tenants by the table's constraint."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="domain_rows", on_delete=fields.CASCADE
    )
    tenant_id: int
    domain = fields.CharField(max_length=253, unique=True)

    class Meta:
        table = "tenant_domain"


class DirectoryGeneration(Model):
    """One row counting tenant writes: a process whose count differs reloads its directory."""

    id = fields.IntField(primary_key=True)
    generation = fields.BigIntField(default=0)

    class Meta:
        table = "tenant_directory_generation"


class ProgrammeRules(TimestampedModel):
    """A programme's rules for its CoPs' applications: data, not code."""

    id = fields.IntField(primary_key=True)
    programme: fields.OneToOneRelation[Tenant] = fields.OneToOneField(
        "models.Tenant", related_name="programme_rules", on_delete=fields.CASCADE
    )
    programme_id: int
    window_opens = fields.DatetimeField()
    window_closes = fields.DatetimeField()
    packages_per_cop = fields.IntField()
    # Integer cents: 10,000 EUR is 1_000_000. Zero means the programme gives no money (ACT).
    budget_per_cop_cents = fields.BigIntField()
    currency = fields.CharField(max_length=3, default="EUR")

    class Meta:
        table = "programme_rules"


class PackageStatus(StrEnum):
    PLANNED = "planned"
    FIRST_VERSION = "first-version"
    FINAL = "final"


class SupportPackage(TimestampedModel):
    """A standard bundle of support a programme offers its CoPs."""

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="support_packages", on_delete=fields.RESTRICT
    )
    programme_id: int
    number = fields.IntField()
    slug = fields.CharField(max_length=200)
    title = fields.CharField(max_length=300)
    summary = fields.TextField(default="")
    description = fields.TextField(default="")
    includes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    expected_outcomes: fields.JSONField[list[str]] = fields.JSONField(default=list)
    targets = fields.TextField(default="")
    first_version_on = fields.DateField(null=True)
    final_version_on = fields.DateField(null=True)
    status = fields.CharEnumField(PackageStatus, max_length=16, default=PackageStatus.PLANNED)
    version = fields.IntField(default=1)
    resources: fields.ManyToManyRelation[Resource] = fields.ManyToManyField(
        "models.Resource", related_name="support_packages", through="support_package_resource"
    )

    class Meta:
        table = "support_package"
        unique_together = (("programme", "number"), ("programme", "slug"))


class ApplicationState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_NEGOTIATION = "in-negotiation"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    IN_DELIVERY = "in-delivery"
    COMPLETED = "completed"


class Application(TimestampedModel):
    """A CoP's request to its hub for one support package."""

    id = fields.IntField(primary_key=True)
    cop: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="applications", on_delete=fields.RESTRICT
    )
    cop_id: int
    # The hub that decides: the CoP's parent when the application was made.
    hub: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="hub_applications", on_delete=fields.RESTRICT
    )
    hub_id: int
    programme: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="programme_applications", on_delete=fields.RESTRICT
    )
    programme_id: int
    package: fields.ForeignKeyRelation[SupportPackage] = fields.ForeignKeyField(
        "models.SupportPackage", related_name="applications", on_delete=fields.RESTRICT
    )
    package_id: int
    title = fields.CharField(max_length=300)
    objectives = fields.TextField(default="")
    work_plan = fields.TextField(default="")
    activities = fields.TextField(default="")
    languages = DelimitedListField()
    state = fields.CharEnumField(ApplicationState, max_length=16, default=ApplicationState.DRAFT)
    version = fields.IntField(default=1)
    budget_cents = fields.BigIntField(default=0)
    submitted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    people: fields.ManyToManyRelation[Profile] = fields.ManyToManyField(
        "models.Profile", related_name="applications", through="application_person"
    )
    resources: fields.ManyToManyRelation[Resource] = fields.ManyToManyField(
        "models.Resource", related_name="applications", through="application_resource"
    )
    mentors: fields.ManyToManyRelation[Organisation] = fields.ManyToManyField(
        "models.Organisation", related_name="mentored_applications", through="application_mentor"
    )

    budget_lines: fields.ReverseRelation[BudgetLine]
    comments: fields.ReverseRelation[ApplicationComment]
    transitions: fields.ReverseRelation[ApplicationTransition]
    outcomes: fields.ReverseRelation[Outcome]

    class Meta:
        table = "application"
        indexes = (("cop_id", "state"), ("hub_id", "state"))


class BudgetCategory(StrEnum):
    EXPERT_FEES = "expert-fees"
    DESIGN_EDITORIAL = "design-editorial"
    TRAVEL = "travel"
    OTHER = "other"


class BudgetLine(Model):
    """One line of an application's budget, in the programme's currency's cents."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="budget_lines", on_delete=fields.CASCADE
    )
    application_id: int
    position = fields.IntField(default=0)
    description = fields.CharField(max_length=500)
    category = fields.CharEnumField(BudgetCategory, max_length=24)
    amount_cents = fields.BigIntField()
    profile: fields.ForeignKeyNullableRelation[Profile] = fields.ForeignKeyField(
        "models.Profile", related_name="budget_lines", null=True, on_delete=fields.RESTRICT
    )
    profile_id: int | None

    class Meta:
        table = "budget_line"


class ApplicationComment(Model):
    """One message of the negotiation between a CoP and its hub."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="comments", on_delete=fields.CASCADE
    )
    application_id: int
    author_tenant: fields.ForeignKeyNullableRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="application_comments", null=True, on_delete=fields.SET_NULL
    )
    author_tenant_id: int | None
    author_name = fields.CharField(max_length=100)
    body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "application_comment"


class ApplicationTransition(Model):
    """One step of an application's state machine: who, when, why."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="transitions", on_delete=fields.CASCADE
    )
    application_id: int
    from_state = fields.CharEnumField(ApplicationState, max_length=16, null=True)
    to_state = fields.CharEnumField(ApplicationState, max_length=16)
    actor_name = fields.CharField(max_length=100)
    actor_tenant_id = fields.IntField(null=True)
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "application_transition"


class AttestedRole(StrEnum):
    CHANGE_CATALYST = "change-catalyst"
    EXPERT = "expert"


class Attestation(Model):
    """A hub's or programme's record that a profile is a listed Change Catalyst or expert."""

    id = fields.IntField(primary_key=True)
    profile: fields.ForeignKeyRelation[Profile] = fields.ForeignKeyField(
        "models.Profile", related_name="attestations", on_delete=fields.CASCADE
    )
    profile_id: int
    programme: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="programme_attestations", on_delete=fields.RESTRICT
    )
    programme_id: int
    attested_by: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="given_attestations", on_delete=fields.RESTRICT
    )
    attested_by_id: int
    role = fields.CharEnumField(AttestedRole, max_length=24)
    # What the person is listed for (ACT's three substantive areas); empty = any.
    thematic_areas = DelimitedListField()
    actor_name = fields.CharField(max_length=100)
    valid_from = fields.DatetimeField()
    valid_until = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attestation"
        indexes = (("profile_id", "programme_id"),)


class OutcomeState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes-requested"


class Outcome(Model):
    """A resource a CoP proposes from a completed application for its hub's knowledge base."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[Application] = fields.ForeignKeyField(
        "models.Application", related_name="outcomes", on_delete=fields.CASCADE
    )
    application_id: int
    resource: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="outcomes", on_delete=fields.RESTRICT
    )
    resource_id: int
    state = fields.CharEnumField(OutcomeState, max_length=24, default=OutcomeState.PROPOSED)
    note = fields.TextField(default="")
    proposed_by = fields.CharField(max_length=100)
    decided_by = fields.CharField(max_length=100, default="")
    proposed_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outcome"
        unique_together = (("application", "resource"),)
