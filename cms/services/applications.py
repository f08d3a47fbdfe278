"""Applications of a CoP to its hub for a support package, and their state machine.

    draft → submitted → in negotiation → approved or rejected → in delivery → completed
    (withdrawn by the CoP from draft, submitted, in negotiation or approved)

Every write is one transaction that also writes a revision, an audit entry and an outbox event
(`cms.services.history`); a transition also records who, when and why. The programme's rules
hold in the transaction of the step that could break them: it first locks the CoP's tenant
row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite runs one write transaction at a time), so two
approvals or submissions for one CoP take turns and the second sees the first's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Principal
from cms.errors import Conflict, ErrorCode, FieldError, NotFound, RuleBroken, ValidationFailed
from cms.models import (
    Application,
    ApplicationState,
    ApplicationTransition,
    BudgetCategory,
    BudgetLine,
    ProgrammeRules,
    SupportPackage,
    Tenant,
    TenantKind,
)
from cms.names import camel
from cms.oversight import Act, may, require
from cms.services import history
from cms.services.attestations import current_q
from cms.services.programmes import programme_of
from cms.tenancy import Scope, visible_q

S = ApplicationState
# Applications that count against "packages per CoP": submitted or beyond, not given up.
COUNTED = (S.SUBMITTED, S.IN_NEGOTIATION, S.APPROVED, S.IN_DELIVERY, S.COMPLETED)
# Applications whose budget is committed.
APPROVED = (S.APPROVED, S.IN_DELIVERY, S.COMPLETED)
EDITABLE = (S.DRAFT, S.IN_NEGOTIATION)
MAX_LINES = 100
MAX_LINE_CENTS = 2_000_000_000  # GraphQL's Int
MAX_TEXT = 50_000
MAX_PEOPLE = 50


@dataclass(frozen=True)
class Step:
    """One transition: the states it starts from, where it goes, who may take it."""

    sources: tuple[ApplicationState, ...]
    target: ApplicationState
    act: Act


STEPS = {
    "submit": Step((S.DRAFT,), S.SUBMITTED, Act.SUBMIT),
    "negotiate": Step((S.SUBMITTED,), S.IN_NEGOTIATION, Act.DECIDE),
    "approve": Step((S.SUBMITTED, S.IN_NEGOTIATION), S.APPROVED, Act.DECIDE),
    "reject": Step((S.SUBMITTED, S.IN_NEGOTIATION), S.REJECTED, Act.DECIDE),
    "withdraw": Step((S.DRAFT, S.SUBMITTED, S.IN_NEGOTIATION, S.APPROVED), S.WITHDRAWN, Act.SUBMIT),
    "start-delivery": Step((S.APPROVED,), S.IN_DELIVERY, Act.SUBMIT),
    "complete": Step((S.IN_DELIVERY,), S.COMPLETED, Act.SUBMIT),
}


def _now() -> datetime:
    return datetime.now(UTC)


def money(cents: int, currency: str) -> str:
    """10,000.00 EUR."""
    return f"{cents / 100:,.2f} {currency}"


async def create(principal: Principal, cop: Tenant, values: dict[str, Any]) -> Application:
    """A draft application of `cop` for one package of its programme."""
    await require(principal, Act.DRAFT, cop)
    errors: list[FieldError] = []
    if cop.kind != TenantKind.COP:
        raise ValidationFailed([FieldError("tenant", "Only a CoP applies.", ErrorCode.INVALID)])
    programme = await programme_of(cop)
    hub = await _hub_of(cop)
    if programme is None or hub is None:
        raise ValidationFailed(
            [FieldError("tenant", "The CoP has no hub or programme above it.", ErrorCode.INVALID)]
        )
    package = None
    package_id = values.get("package_id")
    if package_id is None:
        errors.append(FieldError("packageId", "This field is required.", ErrorCode.REQUIRED))
    else:
        package = await SupportPackage.get_or_none(id=package_id, programme_id=programme.id)
        if package is None:
            errors.append(
                FieldError("packageId", "No package of the CoP's programme.", ErrorCode.NOT_FOUND)
            )
    if not (values.get("title") or "").strip():
        errors.append(FieldError("title", "This field is required.", ErrorCode.REQUIRED))
    cleaned, links = await _clean(cop, values, errors)
    if errors:
        raise ValidationFailed(errors)
    assert package is not None
    async with in_transaction():
        row = await Application.create(
            cop_id=cop.id,
            hub_id=hub.id,
            programme_id=programme.id,
            package_id=package.id,
            state=S.DRAFT,
            **cleaned,
        )
        await _write_links(row, links)
        await _transition_row(principal, row, None, S.DRAFT, "")
        await _record(principal, "create", row)
    return await Application.get(id=row.id)  # as stored: list fields hold lists


async def update(
    principal: Principal, application_id: int, values: dict[str, Any], expected_version: int
) -> Application:
    """Change a draft, or an application in negotiation (the CoP revises it for its hub)."""
    row, cop = await get(principal, application_id)
    await require(principal, Act.DRAFT, cop)
    errors: list[FieldError] = []
    if "package_id" in values:
        package = await SupportPackage.get_or_none(
            id=values["package_id"], programme_id=row.programme_id
        )
        if package is None:
            errors.append(
                FieldError("packageId", "No package of the CoP's programme.", ErrorCode.NOT_FOUND)
            )
    cleaned, links = await _clean(cop, values, errors)
    if "package_id" in values and not errors:
        cleaned["package_id"] = values["package_id"]
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        row = await Application.select_for_update().get(id=application_id)
        if row.version != expected_version:
            raise _conflict(row)
        if row.state not in EDITABLE:
            raise RuleBroken(
                ErrorCode.INVALID_TRANSITION,
                f"An application is changed only as a draft or in negotiation; this one is "
                f"{S(row.state).value}.",
            )
        await row.update_from_dict({**cleaned, "version": row.version + 1}).save()
        await _write_links(row, links)
        await _record(principal, "update", row)
    return row


async def comment(
    principal: Principal, application_id: int, body: str
) -> models.ApplicationComment:
    """A message in the negotiation thread between the CoP and its hub."""
    row, cop = await get(principal, application_id)
    await require(principal, Act.COMMENT, cop)
    text = body.strip()
    if not text or len(text) > 10_000:
        raise ValidationFailed(
            [
                FieldError(
                    "body",
                    "From 1 to 10,000 characters.",
                    ErrorCode.TOO_LONG if text else ErrorCode.REQUIRED,
                )
            ]
        )
    async with in_transaction():
        note = await models.ApplicationComment.create(
            application_id=row.id,
            author_tenant_id=principal.tenant_id,
            author_name=principal.name,
            body=text,
        )
        await history.record(principal, "comment", "Application", row.cop_id, row.id)
    return note


async def transition(
    principal: Principal, application_id: int, step_name: str, reason: str = ""
) -> Application:
    """Take one step of the state machine, checking the programme's rules where it can break
    them, all in one transaction with the CoP's row locked."""
    step = STEPS[step_name]
    row, cop = await get(principal, application_id)
    await require(principal, step.act, cop)
    if len(reason) > 10_000:
        raise ValidationFailed(
            [FieldError("reason", "At most 10,000 characters.", ErrorCode.TOO_LONG)]
        )
    async with in_transaction():
        # The lock that makes the rules race-safe: every step that counts or sums the CoP's
        # applications takes the CoP's row first.
        await Tenant.select_for_update().filter(id=row.cop_id).first()
        row = await Application.select_for_update().get(id=application_id)
        source = S(row.state)
        if source not in step.sources:
            allowed = ", ".join(s.value for s in step.sources)
            raise RuleBroken(
                ErrorCode.INVALID_TRANSITION,
                f"Cannot {step_name} an application that is {source.value} (only from {allowed}).",
            )
        now = _now()
        rules = await ProgrammeRules.get_or_none(programme_id=row.programme_id)
        if step.target is S.SUBMITTED:
            _check_window(rules, now)
            await _check_count(rules, row)
            row.submitted_at = now
        if step.target is S.APPROVED:
            await _check_count(rules, row)
            await _check_eligible(row, now)
            await _check_budget(rules, row, cop)
        if step.target in (S.APPROVED, S.REJECTED):
            row.decided_at = now
        row.state = step.target
        row.version += 1
        await row.save()
        await _transition_row(principal, row, source, step.target, reason)
        await _record(principal, step_name, row)
    return row


def _check_window(rules: ProgrammeRules | None, now: datetime) -> None:
    if rules is None:
        raise RuleBroken(ErrorCode.OUTSIDE_WINDOW, "The programme has no application window set.")
    if not rules.window_opens <= now <= rules.window_closes:
        raise RuleBroken(
            ErrorCode.OUTSIDE_WINDOW,
            f"Applications are submitted from {rules.window_opens:%Y-%m-%d} to "
            f"{rules.window_closes:%Y-%m-%d}; it is {now:%Y-%m-%d}.",
        )


async def _check_count(rules: ProgrammeRules | None, row: Application) -> None:
    limit = rules.packages_per_cop if rules is not None else 0
    used = (
        await Application.filter(
            cop_id=row.cop_id, programme_id=row.programme_id, state__in=COUNTED
        )
        .exclude(id=row.id)
        .count()
    )
    if used + 1 > limit:
        raise RuleBroken(
            ErrorCode.PACKAGE_LIMIT_REACHED,
            f"The CoP already has {used} of {limit} applications submitted or beyond "
            "(withdrawn and rejected ones do not count).",
            limit=limit,
            used=used,
            requested=1,
        )


async def _check_budget(rules: ProgrammeRules | None, row: Application, cop: Tenant) -> None:
    limit = rules.budget_per_cop_cents if rules is not None else 0
    currency = rules.currency if rules is not None else "EUR"
    amounts = (
        await Application.filter(
            cop_id=row.cop_id, programme_id=row.programme_id, state__in=APPROVED
        )
        .exclude(id=row.id)
        .values_list("budget_cents", flat=True)
    )
    used = sum(int(a) for a in cast(list[Any], amounts) if a is not None)
    if used + row.budget_cents > limit:
        raise RuleBroken(
            ErrorCode.BUDGET_EXCEEDED,
            f"{money(used, currency)} of {money(limit, currency)} already approved for "
            f"{cop.slug}; this application asks {money(row.budget_cents, currency)}, "
            f"{money(used + row.budget_cents - limit, currency)} too much.",
            limit=limit,
            used=used,
            requested=row.budget_cents,
            currency=currency,
        )


async def contracted_ids(row: Application) -> list[int]:
    """The people an application contracts: chosen Change Catalysts and experts, and the
    profiles its budget lines pay."""
    chosen: list[Any] = await row.people.all().values_list("id", flat=True)
    paid: list[Any] = await BudgetLine.filter(
        application_id=row.id, profile_id__isnull=False
    ).values_list("profile_id", flat=True)
    return sorted({int(i) for i in [*chosen, *paid] if i is not None})


async def _check_eligible(row: Application, now: datetime) -> None:
    wanted = await contracted_ids(row)
    if not wanted:
        return
    listed: set[Any] = set(
        await models.Attestation.filter(
            current_q(now), profile_id__in=wanted, programme_id=row.programme_id
        ).values_list("profile_id", flat=True)
    )
    missing = [i for i in wanted if i not in listed]
    if missing:
        names = cast(
            list[str],
            await models.Profile.filter(id__in=missing)
            .order_by("name")
            .values_list("name", flat=True),
        )
        raise RuleBroken(
            ErrorCode.NOT_ELIGIBLE,
            f"{len(missing)} of {len(wanted)} contracted people are not listed in the "
            f"programme's stakeholder database today: {', '.join(names)}.",
            limit=len(wanted) - len(missing),
            used=len(wanted),
            requested=len(missing),
        )


async def _hub_of(cop: Tenant) -> Tenant | None:
    """The tenant that decides: the CoP's parent (a hub, or the programme without hubs)."""
    if cop.parent_id is None:
        return None
    return await Tenant.get_or_none(id=cop.parent_id)


async def get(principal: Principal, application_id: int) -> tuple[Application, Tenant]:
    """The application if the caller may read it (else NOT_FOUND: it is not theirs to know)."""
    row = await Application.get_or_none(id=application_id)
    if row is not None:
        cop = await Tenant.get(id=row.cop_id)
        if await may(principal, Act.READ, cop):
            return row, cop
    raise NotFound("No application has this id.", field="id")


async def _clean(
    cop: Tenant, values: dict[str, Any], errors: list[FieldError]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns and the links (people, resources, mentors, budget lines) to write."""
    cleaned: dict[str, Any] = {}
    links: dict[str, Any] = {}
    scope = Scope(tenant=cop, now=_now(), preview=True)
    for name in ("title", "objectives", "work_plan", "activities"):
        if name in values:
            text = (values[name] or "").strip()
            limit = 300 if name == "title" else MAX_TEXT
            if len(text) > limit:
                errors.append(
                    FieldError(camel(name), f"At most {limit} characters.", ErrorCode.TOO_LONG)
                )
            cleaned[name] = text
    if "languages" in values:
        cleaned["languages"] = list(dict.fromkeys(values["languages"] or []))[:MAX_PEOPLE]
    for name, model in (
        ("people_ids", models.Profile),
        ("resource_ids", models.Resource),
        ("mentor_ids", models.Organisation),
    ):
        if name not in values:
            continue
        ids = list(dict.fromkeys(values[name] or []))
        if len(ids) > MAX_PEOPLE:
            errors.append(FieldError(camel(name), f"At most {MAX_PEOPLE}.", ErrorCode.TOO_LONG))
            continue
        found = await model.filter(visible_q(scope, shareable=True), id__in=ids) if ids else []
        if len(found) != len(ids):
            errors.append(
                FieldError(
                    camel(name),
                    "One of these ids names nothing the CoP can see.",
                    ErrorCode.NOT_FOUND,
                )
            )
        links[name] = found
    if "budget_lines" in values:
        links["budget_lines"] = await _clean_lines(scope, values["budget_lines"] or [], errors)
        cleaned["budget_cents"] = sum(line["amount_cents"] for line in links["budget_lines"])
        if cleaned["budget_cents"] > MAX_LINE_CENTS:
            errors.append(
                FieldError(
                    "budgetLines",
                    "The lines add up to more than 2,000,000,000 cents.",
                    ErrorCode.OUT_OF_RANGE,
                )
            )
    return cleaned, links


async def _clean_lines(
    scope: Scope, lines: list[dict[str, Any]], errors: list[FieldError]
) -> list[dict[str, Any]]:
    if len(lines) > MAX_LINES:
        errors.append(FieldError("budgetLines", f"At most {MAX_LINES} lines.", ErrorCode.TOO_LONG))
        return []
    cleaned: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        where = f"budgetLines.{index}"
        description = (line.get("description") or "").strip()
        if not description or len(description) > 500:
            errors.append(
                FieldError(f"{where}.description", "From 1 to 500 characters.", ErrorCode.REQUIRED)
            )
        try:
            category = BudgetCategory(
                str(getattr(line.get("category"), "value", line.get("category")))
            )
        except ValueError:
            errors.append(
                FieldError(f"{where}.category", "No such category.", ErrorCode.INVALID_CHOICE)
            )
            continue
        amount = line.get("amount_cents")
        if not isinstance(amount, int) or not 0 < amount <= MAX_LINE_CENTS:
            errors.append(
                FieldError(
                    f"{where}.amountCents", "A positive number of cents.", ErrorCode.OUT_OF_RANGE
                )
            )
            continue
        profile_id = line.get("profile_id")
        if (
            profile_id is not None
            and not await models.Profile.filter(
                visible_q(scope, shareable=True), id=profile_id
            ).exists()
        ):
            errors.append(
                FieldError(f"{where}.profileId", "No profile the CoP can see.", ErrorCode.NOT_FOUND)
            )
        cleaned.append(
            {
                "position": index,
                "description": description,
                "category": category,
                "amount_cents": amount,
                "profile_id": profile_id,
            }
        )
    return cleaned


async def _write_links(row: Application, links: dict[str, Any]) -> None:
    for name, relation in (
        ("people_ids", row.people),
        ("resource_ids", row.resources),
        ("mentor_ids", row.mentors),
    ):
        if name in links:
            await relation.clear()
            if links[name]:
                await relation.add(*links[name])
    if "budget_lines" in links:
        await BudgetLine.filter(application_id=row.id).delete()
        if links["budget_lines"]:
            await BudgetLine.bulk_create(
                [BudgetLine(application_id=row.id, **line) for line in links["budget_lines"]]
            )


async def _transition_row(
    principal: Principal,
    row: Application,
    source: ApplicationState | None,
    target: ApplicationState,
    reason: str,
) -> None:
    await ApplicationTransition.create(
        application_id=row.id,
        from_state=source,
        to_state=target,
        actor_name=principal.name,
        actor_tenant_id=principal.tenant_id,
        reason=reason.strip(),
    )


async def snapshot(row: Application) -> dict[str, Any]:
    lines = await BudgetLine.filter(application_id=row.id).order_by("position", "id")
    return {
        "package_id": row.package_id,
        "title": row.title,
        "objectives": row.objectives,
        "work_plan": row.work_plan,
        "activities": row.activities,
        "languages": list(row.languages or []),
        "state": S(row.state).value,
        "budget_cents": row.budget_cents,
        "people": sorted(await row.people.all().values_list("id", flat=True)),
        "resources": sorted(await row.resources.all().values_list("id", flat=True)),
        "mentors": sorted(await row.mentors.all().values_list("id", flat=True)),
        "budget_lines": [
            {
                "description": line.description,
                "category": BudgetCategory(line.category).value,
                "amount_cents": line.amount_cents,
                "profile_id": line.profile_id,
            }
            for line in lines
        ],
    }


async def _record(principal: Principal, operation: str, row: Application) -> None:
    """Revision, audit entry and outbox event (`Application`, operation = the step)."""
    # record bumps the CoP's and the shared content generation, so the public programme
    # summary, which counts deliveries, is never served from before the step.
    await history.record(
        principal,
        operation,
        "Application",
        row.cop_id,
        row.id,
        version=row.version,
        state=await snapshot(row),
    )


def _conflict(row: Application) -> Conflict:
    return Conflict(f"The application is at version {row.version}; reload it and try again.")
