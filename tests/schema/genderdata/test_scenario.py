"""The issue's scenario through GraphQL over HTTP, with another tenant, the public and another
institute looking on."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from cms.services import genderdata, tokens
from cms.services.frameworks import SHE_FIGURES, cells
from schema.core.ids import to_global_id
from tests import factories
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

DEFINE = """mutation ($input: DefineDataFrameworkInput!) { defineDataFramework(input: $input) {
  version { id number } errors { field code } } }"""
PUBLISH = """mutation ($id: ID!) { publishDataFrameworkVersion(id: $id) {
  version { status } errors { code } } }"""
TEMPLATE = 'query { submissionTemplate(code: "genera", year: 2024) }'
SAVE = """mutation ($org: ID!, $figures: JSON, $csv: String) {
  saveDataSubmission(
    code: "genera", organisationId: $org, year: 2024, figures: $figures, csv: $csv
  ) {
    submission { id state version frameworkVersion } errors { field code message } } }"""
SUBMIT = """mutation ($id: ID!) { submitDataSubmission(id: $id) {
  submission { state } errors { field code } } }"""
VALIDATE = """mutation ($id: ID!) { validateDataSubmission(id: $id) {
  submission { state } errors { code } } }"""
COMPARE = """query { genderComparison(code: "genera", year: 2024) {
  institutes glassCeilingIndex shareOfWomen { grade women total share suppressed }
  benchmark { grade own lower median upper } } }"""
RAW = """query { dataSubmissions(code: "genera", year: 2024) { organisationId figures } }"""


def figures(a_women: int) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for spec in SHE_FIGURES["indicators"]:
        for key, _ in cells(SHE_FIGURES, spec["code"]):
            if not key.endswith("|total"):
                out.setdefault(spec["code"], {})[key] = 0 if "|other" in key else 10
    out["staff"]["A|women"] = a_women
    return out


def fill(template: str, values: dict[str, dict[str, int]]) -> str:
    rows = list(csv.reader(io.StringIO(template)))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for code, key, label, _ in rows[1:]:
        writer.writerow((code, key, label, values.get(code, {}).get(key, "")))
    return out.getvalue()


async def call(client, query: str, variables: dict[str, Any] | None = None, *, token=None,
               tenant: str = "genera") -> dict[str, Any]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = (await graphql(client, query, variables, tenant=tenant, headers=headers)).json()
    assert "errors" not in body, body
    return body["data"]


async def test_genera_scenario(client):
    genera = await factories.tenant(slug="genera", kind="programme")
    other = await factories.tenant(slug="other-cop")
    institutes = []
    for _ in range(3):
        org = await factories.organisation(genera)
        await org.memberships.add(genera)
        institutes.append(org)
    _, steward = await tokens.create_token("stewards", "editor", "genera")
    members = []
    for i, org in enumerate(institutes):
        _, value = await tokens.create_token(f"institute-{i}", "contributor", "genera")
        await genderdata.bind_token(f"institute-{i}", org.id)
        members.append(value)
    _, outsider = await tokens.create_token("outsider", "admin", other.slug)
    ids = [to_global_id("Organisation", org.id) for org in institutes]

    # the stewards publish the framework; an institute may not
    framework = {"code": "genera", "name": "GENERA", "definition": SHE_FIGURES,
                 "firstYear": 2020, "lastYear": 2030}  # fmt: skip
    refused = await call(client, DEFINE, {"input": framework}, token=members[0])
    assert refused["defineDataFramework"]["errors"][0]["code"] == "PERMISSION_DENIED"
    defined = await call(client, DEFINE, {"input": framework}, token=steward)
    version = defined["defineDataFramework"]["version"]
    published = await call(client, PUBLISH, {"id": version["id"]}, token=steward)
    assert published["publishDataFrameworkVersion"]["version"]["status"] == "published"

    # two institutes through the API, the third by CSV: an error first, then corrected
    submissions = []
    for token, org, a_women in zip(members[:2], ids[:2], (1, 1), strict=True):
        saved = await call(client, SAVE, {"org": org, "figures": figures(a_women)}, token=token)
        submissions.append(saved["saveDataSubmission"]["submission"]["id"])
    template = (await call(client, TEMPLATE))["submissionTemplate"]
    wrong = figures(2)
    wrong["staff"]["B|men"] = -3
    failed = await call(
        client, SAVE, {"org": ids[2], "csv": fill(template, wrong)}, token=members[2]
    )
    negative = "Counts are never negative."
    assert failed["saveDataSubmission"]["errors"] == [
        {"field": "figures.staff.B|men", "code": "NEGATIVE_FIGURE", "message": negative}
    ]
    fixed = await call(
        client, SAVE, {"org": ids[2], "csv": fill(template, figures(2))}, token=members[2]
    )
    third = fixed["saveDataSubmission"]["submission"]
    assert third["frameworkVersion"] == 1
    submissions.append(third["id"])
    for token, sid in zip(members, submissions, strict=True):
        done = await call(client, SUBMIT, {"id": sid}, token=token)
        assert done["submitDataSubmission"]["submission"]["state"] == "submitted"
    # an institute cannot validate; the stewards do
    denied = await call(client, VALIDATE, {"id": submissions[0]}, token=members[0])
    assert denied["validateDataSubmission"]["errors"][0]["code"] == "PERMISSION_DENIED"
    for sid in submissions:
        done = await call(client, VALIDATE, {"id": sid}, token=steward)
        assert done["validateDataSubmission"]["submission"]["state"] == "validated"

    # the public: protected figures, small cells null (never 0), no raw figures, no benchmark
    public = (await call(client, COMPARE))["genderComparison"]
    assert public["institutes"] == 3
    grade_a = public["shareOfWomen"][0]
    assert grade_a == {"grade": "A", "women": None, "total": 64, "share": None, "suppressed": True}
    assert public["shareOfWomen"][2]["women"] == 30
    assert public["glassCeilingIndex"] is None  # it would need grade A's women
    assert public["benchmark"] == []
    assert (await call(client, RAW))["dataSubmissions"] == []
    # another tenant's token is the public here
    assert (await call(client, RAW, token=outsider))["dataSubmissions"] == []
    assert (await call(client, COMPARE, token=outsider))["genderComparison"]["benchmark"] == []

    # an institute's member: its own raw figures beside the network's quartiles
    own = await call(client, RAW, token=members[2])
    assert [s["organisationId"] for s in own["dataSubmissions"]] == [ids[2]]
    assert own["dataSubmissions"][0]["figures"]["staff"]["A|women"] == 2
    mine = (await call(client, COMPARE, token=members[2]))["genderComparison"]["benchmark"]
    assert mine[0]["grade"] == "A" and mine[0]["own"] == 2 / 22
    assert (
        mine[0]["median"] is not None and mine[0]["lower"] <= mine[0]["median"] <= mine[0]["upper"]
    )
    # another institute's member does not see them
    others = await call(client, RAW, token=members[0])
    assert [s["organisationId"] for s in others["dataSubmissions"]] == [ids[0]]
    asked = """query ($org: ID) {
      genderComparison(code: "genera", year: 2024, organisationId: $org) { benchmark { own } } }"""
    peek = await call(client, asked, {"org": ids[2]}, token=members[0])
    assert peek["genderComparison"]["benchmark"] == []
    # the stewards see every institute
    assert len((await call(client, RAW, token=steward))["dataSubmissions"]) == 3
    # another tenant sees no framework at all
    assert (await call(client, COMPARE, tenant="other-cop"))["genderComparison"] is None

    # the chart: an SVG of protected figures, with its text alternative, cached until the data
    # changes
    asked = """query { genderComparison(code: "genera", year: 2024) { charts { kind url alt } } }"""
    found = (await call(client, asked))["genderComparison"]["charts"]
    bars = found[0]
    assert bars["kind"] == "share-by-grade"
    assert "grade A: suppressed (small numbers)" in bars["alt"]
    assert "grade C: 33% women" in bars["alt"]
    response = await client.get(bars["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b"<svg" in response.content
    first_etag = response.headers["etag"]
    assert (await client.get(bars["url"])).headers["etag"] == first_etag
    # a correction takes a validated submission back to draft: the chart is made anew
    await call(client, SAVE, {"org": ids[0], "figures": figures(1)}, token=members[0])
    again = await client.get(bars["url"])
    assert again.status_code == 200 and again.headers["etag"] != first_etag
    assert (
        await client.get("/media/charts/genera/genera/share-by-grade-1999.svg")
    ).status_code == 404
    assert (await client.get("/media/charts/genera/nothing/scissors-2024.svg")).status_code == 404

    # CSV export of what each caller may see
    export = 'query { genderDataCsv(code: "genera", year: 2024) }'
    public_csv = (await call(client, export))["genderDataCsv"]
    assert "network,staff,A,women,suppressed" in public_csv
    # institute 0's correction is a draft again: two validated institutes are under the minimum
    assert "network,staff,C,women,suppressed" in public_csv
    assert "organisation:" not in public_csv
    own_csv = (await call(client, export, token=members[2]))["genderDataCsv"]
    assert f"organisation:{institutes[2].id}:validated,staff,A,women,2" in own_csv
    assert f"organisation:{institutes[1].id}:" not in own_csv
    steward_csv = (await call(client, export, token=steward))["genderDataCsv"]
    assert all(f"organisation:{org.id}:" in steward_csv for org in institutes)

    # trends over years: protected year by year, bounded
    trend = """query ($to: Int!) { genderTrend(code: "genera", fromYear: 2023, toYear: $to) {
      year institutes shareOfWomen { grade women } } }"""
    points = (await call(client, trend, {"to": 2024}))["genderTrend"]
    assert [(p["year"], p["institutes"]) for p in points] == [(2023, 0), (2024, 2)]
    assert all(s["women"] is None for p in points for s in p["shareOfWomen"])
    body = (await graphql(client, trend, {"to": 2100}, tenant="genera")).json()
    assert body["errors"][0]["extensions"]["reason"] == "INVALID_INPUT"
