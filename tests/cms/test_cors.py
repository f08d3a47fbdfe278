"""CORS: pages on a tenant's domains and on configured origins may call the API and fetch
media from a browser; other origins get no CORS headers; credentials are never allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from cms.app import create_app
from cms.config import Settings, SettingsError
from tests import factories

pytestmark = pytest.mark.anyio

QUERY = {"query": "{ site { name } }"}
PORTAL = "http://localhost:3000"
STAGING = "https://staging.genera.example"


@pytest.fixture
async def cors_client(
    app_settings: Settings, clean_database: None
) -> AsyncIterator[httpx.AsyncClient]:
    settings = app_settings.with_overrides(
        cors_origins=(PORTAL,), cors_tenant_origins=(("genera", STAGING),), cors_max_age=900
    )
    await factories.tenant(slug="genera", domains=["genera.example", "www.genera.example"])
    await factories.tenant(slug="act", domains=["act.example"])
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.example") as http:
        yield http


def preflight_headers(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, x-cms-tenant",
    }


@pytest.mark.parametrize(
    "origin",
    ["https://genera.example", "https://www.genera.example", "http://act.example", STAGING, PORTAL],
)
async def test_a_preflight_from_an_allowed_origin_is_answered(
    cors_client: httpx.AsyncClient, origin: str
) -> None:
    response = await cors_client.options("/graphql", headers=preflight_headers(origin))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == origin
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"authorization", "content-type", "x-cms-tenant"} <= allowed
    assert response.headers["access-control-max-age"] == "900"
    assert "origin" in response.headers["vary"].lower()
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://genera.example.evil.example",
        "https://genera.example:8443",  # a tenant domain on another port is another origin
        "null",
        "https://genera.example/path",
        "http://localhost:3001",
    ],
)
async def test_other_origins_get_no_cors_headers(
    cors_client: httpx.AsyncClient, origin: str
) -> None:
    response = await cors_client.options("/graphql", headers=preflight_headers(origin))
    assert response.status_code == 403
    assert not any(h.startswith("access-control-") for h in response.headers)

    response = await cors_client.post(
        "/graphql", json=QUERY, headers={"Origin": origin, "X-CMS-Tenant": "genera"}
    )
    assert response.status_code == 200  # answered, but a browser will not let the page read it
    assert not any(h.startswith("access-control-") for h in response.headers)
    assert "origin" in response.headers["vary"].lower()


async def test_the_answer_is_readable_by_an_allowed_origin_only(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.post(
        "/graphql",
        json=QUERY,
        headers={"Origin": "https://genera.example", "X-CMS-Tenant": "genera"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["site"] is not None
    assert response.headers["access-control-allow-origin"] == "https://genera.example"
    assert "access-control-allow-credentials" not in response.headers
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert "origin" in response.headers["vary"].lower()


async def test_a_platform_scope_request_from_a_configured_origin(
    cors_client: httpx.AsyncClient,
) -> None:
    """The knowledge portal calls without a tenant: its configured origin may read that."""
    response = await cors_client.post(
        "/graphql", json={"query": "{ tenants { slug } }"}, headers={"Origin": PORTAL}
    )
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert {t["slug"] for t in response.json()["data"]["tenants"]} == {"genera", "act"}

    response = await cors_client.get(
        "/graphql", params={"query": "{ tenants { slug } }"}, headers={"Origin": PORTAL}
    )
    assert response.headers["access-control-allow-origin"] == PORTAL


async def test_media_carries_cors_headers_too(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.get(
        "/media/originals/none.jpg", headers={"Origin": "https://act.example"}
    )
    assert response.headers["access-control-allow-origin"] == "https://act.example"
    response = await cors_client.options(
        "/media/originals/none.jpg", headers=preflight_headers("https://act.example", "GET")
    )
    assert response.status_code == 204


async def test_a_new_tenant_domain_is_allowed_without_a_restart(
    cors_client: httpx.AsyncClient,
) -> None:
    origin = "https://lifescicop.example"
    refused = await cors_client.options("/graphql", headers=preflight_headers(origin))
    assert refused.status_code == 403
    await factories.tenant(slug="lifescicop", domains=["lifescicop.example"])
    allowed = await cors_client.options("/graphql", headers=preflight_headers(origin))
    assert allowed.status_code == 204


async def test_health_and_plain_options_are_not_cors(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.get("/healthz", headers={"Origin": "https://genera.example"})
    assert "access-control-allow-origin" not in response.headers
    # OPTIONS without a preflight's request method is not a preflight: the endpoint answers.
    response = await cors_client.options("/graphql", headers={"Origin": "https://genera.example"})
    assert response.status_code == 405


def test_origin_settings_are_checked() -> None:
    settings = Settings.from_env(
        {
            "CMS_CORS_ORIGINS": "http://localhost:3000, https://Portal.example:443/",
            "CMS_CORS_TENANT_ORIGINS": "act=https://a.example https://b.example;genera=http://x:8080",
        }
    )
    assert settings.cors_origins == ("http://localhost:3000", "https://portal.example")
    assert settings.cors_tenant_origins == (
        ("act", "https://a.example"),
        ("act", "https://b.example"),
        ("genera", "http://x:8080"),
    )
    for name, bad in [
        ("CMS_CORS_ORIGINS", "ftp://x.example"),
        ("CMS_CORS_ORIGINS", "https://x.example/app"),
        ("CMS_CORS_ORIGINS", "x.example"),
        ("CMS_CORS_ORIGINS", "https://x.example:99999"),
        ("CMS_CORS_TENANT_ORIGINS", "https://x.example"),
        ("CMS_CORS_TENANT_ORIGINS", "act="),
    ]:
        with pytest.raises(SettingsError):
            Settings.from_env({name: bad})
