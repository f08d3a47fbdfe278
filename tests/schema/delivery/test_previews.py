"""Preview links: one draft of one tenant, read-only, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cms import models, preview
from cms.config import Settings
from schema.core.ids import to_global_id
from tests import factories
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

LINK = """mutation ($id: ID!) { createPreviewLink(id: $id) { token url expiresAt
  errors { code } } }"""
READ = """query ($t: String!) { preview(token: $t) { id status ... on NewsItem { title } } }"""


async def _link(client: httpx.AsyncClient, tenant: models.Tenant, token: str, gid: str) -> Any:
    body = (
        await graphql(
            client, LINK, {"id": gid}, tenant=tenant.slug, headers=factories.bearer(token)
        )
    ).json()
    return body["data"]["createPreviewLink"]


async def test_a_preview_link_reads_its_draft_and_nothing_else(client: httpx.AsyncClient) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    _, viewer = await factories.token(tenant, "viewer")
    draft = await factories.news_item(
        tenant, title="Secret draft", status=models.Status.DRAFT, published_at=None
    )
    second = await factories.news_item(
        tenant, title="Other draft", status=models.Status.DRAFT, published_at=None
    )
    gid = to_global_id("NewsItem", draft.id)
    link = await _link(client, tenant, viewer, gid)
    assert link["errors"] == [] and link["url"].endswith(
        f"/news/{draft.slug}?preview={link['token']}"
    )
    body = (await graphql(client, READ, {"t": link["token"]}, tenant=tenant.slug)).json()
    assert body["data"]["preview"] == {"id": gid, "title": "Secret draft", "status": "DRAFT"}
    # Another tenant's request, or none, does not open it.
    for address in (other.slug, None):
        body = (await graphql(client, READ, {"t": link["token"]}, tenant=address)).json()
        assert body["errors"][0]["extensions"]["reason"] == "INVALID_PREVIEW_TOKEN"
    # A token altered to name another item fails its signature.
    payload, mac = link["token"].split(".")
    forged_claims = preview._b64(
        f'{{"t":{tenant.id},"k":"NewsItem","i":{second.id},"e":9999999999}}'.encode()
    )
    body = (await graphql(client, READ, {"t": f"{forged_claims}.{mac}"}, tenant=tenant.slug)).json()
    assert body["errors"][0]["extensions"]["reason"] == "INVALID_PREVIEW_TOKEN"
    # The token is no API token: it cannot write.
    publish = "mutation ($id: ID!) { publish(id: $id) { errors { code } } }"
    body = (
        await graphql(
            client,
            publish,
            {"id": gid},
            tenant=tenant.slug,
            headers=factories.bearer(link["token"]),
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await models.NewsItem.get(id=draft.id)).status == models.Status.DRAFT


async def test_an_expired_token_is_refused(client: httpx.AsyncClient, settings: Settings) -> None:
    tenant = await factories.tenant()
    draft = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    grant = preview.Grant(tenant.id, "NewsItem", draft.id, datetime.now(UTC) - timedelta(seconds=1))
    token = preview.sign(settings.resolved_secret_key(), grant)
    body = (await graphql(client, READ, {"t": token}, tenant=tenant.slug)).json()
    assert body["errors"][0]["extensions"]["reason"] == "INVALID_PREVIEW_TOKEN"


async def test_only_previewers_of_the_items_tenant_get_a_link(client: httpx.AsyncClient) -> None:
    tenant, other = await factories.tenant(), await factories.tenant()
    _, stranger = await factories.token(other, "admin")
    draft = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    link = await _link(client, other, stranger, to_global_id("NewsItem", draft.id))
    assert link == {
        "token": None,
        "url": None,
        "expiresAt": None,
        "errors": [{"code": "NOT_FOUND"}],
    }
    body = (
        await graphql(client, LINK, {"id": to_global_id("NewsItem", draft.id)}, tenant=tenant.slug)
    ).json()
    assert body["data"]["createPreviewLink"]["errors"] == [{"code": "PERMISSION_DENIED"}]
