"""Types of the programme workflow: rules, support packages, applications with their budget,
thread and history, attestations, outcomes and a resource's provenance.

Applications and everything under them are only ever built for readers that
`schema.programmes.visibility` lets see them; the types below trust that they were reached
that way, and their relations apply the reader's visibility again (profiles, resources).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from cms import models
from schema.context import Info
from schema.core.enums import ThematicArea, enum_list
from schema.core.errors import ErrorCodeEnum
from schema.core.ids import to_global_id
from schema.core.nodes import Node, RevisionType
from schema.core.types import HoldsModel

if TYPE_CHECKING:
    from schema.content.types import ResourceType
    from schema.people.types import OrganisationType, ProfileType
    from schema.tenants.types import TenantType

ApplicationState = models.ApplicationState
BudgetCategory = models.BudgetCategory
PackageStatus = models.PackageStatus
AttestedRole = models.AttestedRole
OutcomeState = models.OutcomeState
strawberry.enum(ApplicationState, description="Where an application is in its workflow.")
strawberry.enum(BudgetCategory, description="What a budget line pays for.")
strawberry.enum(PackageStatus, description="Planned, available in a first version, or final.")
strawberry.enum(AttestedRole, description="What a profile is listed as.")
strawberry.enum(OutcomeState, description="Proposed, accepted, or sent back for changes.")

Tenant = Annotated["TenantType", strawberry.lazy("schema.tenants.types")]
Profile = Annotated["ProfileType", strawberry.lazy("schema.people.types")]
Organisation = Annotated["OrganisationType", strawberry.lazy("schema.people.types")]
Resource = Annotated["ResourceType", strawberry.lazy("schema.content.types")]


async def tenant_of(info: Info, tenant_id: int | None) -> TenantType | None:
    from schema.tenants.types import TenantType

    if tenant_id is None:
        return None
    row = await info.context.loaders.tenant_by_id.load(tenant_id)
    return TenantType.from_model(row) if row else None


async def profiles_of(info: Info, ids: list[int]) -> list[ProfileType]:
    from schema.people.types import ProfileType

    rows = await info.context.loaders.profile_by_id.load_many(ids)
    return [ProfileType.from_model(r) for r in rows if r is not None]


@strawberry.type(name="ProgrammeRules", description="A programme's rules for applications.")
class ProgrammeRulesType(HoldsModel):
    window_opens: datetime = strawberry.field(description="Submissions open.")
    window_closes: datetime = strawberry.field(description="Submissions close.")
    packages_per_cop: int = strawberry.field(
        description="Applications a CoP may have submitted or beyond (withdrawn and rejected "
        "ones do not count)."
    )
    budget_per_cop_cents: int = strawberry.field(
        description="Budget per CoP over all its approved applications, in cents (0: no money)."
    )
    currency: str = strawberry.field(description="ISO 4217 code of the amounts, e.g. EUR.")
    model: strawberry.Private[models.ProgrammeRules]


@strawberry.type(
    name="SupportPackage", description="A standard bundle of support a CoP applies for."
)
class SupportPackageType(Node):
    number: int = strawberry.field(description="Its number in the programme (1 to 5 for INSPIRE).")
    slug: str = strawberry.field(description="URL name, unique in the programme.")
    title: str = strawberry.field(description="What the package is for.")
    summary: str = strawberry.field(description="One paragraph.")
    description: str = strawberry.field(description="Details (HTML).")
    includes: list[str] = strawberry.field(description="What it includes.")
    expected_outcomes: list[str] = strawberry.field(description="What a CoP delivers with it.")
    targets: str = strawberry.field(description="Which CoPs it is for.")
    first_version_on: date | None = strawberry.field(description="Planned first version.")
    final_version_on: date | None = strawberry.field(description="Planned final version.")
    status: PackageStatus = strawberry.field(description="Planned, first version or final.")
    version: int = strawberry.field(description="Increments with every saved change.")
    model: strawberry.Private[models.SupportPackage]

    @strawberry.field(description="The programme that offers it.")
    async def programme(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.programme_id)

    @strawberry.field(description="Linked knowledge-base resources the reader may see.")
    async def resources(self, info: Info) -> list[Resource]:
        from schema.content.types import ResourceType

        rows = await info.context.loaders.programmes.resources_by_package_id.load(self.model.id)
        return [ResourceType.from_model(r) for r in rows]


@strawberry.type(description="One line of an application's budget.")
class BudgetLine(HoldsModel):
    description: str = strawberry.field(description="What it pays for.")
    category: BudgetCategory = strawberry.field(description="Expert fees, design, travel, other.")
    amount_cents: int = strawberry.field(description="Amount in cents of the currency.")
    model: strawberry.Private[models.BudgetLine]

    @strawberry.field(description="The contracted person it pays, if any.")
    async def profile(self, info: Info) -> Profile | None:
        if self.model.profile_id is None:
            return None
        found = await profiles_of(info, [self.model.profile_id])
        return found[0] if found else None


@strawberry.type(description="A message between a CoP and its hub about an application.")
class ApplicationComment(HoldsModel):
    author_name: str = strawberry.field(description="The token that wrote it.")
    body: str = strawberry.field(description="Plain text.")
    created_at: datetime = strawberry.field(description="When.")
    model: strawberry.Private[models.ApplicationComment]

    @strawberry.field(description="The tenant the author spoke for (the CoP or its hub).")
    async def author_tenant(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.author_tenant_id)


@strawberry.type(description="One step of an application: who, when, why.")
class ApplicationTransition(HoldsModel):
    from_state: ApplicationState | None = strawberry.field(description="Before (null: created).")
    to_state: ApplicationState = strawberry.field(description="After.")
    actor_name: str = strawberry.field(description="The token that took the step.")
    reason: str = strawberry.field(description="Why, as given.")
    created_at: datetime = strawberry.field(description="When.")
    model: strawberry.Private[models.ApplicationTransition]

    @strawberry.field(description="The tenant the actor spoke for.")
    async def actor_tenant(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.actor_tenant_id)


@strawberry.type(name="Application", description="A CoP's application to its hub for a package.")
class ApplicationType(Node):
    title: str = strawberry.field(description="Short name.")
    objectives: str = strawberry.field(description="What the CoP wants to achieve.")
    work_plan: str = strawberry.field(description="How and when.")
    activities: str = strawberry.field(description="The activities the support pays for.")
    languages: list[str] = strawberry.field(description="Languages of the support wanted.")
    state: ApplicationState = strawberry.field(description="Where it is in its workflow.")
    version: int = strawberry.field(description="Increments with every saved change.")
    budget_cents: int = strawberry.field(description="Sum of the budget lines, in cents.")
    submitted_at: datetime | None = strawberry.field(description="When it was submitted.")
    decided_at: datetime | None = strawberry.field(description="When it was approved or rejected.")
    created_at: datetime = strawberry.field(description="When it was drafted.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    model: strawberry.Private[models.Application]

    @strawberry.field(description="The CoP that applies.")
    async def cop(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.cop_id)

    @strawberry.field(description="The hub that decides.")
    async def hub(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.hub_id)

    @strawberry.field(description="The programme whose package and rules apply.")
    async def programme(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.programme_id)

    @strawberry.field(description="The package applied for.")
    async def package(self, info: Info) -> SupportPackageType | None:
        row = await info.context.loaders.programmes.package_by_id.load(self.model.package_id)
        return SupportPackageType.from_model(row) if row else None

    @strawberry.field(description="The currency of the programme's rules (EUR if none).")
    async def currency(self, info: Info) -> str:
        rules = await info.context.loaders.programmes.rules_by_programme_id.load(
            self.model.programme_id
        )
        return rules.currency if rules else "EUR"

    @strawberry.field(description="Chosen Change Catalysts and experts (those the reader sees).")
    async def people(self, info: Info) -> list[Profile]:
        ids = await info.context.loaders.programmes.people_by_application_id.load(self.model.id)
        return await profiles_of(info, ids)

    @strawberry.field(description="Chosen language-specific and other resources.")
    async def resources(self, info: Info) -> list[Resource]:
        from schema.content.types import ResourceType

        ids = await info.context.loaders.programmes.resources_by_application_id.load(self.model.id)
        rows = await info.context.loaders.programmes.resource_by_id.load_many(ids)
        return [ResourceType.from_model(r) for r in rows if r is not None]

    @strawberry.field(description="Mentoring organisations (e.g. in the CoP's region).")
    async def mentors(self, info: Info) -> list[Organisation]:
        from schema.people.types import OrganisationType

        ids = await info.context.loaders.programmes.mentors_by_application_id.load(self.model.id)
        rows = await info.context.loaders.organisation_by_id.load_many(ids)
        return [OrganisationType.from_model(r) for r in rows if r is not None]

    @strawberry.field(description="The budget, line by line.")
    async def budget_lines(self, info: Info) -> list[BudgetLine]:
        rows = await info.context.loaders.programmes.lines_by_application_id.load(self.model.id)
        return [BudgetLine.from_model(r) for r in rows]

    @strawberry.field(description="The negotiation thread, oldest first.")
    async def comments(self, info: Info) -> list[ApplicationComment]:
        rows = await info.context.loaders.programmes.comments_by_application_id.load(self.model.id)
        return [ApplicationComment.from_model(r) for r in rows]

    @strawberry.field(description="Every step taken, oldest first.")
    async def transitions(self, info: Info) -> list[ApplicationTransition]:
        rows = await info.context.loaders.programmes.transitions_by_application_id.load(
            self.model.id
        )
        return [ApplicationTransition.from_model(r) for r in rows]

    @strawberry.field(description="Saved versions, oldest first (each step and edit).")
    async def revisions(self, info: Info) -> list[RevisionType]:
        rows = await info.context.loaders.revisions_by_item.load(("Application", self.model.id))
        return [RevisionType.from_model(r) for r in rows]

    @strawberry.field(description="Outcome resources proposed for the hub's knowledge base.")
    async def outcomes(self, info: Info) -> list[OutcomeType]:
        rows = await info.context.loaders.programmes.outcomes_by_application_id.load(self.model.id)
        return [OutcomeType.from_model(r) for r in rows]


@strawberry.type(name="Attestation", description="A listing in a programme's stakeholder database.")
class AttestationType(Node):
    role: AttestedRole = strawberry.field(description="Change Catalyst or expert.")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Listed for (empty: any).")
    valid_from: datetime = strawberry.field(description="From when.")
    valid_until: datetime | None = strawberry.field(description="Until when (null: open).")
    revoked_at: datetime | None = strawberry.field(description="When it was ended early.")
    model: strawberry.Private[models.Attestation]

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return {"thematic_areas": enum_list(models.ThematicArea, model.thematic_areas)}

    @strawberry.field(description="In force now.")
    def current(self, info: Info) -> bool:
        now = info.context.scope.now
        row = self.model
        return (
            row.revoked_at is None
            and row.valid_from <= now
            and (row.valid_until is None or row.valid_until > now)
        )

    @strawberry.field(description="The programme it lists the person for.")
    async def programme(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.programme_id)

    @strawberry.field(description="The hub or programme that attested.")
    async def attested_by(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.model.attested_by_id)

    @strawberry.field(description="The person.")
    async def profile(self, info: Info) -> Profile | None:
        found = await profiles_of(info, [self.model.profile_id])
        return found[0] if found else None


@strawberry.type(name="Outcome", description="A resource proposed from an application's results.")
class OutcomeType(Node):
    state: OutcomeState = strawberry.field(description="Proposed, accepted or changes requested.")
    note: str = strawberry.field(description="The last word on it (the CoP's or the hub's).")
    proposed_at: datetime = strawberry.field(description="When it was (last) proposed.")
    decided_at: datetime | None = strawberry.field(description="When the hub decided.")
    model: strawberry.Private[models.Outcome]

    @strawberry.field(description="The resource (if the reader may see it).")
    async def resource(self, info: Info) -> Resource | None:
        from schema.content.types import ResourceType

        row = await info.context.loaders.programmes.resource_by_id.load(self.model.resource_id)
        return ResourceType.from_model(row) if row else None


@strawberry.type(description="Where a resource came from: the application whose outcome it is.")
class Provenance:
    accepted_at: datetime | None = strawberry.field(description="When the hub accepted it.")
    application_id: strawberry.ID = strawberry.field(
        description="The application's global id (its details only for its CoP and overseers)."
    )
    outcome: strawberry.Private[models.Outcome]
    application: strawberry.Private[models.Application]

    @strawberry.field(description="The support package it was made with.")
    async def package(self, info: Info) -> SupportPackageType | None:
        row = await info.context.loaders.programmes.package_by_id.load(self.application.package_id)
        return SupportPackageType.from_model(row) if row else None

    @strawberry.field(description="The CoP that made it.")
    async def cop(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.application.cop_id)

    @strawberry.field(description="The hub whose knowledge base accepted it.")
    async def hub(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.application.hub_id)

    @strawberry.field(description="The programme.")
    async def programme(self, info: Info) -> Tenant | None:
        return await tenant_of(info, self.application.programme_id)

    @classmethod
    def of(cls, outcome: models.Outcome, application: models.Application) -> Provenance:
        return cls(
            accepted_at=outcome.decided_at,
            application_id=strawberry.ID(to_global_id("Application", application.id)),
            outcome=outcome,
            application=application,
        )


@strawberry.type(description="Deliveries of one package (no money per CoP).")
class PackageSummary:
    package: SupportPackageType = strawberry.field(description="The package.")
    approved: int = strawberry.field(description="Applications approved and not yet delivered.")
    in_delivery: int = strawberry.field(description="Applications being delivered.")
    delivered: int = strawberry.field(description="Applications completed.")


@strawberry.type(description="A programme's public summary: what was delivered, to how many CoPs.")
class ProgrammeSummary:
    cops_supported: int = strawberry.field(
        description="CoPs with at least one application approved, in delivery or completed."
    )
    packages: list[PackageSummary] = strawberry.field(description="Per package, by number.")


@strawberry.type(description="The programme rule a step broke, with its numbers.")
class RuleViolation:
    rule: str = strawberry.field(
        graphql_type=ErrorCodeEnum, description="The rule: PACKAGE_LIMIT_REACHED, …"
    )
    message: str = strawberry.field(description="The rule and the numbers, for a person.")
    limit: int | None = strawberry.field(description="What the rule allows (cents for money).")
    used: int | None = strawberry.field(description="What is already taken.")
    requested: int | None = strawberry.field(description="What this step asked for.")
    currency: str | None = strawberry.field(description="The currency of amounts, if money.")
