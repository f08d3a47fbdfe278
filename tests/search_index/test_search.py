"""Search through GraphQL: syntax, filters, facets, suggestions, preview, scheduling, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cms.models import Status
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from cms.services.tokens import create_token
from cms.tenancy import Scope
from search_index import Audience
from tests import factories
from tests.support.api import data_of, errors_of, graphql
from tests.support.search import index

pytestmark = pytest.mark.anyio

SEARCH = """
query S($q: String!, $scope: SearchScope, $kinds: [SearchKind!], $tags: [String!],
        $areas: [ThematicArea!], $language: String, $tenants: [String!], $first: Int) {
  search(query: $q, scope: $scope, kinds: $kinds, tags: $tags, thematicAreas: $areas,
         language: $language, tenants: $tenants, first: $first) {
    totalCount
    edges { node { score item { __typename slug status } highlights { field snippet } } }
    facets { field values { value count } }
    suggestion
  }
}
"""


async def _search(client, q, tenant=None, **variables):
    return (await data_of(client, SEARCH, {"q": q, **variables}, tenant=tenant))["search"]


def _slugs(data):
    return [e["node"]["item"]["slug"] for e in data["edges"]]


def _facet(data, field):
    return {
        v["value"]: v["count"] for f in data["facets"] if f["field"] == field for v in f["values"]
    }


@pytest.fixture
async def library(app):
    """Two CoPs with shared and unshared items in a few languages, indexed."""
    lac = await factories.tenant(slug="lac")
    gen = await factories.tenant(slug="genbudget")
    tag = await factories.tag(gen, slug="budgets", name="Budgets")
    await factories.resource(
        gen,
        slug="intro",
        title="Gender budgeting: an introduction",
        shared=True,
        tags=[tag],
        summary="How budgets shape <b>equality</b> in universities.",
        thematic_areas=["decision-making"],
    )
    await factories.resource(
        gen,
        slug="private",
        title="Budgeting notes for members",
        shared=False,
        summary="Internal gender budgeting notes.",
    )
    await factories.resource(
        lac,
        slug="presupuestos",
        title="Presupuestos con perspectiva de género",
        shared=True,
        language="es",
        summary="Guía de presupuestos para universidades latinoamericanas.",
    )
    await factories.video(
        gen,
        slug="talk",
        title="A talk on budgets",
        shared=True,
        transcript="We discuss participatory budgeting and gender equality plans.",
    )
    await factories.news_item(gen, slug="news", title="Gender budgeting workshop announced")
    await app.state.search.rebuild()
    return {"lac": lac, "genbudget": gen}


async def test_scopes_site_and_knowledge_base(client, library):
    platform = await _search(client, "budgeting")
    assert sorted(_slugs(platform)) == ["intro", "talk"]
    site = await _search(client, "budgeting", tenant="genbudget")
    assert sorted(_slugs(site)) == ["intro", "news", "private", "talk"]
    kb = await _search(client, "budgeting", tenant="genbudget", scope="KNOWLEDGE_BASE")
    assert sorted(_slugs(kb)) == ["intro", "talk"]
    other = await _search(client, "budgeting", tenant="lac")
    assert sorted(_slugs(other)) == ["intro", "talk"]
    # Without a tenant, SITE is not a scope there is: the knowledge base it is.
    assert _slugs(await _search(client, "budgeting", scope="SITE")) == _slugs(platform)


async def test_language_aware_stemming_and_accent_folding(client, library):
    assert _slugs(await _search(client, "presupuesto")) == ["presupuestos"]
    assert _slugs(await _search(client, "genero", language="es")) == ["presupuestos"]
    assert "intro" in _slugs(await _search(client, "budget"))


async def test_phrases_operators_fields_prefix_and_typos(client, library):
    assert _slugs(await _search(client, '"participatory budgeting"')) == ["talk"]
    assert _slugs(await _search(client, "budgeting NOT talk")) == ["intro"]
    assert sorted(_slugs(await _search(client, "presupuestos OR transcript OR talk"))) == [
        "presupuestos",
        "talk",
    ]
    assert _slugs(await _search(client, "title:introduction")) == ["intro"]
    assert _slugs(await _search(client, "univ*", language="en")) == ["intro"]
    assert _slugs(await _search(client, "introduktion")) == ["intro"]  # one edit away


async def test_filters_and_facets_count_the_whole_visible_result(client, library):
    data = await _search(client, "budgeting OR presupuestos", first=1)
    assert data["totalCount"] == 3 and len(data["edges"]) == 1
    assert _facet(data, "kind") == {"RESOURCE": 2, "VIDEO": 1}
    assert _facet(data, "tenant") == {"genbudget": 2, "lac": 1}
    assert _facet(data, "language") == {"en": 2, "es": 1}
    assert _facet(data, "tag") == {"budgets": 1}
    assert _facet(data, "thematicArea") == {"DECISION_MAKING": 1}
    assert _slugs(await _search(client, "budgeting", kinds=["VIDEO"])) == ["talk"]
    assert _slugs(await _search(client, "budgeting", tags=["budgets"])) == ["intro"]
    assert _slugs(await _search(client, "budgeting", areas=["DECISION_MAKING"])) == ["intro"]
    assert _slugs(await _search(client, "budgeting OR presupuestos", tenants=["lac"])) == [
        "presupuestos"
    ]


async def test_highlights_mark_matches_and_escape_the_text(client, library):
    data = await _search(client, "equality")
    (edge,) = [e for e in data["edges"] if e["node"]["item"]["slug"] == "intro"]
    snippets = {h["field"]: h["snippet"] for h in edge["node"]["highlights"]}
    assert "<mark>equality</mark>" in snippets["body"]
    assert "<b>" not in snippets["body"]


async def test_suggestion_for_a_misspelt_query_only_from_visible_items(client, library):
    data = await _search(client, "gendr introdution")
    assert data["totalCount"] <= 1  # found through typo tolerance, if at all
    assert data["suggestion"] is not None and data["suggestion"].startswith("gender introduc")
    # "members" exists only in an unshared item: the platform is never offered it.
    data = await _search(client, "membres")
    assert data["totalCount"] == 0
    assert data["suggestion"] is None


@pytest.mark.parametrize(
    "query",
    [
        '"gender budgeting',
        "AND",
        "OR",
        "NOT",
        "budgeting AND",
        "(((",
        ")",
        "title:",
        ":",
        "*",
        "~",
        "^2",
        "[a TO",
        "{",
        "budget\x01ing\x07 \x1b[31m\x7f",
        "budget\x00ing",
        "\u202egender",
        "",
        "   ",
        "a" * 499,
        "gender " * 70,
        "the~",
        "a~2",
        "budget*~",
        "tag:budgets~",
        "gender~9/9",
        "title:[a TO z]",
        "(" * 200 + "gender" + ")" * 200,
        "*:*",
    ],
)
async def test_odd_input_answers_without_a_server_error(client, library, query):
    response = await graphql(client, SEARCH, {"q": query})
    body = response.json()
    if "\x00" in query:  # the endpoint refuses NUL characters in any request
        assert response.status_code == 400
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        return
    assert response.status_code == 200, body
    for error in body.get("errors", []):
        assert error["extensions"]["reason"] == "INVALID_INPUT", error


async def test_a_ten_thousand_character_query_is_a_clear_error(client, library):
    (error,) = await errors_of(client, SEARCH, {"q": "gender " * 1500})
    expected = {"code": "BAD_USER_INPUT", "reason": "INVALID_INPUT", "field": "query"}
    assert error["extensions"] == expected
    assert "too long" in error["message"]


async def test_a_bad_cursor_and_a_huge_page_are_clear_errors(client, library):
    query = (
        'query($a: String, $f: Int) { search(query: "gender", after: $a, first: $f) '
        "{ totalCount } }"
    )
    (error,) = await errors_of(client, query, {"a": "nope"})
    assert error["extensions"]["reason"] == "INVALID_INPUT"
    (error,) = await errors_of(client, query, {"f": 1000})
    assert error["extensions"]["reason"] == "INVALID_INPUT"


async def test_preview_tokens_find_their_own_drafts_only(app, client, library):
    gen = library["genbudget"]
    await factories.resource(
        gen, slug="draft-plan", title="Draft budgeting plan", status=Status.DRAFT
    )
    await factories.resource(
        library["lac"],
        slug="lac-draft",
        title="Budgeting draft of LAC",
        status=Status.DRAFT,
        shared=True,
    )
    await app.state.search.rebuild()
    _, value = await create_token("previewer", "viewer", "genbudget")
    headers = {"Authorization": f"Bearer {value}", "X-CMS-Tenant": "genbudget"}
    body = (await graphql(client, SEARCH, {"q": "budgeting"}, headers=headers)).json()
    slugs = _slugs(body["data"]["search"])
    assert "draft-plan" in slugs and "lac-draft" not in slugs
    assert "draft-plan" not in _slugs(await _search(client, "budgeting", tenant="genbudget"))
    # The token is genbudget's: addressed to LAC it previews nothing.
    headers["X-CMS-Tenant"] = "lac"
    body = (await graphql(client, SEARCH, {"q": "budgeting"}, headers=headers)).json()
    assert "errors" in body or "lac-draft" not in _slugs(body["data"]["search"])


async def test_scheduled_items_become_findable_at_their_time_without_reindexing(app, library):
    gen = library["genbudget"]
    row = await content.create(
        SYSTEM,
        gen,
        KINDS["Resource"],
        {"title": "Scheduled budgeting report", "kind": "report", "shared": True},
    )
    at = datetime.now(UTC) + timedelta(hours=1)
    await content.publish(SYSTEM, KINDS["Resource"], row.id, at=at)
    await index(app)
    service = app.state.search

    async def found(now):
        results = await service.search("scheduled", Audience.of(Scope(None, now)))
        return [f.row.slug for f in results.found], results.page.total

    assert await found(datetime.now(UTC)) == ([], 0)
    assert await found(at + timedelta(seconds=1)) == ([row.slug], 1)


async def test_unpublish_archive_and_delete_leave_the_index(app, client, library):
    gen = library["genbudget"]
    row = await content.create(
        SYSTEM,
        gen,
        KINDS["Resource"],
        {"title": "Ephemeral budgeting", "kind": "report", "shared": True},
    )
    await content.publish(SYSTEM, KINDS["Resource"], row.id)
    await index(app)
    assert _slugs(await _search(client, "ephemeral")) == [row.slug]
    await content.unpublish(SYSTEM, KINDS["Resource"], row.id)
    await index(app)
    assert (await _search(client, "ephemeral"))["totalCount"] == 0
    await content.publish(SYSTEM, KINDS["Resource"], row.id)
    await content.archive(SYSTEM, KINDS["Resource"], row.id)
    await index(app)
    assert (await _search(client, "ephemeral"))["totalCount"] == 0
    await content.delete(SYSTEM, KINDS["Resource"], row.id)
    await index(app)
    assert await app.state.search.document_count() == 5


async def test_a_stale_index_drops_a_hit_the_database_no_longer_allows(app, client, library):
    from cms.models import Resource

    await Resource.filter(slug="intro").update(status=Status.DRAFT)  # no outbox row: stale index
    data = await _search(client, "introduction")
    assert _slugs(data) == []


async def test_words_of_an_attached_pdf_find_the_resource(client, app):
    gep = await factories.tenant(slug="gep")
    report = await factories.file(gep, text="Annex: intersectional pay audits at faculty level.")
    shown = await factories.resource(gep, slug="audit", title="GEP monitoring", shared=True)
    hidden = await factories.resource(gep, slug="draft", title="Draft", status=Status.DRAFT)
    await shown.attachments.add(report)
    await hidden.attachments.add(report)
    await app.state.search.rebuild()
    data = await _search(client, "intersectional audits")
    assert _slugs(data) == ["audit"]
    assert any("<mark>" in h["snippet"] for h in data["edges"][0]["node"]["highlights"])
