"""Lean reads: only the columns a selection needs, relations of a page loaded at once and
resolved without a task each, SQL built once per shape, cursors only when asked for, one
validation per document, the collector tuned once the server has started."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from tortoise.queryset import ValuesQuery

import schema.execution
from cms import models
from cms.app import GC_THRESHOLDS, create_app
from schema.core import pagination
from schema.core.statements import STATEMENTS
from tests import factories
from tests.support.api import data_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def app_settings(app_settings):
    # Execution's reads alone; the response cache's are pinned in tests/schema/test_cache.py.
    return app_settings.with_overrides(response_cache=False)


TITLES = "query { resources(first: 20) { edges { node { title } } } }"
BODIES = "query { resources(first: 20) { edges { node { title body } } } }"
WITH_RELATIONS = """
query ($first: Int!) {
  resources(first: $first) {
    edges { node { title tags { slug } authors { name } coverImage { url } tenant { slug } } }
  }
}
"""


async def _resources(owner: models.Tenant, count: int, **extra: Any) -> None:
    tags = [await factories.tag(owner) for _ in range(2)]
    author = await factories.profile(owner)
    for i in range(count):
        await factories.resource(
            owner,
            body=f"<p>body {i}</p>",
            tags=tags[: 1 + i % 2],
            authors=[author],
            cover_image=await factories.image(owner),
            **extra,
        )


def _resource_selects(statements: list[str]) -> list[str]:
    return [s for s in statements if 'FROM "resource"' in s and s.lstrip().startswith("SELECT")]


async def test_a_list_reads_the_body_only_when_it_is_selected(client, sql_counter):
    cop = await factories.tenant(slug="genbudget")
    await _resources(cop, 3)
    sql_counter.statements.clear()
    data = await data_of(client, TITLES, tenant="genbudget")
    assert len(data["resources"]["edges"]) == 3
    [select] = _resource_selects(sql_counter.statements)
    assert '"body"' not in select and '"title"' in select

    sql_counter.statements.clear()
    data = await data_of(client, BODIES, tenant="genbudget")
    assert {e["node"]["body"] for e in data["resources"]["edges"]} == {
        f"<p>body {i}</p>" for i in range(3)
    }
    [select] = _resource_selects(sql_counter.statements)
    assert '"body"' in select


async def test_a_lookup_reads_the_body_only_when_it_is_selected(client, sql_counter):
    cop = await factories.tenant(slug="genbudget")
    await _resources(cop, 1, slug="one")
    sql_counter.statements.clear()
    data = await data_of(client, '{ resource(slug: "one") { title } }', tenant="genbudget")
    assert data["resource"]["title"]
    [select] = _resource_selects(sql_counter.statements)
    assert '"body"' not in select


async def _tasks_of(client: Any, size: int) -> list[str]:
    """The asyncio tasks a list request with every relation makes (caches warmed first)."""
    await data_of(client, WITH_RELATIONS, {"first": size}, tenant="genbudget")
    loop = asyncio.get_running_loop()
    made: list[str] = []
    default = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        made.append(getattr(coro, "__qualname__", "?"))
        if default is not None:
            return default(loop, coro, **kwargs)  # type: ignore[no-any-return]
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)
    try:
        data = await data_of(client, WITH_RELATIONS, {"first": size}, tenant="genbudget")
    finally:
        loop.set_task_factory(default)
    edges = data["resources"]["edges"]
    assert len(edges) == size and all(e["node"]["authors"] and e["node"]["tags"] for e in edges)
    return made


async def test_relations_of_a_page_resolve_without_a_task_per_item(client):
    """Primed relations complete synchronously: a request makes as many tasks for a page of
    40 as for a page of 4 (unprimed, graphql-core gathers one per item and relation)."""
    cop = await factories.tenant(slug="genbudget")
    await _resources(cop, 40)
    small = await _tasks_of(client, 4)
    large = await _tasks_of(client, 40)
    assert len(large) == len(small), (small, large)


async def test_a_read_builds_its_sql_once(client, monkeypatch):
    """The second request of a shape (here for another tenant) builds no SQL with Tortoise,
    and still gets its own tenant's items."""
    for slug in ("genbudget", "lac"):
        owner = await factories.tenant(slug=slug)
        await _resources(owner, 2, title=f"of {slug}")
    STATEMENTS.entries.clear()
    first = await data_of(client, WITH_RELATIONS, {"first": 5}, tenant="genbudget")
    built: list[int] = []
    make_query = ValuesQuery._make_query

    def counted(self: ValuesQuery[Any]) -> None:
        built.append(1)
        make_query(self)

    monkeypatch.setattr(ValuesQuery, "_make_query", counted)
    second = await data_of(client, WITH_RELATIONS, {"first": 5}, tenant="lac")
    assert built == []
    assert {e["node"]["title"] for e in first["resources"]["edges"]} == {"of genbudget"}
    assert {e["node"]["title"] for e in second["resources"]["edges"]} == {"of lac"}
    assert {e["node"]["tenant"]["slug"] for e in second["resources"]["edges"]} == {"lac"}


async def test_cursors_are_encoded_only_when_selected(client, monkeypatch):
    cop = await factories.tenant(slug="genbudget")
    await _resources(cop, 5)
    encoded: list[int] = []
    encode = pagination.encode_keyset_cursor

    def counted(*args: Any) -> str:
        encoded.append(1)
        return encode(*args)

    monkeypatch.setattr(pagination, "encode_keyset_cursor", counted)
    await data_of(client, TITLES, tenant="genbudget")
    assert len(encoded) <= 2  # pageInfo's start and end cursors only
    encoded.clear()
    data = await data_of(
        client, "{ resources { edges { cursor } pageInfo { endCursor } } }", tenant="genbudget"
    )
    cursors = [e["cursor"] for e in data["resources"]["edges"]]
    assert len(set(cursors)) == 5 and cursors[-1] == data["resources"]["pageInfo"]["endCursor"]
    assert len(encoded) >= 5


async def test_a_document_is_validated_once(client, monkeypatch):
    await factories.tenant(slug="genbudget")
    calls: list[int] = []
    validate = schema.execution.validate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return validate(*args, **kwargs)

    monkeypatch.setattr(schema.execution, "validate", counted)
    query = "query Once { resources(first: 3) { edges { node { slug } } } }"
    for _ in range(3):
        await data_of(client, query, tenant="genbudget")
    assert len(calls) <= 1


async def test_the_collector_is_tuned_once_the_server_has_started(app_settings, clean_database):
    app = create_app(app_settings, manage_database=False)
    previous = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_threshold() == GC_THRESHOLDS
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*previous)
