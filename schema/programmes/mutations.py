"""Mutations of the programme workflow: tenants, rules and packages, applications and their
steps, the negotiation thread, attestations and outcomes. Each calls one service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from cms.errors import CMSError, ErrorCode, FieldError, NotFound, RuleBroken, ValidationFailed
from cms.models import Tenant
from cms.services import applications, attestations, outcomes, programmes, tenants
from schema.context import Info
from schema.core.ids import database_id
from schema.core.payloads import MutationError, mutation_errors, require_principal, require_tenant
from schema.programmes.inputs import (
    ApplicationInput,
    AttestationInput,
    ProgrammeRulesInput,
    SupportPackageInput,
    TenantInput,
    values_of,
)
from schema.programmes.types import (
    ApplicationComment,
    ApplicationType,
    AttestationType,
    OutcomeType,
    ProgrammeRulesType,
    RuleViolation,
    SupportPackageType,
)
from schema.tenants.types import TenantType

ERRORS = "Empty on success."


@strawberry.type(description="The result of a tenant mutation.")
class TenantPayload:
    tenant: TenantType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="The result of setting a programme's rules.")
class ProgrammeRulesPayload:
    rules: ProgrammeRulesType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="The result of a support package mutation.")
class SupportPackagePayload:
    support_package: SupportPackageType | None = strawberry.field(
        default=None, description="As saved."
    )
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="The result of an application mutation or step.")
class ApplicationPayload:
    application: ApplicationType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)
    violation: RuleViolation | None = strawberry.field(
        default=None, description="The programme rule the step broke, with its numbers."
    )


@strawberry.type(description="The result of a comment.")
class ApplicationCommentPayload:
    comment: ApplicationComment | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="The result of an attestation mutation.")
class AttestationPayload:
    attestation: AttestationType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="The result of an outcome mutation.")
class OutcomePayload:
    outcome: OutcomeType | None = strawberry.field(default=None, description="As saved.")
    errors: list[MutationError] = strawberry.field(default_factory=list, description=ERRORS)


async def _run(work: Callable[[], Awaitable[Any]], payload: type, field: str, wrap: Any) -> Any:
    """The payload of `work`: the saved object, or errors (and a rule's numbers)."""
    try:
        result = await work()
    except RuleBroken as error:
        violation = RuleViolation(
            rule=error.code,
            message=error.message,
            limit=error.limit,
            used=error.used,
            requested=error.requested,
            currency=error.currency,
        )
        extra = {"violation": violation} if payload is ApplicationPayload else {}
        return payload(errors=mutation_errors(error), **extra)
    except CMSError as error:
        return payload(errors=mutation_errors(error))
    return payload(**{field: wrap(result)})


async def _tenant(info: Info, slug: str, field: str) -> Tenant:
    row = await info.context.directory.by_slug(slug)
    if row is None:
        raise NotFound(f"No tenant has the slug {slug[:64]!r}.", field=field)
    return row


def _step(graphql_name: str, name: str, description: str) -> Any:
    async def resolve(info: Info, id: strawberry.ID, reason: str = "") -> ApplicationPayload:
        async def work() -> Any:
            pk = database_id(id, "Application", "id")
            return await applications.transition(require_principal(info), pk, name, reason)

        result: ApplicationPayload = await _run(
            work, ApplicationPayload, "application", ApplicationType.from_model
        )
        return result

    return strawberry.mutation(name=graphql_name, resolver=resolve, description=description)


class ProgrammeMutation:
    """Tenants, programme rules and packages, applications, attestations, outcomes."""

    @strawberry.mutation(
        description="Create a programme, hub or CoP (a platform admin; or an admin of the hub "
        "or programme it goes under)."
    )
    async def create_tenant(self, info: Info, input: TenantInput) -> TenantPayload:
        async def work() -> Any:
            row = await tenants.create_tenant(require_principal(info), values_of(input))
            info.context.directory.invalidate()
            return row

        result: TenantPayload = await _run(work, TenantPayload, "tenant", TenantType.from_model)
        return result

    @strawberry.mutation(
        description="Change a tenant's fields (a platform admin, or an admin above it)."
    )
    async def update_tenant(self, info: Info, slug: str, input: TenantInput) -> TenantPayload:
        async def work() -> Any:
            row = await tenants.update_tenant(require_principal(info), slug, values_of(input))
            info.context.directory.invalidate()
            return row

        result: TenantPayload = await _run(work, TenantPayload, "tenant", TenantType.from_model)
        return result

    @strawberry.mutation(description="Set a programme's rules (its editors and admins).")
    async def set_programme_rules(
        self, info: Info, programme: str, input: ProgrammeRulesInput
    ) -> ProgrammeRulesPayload:
        async def work() -> Any:
            tenant = await _tenant(info, programme, "programme")
            return await programmes.set_rules(require_principal(info), tenant, vars(input))

        result: ProgrammeRulesPayload = await _run(
            work, ProgrammeRulesPayload, "rules", ProgrammeRulesType.from_model
        )
        return result

    @strawberry.mutation(description="Add a support package to a programme.")
    async def create_support_package(
        self, info: Info, programme: str, input: SupportPackageInput
    ) -> SupportPackagePayload:
        async def work() -> Any:
            tenant = await _tenant(info, programme, "programme")
            values = values_of(input)
            return await programmes.create_package(require_principal(info), tenant, values)

        result: SupportPackagePayload = await _run(
            work, SupportPackagePayload, "support_package", SupportPackageType.from_model
        )
        return result

    @strawberry.mutation(description="Change a support package's fields.")
    async def update_support_package(
        self, info: Info, id: strawberry.ID, input: SupportPackageInput
    ) -> SupportPackagePayload:
        async def work() -> Any:
            pk = database_id(id, "SupportPackage", "id")
            return await programmes.update_package(require_principal(info), pk, values_of(input))

        result: SupportPackagePayload = await _run(
            work, SupportPackagePayload, "support_package", SupportPackageType.from_model
        )
        return result

    @strawberry.mutation(
        description="Draft an application of the addressed CoP to its hub for one package."
    )
    async def create_application(self, info: Info, input: ApplicationInput) -> ApplicationPayload:
        async def work() -> Any:
            principal, cop = require_principal(info), require_tenant(info)
            values = values_of(input, skip=("expected_version",))
            return await applications.create(principal, cop, values)

        result: ApplicationPayload = await _run(
            work, ApplicationPayload, "application", ApplicationType.from_model
        )
        return result

    @strawberry.mutation(
        description="Change a draft, or an application in negotiation; needs expectedVersion."
    )
    async def update_application(
        self, info: Info, id: strawberry.ID, input: ApplicationInput
    ) -> ApplicationPayload:
        async def work() -> Any:
            pk = database_id(id, "Application", "id")
            values = values_of(input, skip=("expected_version",))
            expected = input.expected_version
            if not isinstance(expected, int):
                raise ValidationFailed(
                    [
                        FieldError(
                            "expectedVersion", "Give the version you read.", ErrorCode.REQUIRED
                        )
                    ]
                )
            return await applications.update(require_principal(info), pk, values, expected)

        result: ApplicationPayload = await _run(
            work, ApplicationPayload, "application", ApplicationType.from_model
        )
        return result

    submit_application = _step(
        "submitApplication",
        "submit",
        "Submit a draft to the hub (the CoP's editors; inside the window, within the "
        "packages per CoP).",
    )
    negotiate_application = _step(
        "negotiateApplication", "negotiate", "Open negotiation on a submitted application."
    )
    approve_application = _step(
        "approveApplication",
        "approve",
        "Approve (the hub's editors): the CoP's approved budget stays within the programme's, "
        "and every contracted person is listed now.",
    )
    reject_application = _step(
        "rejectApplication", "reject", "Reject a submitted application (the hub)."
    )
    withdraw_application = _step(
        "withdrawApplication", "withdraw", "Withdraw an application (the CoP)."
    )
    start_application_delivery = _step(
        "startApplicationDelivery", "start-delivery", "Start delivering an approved one."
    )
    complete_application = _step(
        "completeApplication", "complete", "Mark delivery complete (the CoP)."
    )

    @strawberry.mutation(description="Write in an application's negotiation thread.")
    async def comment_on_application(
        self, info: Info, id: strawberry.ID, body: str
    ) -> ApplicationCommentPayload:
        async def work() -> Any:
            pk = database_id(id, "Application", "id")
            return await applications.comment(require_principal(info), pk, body)

        result: ApplicationCommentPayload = await _run(
            work, ApplicationCommentPayload, "comment", ApplicationComment.from_model
        )
        return result

    @strawberry.mutation(
        description="List a profile in a programme's stakeholder database (the programme's or "
        "a hub's editors under it)."
    )
    async def attest_profile(self, info: Info, input: AttestationInput) -> AttestationPayload:
        async def work() -> Any:
            programme = await _tenant(info, input.programme, "programme")
            pk = database_id(input.profile_id, "Profile", "profileId")
            values = {
                "role": input.role,
                "thematic_areas": input.thematic_areas,
                # From the request's instant, so the answer already shows it in force.
                "valid_from": input.valid_from or info.context.scope.now,
                "valid_until": input.valid_until,
            }
            return await attestations.attest(require_principal(info), pk, programme, values)

        result: AttestationPayload = await _run(
            work, AttestationPayload, "attestation", AttestationType.from_model
        )
        return result

    @strawberry.mutation(description="End an attestation now.")
    async def revoke_attestation(self, info: Info, id: strawberry.ID) -> AttestationPayload:
        async def work() -> Any:
            pk = database_id(id, "Attestation", "id")
            return await attestations.revoke(require_principal(info), pk)

        result: AttestationPayload = await _run(
            work, AttestationPayload, "attestation", AttestationType.from_model
        )
        return result

    @strawberry.mutation(
        description="Propose a published resource of the CoP as an outcome of its completed "
        "application, for the hub's knowledge base."
    )
    async def propose_outcome(
        self, info: Info, application_id: strawberry.ID, resource_id: strawberry.ID, note: str = ""
    ) -> OutcomePayload:
        async def work() -> Any:
            application = database_id(application_id, "Application", "applicationId")
            resource = database_id(resource_id, "Resource", "resourceId")
            return await outcomes.propose(require_principal(info), application, resource, note)

        result: OutcomePayload = await _run(work, OutcomePayload, "outcome", OutcomeType.from_model)
        return result

    @strawberry.mutation(
        description="Accept a proposed outcome into the hub's knowledge base (it becomes "
        "shared, with its provenance)."
    )
    async def accept_outcome(self, info: Info, id: strawberry.ID, note: str = "") -> OutcomePayload:
        async def work() -> Any:
            pk = database_id(id, "Outcome", "id")
            return await outcomes.decide(require_principal(info), pk, True, note)

        result: OutcomePayload = await _run(work, OutcomePayload, "outcome", OutcomeType.from_model)
        return result

    @strawberry.mutation(description="Send a proposed outcome back to the CoP for changes.")
    async def request_outcome_changes(
        self, info: Info, id: strawberry.ID, note: str = ""
    ) -> OutcomePayload:
        async def work() -> Any:
            pk = database_id(id, "Outcome", "id")
            return await outcomes.decide(require_principal(info), pk, False, note)

        result: OutcomePayload = await _run(work, OutcomePayload, "outcome", OutcomeType.from_model)
        return result
