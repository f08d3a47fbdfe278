"""Translations: the other items of a translation group, only in the item's tenant and only
those the reader may see; plus the read-only import fields (sourceUid) and event contacts."""

from __future__ import annotations

from typing import Any

import pytest

from cms.models import Status
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import bearer
from tests.support.api import data_of, graphql

pytestmark = pytest.mark.anyio


TRANSLATIONS = """
query ($s: String!) {
  resource(slug: $s, tenant: "home") {
    language translationGroup translations { slug language }
  }
}
"""
EVERY_KIND = """
{
  resource(slug: "one-en") { translations { __typename slug } }
  video(slug: "one-en") { translations { __typename slug } }
  profile(slug: "one-en") { translations { __typename slug } }
  organisation(slug: "one-en") { translations { __typename slug } }
  event(slug: "one-en") { translations { __typename slug } }
  newsItem(slug: "one-en") { translations { __typename slug } }
  page(path: "one-en") { translations { __typename slug } }
}
"""
FACTORIES = {
    "resource": factories.resource,
    "video": factories.video,
    "profile": factories.profile,
    "organisation": factories.organisation,
    "event": factories.event,
    "newsItem": factories.news_item,
    "page": factories.page,
}
TYPENAMES = {"newsItem": "NewsItem"}


def _slugs(data: dict[str, Any]) -> list[str]:
    return [t["slug"] for t in data["resource"]["translations"]]


@pytest.fixture
async def group(client) -> dict[str, Any]:
    """One guide in six languages and states, and an outsider that reuses its group string."""
    home = await factories.tenant(slug="home")
    away = await factories.tenant(slug="away")
    states: dict[str, dict[str, Any]] = {
        "en": {},
        "nl": {},
        "es": {},
        "de": {"status": Status.DRAFT},
        "fr": {"status": Status.PUBLISHED, "published_at": factories.FUTURE},
        "pt": {"expires_at": factories.EXPIRED},
        "it": {"status": Status.ARCHIVED},
    }
    for lang, values in states.items():
        await factories.resource(
            home,
            slug=f"guide-{lang}",
            language=lang,
            shared=True,
            translation_group="plone-guide",
            **values,
        )
    await factories.resource(home, slug="other-en", translation_group="plone-other")
    await factories.resource(home, slug="alone-en")
    # Someone gave another tenant's shared, live item the same group: it is no translation.
    await factories.resource(
        away, slug="guide-sv", language="sv", shared=True, translation_group="plone-guide"
    )
    return {"client": client, "home": home, "away": away}


async def _read(
    group: dict[str, Any], slug: str, headers: dict[str, str] | None = None, tenant: str = "home"
) -> dict[str, Any]:
    response = await graphql(
        group["client"], TRANSLATIONS, {"s": slug}, tenant=tenant, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_the_public_sees_the_live_translations_in_the_tenant_by_language(group):
    data = await _read(group, "guide-en")
    assert data["resource"]["translationGroup"] == "plone-guide"
    # Not itself, not the draft, scheduled, expired or archived ones, not the other tenant's.
    assert _slugs(data) == ["guide-es", "guide-nl"]
    assert _slugs(await _read(group, "guide-nl")) == ["guide-en", "guide-es"]
    assert _slugs(await _read(group, "other-en")) == []
    assert _slugs(await _read(group, "alone-en")) == []


@pytest.mark.parametrize("role", ["viewer", "editor", "admin"])
async def test_previewers_of_the_tenant_also_see_unpublished_translations(group, role):
    headers = bearer((await factories.token(group["home"], role))[1])
    data = await _read(group, "guide-en", headers)
    assert _slugs(data) == [f"guide-{lang}" for lang in ("de", "es", "fr", "it", "nl", "pt")]
    # A previewer reading a draft sees its live siblings too.
    assert "guide-en" in _slugs(await _read(group, "guide-de", headers))


async def test_other_tenants_never_get_unpublished_or_foreign_translations(group):
    away_admin = bearer((await factories.token(group["away"], "admin"))[1])
    # Reading home's shared guide from its own site: its token lends it no preview there.
    assert _slugs(await _read(group, "guide-en", away_admin, tenant="away")) == [
        "guide-es",
        "guide-nl",
    ]
    assert _slugs(await _read(group, "guide-en", tenant="away")) == ["guide-es", "guide-nl"]
    # Its own item with the same group string links nothing of home's.
    query = '{ resource(slug: "guide-sv") { translations { slug } } }'
    for headers in ({}, away_admin):
        response = await graphql(group["client"], query, tenant="away", headers=headers)
        assert response.json()["data"]["resource"]["translations"] == []
    # The platform scope sees only shared, live items: the same two.
    platform = await data_of(group["client"], TRANSLATIONS, {"s": "guide-en"})
    assert _slugs(platform) == ["guide-es", "guide-nl"]


async def test_translations_through_node_are_the_same(group):
    row = await factories.resource(
        group["home"], slug="guide-ro", language="ro", translation_group="plone-guide"
    )
    query = "query ($id: ID!) { node(id: $id) { ... on Resource { translations { slug } } } }"
    data = await data_of(
        group["client"], query, {"id": to_global_id("Resource", row.id)}, tenant="home"
    )
    assert [t["slug"] for t in data["node"]["translations"]] == [
        "guide-en",
        "guide-es",
        "guide-nl",
    ]


async def test_every_content_kind_has_translations_of_its_own_type(client):
    home = await factories.tenant(slug="home")
    for field, make in FACTORIES.items():
        for lang in ("en", "es"):
            place = {"path": f"one-{lang}"} if field == "page" else {"slug": f"one-{lang}"}
            await make(home, language=lang, translation_group=f"{field}-one", **place)
    data = await data_of(client, EVERY_KIND, tenant="home")
    for field in FACTORIES:
        typename = TYPENAMES.get(field, field[0].upper() + field[1:])
        assert data[field]["translations"] == [{"__typename": typename, "slug": "one-es"}], field


CREATE_RESOURCE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) {
    resource { id translationGroup translations { slug } }
    errors { field code }
  }
}"""
UPDATE_RESOURCE = """
mutation ($id: ID!, $input: UpdateResourceInput!) {
  updateResource(id: $id, input: $input) {
    resource { version translationGroup translations { slug } }
    errors { field code }
  }
}"""


async def test_editors_link_and_unlink_translations_through_the_api(client):
    home = await factories.tenant(slug="home")
    await factories.resource(home, slug="guide-en", translation_group="guide", language="en")
    headers = bearer((await factories.token(home, "editor"))[1])
    values = {"title": "Guía", "kind": "GUIDE", "language": "es", "translationGroup": " guide "}
    response = await graphql(
        client, CREATE_RESOURCE, {"input": values}, tenant="home", headers=headers
    )
    made = response.json()["data"]["createResource"]
    assert made["errors"] == []
    assert made["resource"]["translationGroup"] == "guide"
    assert made["resource"]["translations"] == [{"slug": "guide-en"}]
    for group, expected in ((None, None), ("", None)):  # null and an empty group both unlink
        response = await graphql(
            client,
            UPDATE_RESOURCE,
            {
                "id": made["resource"]["id"],
                "input": {"expectedVersion": 1 if group is None else 2, "translationGroup": group},
            },
            tenant="home",
            headers=headers,
        )
        saved = response.json()["data"]["updateResource"]
        assert saved["errors"] == [] and saved["resource"]["translationGroup"] is expected
        assert saved["resource"]["translations"] == []


async def test_source_uids_are_readable_on_content_images_and_files(client):
    home = await factories.tenant(slug="home")
    cover = await factories.image(home, source_uid="img-uid")
    row = await factories.resource(home, slug="imported", source_uid="res-uid", cover_image=cover)
    await row.attachments.add(await factories.file(home, source_uid="file-uid"))
    await factories.resource(home, slug="made-here")
    query = """{
      imported: resource(slug: "imported") {
        sourceUid coverImage { sourceUid } attachments { sourceUid } }
      madeHere: resource(slug: "made-here") { sourceUid }
    }"""
    data = await data_of(client, query, tenant="home")
    assert data == {
        "imported": {
            "sourceUid": "res-uid",
            "coverImage": {"sourceUid": "img-uid"},
            "attachments": [{"sourceUid": "file-uid"}],
        },
        "madeHere": {"sourceUid": None},
    }


def test_source_uid_is_read_only_and_translation_group_writable_on_every_kind():
    from graphql import GraphQLInputObjectType

    from tests.support.sdl import graphql_schema

    inputs = [
        t for t in graphql_schema().type_map.values() if isinstance(t, GraphQLInputObjectType)
    ]
    content_inputs = [
        t
        for t in inputs
        if t.name.startswith(("Create", "Update"))
        and t.name
        not in ("CreateTagInput", "UpdateTagInput", "CreateWebhookInput", "UpdateWebhookInput")
    ]
    assert len(content_inputs) == 14
    assert not any("sourceUid" in t.fields for t in inputs)
    for input_type in content_inputs:
        assert {"expiresAt", "translationGroup"} <= set(input_type.fields), input_type.name


async def test_event_contact_is_written_and_read(client):
    home = await factories.tenant(slug="home")
    headers = bearer((await factories.token(home, "editor"))[1])
    create = """mutation ($input: CreateEventInput!) {
      createEvent(input: $input) { event { id contactName contactEmail } errors { field code } }
    }"""
    values = {
        "title": "Webinar",
        "start": "2030-03-01T09:00:00+01:00",
        "end": "2030-03-01T11:00:00+01:00",
        "format": "ONLINE",
        "contactName": " Ana Pérez ",
        "contactEmail": "ana@example.org",
    }
    response = await graphql(client, create, {"input": values}, tenant="home", headers=headers)
    made = response.json()["data"]["createEvent"]
    assert made["errors"] == []
    assert made["event"]["contactName"] == "Ana Pérez"
    assert made["event"]["contactEmail"] == "ana@example.org"
    plain = await factories.event(home, slug="plain")
    query = '{ event(slug: "plain") { contactName contactEmail } }'
    assert (await data_of(client, query, tenant="home"))["event"] == {
        "contactName": "",
        "contactEmail": "",
    }
    assert plain.contact_name == ""
