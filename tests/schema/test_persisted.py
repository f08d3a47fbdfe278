"""Persisted queries over real HTTP through the app: Apollo's automatic persisted query protocol
(POST and GET by hash), its bounds, trusted-documents mode, and tenancy through stored documents."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from cms import models
from cms.app import create_app
from cms.config import Settings
from cms.services import persisted as store
from tests import factories
from tests.support.api import KNOWN_CODES

pytestmark = pytest.mark.anyio

GR = "application/graphql-response+json"
RESOURCES = "query Resources { resources(includeShared: true) { edges { node { slug } } } }"
RESOURCE = "query Resource($slug: String!) { resource(slug: $slug) { title } }"
CREATE_TAG = 'mutation Tag { createTag(input: {name: "Persisted"}) { tag { name } } }'


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def hashed(body: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(body)}}


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a fresh app (its own in-process caches) over the shared test database."""
    app = create_app(settings, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        event_hooks=KNOWN_CODES,
    ) as client:
        yield client


async def post(
    client: httpx.AsyncClient, body: dict[str, Any], tenant: str = "lac", **headers: str
) -> httpx.Response:
    return await client.post(
        "/graphql", json=body, headers={"X-CMS-Tenant": tenant, "Accept": GR, **headers}
    )


async def get_by_hash(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any] | None = None,
    tenant: str = "lac",
) -> httpx.Response:
    params = {"extensions": json.dumps(hashed(document))}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return await client.get(
        "/graphql", params=params, headers={"X-CMS-Tenant": tenant, "Accept": GR}
    )


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json().get("errors", [])]


async def stored() -> set[str]:
    return set(await models.PersistedQuery.all().values_list("sha256", flat=True))


async def test_an_unknown_hash_is_persisted_query_not_found_never_cached(client):
    await factories.tenant(slug="lac")
    response = await post(client, {"extensions": hashed(RESOURCES)})
    assert response.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert response.headers["cache-control"] == "no-store"
    by_get = await get_by_hash(client, RESOURCES)
    assert codes(by_get) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert by_get.headers["cache-control"] == "no-store"
    assert await stored() == set()


async def test_registration_on_the_second_request_then_post_and_get_by_hash(client):
    lac = await factories.tenant(slug="lac")
    await factories.resource(lac, slug="toolkit", title="Toolkit")
    assert codes(await post(client, {"extensions": hashed(RESOURCE)})) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]
    registered = await post(
        client,
        {"query": RESOURCE, "variables": {"slug": "toolkit"}, "extensions": hashed(RESOURCE)},
    )
    assert registered.json() == {"data": {"resource": {"title": "Toolkit"}}}
    assert await stored() == {sha(RESOURCE)}

    by_post = await post(client, {"extensions": hashed(RESOURCE), "variables": {"slug": "toolkit"}})
    assert by_post.json() == {"data": {"resource": {"title": "Toolkit"}}}
    by_get = await get_by_hash(client, RESOURCE, {"slug": "toolkit"})
    assert by_get.status_code == 200
    assert by_get.json() == {"data": {"resource": {"title": "Toolkit"}}}


async def test_a_browser_opening_a_get_by_hash_gets_the_answer_not_the_ide(client):
    lac = await factories.tenant(slug="lac")
    await factories.resource(lac, slug="toolkit", title="Toolkit")
    await post(client, {"query": RESOURCES, "extensions": hashed(RESOURCES)})
    response = await client.get(
        "/graphql",
        params={"extensions": json.dumps(hashed(RESOURCES))},
        headers={"X-CMS-Tenant": "lac", "Accept": "text/html,application/json;q=0.9"},
    )
    assert response.json() == {"data": {"resources": {"edges": [{"node": {"slug": "toolkit"}}]}}}


async def test_every_worker_knows_a_document_another_registered(app_settings, clean_database):
    lac = await factories.tenant(slug="lac")
    await factories.resource(lac, slug="toolkit", title="Toolkit")
    async with serving(app_settings) as first:
        await post(first, {"query": RESOURCES, "extensions": hashed(RESOURCES)})
    async with serving(app_settings) as second:  # its own, empty in-process cache
        response = await get_by_hash(second, RESOURCES)
    assert response.json() == {"data": {"resources": {"edges": [{"node": {"slug": "toolkit"}}]}}}


async def test_a_hash_that_is_not_the_documents_is_refused_and_nothing_stored(client):
    await factories.tenant(slug="lac")
    response = await post(client, {"query": RESOURCES, "extensions": hashed(RESOURCE)})
    assert codes(response) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    assert "data" not in response.json()
    assert await stored() == set()


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": sha(RESOURCES)}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": {"version": 1, "sha256Hash": sha(RESOURCES).upper()}},
        {"persistedQuery": "yes"},
    ],
)
async def test_a_malformed_persisted_query_is_a_bad_request(client, extensions):
    await factories.tenant(slug="lac")
    response = await post(client, {"extensions": extensions})
    assert response.status_code == 400
    assert codes(response) == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    "document",
    [
        "{ resources { nope } }",  # does not validate
        "{ resources(first: 10",  # does not parse
        "{ a: site { name } " + " ".join(f"a{i}: site {{ name }}" for i in range(40)) + " }",
        "{ site { name } }" + " " * 40_000,  # over CMS_PERSISTED_QUERY_MAX_BYTES
    ],
)
async def test_only_documents_within_every_limit_are_stored(client, document):
    await factories.tenant(slug="lac")
    response = await post(client, {"query": document, "extensions": hashed(document)})
    assert response.status_code in (200, 400)
    assert await stored() == set()
    assert codes(await post(client, {"extensions": hashed(document)})) == [
        "PERSISTED_QUERY_NOT_FOUND"
    ]


async def test_get_by_hash_never_runs_a_mutation(client):
    lac = await factories.tenant(slug="lac")
    _, token = await factories.token(lac, "editor")
    editor = factories.bearer(token)
    registered = await post(
        client, {"query": CREATE_TAG, "extensions": hashed(CREATE_TAG)}, **editor
    )
    assert registered.json()["data"]["createTag"]["tag"] == {"name": "Persisted"}
    await models.Tag.all().delete()
    response = await client.get(
        "/graphql",
        params={"extensions": json.dumps(hashed(CREATE_TAG))},
        headers={"X-CMS-Tenant": "lac", "Accept": GR, **editor},
    )
    assert response.status_code == 405
    assert await models.Tag.all().count() == 0
    by_post = await post(client, {"extensions": hashed(CREATE_TAG)}, **editor)
    assert by_post.json()["data"]["createTag"]["tag"] == {"name": "Persisted"}


async def test_past_the_cap_the_oldest_registered_documents_go(app_settings, clean_database):
    await factories.tenant(slug="lac")
    trusted = "query Trusted { site { name } }"
    await store.add_trusted([store.ManifestEntry(sha(trusted), trusted, "Trusted")])
    documents = [f"query Q{i} {{ site {{ slug }} }}" for i in range(4)]
    async with serving(app_settings.with_overrides(persisted_queries_max=2)) as client:
        for document in documents:
            response = await post(client, {"query": document, "extensions": hashed(document)})
            assert response.json() == {"data": {"site": {"slug": "lac"}}}
    assert await stored() == {sha(trusted), sha(documents[2]), sha(documents[3])}
    async with serving(app_settings) as fresh:
        gone = await post(fresh, {"extensions": hashed(documents[0])})
        assert codes(gone) == ["PERSISTED_QUERY_NOT_FOUND"]
        kept = await post(fresh, {"extensions": hashed(documents[3])})
        assert kept.json() == {"data": {"site": {"slug": "lac"}}}


async def test_a_stored_document_keeps_each_tenant_to_its_own_items(client):
    lac = await factories.tenant(slug="lac")
    genera = await factories.tenant(slug="genera")
    await factories.resource(lac, slug="lac-public", title="LAC")
    await factories.resource(lac, slug="lac-draft", title="Draft", status="draft")
    await factories.resource(lac, slug="lac-shared", title="Shared", shared=True)
    await factories.resource(genera, slug="genera-own", title="GENERA")
    await post(client, {"query": RESOURCES, "extensions": hashed(RESOURCES)}, tenant="lac")

    def slugs(response: httpx.Response) -> set[str]:
        edges = response.json()["data"]["resources"]["edges"]
        return {e["node"]["slug"] for e in edges}

    assert slugs(await get_by_hash(client, RESOURCES, tenant="genera")) == {
        "genera-own",
        "lac-shared",
    }
    assert slugs(await get_by_hash(client, RESOURCES, tenant="lac")) == {"lac-public", "lac-shared"}
    detail = await get_by_hash(client, RESOURCE, {"slug": "lac-public"}, tenant="genera")
    assert codes(detail) == ["PERSISTED_QUERY_NOT_FOUND"]
    await post(
        client,
        {"query": RESOURCE, "variables": {"slug": "lac-draft"}, "extensions": hashed(RESOURCE)},
        tenant="genera",
    )
    for slug in ("lac-public", "lac-draft"):
        hidden = await get_by_hash(client, RESOURCE, {"slug": slug}, tenant="genera")
        assert hidden.json() == {"data": {"resource": None}}


async def test_trusted_documents_mode_runs_only_the_manifests_documents(
    app_settings, clean_database
):
    lac = await factories.tenant(slug="lac")
    await factories.resource(lac, slug="toolkit", title="Toolkit")
    registered_before = "query Old { site { name } }"
    await store.register(sha(registered_before), registered_before, limit=10)
    await store.add_trusted([store.ManifestEntry(sha(RESOURCES), RESOURCES, "Resources")])
    expected = {"data": {"resources": {"edges": [{"node": {"slug": "toolkit"}}]}}}
    async with serving(app_settings.with_overrides(trusted_documents=True)) as client:
        assert (await get_by_hash(client, RESOURCES)).json() == expected
        assert (await post(client, {"query": RESOURCES})).json() == expected  # its exact text
        free = await post(client, {"query": "{ site { name } }"})
        assert codes(free) == ["PERSISTED_QUERY_REQUIRED"]
        assert "data" not in free.json()
        other = "{ tenants { slug } }"
        refused = await post(client, {"query": other, "extensions": hashed(other)})
        assert codes(refused) == ["PERSISTED_QUERY_REQUIRED"]
        old = await post(client, {"extensions": hashed(registered_before)})
        assert codes(old) == ["PERSISTED_QUERY_NOT_FOUND"]  # registered by a client: untrusted
    assert await stored() == {sha(registered_before), sha(RESOURCES)}


async def test_past_the_registration_rate_a_document_runs_but_is_not_stored(
    app_settings, clean_database, monkeypatch
):
    from schema import persisted

    monkeypatch.setattr(persisted, "REGISTRATION_BURST", 2)
    monkeypatch.setattr(persisted, "REGISTRATIONS_PER_SECOND", 0.0)
    await factories.tenant(slug="lac")
    documents = [f"query R{i} {{ site {{ slug }} }}" for i in range(3)]
    async with serving(app_settings) as client:
        for document in documents:
            response = await post(client, {"query": document, "extensions": hashed(document)})
            assert response.json() == {"data": {"site": {"slug": "lac"}}}
    assert await stored() == {sha(documents[0]), sha(documents[1])}
