"""Every cell of the gender-data permission table (README, cms/services/genderdata.py), over
HTTP: each kind of caller tries each action on a fresh network, and the answer says whether it
was allowed. A cell that is wrongly open or wrongly shut fails on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cms.services import genderdata, tokens
from cms.services.frameworks import SHE_FIGURES
from schema.core.ids import to_global_id
from tests import factories
from tests.schema.genderdata.test_scenario import figures
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

CALLERS = (
    "public",
    "other-tenant-admin",
    "institute",
    "institute-viewer",
    "other-institute",
    "steward-editor",
    "steward-admin",
    "platform-admin",
)
STEWARDS = {"steward-editor", "steward-admin", "platform-admin"}
RAW = {"institute", "institute-viewer", *STEWARDS}
EVERYONE = set(CALLERS)
# action -> the callers allowed to do it
TABLE: dict[str, set[str]] = {
    "read published versions and the template": EVERYONE,
    "read draft versions": STEWARDS,
    "define a framework version": STEWARDS,
    "publish a version": STEWARDS,
    "save figures of the institute": {"institute"},
    "submit the institute's draft": {"institute"},
    "read the institute's raw figures": RAW,
    "reach the institute's submission by node": RAW,
    "validate a submission": STEWARDS,
    "return a submission": STEWARDS,
    "read the protected network figures and charts": EVERYONE,
    "see the institute's benchmark": RAW,
    "export the institute's raw rows as CSV": RAW,
}

DEFINE = """mutation ($input: DefineDataFrameworkInput!) { defineDataFramework(input: $input) {
  version { id status } errors { code } } }"""
PUBLISH = """mutation ($id: ID!) { publishDataFrameworkVersion(id: $id) {
  version { status } errors { code } } }"""
VERSIONS = """{ dataFrameworkVersions(code: "genera") { number status }
  submissionTemplate(code: "genera", year: 2024) }"""
SAVE = """mutation ($org: ID!, $figures: JSON) {
  saveDataSubmission(code: "genera", organisationId: $org, year: 2024, figures: $figures) {
    submission { id state } errors { code } } }"""
STEP = """mutation ($id: ID!) { %s(id: $id) { submission { state } errors { code } } }"""
RETURN = """mutation ($id: ID!) { returnDataSubmission(id: $id, comments: "Grade C?") {
  submission { state } errors { code } } }"""
RAW_FIGURES = """{ dataSubmissions(code: "genera", year: 2024) { id figures } }"""
NODE = """query ($id: ID!) { node(id: $id) { id ... on DataSubmission { figures } } }"""
COMPARE = """query ($org: ID) { genderComparison(code: "genera", year: 2024, organisationId: $org)
  { institutes shareOfWomen { grade suppressed } charts { url alt } benchmark { grade own } } }"""
CSV = """{ genderDataCsv(code: "genera", year: 2024) }"""


@dataclass
class Network:
    client: httpx.AsyncClient
    tokens: dict[str, str | None]
    organisation: str  # the institute's global id
    organisation_pk: int
    draft_version: str
    submission: str  # the institute's submission (a draft, or submitted for the stewards)

    async def ask(self, caller: str, query: str, variables: dict[str, Any] | None = None):
        token = self.tokens[caller]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = (
            await graphql(self.client, query, variables, tenant="genera", headers=headers)
        ).json()
        assert "errors" not in body, body
        return body["data"]


async def setup(client: httpx.AsyncClient, *, submitted: bool) -> Network:
    genera = await factories.tenant(slug="genera", kind="programme")
    other = await factories.tenant(slug="other-cop")
    organisations = []
    for _ in range(2):
        org = await factories.organisation(genera)
        await org.memberships.add(genera)
        organisations.append(org)
    values: dict[str, str | None] = {"public": None}
    _, values["other-tenant-admin"] = await tokens.create_token("out", "admin", other.slug)
    _, values["steward-editor"] = await tokens.create_token("editor", "editor", "genera")
    _, values["steward-admin"] = await tokens.create_token("admin", "admin", "genera")
    _, values["platform-admin"] = await tokens.create_token("platform", "admin", None)
    for name, role, org in (
        ("institute", "contributor", organisations[0]),
        ("institute-viewer", "viewer", organisations[0]),
        ("other-institute", "contributor", organisations[1]),
    ):
        _, values[name] = await tokens.create_token(name, role, "genera")
        await genderdata.bind_token(name, org.id)
    network = Network(client, values, to_global_id("Organisation", organisations[0].id),
                      organisations[0].id, "", "")  # fmt: skip
    framework = {"code": "genera", "name": "GENERA", "definition": SHE_FIGURES,
                 "firstYear": 2020, "lastYear": 2030}  # fmt: skip
    first = await network.ask("steward-editor", DEFINE, {"input": framework})
    await network.ask(
        "steward-editor", PUBLISH, {"id": first["defineDataFramework"]["version"]["id"]}
    )
    second = await network.ask("steward-editor", DEFINE, {"input": framework})
    network.draft_version = second["defineDataFramework"]["version"]["id"]
    saved = await network.ask(
        "institute", SAVE, {"org": network.organisation, "figures": figures(7)}
    )
    network.submission = saved["saveDataSubmission"]["submission"]["id"]
    if submitted:
        await network.ask("institute", STEP % "submitDataSubmission", {"id": network.submission})
    return network


def ok(payload: dict[str, Any]) -> bool:
    return payload["errors"] == []


async def attempt(network: Network, caller: str, action: str) -> bool:
    ask = network.ask
    if action == "read published versions and the template":
        data = await ask(caller, VERSIONS)
        published = [
            v["number"] for v in data["dataFrameworkVersions"] if v["status"] == "published"
        ]
        return published == [1] and data["submissionTemplate"] is not None
    if action == "read draft versions":
        data = await ask(caller, VERSIONS)
        return any(v["status"] == "draft" for v in data["dataFrameworkVersions"])
    if action == "define a framework version":
        framework = {"code": "genera", "name": "GENERA", "definition": SHE_FIGURES,
                     "firstYear": 2020, "lastYear": 2030}  # fmt: skip
        return ok((await ask(caller, DEFINE, {"input": framework}))["defineDataFramework"])
    if action == "publish a version":
        published = await ask(caller, PUBLISH, {"id": network.draft_version})
        return ok(published["publishDataFrameworkVersion"])
    if action == "save figures of the institute":
        saved = await ask(caller, SAVE, {"org": network.organisation, "figures": figures(6)})
        return ok(saved["saveDataSubmission"])
    if action == "submit the institute's draft":
        done = await ask(caller, STEP % "submitDataSubmission", {"id": network.submission})
        return ok(done["submitDataSubmission"])
    if action == "read the institute's raw figures":
        rows = (await ask(caller, RAW_FIGURES))["dataSubmissions"]
        return [r["id"] for r in rows] == [network.submission]
    if action == "reach the institute's submission by node":
        found = (await ask(caller, NODE, {"id": network.submission}))["node"]
        return found is not None and found["figures"]["staff"]["A|women"] == 7
    if action == "validate a submission":
        done = await ask(caller, STEP % "validateDataSubmission", {"id": network.submission})
        return ok(done["validateDataSubmission"])
    if action == "return a submission":
        return ok((await ask(caller, RETURN, {"id": network.submission}))["returnDataSubmission"])
    if action == "read the protected network figures and charts":
        compared = (await ask(caller, COMPARE))["genderComparison"]
        url = compared["charts"][0]["url"]
        return compared["institutes"] == 0 and (await network.client.get(url)).status_code == 200
    if action == "see the institute's benchmark":
        compared = await ask(caller, COMPARE, {"org": network.organisation})
        return compared["genderComparison"]["benchmark"] != []
    if action == "export the institute's raw rows as CSV":
        return (
            f"organisation:{network.organisation_pk}:" in (await ask(caller, CSV))["genderDataCsv"]
        )
    raise AssertionError(action)


# steps a steward takes need a submitted submission; the institute submits a draft
NEEDS_SUBMITTED = {"validate a submission", "return a submission"}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", list(TABLE))
async def test_permission_cell(client, caller: str, action: str) -> None:
    network = await setup(client, submitted=action in NEEDS_SUBMITTED)
    assert await attempt(network, caller, action) is (caller in TABLE[action])
