"""Media tests get a data dir of their own per test, so 'nothing stored' can be checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cms.config import Settings
from cms.services.tokens import create_token
from tests import factories


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0, media_visibility_seconds=0.0, data_dir=tmp_path
    )


@pytest.fixture
def media_root(app_settings: Settings) -> Path:
    return app_settings.data_dir / "media"


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def editor(slug: str = "act", role: str = "editor") -> str:
    """A tenant with this slug (made if needed) and a fresh token value for it."""
    from cms.models import Tenant

    if not await Tenant.filter(slug=slug).exists():
        await factories.tenant(slug=slug, name=slug.upper())
    _, value = await create_token(f"{role}-{slug}", role, slug)
    return value


UPLOAD_IMAGE = """
mutation ($file: Upload!, $alt: String!, $focal: FocalPointInput) {
  uploadImage(file: $file, alt: $alt, focalPoint: $focal) {
    image { id url contentType size width height alt placeholder focalPoint { x y } }
    errors { field code message }
  }
}
"""
UPLOAD_FILE = """
mutation ($file: Upload!, $title: String!) {
  uploadFile(file: $file, title: $title) {
    file { id url title filename contentType size text }
    errors { field code message }
  }
}
"""


async def upload(
    client: httpx.AsyncClient,
    query: str,
    data: bytes,
    filename: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    tenant: str | None = "act",
) -> httpx.Response:
    """A GraphQL multipart request (the spec's `operations`, `map` and one file part)."""
    operations = {"query": query, "variables": {"file": None, **(variables or {})}}
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if tenant is not None:
        headers["X-CMS-Tenant"] = tenant
    return await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, "application/octet-stream")},
        headers=headers,
    )


async def uploaded(response: httpx.Response, field: str) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body["data"][field]
