"""The application state machine and the programme's rules, through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms import models
from cms.auth import Principal
from cms.errors import Conflict, ErrorCode, RuleBroken
from cms.models import ApplicationState, Role, TenantKind
from cms.services import applications, attestations
from tests import factories

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]
NOW = datetime.now(UTC)


async def setting(budget: int = 1_000_000) -> tuple[Principal, Principal, models.Tenant, int]:
    programme = await factories.tenant(slug="prog", kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB, parent=programme)
    cop = await factories.tenant(slug="cop", kind=TenantKind.COP, parent=hub)
    await models.ProgrammeRules.create(
        programme=programme,
        window_opens=NOW - timedelta(days=1),
        window_closes=NOW + timedelta(days=1),
        packages_per_cop=2,
        budget_per_cop_cents=budget,
    )
    package = await models.SupportPackage.create(programme=programme, number=1, slug="a", title="A")
    cop_editor = Principal(token_id=0, name="cop", role=Role.EDITOR, tenant_id=cop.id)
    hub_editor = Principal(token_id=0, name="hub", role=Role.EDITOR, tenant_id=hub.id)
    return cop_editor, hub_editor, cop, package.id


async def test_steps_follow_the_state_machine_and_leave_history() -> None:
    cop_editor, hub_editor, cop, package = await setting()
    row = await applications.create(cop_editor, cop, {"package_id": package, "title": "One"})
    with pytest.raises(RuleBroken) as refused:
        await applications.transition(hub_editor, row.id, "approve")
    assert refused.value.code is ErrorCode.INVALID_TRANSITION
    await applications.transition(cop_editor, row.id, "submit", "Ready.")
    with pytest.raises(RuleBroken):  # a submitted application is not edited, only negotiated
        await applications.update(cop_editor, row.id, {"title": "Two"}, 2)
    await applications.transition(hub_editor, row.id, "negotiate")
    with pytest.raises(Conflict):
        await applications.update(cop_editor, row.id, {"title": "Two"}, 1)
    await applications.update(cop_editor, row.id, {"title": "Two"}, 3)
    await applications.transition(hub_editor, row.id, "reject", "Not this year.")
    steps = await models.ApplicationTransition.filter(application_id=row.id).order_by("id")
    assert [(s.to_state, s.actor_name, s.reason) for s in steps][-1] == (
        ApplicationState.REJECTED,
        "hub",
        "Not this year.",
    )
    revisions = await models.Revision.filter(content_type="Application", object_id=row.id)
    assert [r.operation for r in sorted(revisions, key=lambda r: r.version)] == [
        "create", "submit", "negotiate", "update", "reject",
    ]  # fmt: skip
    events = await models.OutboxEvent.filter(content_type="Application", object_id=row.id)
    assert {e.operation for e in events} >= {"submit", "negotiate", "reject"}


async def test_withdrawn_and_rejected_applications_do_not_count() -> None:
    cop_editor, hub_editor, cop, package = await setting()
    rows = [
        await applications.create(cop_editor, cop, {"package_id": package, "title": f"A{i}"})
        for i in range(4)
    ]
    await applications.transition(cop_editor, rows[0].id, "submit")
    await applications.transition(hub_editor, rows[0].id, "reject")
    await applications.transition(cop_editor, rows[1].id, "submit")
    await applications.transition(cop_editor, rows[1].id, "withdraw")
    await applications.transition(cop_editor, rows[2].id, "submit")
    await applications.transition(cop_editor, rows[3].id, "submit")
    fifth = await applications.create(cop_editor, cop, {"package_id": package, "title": "A5"})
    with pytest.raises(RuleBroken) as refused:
        await applications.transition(cop_editor, fifth.id, "submit")
    assert (refused.value.code, refused.value.used, refused.value.limit) == (
        ErrorCode.PACKAGE_LIMIT_REACHED,
        2,
        2,
    )


async def test_eligibility_is_checked_at_approval_time() -> None:
    cop_editor, hub_editor, cop, package = await setting()
    programme = await models.Tenant.get(slug="prog")
    person = await factories.profile(cop, name="Lena Listed")
    attested = await attestations.attest(
        hub_editor, person.id, programme, {"role": "expert", "valid_from": NOW - timedelta(days=9)}
    )
    lines = [
        {
            "description": "Fees",
            "category": "expert-fees",
            "amount_cents": 100,
            "profile_id": person.id,
        }
    ]
    row = await applications.create(
        cop_editor, cop, {"package_id": package, "title": "A", "budget_lines": lines}
    )
    await applications.transition(cop_editor, row.id, "submit")
    await attestations.revoke(hub_editor, attested.id)  # delisted between submission and approval
    with pytest.raises(RuleBroken) as refused:
        await applications.transition(hub_editor, row.id, "approve")
    assert refused.value.code is ErrorCode.NOT_ELIGIBLE and "Lena Listed" in refused.value.message


async def test_a_programme_without_money_approves_only_applications_without_money() -> None:
    cop_editor, hub_editor, cop, package = await setting(budget=0)
    free = await applications.create(cop_editor, cop, {"package_id": package, "title": "Free"})
    lines = [{"description": "Travel", "category": "travel", "amount_cents": 5_000}]
    paid = await applications.create(
        cop_editor, cop, {"package_id": package, "title": "Paid", "budget_lines": lines}
    )
    for row in (free, paid):
        await applications.transition(cop_editor, row.id, "submit")
    await applications.transition(hub_editor, free.id, "approve")
    with pytest.raises(RuleBroken) as refused:
        await applications.transition(hub_editor, paid.id, "approve")
    assert refused.value.code is ErrorCode.BUDGET_EXCEEDED
    assert "0.00 EUR of 0.00 EUR already approved" in refused.value.message
