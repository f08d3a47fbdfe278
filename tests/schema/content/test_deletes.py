"""Deletes and moves that reach beyond one item: nothing changes in another tenant's items
without a record there, and pages keep their tree."""

from __future__ import annotations

from typing import Any

import pytest

from cms import models
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import bearer, database_state
from tests.support.api import data_of, graphql

pytestmark = pytest.mark.anyio

DELETE = "mutation ($id: ID!) {{ r: delete{kind}(id: $id) {{ deletedId errors {{ field message code }} }} }}"  # noqa: E501
UPDATE_PAGE = """
mutation ($id: ID!, $input: UpdatePageInput!) {
  updatePage(id: $id, input: $input) { page { path version } errors { field message code } }
}"""
PAGE = """
query ($path: String!) { page(path: $path) { path parent { path } children { path } } }
"""


def gid(row: Any) -> str:
    return to_global_id(type(row).__name__, row.id)


async def _delete(client: Any, row: Any, tenant: str, headers: dict[str, str]) -> dict:
    document = DELETE.format(kind=type(row).__name__)
    response = await graphql(client, document, {"id": gid(row)}, tenant=tenant, headers=headers)
    return response.json()["data"]["r"]


async def test_a_shared_organisation_other_tenants_use_is_not_deleted(client):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    organisation = await factories.organisation(home, shared=True)
    await factories.resource(away, organisation=organisation)
    await factories.profile(away, organisation=organisation)
    await factories.event(away, host_organisation=organisation)
    await factories.resource(home, organisation=organisation)  # its own: not counted
    headers = bearer((await factories.token(home, "editor"))[1])
    before = await database_state()
    payload = await _delete(client, organisation, "home", headers)
    assert payload["deletedId"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == ("id", "IN_USE")
    assert "3 item(s) of other tenants" in error["message"]
    assert await database_state() == before
    # Once the other tenant's items no longer use it, it goes (its own items let go of it).
    await models.Resource.filter(tenant=away).update(organisation_id=None)
    await models.Profile.filter(tenant=away).update(organisation_id=None)
    await models.Event.filter(tenant=away).update(host_organisation_id=None)
    payload = await _delete(client, organisation, "home", headers)
    assert payload["errors"] == [] and payload["deletedId"] == gid(organisation)


async def test_a_shared_profile_other_tenants_name_as_author_is_not_deleted(client):
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    profile = await factories.profile(home, shared=True)
    await factories.resource(away, authors=[profile])
    await factories.resource(away, authors=[profile])
    headers = bearer((await factories.token(home, "editor"))[1])
    before = await database_state()
    payload = await _delete(client, profile, "home", headers)
    [error] = payload["errors"]
    assert error["code"] == "IN_USE" and "2 item(s) of other tenants" in error["message"]
    assert await database_state() == before


async def test_a_profile_only_its_own_tenant_uses_is_deleted(client):
    home = await factories.tenant(slug="home")
    profile = await factories.profile(home, shared=True)
    await factories.resource(home, authors=[profile])
    headers = bearer((await factories.token(home, "editor"))[1])
    payload = await _delete(client, profile, "home", headers)
    assert payload["errors"] == []


async def test_a_page_with_pages_under_it_is_not_deleted(client):
    home = await factories.tenant(slug="home")
    about = await factories.page(home, path="about")
    await factories.page(home, path="about/team", parent=about)
    headers = bearer((await factories.token(home, "editor"))[1])
    before = await database_state()
    payload = await _delete(client, about, "home", headers)
    [error] = payload["errors"]
    assert error["code"] == "IN_USE" and "1 page(s) are under this page" in error["message"]
    assert await database_state() == before


async def test_moving_a_page_moves_its_subtree_with_a_revision_each(client):
    home = await factories.tenant(slug="home")
    about = await factories.page(home, path="about")
    team = await factories.page(home, path="about/team", parent=about)
    ana = await factories.page(home, path="about/team/ana", parent=team)
    other = await factories.page(home, path="aboutness")  # a prefix, not a child
    headers = bearer((await factories.token(home, "editor"))[1])
    response = await graphql(
        client,
        UPDATE_PAGE,
        {"id": gid(about), "input": {"expectedVersion": 1, "path": "info"}},
        tenant="home",
        headers=headers,
    )
    assert response.json()["data"]["updatePage"] == {
        "page": {"path": "info", "version": 2},
        "errors": [],
    }
    moved = {p.id: (p.path, p.version) for p in await models.Page.all()}
    assert moved == {
        about.id: ("info", 2),
        team.id: ("info/team", 2),
        ana.id: ("info/team/ana", 2),
        other.id: ("aboutness", 1),
    }
    for row in (team, ana):
        revision = await models.Revision.get(content_type="Page", object_id=row.id, version=2)
        assert revision.operation == "move"
        assert await models.OutboxEvent.filter(object_id=row.id, content_type="Page").exists()
    data = await data_of(client, PAGE, {"path": "info/team"}, tenant="home")
    assert data["page"] == {
        "path": "info/team",
        "parent": {"path": "info"},
        "children": [{"path": "info/team/ana"}],
    }


async def test_a_move_whose_subtree_would_land_on_taken_paths_changes_nothing(client):
    home = await factories.tenant(slug="home")
    about = await factories.page(home, path="about")
    await factories.page(home, path="about/team", parent=about)
    await factories.page(home, path="info/team")  # left without its parent by an old delete
    headers = bearer((await factories.token(home, "editor"))[1])
    before = await database_state()
    response = await graphql(
        client,
        UPDATE_PAGE,
        {"id": gid(about), "input": {"expectedVersion": 1, "path": "info"}},
        tenant="home",
        headers=headers,
    )
    [error] = response.json()["data"]["updatePage"]["errors"]
    assert (error["field"], error["code"]) == ("path", "DUPLICATE")
    assert "info/team" in error["message"]
    assert await database_state() == before


CREATE_PAGE = """
mutation ($input: CreatePageInput!) { createPage(input: $input) { page { id } errors { code } } }
"""
REVERT = """
mutation ($id: ID!) { revertToRevision(id: $id, revision: 1) { node { ... on Page { path } } errors { code } } }
"""  # noqa: E501


async def test_reverting_a_move_brings_the_subtree_back(client):
    await factories.tenant(slug="home")
    home = await models.Tenant.get(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    ids = {}
    for path in ("about", "about/team"):
        response = await graphql(
            client,
            CREATE_PAGE,
            {"input": {"title": path, "path": path}},
            tenant="home",
            headers=headers,
        )
        ids[path] = response.json()["data"]["createPage"]["page"]["id"]
    await graphql(
        client,
        UPDATE_PAGE,
        {"id": ids["about"], "input": {"expectedVersion": 1, "path": "info"}},
        tenant="home",
        headers=headers,
    )
    assert sorted(await models.Page.all().values_list("path", flat=True)) == ["info", "info/team"]
    response = await graphql(client, REVERT, {"id": ids["about"]}, tenant="home", headers=headers)
    assert response.json()["data"]["revertToRevision"] == {
        "node": {"path": "about"},
        "errors": [],
    }
    assert sorted(await models.Page.all().values_list("path", flat=True)) == [
        "about",
        "about/team",
    ]
