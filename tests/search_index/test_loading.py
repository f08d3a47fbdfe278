"""Documents for a batch come from a few batched queries, whatever the batch's size."""

from __future__ import annotations

import pytest

from cms import models
from search_index.documents import load_documents, tenant_slugs
from tests import factories
from tests.support.database import SQLCounter

pytestmark = pytest.mark.anyio


async def _resources(owner: models.Tenant, count: int) -> list[int]:
    tags = [await factories.tag(owner) for _ in range(3)]
    authors = [await factories.profile(owner, shared=True) for _ in range(2)]
    ids = []
    for _ in range(count):
        row = await factories.resource(owner, tags=tags, authors=authors)
        await row.attachments.add(await factories.file(owner, text="attached words"))
        ids.append(row.id)
    return ids


async def test_statements_do_not_grow_with_the_batch(
    clean_database: None, sql_counter: SQLCounter
) -> None:
    owner = await factories.tenant()
    few = await _resources(owner, 2)
    many = await _resources(owner, 20)
    slugs = await tenant_slugs()

    sql_counter.statements.clear()
    small = await load_documents("Resource", few, slugs)
    small_count = len(sql_counter.statements)
    sql_counter.statements.clear()
    large = await load_documents("Resource", many, slugs)
    large_count = len(sql_counter.statements)

    assert len(small) == 2 and len(large) == 20
    # rows, tags, authors, attachments: one query each
    assert small_count == large_count == 4, sql_counter.statements
    document = large[many[0]]
    assert "attached words" in document["text_en"]
    assert document["authors"] and document["tags"].count(",") == 2
