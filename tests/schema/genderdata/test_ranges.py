"""Comparisons over a range of years, the funnel and trend charts, full-time equivalents and the
CSV as a multipart file, through GraphQL over HTTP."""

from __future__ import annotations

import pytest

from cms.auth import Principal
from cms.models import Role
from cms.services import genderdata
from cms.services.frameworks import MAX_CSV_BYTES, SHE_FIGURES
from schema.core.ids import to_global_id
from tests.schema.genderdata.support import ask, world
from tests.schema.genderdata.test_scenario import figures
from tests.support.api import graphql
from tests.support.uploads import upload

pytestmark = pytest.mark.anyio

OVER_YEARS = """query ($from: Int!, $to: Int!) {
  genderComparisonOverYears(code: "genera", fromYear: $from, toYear: $to) {
    fromYear toYear years institutes glassCeilingIndex
    shareOfWomen { grade women total suppressed }
    recruitmentFunnel { grade women total }
    trend { year institutes shareOfWomen { grade women total } recruitmentFunnel { grade women } }
    charts { kind url alt } } }"""
ONE_YEAR = """{ genderComparison(code: "genera", year: 2024) {
  shareOfWomen { grade women total } charts { kind url alt } } }"""


async def test_a_range_of_years_sums_the_counted_years_and_keeps_each_year(client):
    net = await world(years={2022: 2, 2023: 3, 2024: 3})
    over = (await ask(client, OVER_YEARS, {"from": 2022, "to": 2024}))["genderComparisonOverYears"]
    # 2022 has two institutes, under the minimum: shown as nothing and left out of the sum
    assert (over["fromYear"], over["toYear"], over["years"], over["institutes"]) == (
        2022, 2024, [2023, 2024], 3,
    )  # fmt: skip
    grade_c = next(s for s in over["shareOfWomen"] if s["grade"] == "C")
    assert (grade_c["women"], grade_c["total"]) == (60, 180)
    applicants = over["recruitmentFunnel"][0]
    assert (applicants["grade"], applicants["women"], applicants["total"]) == (
        "applicants",
        60,
        180,
    )
    assert [(p["year"], p["institutes"]) for p in over["trend"]] == [
        (2022, 2), (2023, 3), (2024, 3),
    ]  # fmt: skip
    assert all(s["women"] is None for s in over["trend"][0]["shareOfWomen"])
    # each year of the range is what the year alone shows
    alone = (await ask(client, ONE_YEAR))["genderComparison"]
    assert over["trend"][2]["shareOfWomen"] == alone["shareOfWomen"]
    # no cell is a zero: zeros are suppressed like any small count
    for point in over["trend"]:
        assert all(s["women"] != 0 for s in point["shareOfWomen"])

    # the trend chart, with its text alternative, made anew when the data changes
    [chart] = over["charts"]
    assert chart["kind"] == "trend"
    assert chart["url"] == "/media/charts/genera/genera/trend-2022-2024.svg"
    assert "2022: no network figures (too few institutes)" in chart["alt"]
    assert "2024: grade A: " in chart["alt"]
    first = await client.get(chart["url"])
    assert first.status_code == 200 and first.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in first.content
    member = Principal(token_id=0, name="i", role=Role.CONTRIBUTOR, tenant_id=net.tenant.id,
                       organisation_id=net.organisations[0].id)  # fmt: skip
    await genderdata.save_figures(member, net.tenant, "genera", net.organisations[0].id, 2023,
                                  figures(5))  # fmt: skip
    again = await client.get(chart["url"])
    assert again.status_code == 200 and again.headers["etag"] != first.headers["etag"]

    # bounded: at most 30 years, by the API and by the chart route
    body = (await graphql(client, OVER_YEARS, {"from": 2000, "to": 2030}, tenant="genera")).json()
    assert body["errors"][0]["extensions"]["reason"] == "INVALID_INPUT"
    assert (await client.get("/media/charts/genera/genera/trend-2020-2060.svg")).status_code == 404
    assert (await client.get("/media/charts/genera/genera/trend-2024-2020.svg")).status_code == 404
    # another tenant has no such framework
    other = await world("other-network")
    assert other.tenant.slug == "other-network"
    none = await ask(client, OVER_YEARS, {"from": 2022, "to": 2024}, tenant="other-network")
    assert none["genderComparisonOverYears"]["years"] == []


async def test_the_funnel_chart_beside_share_by_grade_and_scissors(client):
    await world(years={2024: 3})
    found = (await ask(client, ONE_YEAR))["genderComparison"]["charts"]
    assert [c["kind"] for c in found] == ["share-by-grade", "scissors", "funnel"]
    funnel = found[2]
    assert funnel["alt"].startswith("Share of women by recruitment stage, 2024: applicants: 33%")
    response = await client.get(funnel["url"])
    assert response.status_code == 200 and b"<svg" in response.content
    assert b"Share of women by recruitment stage" in response.content


FTE = {
    "dimensions": SHE_FIGURES["dimensions"],
    "indicators": [
        *SHE_FIGURES["indicators"],
        {"code": "fte", "name": "Research staff in FTE", "definition": "Full-time equivalents.",
         "unit": "fte", "breakdowns": ["grade", "gender"], "required": False},
    ],
}  # fmt: skip
SAVE = """mutation ($org: ID!, $figures: JSON) {
  saveDataSubmission(code: "genera", organisationId: $org, year: 2024, figures: $figures) {
    submission { id figures } errors { field code } } }"""
CSV = """{ genderDataCsv(code: "genera", year: 2024) }"""


async def test_full_time_equivalents_are_kept_and_shown_exactly(client):
    net = await world(definition=FTE)
    steward = Principal(token_id=0, name="s", role=Role.EDITOR, tenant_id=net.tenant.id)
    for org, token in zip(net.organisations, net.institutes, strict=True):
        given = figures(7) | {"fte": {"A|women": "12.5", "A|men": 20.25, "A|total": "32.75"}}
        saved = await ask(client, SAVE, {"org": to_global_id("Organisation", org.id),
                                          "figures": given}, token=token)  # fmt: skip
        submission = saved["saveDataSubmission"]["submission"]
        assert submission["figures"]["fte"] == {
            "A|women": "12.50", "A|men": "20.25", "A|total": "32.75"
        }  # fmt: skip
        assert submission["figures"]["staff"]["A|women"] == 7  # headcounts stay whole
        member = Principal(token_id=0, name="i", role=Role.CONTRIBUTOR, tenant_id=net.tenant.id,
                           organisation_id=org.id)  # fmt: skip
        row_id = int(await _pk(submission["id"]))
        await genderdata.submit(member, net.tenant, row_id)
        await genderdata.validate(steward, net.tenant, row_id)
    wrong = {"fte": {"A|women": 1.005}}
    refused = await ask(client, SAVE, {"org": to_global_id("Organisation", net.organisations[0].id),
                                        "figures": wrong}, token=net.institutes[0])  # fmt: skip
    assert refused["saveDataSubmission"]["errors"] == [
        {"field": "figures.fte.A|women", "code": "TOO_MANY_DECIMALS"}
    ]
    public = (await ask(client, CSV))["genderDataCsv"]
    assert "network,fte,A,women,37.50" in public  # 3 x 12.50, not 36 (truncated) nor 37.5
    assert "network,fte,A,total,98.25" in public
    assert "network,fte,B,women,suppressed" in public  # a zero, suppressed
    own = (await ask(client, CSV, token=net.institutes[0]))["genderDataCsv"]
    assert f"organisation:{net.organisations[0].id}:validated,fte,A,women,12.50" in own


async def _pk(global_id: str) -> int:
    from schema.core.ids import from_global_id

    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


UPLOAD = """mutation ($file: Upload, $org: ID!) {
  saveDataSubmission(code: "genera", organisationId: $org, year: 2024, file: $file) {
    submission { state figures } errors { field code } } }"""


async def test_the_csv_comes_as_a_multipart_file(client):
    net = await world()
    org = to_global_id("Organisation", net.organisations[0].id)
    template = await ask(client, '{ submissionTemplate(code: "genera", year: 2024) }')
    lines = template["submissionTemplate"].splitlines()
    filled = "\n".join([lines[0], *(line + "7" for line in lines[1:] if "|total" not in line)])

    async def send(data: bytes) -> dict:
        response = await upload(client, UPLOAD, data, "figures.csv", {"org": org},
                                token=net.institutes[0], tenant="genera")  # fmt: skip
        body = response.json()
        assert "errors" not in body, body
        return body["data"]["saveDataSubmission"]

    saved = await send(("\ufeff" + filled).encode())  # a spreadsheet's UTF-8 with a BOM
    assert saved["errors"] == [] and saved["submission"]["figures"]["staff"]["A|women"] == 7
    wrong = "\n".join(
        line.rsplit(",", 1)[0] + ",-3" if line.startswith("staff,A|men,") else line
        for line in filled.splitlines()
    )
    failed = await send(wrong.encode())
    assert failed["errors"] == [{"field": "figures.staff.A|men", "code": "NEGATIVE_FIGURE"}]
    big = await send(b"indicator,cell,label,value\n" + b"x" * MAX_CSV_BYTES)
    assert big["errors"] == [{"field": "file", "code": "FILE_TOO_LARGE"}]
    latin = await send(
        "indicator,cell,label,value\nstaff,A|women,Pr\xe9sident,3\n".encode("latin-1")
    )
    assert latin["errors"] == [{"field": "file", "code": "INVALID_CSV"}]
    # the viewer-less outsider cannot upload for the institute
    denied = await upload(client, UPLOAD, filled.encode(), "f.csv", {"org": org},
                          token=net.institutes[1], tenant="genera")  # fmt: skip
    assert denied.json()["data"]["saveDataSubmission"]["errors"][0]["code"] == "PERMISSION_DENIED"
