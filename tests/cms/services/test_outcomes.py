"""Outcomes back into the knowledge base: proposed on completion, sent back or accepted."""

from __future__ import annotations

import pytest

from cms import models
from cms.auth import Principal
from cms.errors import ErrorCode, RuleBroken, ValidationFailed
from cms.models import ApplicationState, OutcomeState, Role, Status, TenantKind
from cms.services import outcomes
from tests import factories

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]


async def test_changes_requested_then_accepted_shares_the_resource_with_a_revision() -> None:
    programme = await factories.tenant(kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(kind=TenantKind.HUB, parent=programme)
    cop = await factories.tenant(kind=TenantKind.COP, parent=hub)
    package = await models.SupportPackage.create(programme=programme, number=1, slug="a", title="A")
    application = await models.Application.create(
        cop=cop, hub=hub, programme=programme, package=package, title="A",
        state=ApplicationState.IN_DELIVERY,
    )  # fmt: skip
    report = await factories.resource(cop, title="Our report", shared=False)
    draft = await factories.resource(cop, title="Not yet", status=Status.DRAFT)
    cop_editor = Principal(token_id=0, name="cop", role=Role.EDITOR, tenant_id=cop.id)
    hub_editor = Principal(token_id=0, name="hub", role=Role.EDITOR, tenant_id=hub.id)

    with pytest.raises(RuleBroken) as early:  # not before completion
        await outcomes.propose(cop_editor, application.id, report.id)
    assert early.value.code is ErrorCode.INVALID_TRANSITION
    application.state = ApplicationState.COMPLETED
    await application.save()
    with pytest.raises(ValidationFailed):  # only a published resource of the CoP
        await outcomes.propose(cop_editor, application.id, draft.id)

    outcome = await outcomes.propose(cop_editor, application.id, report.id, "Draft one.")
    sent_back = await outcomes.decide(hub_editor, outcome.id, False, "Add the annex.")
    assert (sent_back.state, sent_back.note) == (OutcomeState.CHANGES_REQUESTED, "Add the annex.")
    assert not (await models.Resource.get(id=report.id)).shared
    again = await outcomes.propose(cop_editor, application.id, report.id, "With the annex.")
    assert again.id == outcome.id and again.state == OutcomeState.PROPOSED
    accepted = await outcomes.decide(hub_editor, outcome.id, True)
    assert accepted.state == OutcomeState.ACCEPTED and accepted.decided_by == "hub"
    shared = await models.Resource.get(id=report.id)
    assert shared.shared and shared.version == report.version + 1
    revision = await models.Revision.get(
        content_type="Resource", object_id=report.id, version=shared.version
    )
    assert (revision.operation, revision.author_name, revision.snapshot["shared"]) == (
        "accept-outcome",
        "hub",
        True,
    )
    operations = await models.OutboxEvent.filter(content_type="Outcome").values_list(
        "operation", flat=True
    )
    assert sorted(operations) == ["accept", "propose", "propose", "request-changes"]
    with pytest.raises(RuleBroken):
        await outcomes.decide(hub_editor, outcome.id, True)
