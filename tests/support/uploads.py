"""Uploads through the API: the multipart request, its answer, an editor's token, what is stored,
and a published resource showing an uploaded photo and PDF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from cms.services.tokens import create_token
from tests import factories
from tests.support import samples


def stored_files(root: Path) -> list[Path]:
    """Every file under the media root, sorted; none when it was never made."""
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
    """The payload of an upload that must succeed without errors."""
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return body["data"][field]


CREATE_RESOURCE = """
mutation ($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id slug } errors { field code message } }
}
"""
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { node { id status } errors { code } } }"


async def write(client: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]):
    """The `data` of a write by this token to the "act" tenant that must succeed."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", "X-CMS-Tenant": "act"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def published_resource(client, token: str, title: str, image_id: str, file_id: str) -> str:
    """The slug of a published resource with this cover image and attachment."""
    created = (
        await write(
            client,
            token,
            CREATE_RESOURCE,
            {
                "input": {
                    "title": title,
                    "kind": "TOOLKIT",
                    "coverImageId": image_id,
                    "attachments": [file_id],
                }
            },
        )
    )["createResource"]
    assert created["errors"] == []
    resource = created["resource"]
    assert (await write(client, token, PUBLISH, {"id": resource["id"]}))["publish"]["errors"] == []
    return resource["slug"]


async def upload_photo_and_pdf(client, token: str) -> tuple[str, str]:
    """The ids of a freshly uploaded 2400x1600 photo and a one-page PDF."""
    image = await uploaded(
        await upload(
            client,
            UPLOAD_IMAGE,
            samples.photo((2400, 1600)),
            "photo.jpg",
            {"alt": "Workshop"},
            token=token,
        ),
        "uploadImage",
    )
    file = await uploaded(
        await upload(
            client,
            UPLOAD_FILE,
            samples.pdf("Recruitment without bias"),
            "guide.pdf",
            {"title": "Guide"},
            token=token,
        ),
        "uploadFile",
    )
    return image["image"]["id"], file["file"]["id"]
