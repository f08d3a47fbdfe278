"""The permission table of the programme workflow (README, `cms/oversight.py`), every cell,
through the real services: each actor tries each act on its own fresh objects.

The world: programme P with hubs H and S (a sibling), CoPs C and D under H; programme Q with
hub F (foreign). The target is always CoP C (or P, or H).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cms import models
from cms.auth import Principal
from cms.errors import CMSError, NotFound, PermissionDenied
from cms.models import ApplicationState, Role, TenantKind
from cms.services import applications, attestations, content, outcomes, programmes, tenants
from cms.services.kinds import KINDS
from tests import factories

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]

ACTORS = (
    "public",
    "cop-viewer", "cop-contributor", "cop-editor", "cop-admin",
    "hub-viewer", "hub-editor", "hub-admin",
    "programme-viewer", "programme-admin",
    "sibling-hub-admin", "foreign-hub-admin", "other-cop-admin",
    "platform-admin",
)  # fmt: skip
# The expected table, written out (not derived from cms.oversight.TABLE): Y may, . may not.
EXPECTED = {
    #                       pub  cv cc ce ca  hv he ha  pv pa  sh fh oc  pl
    "read application":    ". " "Y Y Y Y " "Y Y Y " "Y Y " ". . . " "Y",
    "draft application":   ". " ". Y Y Y " ". . . " ". . " ". . . " "Y",
    "submit application":  ". " ". . Y Y " ". . . " ". . " ". . . " "Y",
    "comment":             ". " ". Y Y Y " ". Y Y " ". Y " ". . . " "Y",
    "decide application":  ". " ". . . . " ". Y Y " ". Y " ". . . " "Y",
    "curate outcome":      ". " ". . . . " ". Y Y " ". Y " ". . . " "Y",
    "attest":              ". " ". . . . " ". Y Y " ". Y " "Y . . " "Y",
    "update the CoP":      ". " ". . . . " ". . Y " ". Y " ". . . " "Y",
    "create a CoP under H": ". " ". . . . " ". . Y " ". Y " ". . . " "Y",
    "manage packages":     ". " ". . . . " ". . . " ". Y " ". . . " "Y",
    "edit CoP content":    ". " ". Y Y Y " ". . . " ". . " ". . . " "Y",
}  # fmt: skip


@dataclass
class World:
    tenants: dict[str, models.Tenant]
    package: models.SupportPackage
    profile: models.Profile
    principals: dict[str, Principal | None]


async def world() -> World:
    now = datetime.now(UTC)
    p = await factories.tenant(slug="p", kind=TenantKind.PROGRAMME)
    h = await factories.tenant(slug="h", kind=TenantKind.HUB, parent=p)
    s = await factories.tenant(slug="s", kind=TenantKind.HUB, parent=p)
    c = await factories.tenant(slug="c", kind=TenantKind.COP, parent=h)
    d = await factories.tenant(slug="d", kind=TenantKind.COP, parent=h)
    q = await factories.tenant(slug="q", kind=TenantKind.PROGRAMME)
    f = await factories.tenant(slug="f", kind=TenantKind.HUB, parent=q)
    await models.ProgrammeRules.create(
        programme=p,
        window_opens=now - timedelta(days=1),
        window_closes=now + timedelta(days=1),
        packages_per_cop=100,
        budget_per_cop_cents=10**9,
    )
    package = await models.SupportPackage.create(programme=p, number=1, slug="one", title="One")
    profile = await factories.profile(h, shared=True)

    def who(tenant: models.Tenant | None, role: Role) -> Principal:
        return Principal(token_id=0, name="t", role=role, tenant_id=tenant.id if tenant else None)

    principals: dict[str, Principal | None] = {
        "public": None,
        "cop-viewer": who(c, Role.VIEWER),
        "cop-contributor": who(c, Role.CONTRIBUTOR),
        "cop-editor": who(c, Role.EDITOR),
        "cop-admin": who(c, Role.ADMIN),
        "hub-viewer": who(h, Role.VIEWER),
        "hub-editor": who(h, Role.EDITOR),
        "hub-admin": who(h, Role.ADMIN),
        "programme-viewer": who(p, Role.VIEWER),
        "programme-admin": who(p, Role.ADMIN),
        "sibling-hub-admin": who(s, Role.ADMIN),
        "foreign-hub-admin": who(f, Role.ADMIN),
        "other-cop-admin": who(d, Role.ADMIN),
        "platform-admin": who(None, Role.ADMIN),
    }
    tenants_by_slug = {t.slug: t for t in (p, h, s, c, d, q, f)}
    return World(tenants_by_slug, package, profile, principals)


async def application(w: World, state: ApplicationState) -> models.Application:
    t = w.tenants
    return await models.Application.create(
        cop=t["c"], hub=t["h"], programme=t["p"], package=w.package, title="A", state=state
    )


async def proposed_outcome(w: World) -> models.Outcome:
    done = await application(w, ApplicationState.COMPLETED)
    resource = await factories.resource(w.tenants["c"])
    return await models.Outcome.create(application=done, resource=resource, proposed_by="t")


def acts() -> dict[str, Callable[[World, Principal], Awaitable[Any]]]:
    async def read(w: World, who: Principal) -> Any:
        return await applications.get(who, (await application(w, ApplicationState.DRAFT)).id)

    async def draft(w: World, who: Principal) -> Any:
        values = {"package_id": w.package.id, "title": "Ours"}
        return await applications.create(who, w.tenants["c"], values)

    async def submit(w: World, who: Principal) -> Any:
        row = await application(w, ApplicationState.DRAFT)
        return await applications.transition(who, row.id, "submit")

    async def comment(w: World, who: Principal) -> Any:
        row = await application(w, ApplicationState.SUBMITTED)
        return await applications.comment(who, row.id, "A question.")

    async def decide(w: World, who: Principal) -> Any:
        row = await application(w, ApplicationState.SUBMITTED)
        return await applications.transition(who, row.id, "negotiate")

    async def curate(w: World, who: Principal) -> Any:
        return await outcomes.decide(who, (await proposed_outcome(w)).id, False, "More, please.")

    async def attest(w: World, who: Principal) -> Any:
        values = {"role": "expert"}
        return await attestations.attest(who, w.profile.id, w.tenants["p"], values)

    async def update_cop(w: World, who: Principal) -> Any:
        return await tenants.update_tenant(who, "c", {"name": "Renamed"})

    async def create_cop(w: World, who: Principal) -> Any:
        slug = f"new-{factories._n()}"
        return await tenants.create_tenant(
            who, {"slug": slug, "name": "New", "kind": "cop", "parent": "h"}
        )

    async def packages(w: World, who: Principal) -> Any:
        return await programmes.update_package(who, w.package.id, {"title": "One, revised"})

    async def edit_content(w: World, who: Principal) -> Any:
        return await content.create(who, w.tenants["c"], KINDS["Resource"], {"title": "Ours"})

    return {
        "read application": read,
        "draft application": draft,
        "submit application": submit,
        "comment": comment,
        "decide application": decide,
        "curate outcome": curate,
        "attest": attest,
        "update the CoP": update_cop,
        "create a CoP under H": create_cop,
        "manage packages": packages,
        "edit CoP content": edit_content,
    }


@pytest.mark.parametrize("act", list(EXPECTED))
async def test_every_cell_of_the_permission_table(act: str) -> None:
    w = await world()
    expected = dict(zip(ACTORS, EXPECTED[act].split(), strict=True))
    outcome: dict[str, str] = {}
    for actor in ACTORS:
        principal = w.principals[actor]
        try:
            if principal is None:
                raise PermissionDenied("public")  # every service needs a principal
            await acts()[act](w, principal)
        except (PermissionDenied, NotFound):
            outcome[actor] = "."
        except CMSError as error:  # allowed, but another rule answered: still a Y
            outcome[actor] = f"Y({error.code})"
        else:
            outcome[actor] = "Y"
    assert {a: o[0] for a, o in outcome.items()} == expected, outcome


async def test_a_hub_cannot_edit_or_decide_in_a_cop_that_is_not_its_child() -> None:
    w = await world()
    foreign = w.principals["foreign-hub-admin"]
    sibling = w.principals["sibling-hub-admin"]
    assert foreign is not None and sibling is not None
    row = await application(w, ApplicationState.SUBMITTED)
    for who in (foreign, sibling):
        with pytest.raises(NotFound):
            await applications.transition(who, row.id, "approve")
        with pytest.raises(PermissionDenied):
            await content.create(who, w.tenants["c"], KINDS["Resource"], {"title": "Theirs"})
    assert (await models.Application.get(id=row.id)).state == ApplicationState.SUBMITTED
    assert not await models.Resource.filter(tenant=w.tenants["c"], title="Theirs").exists()
