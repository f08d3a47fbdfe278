"""Real GraphQL clients against the app: the `gql` client, and graphql-core's client schema."""

from __future__ import annotations

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from graphql import (
    build_client_schema,
    build_schema,
    get_introspection_query,
    lexicographic_sort_schema,
    print_schema,
)

from cms.app import create_app
from tests import factories
from tests.support.api import data_of
from tests.support.sdl import SDL_PATH

pytestmark = pytest.mark.anyio

RESOURCE = """
query Resource($slug: String!) { resource(slug: $slug) { title tags { name } } }
"""
CREATE_TAG = """
mutation ($input: CreateTagInput!) { createTag(input: $input) { tag { name } errors { code } } }
"""


async def test_the_gql_client_introspects_validates_queries_and_mutates(
    app_settings, clean_database
):
    owner = await factories.tenant(slug="lac")
    tag = await factories.tag(owner, name="Gender budgeting")
    await factories.resource(owner, slug="toolkit", title="Toolkit", tags=[tag])
    _, token = await factories.token(owner, "editor")
    app = create_app(app_settings, manage_database=False)
    transport = HTTPXAsyncTransport(
        url="http://testserver/graphql",
        headers={"X-CMS-Tenant": "lac", "Authorization": f"Bearer {token}"},
        transport=httpx.ASGITransport(app=app),
    )
    async with Client(transport=transport, fetch_schema_from_transport=True) as session:
        assert session.client.schema is not None
        assert session.client.schema.get_type("Resource") is not None
        with pytest.raises(Exception, match="Cannot query field"):
            session.client.validate(gql("{ resources { nope } }"))
        query = gql(RESOURCE)
        query.variable_values = {"slug": "toolkit"}
        result = await session.execute(query)
        assert result == {"resource": {"title": "Toolkit", "tags": [{"name": "Gender budgeting"}]}}
        mutation = gql(CREATE_TAG)
        mutation.variable_values = {"input": {"name": "Decision-making"}}
        created = await session.execute(mutation)
        assert created == {"createTag": {"tag": {"name": "Decision-making"}, "errors": []}}


async def test_our_introspection_rebuilds_the_committed_schema(client):
    data = await data_of(client, get_introspection_query(descriptions=True, specified_by_url=True))
    # Both sides sorted: the committed file is in strawberry's order, introspection in the schema's.
    ours = print_schema(lexicographic_sort_schema(build_client_schema(data)))
    committed = print_schema(lexicographic_sort_schema(build_schema(SDL_PATH.read_text())))
    assert ours == committed
