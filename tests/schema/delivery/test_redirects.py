"""Old slugs and paths keep resolving, with `redirectedFrom`; `redirects` lists them."""

from __future__ import annotations

import httpx
import pytest

from cms import models
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from tests import factories
from tests.support.api import data_of

pytestmark = pytest.mark.anyio

NEWS = '{ newsItem(slug: "old-name") { slug redirectedFrom } }'
PAGE = '{ page(path: "about/old") { path redirectedFrom } }'
LIST = "{ redirects { kind oldKey newKey oldUrl newUrl } }"


async def test_an_old_slug_answers_the_item_with_redirected_from(client: httpx.AsyncClient) -> None:
    tenant = await factories.tenant(website="https://act.example.org")
    news = await factories.news_item(tenant, slug="old-name")
    await content.update(SYSTEM, KINDS["NewsItem"], news.id, {"slug": "new-name"}, news.version)
    data = await data_of(client, NEWS, tenant=tenant.slug)
    assert data["newsItem"] == {"slug": "new-name", "redirectedFrom": "old-name"}
    current = await data_of(
        client, '{ newsItem(slug: "new-name") { redirectedFrom } }', tenant=tenant.slug
    )
    assert current["newsItem"] == {"redirectedFrom": None}
    listed = await data_of(client, LIST, tenant=tenant.slug)
    assert listed["redirects"] == [
        {
            "kind": "NewsItem",
            "oldKey": "old-name",
            "newKey": "new-name",
            "oldUrl": "https://act.example.org/news/old-name",
            "newUrl": "https://act.example.org/news/new-name",
        }
    ]


async def test_a_moved_page_and_its_children_keep_their_old_paths(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant()
    about = await factories.page(tenant, path="about", title="About")
    old = await factories.page(tenant, path="about/old", title="Old", parent_id=about.id)
    await factories.page(tenant, path="about/old/child", title="Child", parent_id=old.id)
    await content.update(SYSTEM, KINDS["Page"], old.id, {"path": "about/new"}, old.version)
    data = await data_of(client, PAGE, tenant=tenant.slug)
    assert data["page"] == {"path": "about/new", "redirectedFrom": "about/old"}
    child = await data_of(client, '{ page(path: "about/old/child") { path } }', tenant=tenant.slug)
    assert child["page"] == {"path": "about/new/child"}


async def test_redirects_show_no_drafts_and_no_other_tenants(client: httpx.AsyncClient) -> None:
    mine, other = await factories.tenant(), await factories.tenant()
    draft = await factories.news_item(
        mine, slug="old-name", status=models.Status.DRAFT, published_at=None
    )
    await content.update(
        SYSTEM, KINDS["NewsItem"], draft.id, {"slug": "secret-draft"}, draft.version
    )
    theirs = await factories.news_item(other, slug="old-name")
    await content.update(
        SYSTEM, KINDS["NewsItem"], theirs.id, {"slug": "their-new"}, theirs.version
    )
    assert (await data_of(client, NEWS, tenant=mine.slug))["newsItem"] is None
    assert (await data_of(client, LIST, tenant=mine.slug))["redirects"] == []
    assert (await data_of(client, NEWS, tenant=other.slug))["newsItem"]["slug"] == "their-new"
