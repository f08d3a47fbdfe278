"""What one search may cost: capped expansions and typos, a deadline, bounded threads and terms."""

from __future__ import annotations

import asyncio
import threading

import pytest

from cms.config import Settings
from tests import factories
from tests.support.api import data_of, errors_of, graphql

pytestmark = pytest.mark.anyio

SEARCH = """
query S($q: String!) {
  search(query: $q, first: 50) { totalCount partial suggestion edges { node { score } } }
}
"""
WORDS = ["zetaalpha", "zetabravo", "zetacharlie", "zetadelta", "zetaecho", "zetafoxtrot"]


@pytest.fixture
def app_settings(settings: Settings, tmp_path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0,
        data_dir=tmp_path,
        search_max_expansions=3,
        search_threads=2,
        search_queue=0,
    )


@pytest.fixture
async def library(app):
    home = await factories.tenant(slug="home")
    for word in WORDS:
        await factories.resource(home, title=f"Gender {word}", shared=True)
    await factories.resource(home, title="Gender budgeting guide", shared=True)
    await factories.resource(home, title="Equal pay", shared=True)
    await app.state.search.rebuild()
    return home


async def _search(client, q):
    return (await data_of(client, SEARCH, {"q": q}))["search"]


async def test_a_prefix_or_wildcard_stands_for_a_bounded_number_of_terms(client, library):
    for pattern in ["zeta*", "*eta*", "z?ta*", "title:zeta*"]:
        data = await _search(client, pattern)
        assert data["totalCount"] == 3 and data["partial"] is True, pattern
    data = await _search(client, "zetaalpha")
    assert data["totalCount"] == 1 and data["partial"] is False
    # A term range would walk the lexicon: it is not syntax, its words are searched.
    data = await _search(client, "title:[a TO zz]")
    assert data["partial"] is False


async def test_typo_distance_is_capped(client, library):
    assert (await _search(client, "gxndxr~2"))["totalCount"] == 7  # two edits: allowed
    for query in ["gxnxxr~3", "gxnxxr~9", "xender~2"]:  # three edits; or a new first letter
        data = await _search(client, query)
        assert data["totalCount"] == 0, query
    # A short word takes one edit at most.
    assert (await _search(client, "pxy~2"))["totalCount"] == 1
    assert (await _search(client, "pxx~2"))["totalCount"] == 0


async def test_the_deadline_answers_with_what_was_found(client, library, monkeypatch):
    from search_index import budget as search_budget
    from search_index import query as search_query

    monkeypatch.setattr(search_budget.Budget, "expired", lambda self: True)
    monkeypatch.setattr(search_query._VisibleInTime, "CHECK_EVERY", 1)
    data = await _search(client, "gender")
    assert data == {"totalCount": 0, "partial": True, "suggestion": None, "edges": []}


async def test_too_many_terms_are_refused_before_parsing(client, library, monkeypatch):
    from search_index import query as search_query

    def parser(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(search_query, "_parser", parser)
    (error,) = await errors_of(client, SEARCH, {"q": "gender " * 41})
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "INVALID_INPUT",
        "field": "query",
    }
    assert "too many terms" in error["message"]


async def test_searches_beyond_their_threads_are_refused_and_others_still_answer(
    app, client, library, monkeypatch
):
    from search_index import query as search_query

    release = threading.Event()
    both_running = asyncio.Event()
    loop = asyncio.get_running_loop()
    calls: list[str] = []
    search = search_query.Searching.search

    def blocking(self, text, *args, **kwargs):
        calls.append(text)
        if len(calls) == 2:
            loop.call_soon_threadsafe(both_running.set)
        release.wait(timeout=30)
        return search(self, text, *args, **kwargs)

    monkeypatch.setattr(search_query.Searching, "search", blocking)
    running = [asyncio.create_task(_search(client, word)) for word in ("gender", "budgeting")]
    try:
        await both_running.wait()  # both search threads taken
        response = await graphql(client, SEARCH, {"q": "zetaalpha"})
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert "2 running" in error["message"]
        assert sorted(calls) == ["budgeting", "gender"]  # refused before it reached the index
        # Other requests do not wait for the search threads.
        assert (await data_of(client, "{ tenants { slug } }"))["tenants"] == [{"slug": "home"}]
    finally:
        release.set()
        results = await asyncio.gather(*running)
    assert [r["totalCount"] for r in results] == [7, 1]
