"""Open searchers stay bounded through bursts of concurrent searches and index changes."""

from __future__ import annotations

import asyncio

import pytest
from whoosh.searching import Searcher

from cms.config import Settings
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from tests import factories
from tests.support.api import data_of
from tests.support.search import index

pytestmark = pytest.mark.anyio

THREADS = 3
SEARCH = "query S($q: String!) { search(query: $q) { totalCount } }"


@pytest.fixture
def app_settings(settings: Settings, tmp_path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0, data_dir=tmp_path, search_threads=THREADS, search_queue=1000
    )


@pytest.fixture
def open_searchers(monkeypatch):
    """The index searchers open now (each holds its segments' readers and caches)."""
    live: set[int] = set()
    opened, closed = Searcher.__init__, Searcher.close

    def init(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        if kwargs.get("parent") is None:  # a searcher of the whole index, not of one segment
            live.add(id(self))

    def close(self):
        live.discard(id(self))
        closed(self)

    monkeypatch.setattr(Searcher, "__init__", init)
    monkeypatch.setattr(Searcher, "close", close)
    return live


async def test_bursts_of_searches_leave_a_bounded_number_of_searchers_open(
    app, client, open_searchers
):
    home = await factories.tenant(slug="home")
    await factories.resource(home, title="Gender budgeting", shared=True)
    await app.state.search.rebuild()
    words = ["gender", "budgeting", "gender budgeting", "equality", "budget*"]
    for burst in range(4):
        results = await asyncio.gather(
            *(data_of(client, SEARCH, {"q": w}) for w in words * 8)  # 40 at once
        )
        assert {r["search"]["totalCount"] for r in results} <= {0, burst + 1}
        assert len(open_searchers) <= THREADS
        # A new segment: every searcher opened so far is out of date.
        row = await content.create(
            SYSTEM,
            home,
            KINDS["Resource"],
            {"title": f"Gender budgeting {burst}", "kind": "report", "shared": True},
        )
        await content.publish(SYSTEM, KINDS["Resource"], row.id)
        await index(app)
    await app.state.search.rebuild()  # a new generation
    await asyncio.gather(*(data_of(client, SEARCH, {"q": w}) for w in words * 8))
    assert len(open_searchers) <= THREADS
