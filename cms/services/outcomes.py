"""Outcomes back into the knowledge base: on completion a CoP proposes its outcome resources;
its hub (or programme) accepts one into its knowledge base or asks for changes.

Accepting shares the CoP's published resource with every tenant's knowledge base, so search
finds it from the platform scope, and the outcome row is its provenance (which package, which
application, accepted by whom and when). That flag is the only change oversight ever makes to
a CoP's item; it is written as a revision of the resource by the hub's token, in the same
transaction, and its outbox event re-indexes the resource.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Principal
from cms.errors import ErrorCode, FieldError, NotFound, RuleBroken, ValidationFailed
from cms.models import ApplicationState, Outcome, OutcomeState, Status, Tenant
from cms.oversight import Act, may, require
from cms.services import history
from cms.services.kinds import KINDS
from cms.tenancy import published_q

RESOURCE = KINDS["Resource"]


def _now() -> datetime:
    return datetime.now(UTC)


async def propose(
    principal: Principal, application_id: int, resource_id: int, note: str = ""
) -> Outcome:
    """Attach a published resource of the CoP to its completed application."""
    application = await models.Application.get_or_none(id=application_id)
    cop = await Tenant.get_or_none(id=application.cop_id) if application else None
    if application is None or cop is None or not await may(principal, Act.READ, cop):
        raise NotFound("No application has this id.", field="applicationId")
    await require(principal, Act.SUBMIT, cop)
    if application.state != ApplicationState.COMPLETED:
        raise RuleBroken(
            ErrorCode.INVALID_TRANSITION,
            "Outcomes are proposed once the application is completed; it is "
            f"{ApplicationState(application.state).value}.",
        )
    resource = await models.Resource.filter(
        published_q(_now()), id=resource_id, tenant_id=cop.id
    ).first()
    if resource is None:
        raise ValidationFailed(
            [FieldError("resourceId", "No published resource of the CoP.", ErrorCode.NOT_FOUND)]
        )
    if len(note) > 10_000:
        raise ValidationFailed([FieldError("note", "At most 10,000.", ErrorCode.TOO_LONG)])
    async with in_transaction():
        row = await Outcome.get_or_none(application_id=application.id, resource_id=resource.id)
        if row is None:
            row = await Outcome.create(
                application_id=application.id,
                resource_id=resource.id,
                proposed_by=principal.name,
                note=note.strip(),
            )
        elif row.state == OutcomeState.ACCEPTED:
            raise RuleBroken(ErrorCode.INVALID_TRANSITION, "This outcome is already accepted.")
        else:
            row.state = OutcomeState.PROPOSED
            row.note = note.strip()
            row.proposed_by = principal.name
            await row.save()
        await history.record(principal, "propose", "Outcome", cop.id, row.id)
    return row


async def decide(principal: Principal, outcome_id: int, accept: bool, note: str = "") -> Outcome:
    """Accept a proposed outcome into the hub's knowledge base, or ask for changes."""
    row = await Outcome.get_or_none(id=outcome_id)
    application = await models.Application.get_or_none(id=row.application_id) if row else None
    cop = await Tenant.get_or_none(id=application.cop_id) if application else None
    if row is None or cop is None or not await may(principal, Act.READ, cop):
        raise NotFound("No outcome has this id.", field="id")
    await require(principal, Act.CURATE, cop)
    async with in_transaction():
        row = await Outcome.select_for_update().get(id=outcome_id)
        if row.state != OutcomeState.PROPOSED:
            raise RuleBroken(
                ErrorCode.INVALID_TRANSITION,
                f"Only a proposed outcome is decided; this one is {OutcomeState(row.state).value}.",
            )
        row.state = OutcomeState.ACCEPTED if accept else OutcomeState.CHANGES_REQUESTED
        row.decided_by = principal.name
        row.decided_at = _now()
        row.note = note.strip() or row.note
        await row.save()
        if accept:
            resource = await models.Resource.select_for_update().get(id=row.resource_id)
            if resource.status != Status.PUBLISHED:
                raise RuleBroken(
                    ErrorCode.INVALID_TRANSITION,
                    "The CoP unpublished this resource since proposing it; it must propose it "
                    "again once it is published.",
                )
            if not resource.shared:
                resource.shared = True
                resource.version += 1
                await resource.save(update_fields=["shared", "version", "updated_at"])
                await history.record(
                    principal,
                    "accept-outcome",
                    RESOURCE.name,
                    resource.tenant_id,
                    resource.id,
                    version=resource.version,
                    state=await history.snapshot(RESOURCE, resource),
                )
        # The resource's record above bumped the CoP's and the shared content generation.
        await history.record(
            principal, "accept" if accept else "request-changes", "Outcome", cop.id, row.id
        )
    return row
