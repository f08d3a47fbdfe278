"""The issue's scenario through the service, and every cell of the permission table."""

from __future__ import annotations

import csv
import io

import pytest

from cms.auth import Principal
from cms.errors import ErrorCode, NotFound, PermissionDenied, RuleBroken, ValidationFailed
from cms.models import Revision, Role, SubmissionState
from cms.services import genderdata
from cms.services.frameworks import SHE_FIGURES, cells, template
from tests import factories

pytestmark = pytest.mark.anyio


def figures(a_women: int) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for spec in SHE_FIGURES["indicators"]:
        for key, _ in cells(SHE_FIGURES, spec["code"]):
            if not key.endswith("|total"):
                out.setdefault(spec["code"], {})[key] = 0 if "|other" in key else 10
    out["staff"]["A|women"] = a_women
    return out


def filled_csv(values: dict[str, dict[str, int]]) -> str:
    """The template as an institute fills it in."""
    rows = list(csv.reader(io.StringIO(template(SHE_FIGURES))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for code, key, label, _ in rows[1:]:
        writer.writerow((code, key, label, values.get(code, {}).get(key, "")))
    return out.getvalue()


async def network():
    genera = await factories.tenant(slug="genera", kind="programme")
    institutes = []
    for _ in range(3):
        org = await factories.organisation(genera)
        await org.memberships.add(genera)
        institutes.append(org)
    steward = Principal(token_id=0, name="steward", role=Role.EDITOR, tenant_id=genera.id)
    members = [
        Principal(token_id=0, name=f"inst{i}", role=Role.CONTRIBUTOR, tenant_id=genera.id,
                  organisation_id=org.id)
        for i, org in enumerate(institutes)
    ]  # fmt: skip
    return genera, institutes, steward, members


async def test_scenario_and_protection(clean_database):
    genera, institutes, steward, members = await network()
    version = await genderdata.define_framework(
        steward, genera, "genera", "GENERA data", SHE_FIGURES, 2020, 2030
    )
    await genderdata.publish_version(steward, genera, version.id)
    rows = []
    for member, org, a_women in zip(members[:2], institutes[:2], (1, 1), strict=True):
        row = await genderdata.save_figures(
            member, genera, "genera", org.id, 2024, figures(a_women)
        )
        rows.append(await genderdata.submit(member, genera, row.id))
    # the third by CSV: a validation error first, then corrected
    good = figures(2)
    bad = figures(2)
    bad["staff"]["A|men"] = -4
    with pytest.raises(ValidationFailed) as failure:
        await genderdata.save_csv(
            members[2], genera, "genera", institutes[2].id, 2024, filled_csv(bad)
        )
    assert [e.field for e in failure.value.errors] == ["figures.staff.A|men"]
    row = await genderdata.save_csv(
        members[2], genera, "genera", institutes[2].id, 2024, filled_csv(good)
    )
    rows.append(await genderdata.submit(members[2], genera, row.id))
    framework = await row.framework
    assert (await genderdata.network_table(framework, 2024, "staff")).table is None  # none valid
    for row in rows:
        assert (
            await genderdata.validate(steward, genera, row.id)
        ).state is SubmissionState.VALIDATED
    aggregate = await genderdata.network_table(await row.framework, 2024, "staff")
    assert aggregate is not None
    assert aggregate.cell("A", "women") is None  # 1 + 1 + 2 = 4: suppressed, never 0
    # and no subtraction in row A gives it back
    hidden = [g for g in ("men", "other", "unknown") if aggregate.cell("A", g) is None]
    assert hidden or aggregate.row_total("A") is None
    assert aggregate.cell("C", "women") == 30
    assert await Revision.filter(content_type="Submission").count() >= 9


async def test_permission_table(clean_database):
    genera, institutes, steward, members = await network()
    other = await factories.tenant()
    outsider = Principal(token_id=0, name="out", role=Role.ADMIN, tenant_id=other.id)
    viewer = Principal(token_id=0, name="v", role=Role.VIEWER, tenant_id=genera.id,
                       organisation_id=institutes[0].id)  # fmt: skip
    # define: stewards only
    for who in (members[0], outsider):
        with pytest.raises(PermissionDenied):
            await genderdata.define_framework(who, genera, "g", "G", SHE_FIGURES, 2020, 2030)
    version = await genderdata.define_framework(steward, genera, "g", "G", SHE_FIGURES, 2020, 2030)
    await genderdata.publish_version(steward, genera, version.id)
    # save: own institute's writing tokens only
    for who in (steward, outsider, members[1], viewer):
        with pytest.raises(PermissionDenied):
            await genderdata.save_figures(who, genera, "g", institutes[0].id, 2024, figures(5))
    row = await genderdata.save_figures(members[0], genera, "g", institutes[0].id, 2024, figures(5))
    # raw figures: own institute and stewards
    assert genderdata.may_read_raw(members[0], row) and genderdata.may_read_raw(steward, row)
    assert genderdata.may_read_raw(viewer, row)
    for who in (None, outsider, members[1]):
        assert not genderdata.may_read_raw(who, row)
    # submit: own institute; validate and return: stewards
    with pytest.raises(NotFound):
        await genderdata.submit(members[1], genera, row.id)
    await genderdata.submit(members[0], genera, row.id)
    with pytest.raises(PermissionDenied):
        await genderdata.validate(members[0], genera, row.id)
    with pytest.raises(NotFound):
        await genderdata.validate(outsider, genera, row.id)
    returned = await genderdata.return_submission(steward, genera, row.id, "Check grade C.")
    assert (returned.state, returned.comments) == (SubmissionState.RETURNED, "Check grade C.")
    # a step the state does not start from has its own code
    with pytest.raises(RuleBroken) as wrong:
        await genderdata.validate(steward, genera, row.id)
    assert wrong.value.code is ErrorCode.INVALID_SUBMISSION_STEP
