"""CORS: tenants' domains and configured origins may call /graphql and read media from a
browser; other origins get no CORS header, and credentials are never allowed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from cms import models
from cms.app import create_app
from cms.config import Settings, SettingsError
from tests import factories
from tests.support import samples
from tests.support.database import SQLCounter
from tests.support.uploads import UPLOAD_IMAGE, editor, upload

pytestmark = pytest.mark.anyio

ACT = "https://act.example.org"
GLOBAL = "https://portal.example.net"
EXTRA = "http://localhost:3000"
SITE = "{ site { slug } }"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, x-cms-tenant",
}


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0,
        data_dir=tmp_path,
        cors_origins=(GLOBAL,),
        cors_tenant_origins=(("act", EXTRA), ("gone", "https://gone.example.org")),
    )


@pytest.fixture
async def tenants(clean_database: None) -> None:
    await factories.tenant(slug="act", name="ACT", domains=["act.example.org"])
    await factories.tenant(slug="genera", name="GENERA", domains=["genera.example.org"])


async def preflight(client: httpx.AsyncClient, origin: str, path: str = "/graphql"):
    return await client.options(path, headers={"Origin": origin, **PREFLIGHT})


async def post(client: httpx.AsyncClient, origin: str, tenant: str | None) -> httpx.Response:
    headers = {"Origin": origin}
    if tenant is not None:
        headers["X-CMS-Tenant"] = tenant
    return await client.post("/graphql", json={"query": SITE}, headers=headers)


def assert_no_cors(response: httpx.Response) -> None:
    assert not [h for h in response.headers if h.startswith("access-control-")], response.headers
    assert "origin" in response.headers["vary"].lower()


async def test_a_preflight_from_a_tenant_domain_is_answered(client, tenants):
    response = await preflight(client, ACT)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ACT
    assert response.headers["access-control-allow-methods"] == "GET, POST"
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "x-cms-tenant"} <= allowed
    assert int(response.headers["access-control-max-age"]) > 0
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


async def test_a_tenant_origin_reads_its_own_tenant_only(client, tenants):
    own = await post(client, ACT, "act")
    assert own.status_code == 200
    assert own.json()["data"] == {"site": {"slug": "act"}}
    assert own.headers["access-control-allow-origin"] == ACT
    assert "origin" in own.headers["vary"].lower()
    assert "access-control-allow-credentials" not in own.headers
    # Answered (the browser will not let the page read it), but without CORS headers.
    other = await post(client, ACT, "genera")
    assert other.json()["data"] == {"site": {"slug": "genera"}}
    assert_no_cors(other)
    assert_no_cors(await post(client, ACT, None))  # the platform scope
    assert_no_cors(await post(client, ACT, "no-such-tenant"))


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://act.example.org",  # a domain is only trusted over https
        "https://act.example.org:8443",
        "https://sub.act.example.org",
        "https://act.example.org.evil.example",
        "null",
    ],
)
async def test_unknown_origins_get_no_cors_headers(client, tenants, origin):
    response = await preflight(client, origin)
    assert response.status_code == 403
    assert_no_cors(response)
    answered = await post(client, origin, "act")
    assert answered.status_code == 200
    assert_no_cors(answered)


async def test_a_global_origin_reads_every_tenant_and_the_platform_scope(client, tenants):
    assert (await preflight(client, GLOBAL)).headers["access-control-allow-origin"] == GLOBAL
    for tenant in ("act", "genera", None):
        response = await post(client, GLOBAL, tenant)
        assert response.headers["access-control-allow-origin"] == GLOBAL


async def test_a_tenants_extra_origin_reads_that_tenant_only(client, tenants):
    assert (await preflight(client, EXTRA)).headers["access-control-allow-origin"] == EXTRA
    assert (await post(client, EXTRA, "act")).headers["access-control-allow-origin"] == EXTRA
    assert_no_cors(await post(client, EXTRA, "genera"))
    assert_no_cors(await post(client, EXTRA, None))
    # An extra origin of a slug no tenant has is no origin at all.
    assert (await preflight(client, "https://gone.example.org")).status_code == 403


async def test_requests_without_origin_are_unchanged(client, tenants):
    response = await client.post("/graphql", json={"query": SITE}, headers={"X-CMS-Tenant": "act"})
    assert response.json()["data"] == {"site": {"slug": "act"}}
    assert not [h for h in response.headers if h.startswith("access-control-")]
    plain = await client.options("/graphql")
    assert plain.status_code == 204
    assert plain.headers["allow"] == "GET, POST, OPTIONS"


async def test_uploads_and_media_work_across_origins(client, tenants):
    token = await editor("act")
    response = await upload(
        client, UPLOAD_IMAGE, samples.photo((64, 48)), "a.jpg", {"alt": "A"}, token=token
    )
    assert response.status_code == 200
    url = response.json()["data"]["uploadImage"]["image"]["url"]
    operations = {"query": UPLOAD_IMAGE, "variables": {"file": None, "alt": "B"}}
    uploaded = await client.post(
        "/graphql",
        headers={"Origin": ACT, "X-CMS-Tenant": "act", "Authorization": f"Bearer {token}"},
        files={"0": ("b.jpg", samples.photo((32, 24)), "application/octet-stream")},
        data={
            "operations": json.dumps(operations),
            "map": '{"0": ["variables.file"]}',
        },
    )
    assert uploaded.json()["data"]["uploadImage"]["errors"] == []
    assert uploaded.headers["access-control-allow-origin"] == ACT
    # Media are public once a published item uses them.
    act = await models.Tenant.get(slug="act")
    await factories.news_item(
        act, image=await models.Image.filter(tenant=act).order_by("id").first()
    )

    media = await client.get(url, headers={"Origin": "https://genera.example.org"})
    assert media.status_code == 200 and media.content.startswith(b"\xff\xd8")
    assert media.headers["access-control-allow-origin"] == "https://genera.example.org"
    assert "etag" in media.headers["access-control-expose-headers"].lower()
    assert "origin" in media.headers["vary"].lower()
    assert_no_cors(await client.get(url, headers={"Origin": "https://evil.example"}))
    media_preflight = await preflight(client, ACT, url)
    assert media_preflight.status_code == 204
    assert media_preflight.headers["access-control-allow-methods"] == "GET, HEAD"


@pytest.fixture
async def cached_client(app_settings: Settings, tenants: None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        # No response cache: its generation check is one statement per public read.
        app_settings.with_overrides(tenant_cache_seconds=3600.0, response_cache=False),
        manage_database=False,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_a_preflight_costs_no_sql_once_the_directory_is_loaded(
    cached_client, sql_counter: SQLCounter
):
    await preflight(cached_client, ACT)
    sql_counter.statements.clear()
    for origin in (ACT, EXTRA, GLOBAL, "https://evil.example"):
        await preflight(cached_client, origin)
    assert (await post(cached_client, ACT, "act")).headers["access-control-allow-origin"] == ACT
    assert sql_counter.statements == []


def test_origin_settings_are_read_and_checked():
    settings = Settings.from_env(
        {
            "CMS_CORS_ORIGINS": "https://Portal.example.net:443, http://localhost:3000",
            "CMS_CORS_TENANT_ORIGINS": "act=https://a.example,https://b.example; genera=http://[::1]:8080",
        }
    )
    assert settings.cors_origins == ("https://portal.example.net", "http://localhost:3000")
    assert settings.cors_tenant_origins == (
        ("act", "https://a.example"),
        ("act", "https://b.example"),
        ("genera", "http://[::1]:8080"),
    )
    assert Settings.from_env({}).cors_origins == ()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CMS_CORS_ORIGINS", "https://a.example/"),
        ("CMS_CORS_ORIGINS", "*"),
        ("CMS_CORS_ORIGINS", "https://*.example.org"),
        ("CMS_CORS_ORIGINS", "ftp://a.example"),
        ("CMS_CORS_ORIGINS", "https://a.example:70000"),
        ("CMS_CORS_TENANT_ORIGINS", "https://a.example"),
        ("CMS_CORS_TENANT_ORIGINS", "act="),
        ("CMS_CORS_TENANT_ORIGINS", "Bad Slug=https://a.example"),
        ("CMS_CORS_TENANT_ORIGINS", "act=a.example"),
    ],
)
def test_bad_origin_settings_are_clear_errors(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
