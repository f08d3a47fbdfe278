"""Tenants managed through the API: who may create and update which tenant, the tree's shape,
unique domains, and the audit every tenant write leaves."""

from __future__ import annotations

import httpx
import pytest

from cms import models
from cms.models import TenantKind
from tests import factories
from tests.support.programmes import CREATE_TENANT, UPDATE_TENANT, call, ok, payload

pytestmark = pytest.mark.anyio


def codes(result: dict[str, object]) -> list[tuple[object, object]]:
    errors = payload(result)["errors"]
    assert isinstance(errors, list)
    return [(e["field"], e["code"]) for e in errors]


async def test_a_hub_admin_manages_the_tenants_under_it(client: httpx.AsyncClient) -> None:
    programme = await factories.tenant(slug="prog", kind=TenantKind.PROGRAMME)
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB, parent=programme)
    other = await factories.tenant(slug="other-hub", kind=TenantKind.HUB, parent=programme)
    _, hub_admin = await factories.token(hub, "admin")
    _, hub_editor = await factories.token(hub, "editor")

    made = ok(
        await call(
            client,
            CREATE_TENANT,
            {"input": {"slug": "cop-a", "name": "CoP A", "kind": "COP", "parent": "hub",
                       "domains": ["A.Example.org"], "thematicAreas": ["HR_MANAGEMENT"]}},
            token=hub_admin,
        )
    )["tenant"]  # fmt: skip
    assert made["parent"] == {"slug": "hub"} and made["domains"] == ["a.example.org"]
    # Renamed by the hub's admin; not by its editor, nor by the CoP's own admin.
    renamed = ok(
        await call(client, UPDATE_TENANT, {"slug": "cop-a", "input": {"name": "CoP Alpha"}},
                   token=hub_admin)
    )  # fmt: skip
    assert renamed["tenant"]["name"] == "CoP Alpha"
    cop = await models.Tenant.get(slug="cop-a")
    _, cop_admin = await factories.token(cop, "admin")
    for token in (hub_editor, cop_admin):
        refused = await call(
            client, UPDATE_TENANT, {"slug": "cop-a", "input": {"name": "Mine"}}, token=token
        )
        assert codes(refused) == [(None, "PERMISSION_DENIED")]
    # The hub cannot move its CoP out from under itself, nor make a hub of programmes' kinds.
    moved = await call(
        client, UPDATE_TENANT, {"slug": "cop-a", "input": {"parent": "other-hub"}}, token=hub_admin
    )
    assert codes(moved) == [(None, "PERMISSION_DENIED")]
    _, platform = await factories.token(None, "admin")
    looped = await call(
        client, UPDATE_TENANT, {"slug": "prog", "input": {"parent": "cop-a"}}, token=platform
    )
    assert ("parent", "INVALID") in codes(looped)
    wrong_kind = await call(
        client,
        CREATE_TENANT,
        {"input": {"slug": "hub-under-cop", "name": "X", "kind": "HUB", "parent": "cop-a"}},
        token=platform,
    )
    assert codes(wrong_kind) == [("parent", "INVALID_CHOICE")]
    top = await call(
        client, CREATE_TENANT, {"input": {"slug": "rogue", "name": "R", "kind": "PROGRAMME"}},
        token=hub_admin,
    )  # fmt: skip
    assert codes(top) == [(None, "PERMISSION_DENIED")]
    taken = await call(
        client,
        UPDATE_TENANT,
        {"slug": "other-hub", "input": {"domains": ["a.example.org"]}},
        token=platform,
    )
    assert codes(taken) == [("domains", "DUPLICATE")]
    assert await models.TenantDomain.filter(tenant=other).count() == 0

    actions = await models.AuditEntry.filter(content_type="Tenant", object_id=cop.id).values_list(
        "action", "token_name"
    )
    assert [a for a, _ in actions] == ["create-tenant", "update-tenant"]
    revisions = await models.Revision.filter(content_type="Tenant", object_id=cop.id).order_by(
        "version"
    )
    assert [r.snapshot["name"] for r in revisions] == ["CoP A", "CoP Alpha"]
    assert await models.OutboxEvent.filter(content_type="Tenant", object_id=cop.id).count() == 2
