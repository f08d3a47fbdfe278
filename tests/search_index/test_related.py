"""What a document shows of related rows: only what the public may see, kept up to date.

A resource's indexed text names its authors. A draft, scheduled or expired profile, another
tenant's unshared one, a deleted author or tag must not be found, highlighted, faceted or
suggested through the resource, from a tenant's site or from the platform.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms.models import Status
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from cms.services.tags import delete_tag
from tests import factories
from tests.support.api import data_of
from tests.support.search import index

pytestmark = pytest.mark.anyio

SEARCH = """
query S($q: String!) {
  search(query: $q, first: 50) {
    totalCount
    edges { node { item { __typename slug } highlights { snippet } } }
    facets { field values { value count } }
    suggestion
  }
}
"""
READERS = [None, "home", "other"]  # the platform, the resource's own site, another site


async def _search(client, q, tenant=None):
    return (await data_of(client, SEARCH, {"q": q}, tenant=tenant))["search"]


def _resources(data):
    return [
        e["node"]["item"]["slug"]
        for e in data["edges"]
        if e["node"]["item"]["__typename"] == "Resource"
    ]


def _shows(data, word):
    """Whether a word reaches the reader anywhere in the answer."""
    snippets = " ".join(h["snippet"] for e in data["edges"] for h in e["node"]["highlights"])
    facets = " ".join(v["value"] for f in data["facets"] for v in f["values"])
    return (
        word in snippets.lower()
        or word in facets.lower()
        or (word in (data["suggestion"] or "").lower())
    )


@pytest.fixture
async def world(app):
    home = await factories.tenant(slug="home")
    other = await factories.tenant(slug="other")
    soon = datetime.now(UTC) + timedelta(days=2)
    people = {
        "visible": await factories.profile(home, name="Lucinda Brightwater", shared=True),
        "own": await factories.profile(home, name="Hortense Homebody"),
        "draft": await factories.profile(
            home, name="Zenobia Draftworth", shared=True, status=Status.DRAFT
        ),
        "foreign": await factories.profile(other, name="Octavia Otherland"),
        "scheduled": await factories.profile(
            home, name="Saturnina Laterly", shared=True, published_at=soon
        ),
        "expired": await factories.profile(
            home,
            name="Evander Bygone",
            shared=True,
            expires_at=datetime.now(UTC) - timedelta(days=1),
        ),
        "deleted": await factories.profile(home, name="Bartholomew Gonewright", shared=True),
    }
    tag = await factories.tag(home, slug="obsoleta", name="Obsoleta")
    toolkit = await factories.resource(
        home,
        slug="toolkit",
        title="Gender budgeting toolkit",
        shared=True,
        tags=[tag],
        authors=list(people.values()),
    )
    await app.state.search.rebuild()
    return {"home": home, "people": people, "tag": tag, "toolkit": toolkit, "soon": soon}


@pytest.mark.parametrize("reader", READERS)
async def test_hidden_authors_are_not_found_highlighted_or_suggested(client, world, reader):
    hidden = [("draftworth", "draftwort"), ("laterly", "laterli"), ("bygone", "bygonne")]
    if reader != "other":  # her own site may see her profile, not through the resource though
        hidden.append(("otherland", "otherlend"))
    else:
        assert _resources(await _search(client, "otherland", reader)) == []
    for name, typo in hidden:
        assert _resources(await _search(client, name, reader)) == [], name
        data = await _search(client, typo, reader)
        assert _resources(data) == [] and not _shows(data, name), (typo, data)
        # Beside a word that finds the resource, the name is still neither shown nor offered.
        data = await _search(client, f"budgeting OR {typo}", reader)
        assert _resources(data) == ["toolkit"] and not _shows(data, name), (typo, data)
    # A live shared author is everyone's to find; a live unshared one only her tenant's.
    assert _resources(await _search(client, "brightwater", reader)) == ["toolkit"]
    own = _resources(await _search(client, "homebody", reader))
    assert own == (["toolkit"] if reader == "home" else [])


@pytest.mark.parametrize("reader", READERS)
async def test_a_deleted_author_or_tag_stops_matching(app, client, world, reader):
    assert _resources(await _search(client, "gonewright", reader)) == ["toolkit"]
    assert _resources(await _search(client, "tag:obsoleta", reader)) == ["toolkit"]
    await content.delete(SYSTEM, KINDS["Profile"], world["people"]["deleted"].id)
    await delete_tag(SYSTEM, world["tag"].id)
    await index(app)
    for query, word in [
        ("gonewright", "gonewright"),
        ("gonewrigt", "gonewright"),
        ("tag:obsoleta", "obsoleta"),
        ("budgeting", "obsoleta"),
    ]:
        data = await _search(client, query, reader)
        if query == "budgeting":
            assert _resources(data) == ["toolkit"]
        else:
            assert _resources(data) == [], query
        assert not _shows(data, word), (query, data)


async def test_an_author_whose_publication_time_comes_is_then_found(app, client, world):
    assert _resources(await _search(client, "laterly")) == []
    # No row changes when the time comes; the indexer notices on its next round.
    app.state.search.indexer.clock = lambda: world["soon"] + timedelta(minutes=1)
    await index(app)
    assert _resources(await _search(client, "laterly")) == ["toolkit"]


async def test_an_author_unpublished_or_unshared_leaves_the_resource(app, client, world):
    visible = world["people"]["visible"]
    await content.unpublish(SYSTEM, KINDS["Profile"], visible.id)
    await index(app)
    assert _resources(await _search(client, "brightwater")) == []
    await content.publish(SYSTEM, KINDS["Profile"], visible.id)
    await index(app)
    assert _resources(await _search(client, "brightwater")) == ["toolkit"]
    version = (await KINDS["Profile"].model.get(id=visible.id)).version
    row = await content.update(SYSTEM, KINDS["Profile"], visible.id, {"shared": False}, version)
    assert row.shared is False
    await index(app)
    assert _resources(await _search(client, "brightwater")) == []
    assert _resources(await _search(client, "brightwater", "home")) == ["toolkit"]
