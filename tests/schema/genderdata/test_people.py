"""People acting for an institute, over HTTP: a tenant's admin binds a person's membership to
one of the network's member organisations (`setMembershipInstitute`), and the person then reads
and enters that institute's figures as a bound token with the same role does. Nothing carries
to another tenant: not a binding made in another network, nor one made in the tenant above."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cms.models import AuditEntry, CommunityRole, Membership, Role, Tenant
from cms.services import tokens
from schema.core.ids import to_global_id
from tests import factories
from tests.schema.genderdata import support
from tests.schema.genderdata.test_permissions import TABLE, attempt, setup
from tests.schema.genderdata.test_scenario import figures
from tests.support.accounts import person, session_of
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

BIND = """mutation ($id: ID!, $org: ID) { setMembershipInstitute(id: $id, organisationId: $org) {
  membership { id instituteId } errors { field code } } }"""
MEMBERSHIPS = "{ memberships(first: 50) { edges { node { id email instituteId } } } }"
RAW = """query ($year: Int!) { dataSubmissions(code: "genera", year: $year) {
  organisationId state figures } }"""
COMPARE = """query ($org: ID) { genderComparison(code: "genera", year: 2024, organisationId: $org)
  { institutes benchmark { grade own lower median upper } } }"""
SAVE = """mutation ($org: ID!, $figures: JSON) {
  saveDataSubmission(code: "genera", organisationId: $org, year: 2025, figures: $figures) {
    submission { id state } errors { code } } }"""
SUBMIT = """mutation ($id: ID!) { submitDataSubmission(id: $id) {
  submission { state } errors { code } } }"""


async def ask(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
              *, token: str | None, tenant: str = "genera") -> dict[str, Any]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = (await graphql(client, query, variables, tenant=tenant, headers=headers)).json()
    assert "errors" not in body, body
    return body["data"]


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


async def membership(email: str, tenant: Tenant) -> Membership:
    return await Membership.get(account__email=email, tenant_id=tenant.id)


async def bind(client: httpx.AsyncClient, admin: str, row: Membership, org: str | None,
               tenant: str = "genera") -> dict[str, Any]:  # fmt: skip
    """The setMembershipInstitute payload."""
    data = await ask(client, BIND, {"id": gid("Membership", row.id), "org": org},
                     token=admin, tenant=tenant)  # fmt: skip
    payload: dict[str, Any] = data["setMembershipInstitute"]
    return payload


# Each person, the token of the permission table they must match, and how they are made:
# (editorial role, community role, bound to: "own" or "other" institute, "elsewhere" = only in
# another network, "above" = only in the tenant above, or None).
@dataclass(frozen=True)
class Kind:
    like: str
    role: Role | None
    community: CommunityRole | None
    bound: str | None


PEOPLE = {
    "person-institute": Kind("institute", Role.CONTRIBUTOR, None, "own"),
    "person-member": Kind("institute-viewer", None, CommunityRole.MEMBER, "own"),
    "person-other-institute": Kind("other-institute", Role.CONTRIBUTOR, None, "other"),
    "person-unbound": Kind("public", Role.CONTRIBUTOR, CommunityRole.MEMBER, None),
    "person-bound-elsewhere": Kind("public", Role.CONTRIBUTOR, None, "elsewhere"),
    "person-bound-above": Kind("public", Role.CONTRIBUTOR, None, "above"),
}


async def add_person(client: httpx.AsyncClient, caller: str, network: Any) -> str:
    """A person of `PEOPLE` in the permission table's network; their session token."""
    kind, email = PEOPLE[caller], f"{caller}@example.org"
    genera = await Tenant.get(slug="genera")
    own, other = await genera.member_organisations.all().order_by("id")
    if kind.bound in ("elsewhere", "above"):
        # The institute is a member of a second network too, where the person is bound to it.
        second = await factories.tenant(slug="second", kind="programme")
        await own.memberships.add(second)
        _, admin = await tokens.create_token("second-admin", "admin", "second")
        roles = {second: (kind.role, kind.community)}
        if kind.bound == "elsewhere":
            roles[genera] = (kind.role, kind.community)
        else:
            await Tenant.filter(id=genera.id).update(parent_id=second.id)
        await person(email, roles=roles)
        row = await membership(email, second)
        done = await bind(client, admin, row, gid("Organisation", own.id), tenant="second")
        assert done["errors"] == [], done
    else:
        await person(email, roles={genera: (kind.role, kind.community)})
        if kind.bound is not None:
            org = own if kind.bound == "own" else other
            row = await membership(email, genera)
            admin = network.tokens["steward-admin"]
            done = await bind(client, admin, row, gid("Organisation", org.id))
            assert done["errors"] == [] and done["membership"]["instituteId"], done
    return await session_of(client, email)


@pytest.mark.parametrize("caller", list(PEOPLE))
@pytest.mark.parametrize("action", list(TABLE))
async def test_a_person_holds_the_cell_of_the_token_like_them(
    client: httpx.AsyncClient, caller: str, action: str
) -> None:
    network = await setup(client, submitted=action in {"validate a submission",
                                                       "return a submission"})  # fmt: skip
    network.tokens[caller] = await add_person(client, caller, network)
    assert await attempt(network, caller, action) is (PEOPLE[caller].like in TABLE[action])


async def test_a_bound_person_reads_their_figures_beside_the_quartiles_and_enters_them(
    client: httpx.AsyncClient,
) -> None:
    world = await support.world(years={2024: 3})
    _, admin = await tokens.create_token("genera-admin", "admin", "genera")
    org, other = (gid("Organisation", o.id) for o in world.organisations[:2])
    await person("ada@example.org", roles={world.tenant: (Role.CONTRIBUTOR, None)})
    await person("grace@example.org", roles={world.tenant: (Role.CONTRIBUTOR, None)})
    await person("alan@example.org", roles={world.tenant: (None, CommunityRole.MEMBER)})
    for email, institute in (("ada@example.org", org), ("grace@example.org", other)):
        done = await bind(client, admin, await membership(email, world.tenant), institute)
        assert done["errors"] == [] and done["membership"]["instituteId"] == institute
    ada, grace, alan = [
        await session_of(client, f"{name}@example.org") for name in ("ada", "grace", "alan")
    ]

    # Ada reads her institute's raw figures, and only those, as its bound token does.
    token_view = await ask(client, RAW, {"year": 2024}, token=world.institutes[0])
    mine = await ask(client, RAW, {"year": 2024}, token=ada)
    assert [r["organisationId"] for r in mine["dataSubmissions"]] == [org]
    assert mine == token_view
    # Her institute's own shares beside the network's quartiles, without naming it.
    compared = (await ask(client, COMPARE, token=ada))["genderComparison"]
    assert compared["institutes"] == 3 and compared["benchmark"] != []
    assert all(b["own"] is not None and b["median"] is not None for b in compared["benchmark"])
    by_token = await ask(client, COMPARE, {"org": org}, token=world.institutes[0])
    assert compared == by_token["genderComparison"]

    # Grace, bound to another institute, sees hers only and no benchmark of Ada's.
    hers = await ask(client, RAW, {"year": 2024}, token=grace)
    assert [r["organisationId"] for r in hers["dataSubmissions"]] == [other]
    assert (await ask(client, COMPARE, {"org": org}, token=grace))["genderComparison"][
        "benchmark"
    ] == []
    # Alan, an unbound member, sees no raw figures and no benchmark at all.
    assert (await ask(client, RAW, {"year": 2024}, token=alan))["dataSubmissions"] == []
    for variables in ({}, {"org": org}):
        compared = (await ask(client, COMPARE, variables, token=alan))["genderComparison"]
        assert compared["institutes"] == 3 and compared["benchmark"] == []

    # Ada enters and submits 2025's figures; Grace may not enter them for Ada's institute.
    refused = await ask(client, SAVE, {"org": org, "figures": figures(5)}, token=grace)
    assert refused["saveDataSubmission"]["errors"] == [{"code": "PERMISSION_DENIED"}]
    saved = (await ask(client, SAVE, {"org": org, "figures": figures(5)}, token=ada))[
        "saveDataSubmission"
    ]
    assert saved["errors"] == [] and saved["submission"]["state"] == "draft"
    submitted = await ask(client, SUBMIT, {"id": saved["submission"]["id"]}, token=ada)
    assert submitted["submitDataSubmission"] == {"submission": {"state": "submitted"},
                                                 "errors": []}  # fmt: skip
    entries = await AuditEntry.filter(content_type="Submission", account_id__not_isnull=True)
    assert sorted(e.action for e in entries) == ["create", "submitted"]
    assert (await ask(client, RAW, {"year": 2025}, token=grace))["dataSubmissions"] == []

    # Unbound again, Ada reads nothing raw any more.
    done = await bind(client, admin, await membership("ada@example.org", world.tenant), None)
    assert done == {"membership": {"id": done["membership"]["id"], "instituteId": None},
                    "errors": []}  # fmt: skip
    assert (await ask(client, RAW, {"year": 2024}, token=ada))["dataSubmissions"] == []


async def test_only_admins_bind_and_bad_ids_change_nothing(client: httpx.AsyncClient) -> None:
    world = await support.world(institutes=2)
    genera = world.tenant
    org = gid("Organisation", world.organisations[0].id)
    second = await factories.tenant(slug="second", kind="programme")
    elsewhere = await factories.organisation(second)
    await elsewhere.memberships.add(second)
    outsider = await factories.organisation(genera)  # of genera's, but not a member
    _, admin = await tokens.create_token("genera-admin", "admin", "genera")
    _, second_admin = await tokens.create_token("second-admin", "admin", "second")
    await person("ada@example.org", roles={genera: (Role.CONTRIBUTOR, None)})
    await person("boss@example.org", roles={genera: (Role.ADMIN, None)})
    await person("coord@example.org", roles={genera: (None, CommunityRole.COORDINATOR)})
    await person("bea@example.org", roles={second: (Role.CONTRIBUTOR, None)})
    ada = await membership("ada@example.org", genera)
    boss, coordinator = [await session_of(client, f"{n}@example.org") for n in ("boss", "coord")]

    # An admin person binds as an admin token does; the list shows it, an audit entry says so.
    done = await bind(client, boss, ada, org)
    assert done == {"membership": {"id": gid("Membership", ada.id), "instituteId": org},
                    "errors": []}  # fmt: skip
    listed = (await ask(client, MEMBERSHIPS, token=admin))["memberships"]["edges"]
    shown = {e["node"]["email"]: e["node"]["instituteId"] for e in listed}
    assert shown == {"ada@example.org": org, "boss@example.org": None, "coord@example.org": None}
    [entry] = await AuditEntry.filter(action="set-institute")
    assert (entry.object_id, entry.tenant_id, entry.content_type) == (ada.id, genera.id,
                                                                      "Membership")  # fmt: skip
    assert entry.account_id is not None

    bea = await membership("bea@example.org", second)
    refusals = [
        # Neither a coordinator nor an editor nor another tenant's admin may bind.
        (coordinator, ada, org, "genera", [(None, "PERMISSION_DENIED")]),
        (world.steward, ada, None, "genera", [("id", "NOT_FOUND")]),
        (second_admin, ada, None, "second", [("id", "NOT_FOUND")]),
        # An admin may not bind another tenant's membership, nor to a non-member.
        (admin, bea, org, "genera", [("id", "NOT_FOUND")]),
        (admin, ada, gid("Organisation", 10**6), "genera", [("organisationId", "NOT_FOUND")]),
        (admin, ada, gid("Profile", 1), "genera", [("organisationId", "NOT_FOUND")]),
        (admin, ada, "nonsense", "genera", [("organisationId", "NOT_FOUND")]),
        (admin, ada, gid("Organisation", outsider.id), "genera",
         [("organisationId", "NOT_AN_INSTITUTE")]),
        (admin, ada, gid("Organisation", elsewhere.id), "genera",
         [("organisationId", "NOT_AN_INSTITUTE")]),
    ]  # fmt: skip
    for token, row, institute, tenant, expected in refusals:
        answer = await bind(client, token, row, institute, tenant=tenant)
        assert answer["membership"] is None
        assert [(e["field"], e["code"]) for e in answer["errors"]] == expected, (token, institute)
    malformed = await ask(client, BIND, {"id": "nonsense", "org": None}, token=admin)
    assert malformed["setMembershipInstitute"]["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    bound = await membership("ada@example.org", genera)
    assert bound.organisation_id == world.organisations[0].id
    assert await AuditEntry.filter(action="set-institute").count() == 1
    # The coordinator's refusal did not even unbind.
    assert (await bind(client, coordinator, ada, None))["errors"] != []
    assert (await membership("ada@example.org", genera)).organisation_id is not None
