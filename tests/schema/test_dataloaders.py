"""Relations go through per-request DataLoaders: a list costs the same SQL at any size."""

from __future__ import annotations

import pytest

from tests import factories
from tests.support.api import data_of

pytestmark = pytest.mark.anyio

RESOURCES_WITH_RELATIONS = """
query ($first: Int!) {
  resources(first: $first, includeShared: true) {
    totalCount
    edges { node {
      title
      tenant { slug parent { slug } }
      tags { slug }
      authors { name organisation { name } photo { url } }
      organisation { name memberships { slug } }
      coverImage { url width }
      attachments { url }
      translations { slug language }
    } }
  }
}
"""


async def _seed(count: int) -> None:
    programme = await factories.tenant(slug="act", kind="programme")
    cop = await factories.tenant(slug="genbudget", parent=programme)
    other = await factories.tenant(slug="lac", parent=programme)
    org = await factories.organisation(cop)
    await org.memberships.add(cop, other)
    tags = [await factories.tag(cop) for _ in range(3)]
    for i in range(count):
        owner = cop if i % 2 else other
        author = await factories.profile(
            owner,
            organisation=org if owner is cop else None,
            photo=await factories.image(owner),
            shared=True,
        )
        row = await factories.resource(
            owner,
            tags=tags[: 1 + i % 3] if owner is cop else [],
            authors=[author],
            organisation=org if owner is cop else None,
            cover_image=await factories.image(owner),
            shared=True,
            translation_group=f"group-{i % 2}",  # one group per tenant
            language=("en", "es", "de", "fr", "it")[i % 5],
        )
        from cms.models import File

        attachment = await File.create(
            tenant=owner, storage_key=f"files/{i}.pdf", content_type="application/pdf"
        )
        await row.attachments.add(attachment)


@pytest.fixture
def app_settings(app_settings):
    # Execution's statements alone; the response cache's are pinned in tests/schema/test_cache.py.
    return app_settings.with_overrides(response_cache=False)


@pytest.mark.parametrize("size", [5, 50])
async def test_statement_count_does_not_grow_with_the_list(client, sql_counter, size):
    await _seed(size)
    sql_counter.statements.clear()
    data = await data_of(client, RESOURCES_WITH_RELATIONS, {"first": size}, tenant="genbudget")
    edges = data["resources"]["edges"]
    assert len(edges) == size
    assert all(e["node"]["authors"] and e["node"]["coverImage"] for e in edges)
    assert any(e["node"]["tags"] for e in edges)
    assert all(e["node"]["translations"] for e in edges)
    # The tenant directory (its cache is off in tests), the page, the count, then one batch per
    # relation and level: tenants, their parents, tags, author links, profiles, organisations,
    # memberships, images (covers and photos), attachments, translations. Fixed, whatever the
    # size.
    counts = len(sql_counter.statements)
    print(f"{size} items: {counts} SQL statements")
    assert counts == EXPECTED_STATEMENTS, sql_counter.statements


EXPECTED_STATEMENTS = 14
