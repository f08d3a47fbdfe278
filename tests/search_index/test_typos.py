"""Typos of the seed content's words find their items, and the suggestion names the real words."""

from __future__ import annotations

import pytest

from cms.models import Status
from seeds import load_seed
from tests import factories
from tests.support.api import data_of

pytestmark = pytest.mark.anyio

SEARCH = """
query S($q: String!) {
  search(query: $q, first: 100) { totalCount suggestion edges { node { item { id } } } }
}
"""
# (as typed, what was meant): dropped, doubled, swapped and wrong letters in words of the seeds
MISSPELLINGS = [
    ("budgetng", "budgeting"),
    ("equalty", "equality"),
    ("trainng", "training"),
    ("gender budgetng", "gender budgeting"),
    ("gendre equality", "gender equality"),
    ("recruitmnet", "recruitment"),
    ("institutinal", "institutional"),
    ("universites", "universities"),
    ("monitorng", "monitoring"),
    ("comunity", "community"),
]


@pytest.fixture
async def seeded(app):
    await load_seed()
    await app.state.search.rebuild()


async def _search(client, q, tenant=None):
    return (await data_of(client, SEARCH, {"q": q}, tenant=tenant))["search"]


def _ids(data):
    return {e["node"]["item"]["id"] for e in data["edges"]}


async def test_a_misspelt_word_finds_the_items_of_the_word_and_names_it(client, seeded):
    for typed, meant in MISSPELLINGS:
        wanted = await _search(client, meant)
        assert wanted["totalCount"] > 0, meant
        # Through the automatic retry: the items of the real word, and the real word offered.
        data = await _search(client, typed)
        assert _ids(data) & _ids(wanted), typed
        assert data["suggestion"] == meant, typed
        # Through `~`, the same.
        tilde = " ".join(f"{word}~" for word in typed.split())
        data = await _search(client, tilde)
        assert _ids(data) & _ids(wanted), tilde
        assert data["suggestion"] == meant, tilde


@pytest.mark.parametrize("tenant", [None, "home"])
async def test_a_typo_is_corrected_only_from_words_the_reader_may_see(app, client, tenant):
    home = await factories.tenant(slug="home")
    other = await factories.tenant(slug="other")
    await factories.resource(home, title="Quixotic budgeting", shared=True)
    await factories.resource(home, title="Phantasmagorical plans", status=Status.DRAFT)
    await factories.resource(other, title="Kaleidoscopic planning", shared=False)
    await app.state.search.rebuild()
    data = await _search(client, "quixotc", tenant)
    assert data["totalCount"] == 1 and data["suggestion"] == "quixotic"
    for typed in ["phantasmagorcal", "phantasmagorical~", "kaleidoscopc", "kaleidoscopic~2"]:
        data = await _search(client, typed, tenant)
        assert data["totalCount"] == 0 and data["suggestion"] is None, (typed, data)
