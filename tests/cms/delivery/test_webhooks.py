"""Webhooks end to end: a real receiver on loopback, signed deliveries, retries, schedules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook as Verifier

from cms import models
from cms.app import create_app
from cms.config import Settings
from cms.delivery import DeliveryService, tick
from cms.errors import ErrorCode
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from schema.core.ids import to_global_id
from tests import factories
from tests.support.api import KNOWN_CODES, graphql
from tests.support.receiver import receiver

pytestmark = pytest.mark.anyio

CREATE = """
mutation ($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { id url events } secret errors { field code message } }
}"""
PUBLISH = "mutation ($id: ID!, $at: DateTime) { publish(id: $id, at: $at) { errors { code } } }"
WEBHOOKS = """{ webhooks { id url deliveries { id event status attempts lastStatusCode
  lastDurationMs log { statusCode durationMs error } } } }"""
ALL = [
    "content.published",
    "content.updated",
    "content.unpublished",
    "content.deleted",
    "content.went_live",
    "content.expired",
]


@pytest.fixture
def loopback(app_settings: Settings) -> Settings:
    return app_settings.with_overrides(
        webhook_allow_private=True, webhook_retry_seconds=0.0, webhook_timeout_seconds=5.0
    )


@pytest.fixture
async def api(loopback: Settings, clean_database: None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(loopback, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        event_hooks=KNOWN_CODES,
    ) as http:
        yield http


async def _call(
    api: httpx.AsyncClient, query: str, variables: dict[str, Any], tenant: str, token: str
) -> dict[str, Any]:
    body = (
        await graphql(api, query, variables, tenant=tenant, headers=factories.bearer(token))
    ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def _webhook(
    api: httpx.AsyncClient, tenant: models.Tenant, token: str, url: str, events: list[str] = ALL
) -> dict[str, Any]:
    data = await _call(api, CREATE, {"input": {"url": url, "events": events}}, tenant.slug, token)
    payload: dict[str, Any] = data["createWebhook"]
    assert payload["errors"] == [], payload
    return payload


async def test_a_publish_reaches_the_receiver_signed(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    news = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    with receiver() as site:
        hook = await _webhook(api, tenant, admin, site.url)
        gid = to_global_id("NewsItem", news.id)
        await _call(api, PUBLISH, {"id": gid}, tenant.slug, admin)
        await DeliveryService(loopback).round()
        assert len(site.received) == 1
        got = site.received[0]
        # The reference verifier of Standard Webhooks accepts the signature with the secret.
        verified = Verifier(hook["secret"]).verify(got.body, got.headers)
        assert verified["event"] == "content.published"
        assert verified["tenant"] == tenant.slug
        assert verified["id"] == gid and verified["slug"] == news.slug
        assert verified["url"].endswith(f"/news/{news.slug}")
        # A changed body fails verification.
        with pytest.raises(Exception, match="(?i)signature"):
            Verifier(hook["secret"]).verify(got.body.replace(b"published", b"deleted"), got.headers)
    log = (await _call(api, WEBHOOKS, {}, tenant.slug, admin))["webhooks"][0]["deliveries"]
    assert [(d["event"], d["status"], d["lastStatusCode"]) for d in log] == [
        ("content.published", "succeeded", 204)
    ]
    assert log[0]["log"][0]["durationMs"] >= 0


async def test_a_failing_receiver_is_retried_while_others_go_on(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    news = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    with receiver(status=500) as broken, receiver() as healthy:
        await _webhook(api, tenant, admin, broken.url)
        await _webhook(api, tenant, admin, healthy.url)
        await _call(api, PUBLISH, {"id": to_global_id("NewsItem", news.id)}, tenant.slug, admin)
        service = DeliveryService(loopback)
        await service.round()
        await service.round()  # the retry wait is 0 in this test
        assert len(healthy.received) == 1
        assert len(broken.received) == 2
        assert broken.received[0].headers["webhook-id"] == broken.received[1].headers["webhook-id"]
        broken.status = 200
        await service.round()
        assert len(broken.received) == 3 and len(healthy.received) == 1
    hooks = (await _call(api, WEBHOOKS, {}, tenant.slug, admin))["webhooks"]
    first = hooks[0]["deliveries"][0]
    assert (first["status"], first["attempts"]) == ("succeeded", 3)
    assert [a["statusCode"] for a in first["log"]] == [500, 500, 200]


async def test_a_delivery_failing_past_the_retry_window_is_failed(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    news = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    with receiver(status=503) as broken:
        await _webhook(api, tenant, admin, broken.url)
        await _call(api, PUBLISH, {"id": to_global_id("NewsItem", news.id)}, tenant.slug, admin)
        # The first retry would come after an hour, past a window of a minute.
        settings = loopback.with_overrides(webhook_retry_seconds=3600.0, webhook_retry_hours=1 / 60)
        await DeliveryService(settings).round()
    delivery = await models.WebhookDelivery.get()
    assert (delivery.status, delivery.attempts) == (models.DeliveryStatus.FAILED, 1)


async def test_backoff_doubles() -> None:
    from cms.delivery import backoff

    settings = Settings(webhook_retry_seconds=30.0)
    assert [backoff(settings, n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


async def test_went_live_is_emitted_once_across_processes_and_restarts(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    news = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    now = datetime.now(UTC)
    await tick(now)  # the clock starts here
    with receiver() as site:
        await _webhook(api, tenant, admin, site.url, ["content.went_live"])
        at = (now + timedelta(hours=1)).isoformat()
        await _call(
            api, PUBLISH, {"id": to_global_id("NewsItem", news.id), "at": at}, tenant.slug, admin
        )
        # The time passes while no process runs; two processes then tick at once.
        later = now + timedelta(hours=2)
        emitted = await asyncio.gather(tick(later), tick(later))
        assert sorted(emitted) == [0, 1]
        assert await tick(later + timedelta(seconds=1)) == 0
        first, second = DeliveryService(loopback), DeliveryService(loopback)
        await asyncio.gather(first.round(), second.round())
        await asyncio.gather(first.round(), second.round())
        assert [json.loads(r.body)["event"] for r in site.received] == ["content.went_live"]


async def test_two_services_deliver_each_event_once(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    items = [
        await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
        for _ in range(5)
    ]
    with receiver() as site:
        await _webhook(api, tenant, admin, site.url)
        for item in items:
            await content.publish(SYSTEM, KINDS["NewsItem"], item.id)
        services = [DeliveryService(loopback) for _ in range(2)]
        for _ in range(3):
            await asyncio.gather(*(s.round() for s in services))
        slugs = sorted(json.loads(r.body)["slug"] for r in site.received)
        assert slugs == sorted(i.slug for i in items)


async def test_other_tenants_changes_and_drafts_reach_no_webhook(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    mine, other = await factories.tenant(), await factories.tenant()
    _, admin = await factories.token(mine, "admin")
    theirs = await factories.resource(
        other, status=models.Status.DRAFT, published_at=None, shared=True
    )
    draft = await factories.news_item(mine, status=models.Status.DRAFT, published_at=None)
    with receiver() as site:
        await _webhook(api, mine, admin, site.url)
        await content.publish(SYSTEM, KINDS["Resource"], theirs.id)
        await content.update(SYSTEM, KINDS["NewsItem"], draft.id, {"title": "Still a draft"}, 1)
        await DeliveryService(loopback).round()
        assert site.received == []


async def test_ping_and_redelivery(api: httpx.AsyncClient, loopback: Settings) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    with receiver() as site:
        hook = await _webhook(api, tenant, admin, site.url)
        ping = (
            "mutation ($id: ID!) { pingWebhook(id: $id) { delivery { id event } errors { code } } }"
        )
        data = await _call(api, ping, {"id": hook["webhook"]["id"]}, tenant.slug, admin)
        delivery = data["pingWebhook"]["delivery"]
        assert delivery["event"] == "webhook.ping"
        await DeliveryService(loopback).round()
        again = (
            "mutation ($id: ID!) "
            "{ redeliverWebhookDelivery(id: $id) { delivery { id } errors { code } } }"
        )
        await _call(api, again, {"id": delivery["id"]}, tenant.slug, admin)
        await DeliveryService(loopback).round()
        bodies = [json.loads(r.body) for r in site.received]
        assert [b["event"] for b in bodies] == ["webhook.ping", "webhook.ping"]
        Verifier(hook["secret"]).verify(site.received[1].body, site.received[1].headers)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://100.100.100.200/latest/meta-data",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "ftp://example.org/hook",
        "http://user:pw@example.org/hook",
    ],
)
async def test_unsafe_targets_are_refused_without_the_operator_allowance(
    client: httpx.AsyncClient, url: str
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    data = await _call(client, CREATE, {"input": {"url": url, "events": ALL}}, tenant.slug, admin)
    errors = data["createWebhook"]["errors"]
    assert [e["code"] for e in errors] == [ErrorCode.UNSAFE_TARGET.value]
    assert await models.Webhook.all().count() == 0


async def test_only_the_tenants_admins_manage_its_webhooks(api: httpx.AsyncClient) -> None:
    mine, other = await factories.tenant(), await factories.tenant()
    _, admin = await factories.token(mine, "admin")
    _, editor = await factories.token(mine, "editor")
    _, stranger = await factories.token(other, "admin")
    with receiver() as site:
        hook = await _webhook(api, mine, admin, site.url)
    body = (await graphql(api, WEBHOOKS, tenant=mine.slug, headers=factories.bearer(editor))).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    data = await _call(api, WEBHOOKS, {}, other.slug, stranger)
    assert data["webhooks"] == []
    ping = "mutation ($id: ID!) { pingWebhook(id: $id) { errors { code } } }"
    data = await _call(api, ping, {"id": hook["webhook"]["id"]}, other.slug, stranger)
    assert data["pingWebhook"]["errors"] == [{"code": "NOT_FOUND"}]
    data = await _call(
        api, CREATE, {"input": {"url": "https://example.org/h", "events": ALL}}, mine.slug, editor
    )
    assert data["createWebhook"]["errors"][0]["code"] == "PERMISSION_DENIED"


async def test_expiry_is_emitted_when_its_time_passes(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    news = await factories.news_item(tenant)
    now = datetime.now(UTC)
    await tick(now)
    with receiver() as site:
        await _webhook(api, tenant, admin, site.url, ["content.expired"])
        await content.update(
            SYSTEM,
            KINDS["NewsItem"],
            news.id,
            {"expires_at": now + timedelta(hours=1)},
            news.version,
        )
        assert await tick(now + timedelta(minutes=30)) == 0
        assert await tick(now + timedelta(hours=2)) == 1
        await DeliveryService(loopback).round()
        assert [json.loads(r.body)["event"] for r in site.received] == ["content.expired"]


async def test_the_background_service_delivers_without_being_asked(
    api: httpx.AsyncClient, loopback: Settings
) -> None:
    tenant = await factories.tenant()
    _, admin = await factories.token(tenant, "admin")
    news = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    with receiver() as site:
        await _webhook(api, tenant, admin, site.url)
        service = DeliveryService(loopback)
        service.start()
        try:
            await content.publish(SYSTEM, KINDS["NewsItem"], news.id)
            for _ in range(2000):  # polls every 0.25 s; the loop only bounds a broken poller
                if site.received:
                    break
                await asyncio.sleep(0.01)
        finally:
            await service.stop()
        assert [json.loads(r.body)["event"] for r in site.received] == ["content.published"]
