"""After a mutation returns, no process serves the answer from before it: two `cms serve`
processes on one database (this run's SQLite file or PostgreSQL database), each with its own
response cache, a write through one and reads through the other."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest

from cms.config import Settings
from tests import factories
from tests.support.servers import serving

pytestmark = pytest.mark.anyio

READ = "{ resources(first: 10) { edges { node { slug title } } } }"
CREATE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id } errors { code } }
}"""
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { node { id } errors { code } } }"
UPDATE = """
mutation ($id: ID!, $input: UpdateResourceInput!) {
  updateResource(id: $id, input: $input) { resource { id } errors { code } }
}"""


@contextmanager
def _serving(data_dir: Path, database_url: str) -> Iterator[str]:
    """`cms serve` in a subprocess on `database_url` until the block ends; yields its URL."""
    with serving(data_dir, database_url, env={"CMS_SECRET_KEY": "test-secret"}) as server:
        yield server.url


def _post(url: str, query: str, variables: Any = None, token: str | None = None) -> Any:
    headers = {"X-CMS-Tenant": "a"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = {"query": query, "variables": variables}
    response = httpx.post(f"{url}/graphql", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    data = response.json()
    assert "errors" not in data, data
    return response, data["data"]


def _titles(url: str) -> set[str]:
    response, data = _post(url, READ)
    assert response.headers["cache-control"].startswith("public")
    return {edge["node"]["title"] for edge in data["resources"]["edges"]}


def _scenario(data_dir: Path, database_url: str, token: str) -> None:
    with ExitStack() as servers:
        one = servers.enter_context(_serving(data_dir, database_url))
        two = servers.enter_context(_serving(data_dir, database_url))
        _, created = _post(one, CREATE, {"input": {"title": "Toolkit", "kind": "GUIDE"}}, token)
        rid = created["createResource"]["resource"]["id"]
        for url in (one, two, one, two):  # executed, then stored, in each process
            assert _titles(url) == set()
        _post(one, PUBLISH, {"id": rid}, token)
        assert _titles(two) == {"Toolkit"}
        assert _titles(one) == {"Toolkit"}
        assert _titles(two) == {"Toolkit"}  # stored now
        _post(two, UPDATE, {"id": rid, "input": {"expectedVersion": 2, "title": "Renamed"}}, token)
        assert _titles(one) == {"Renamed"}
        assert _titles(two) == {"Renamed"}


async def test_a_write_through_one_process_is_in_the_next_read_of_another(
    tmp_path: Path, settings: Settings, clean_database: None
) -> None:
    tenant = await factories.tenant(slug="a")
    token = (await factories.token(tenant, "editor"))[1]
    database_url = settings.database_url
    await anyio.to_thread.run_sync(lambda: _scenario(tmp_path, database_url, token))
