"""`node(id:)` resolves frameworks, versions and submissions as their lookups do, and their
relations load through per-request loaders."""

from __future__ import annotations

import pytest

from cms.auth import Principal
from cms.models import DataFramework, FrameworkVersion, Role
from cms.services import genderdata
from cms.services.frameworks import SHE_FIGURES
from schema.core.ids import to_global_id
from tests.schema.genderdata.support import ask, world
from tests.support.database import SQLCounter

pytestmark = pytest.mark.anyio

NODE = """query ($id: ID!) { node(id: $id) { __typename id
  ... on DataFramework { code versions { number status } }
  ... on DataFrameworkVersion { number status framework { code } }
  ... on DataSubmission { year figures framework { code } reportedUnder { number } } } }"""


async def test_node_resolves_each_type_with_its_lookup_rule(client):
    genera = await world(years={2024: 1})
    other = await world("other-network", years={2024: 1})
    framework = await DataFramework.get(tenant_id=genera.tenant.id)
    published = await FrameworkVersion.get(framework_id=framework.id)
    steward = Principal(token_id=0, name="s", role=Role.EDITOR, tenant_id=genera.tenant.id)
    draft = await genderdata.define_framework(
        steward, genera.tenant, "genera", "GENERA", SHE_FIGURES, 2020, 2031
    )
    submission = next(iter(genera.submissions.values()))
    ids = {
        "framework": to_global_id("DataFramework", framework.id),
        "published": to_global_id("DataFrameworkVersion", published.id),
        "draft": to_global_id("DataFrameworkVersion", draft.id),
        "submission": to_global_id("DataSubmission", submission),
    }

    async def node(name: str, token: str | None = None, tenant: str = "genera"):
        return (await ask(client, NODE, {"id": ids[name]}, token=token, tenant=tenant))["node"]

    # the public: the framework and its published version, no draft, no raw figures
    assert (await node("framework"))["versions"] == [{"number": 1, "status": "published"}]
    assert (await node("published"))["framework"] == {"code": "genera"}
    assert await node("draft") is None
    assert await node("submission") is None
    # the stewards: drafts too, and every submission with its version and framework
    seen = await node("framework", genera.steward)
    assert [v["status"] for v in seen["versions"]] == ["published", "draft"]
    assert (await node("draft", genera.steward))["status"] == "draft"
    raw = await node("submission", genera.steward)
    assert raw["reportedUnder"] == {"number": 1} and raw["framework"] == {"code": "genera"}
    assert raw["figures"]["staff"]["A|women"] == 24
    # the institute: its own submission
    assert (await node("submission", genera.institutes[0]))["year"] == 2024
    # another network, even its stewards: nothing of genera's through node
    for name in ids:
        assert await node(name, other.steward, tenant="other-network") is None
        assert await node(name, other.institutes[0], tenant="other-network") is None
    # and genera's stewards nothing of the other network's
    theirs = to_global_id("DataSubmission", next(iter(other.submissions.values())))
    found = await ask(client, NODE, {"id": theirs}, token=genera.steward)
    assert found["node"] is None
    # without a tenant (the platform scope) no gender data at all
    for name in ids:
        body = await ask(client, NODE, {"id": ids[name]}, tenant=None)
        assert body["node"] is None


LIST = """{ dataSubmissions(code: "genera", year: 2024) {
  frameworkVersion reportedUnder { number framework { code } } framework { name } } }"""


async def statements_for(client, token: str, counter: SQLCounter) -> int:
    counter.statements.clear()
    data = await ask(client, LIST, token=token)
    assert all(s["reportedUnder"]["number"] == 1 for s in data["dataSubmissions"])
    # the gender-data statements (the tenant directory reloads on its own schedule)
    return len([s for s in counter.statements if '"data_' in s])


async def test_relations_load_in_a_fixed_number_of_queries(client, sql_counter):
    one = await world(institutes=3, years={2024: 1})
    few = await statements_for(client, one.steward, sql_counter)
    for org in one.organisations[1:]:
        member = Principal(token_id=0, name="i", role=Role.CONTRIBUTOR,
                           tenant_id=one.tenant.id, organisation_id=org.id)  # fmt: skip
        await genderdata.save_figures(member, one.tenant, "genera", org.id, 2024, {})
    many = (await ask(client, LIST, token=one.steward))["dataSubmissions"]
    assert len(many) == 3
    many_statements = await statements_for(client, one.steward, sql_counter)
    assert many_statements == few, sql_counter.statements
