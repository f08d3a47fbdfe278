"""The programme's rules under concurrent steps, on PostgreSQL with real concurrent connections
(each transaction takes its own pooled connection). Without the lock on the CoP's row, two
approvals would each read the other's budget as not yet approved and both pass.

On SQLite the same test runs and passes trivially: one write transaction at a time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from cms import models
from cms.auth import Principal
from cms.errors import ErrorCode, RuleBroken
from cms.models import ApplicationState, Role, TenantKind
from cms.services import applications
from tests import factories

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]
ROUNDS = 6


async def programme_with_hub() -> tuple[models.Tenant, models.Tenant, models.SupportPackage]:
    now = datetime.now(UTC)
    programme = await factories.tenant(kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(kind=TenantKind.HUB, parent=programme)
    await models.ProgrammeRules.create(
        programme=programme,
        window_opens=now - timedelta(days=1),
        window_closes=now + timedelta(days=1),
        packages_per_cop=2,
        budget_per_cop_cents=1_000_000,
    )
    package = await models.SupportPackage.create(programme=programme, number=1, slug="p", title="P")
    return programme, hub, package


async def race(*steps: object) -> list[object]:
    return list(await asyncio.gather(*steps, return_exceptions=True))  # type: ignore[call-overload]


async def test_two_approvals_racing_never_exceed_the_budget() -> None:
    programme, hub, package = await programme_with_hub()
    decider = Principal(token_id=0, name="hub", role=Role.EDITOR, tenant_id=hub.id)
    for _ in range(ROUNDS):
        cop = await factories.tenant(kind=TenantKind.COP, parent=hub)
        rows = [
            await models.Application.create(
                cop=cop,
                hub=hub,
                programme=programme,
                package=package,
                title=f"A{i}",
                state=ApplicationState.SUBMITTED,
                budget_cents=600_000,
            )
            for i in range(2)
        ]
        results = await race(*(applications.transition(decider, row.id, "approve") for row in rows))
        refused = [r for r in results if isinstance(r, RuleBroken)]
        assert len(refused) == 1, results
        assert refused[0].code is ErrorCode.BUDGET_EXCEEDED
        assert (refused[0].used, refused[0].requested, refused[0].limit) == (
            600_000,
            600_000,
            1_000_000,
        )
        approved = await models.Application.filter(cop=cop, state=ApplicationState.APPROVED)
        assert sum(a.budget_cents for a in approved) == 600_000


async def test_three_submissions_racing_keep_two_per_cop() -> None:
    programme, hub, package = await programme_with_hub()
    for _ in range(ROUNDS):
        cop = await factories.tenant(kind=TenantKind.COP, parent=hub)
        editor = Principal(token_id=0, name="cop", role=Role.EDITOR, tenant_id=cop.id)
        rows = [
            await models.Application.create(
                cop=cop, hub=hub, programme=programme, package=package, title=f"A{i}"
            )
            for i in range(3)
        ]
        results = await race(*(applications.transition(editor, r.id, "submit") for r in rows))
        refused = [r for r in results if isinstance(r, RuleBroken)]
        assert [r.code for r in refused] == [ErrorCode.PACKAGE_LIMIT_REACHED], results
        assert (refused[0].used, refused[0].limit) == (2, 2)
        submitted = await models.Application.filter(cop=cop, state=ApplicationState.SUBMITTED)
        assert len(submitted) == 2
