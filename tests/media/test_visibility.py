"""Originals and renditions are public only once live content uses them; preview tokens of
the tenant fetch them before that."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support import samples
from tests.support.uploads import (
    CREATE_RESOURCE,
    PUBLISH,
    UPLOAD_FILE,
    UPLOAD_IMAGE,
    editor,
    upload,
    uploaded,
    write,
)

pytestmark = pytest.mark.anyio

PREVIEW = """
query ($id: ID!) {
  node(id: $id) { ... on Resource { status coverImage { url rendition(width: 400) { url } }
    attachments { url } } }
}
"""
CREATE_PAGE = """
mutation ($input: CreatePageInput!) {
  createPage(input: $input) { page { id } errors { field code message } }
}
"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-CMS-Tenant": "act"}


async def upload_both(client, token: str) -> tuple[dict, dict]:
    image = (
        await uploaded(
            await upload(
                client, UPLOAD_IMAGE, samples.photo((900, 600)), "p.jpg", {"alt": "a"}, token=token
            ),
            "uploadImage",
        )
    )["image"]
    file = (
        await uploaded(
            await upload(
                client,
                UPLOAD_FILE,
                samples.pdf("Draft plan"),
                "plan.pdf",
                {"title": "Plan"},
                token=token,
            ),
            "uploadFile",
        )
    )["file"]
    return image, file


async def test_media_of_a_draft_is_not_public_until_it_is_published(client):
    token = await editor()
    image, file = await upload_both(client, token)
    created = (
        await write(
            client,
            token,
            CREATE_RESOURCE,
            {
                "input": {
                    "title": "Embargoed",
                    "kind": "REPORT",
                    "coverImageId": image["id"],
                    "attachments": [file["id"]],
                }
            },
        )
    )["createResource"]
    resource_id = created["resource"]["id"]
    seen = (await write(client, token, PREVIEW, {"id": resource_id}))["node"]
    urls = [
        seen["coverImage"]["url"],
        seen["coverImage"]["rendition"]["url"],
        seen["attachments"][0]["url"],
    ]
    other = await editor("inspire")
    for url in urls:
        assert (await client.get(url)).status_code == 404, url
        assert (await client.get(url, headers=bearer(other))).status_code == 404, url
        preview = await client.get(url, headers=bearer(token))
        assert preview.status_code == 200, url
        assert preview.headers["cache-control"] == "private, no-store"
    bad = await client.get(urls[0], headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401

    assert (await write(client, token, PUBLISH, {"id": resource_id}))["publish"]["errors"] == []
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"


async def test_media_linked_from_a_published_page_body_is_public(client):
    token = await editor()
    image, file = await upload_both(client, token)
    body = f'<p><a href="{file["url"]}">Plan</a> <img src="{image["url"]}" alt="a"></p>'
    created = (
        await write(
            client,
            token,
            CREATE_PAGE,
            {
                "input": {
                    "title": "Documents",
                    "path": "documents",
                    "body": body,
                }
            },
        )
    )["createPage"]
    assert created["errors"] == []
    assert (await client.get(file["url"])).status_code == 404  # a draft page
    assert (await write(client, token, PUBLISH, {"id": created["page"]["id"]}))["publish"][
        "errors"
    ] == []
    for url in (file["url"], image["url"]):
        assert (await client.get(url)).status_code == 200, url


async def test_files_are_downloads_under_their_own_prefix(client):
    token = await editor()
    data = b"name,role\nAna,expert\n"
    file = (
        await uploaded(
            await upload(client, UPLOAD_FILE, data, "people.csv", {"title": "People"}, token=token),
            "uploadFile",
        )
    )["file"]
    assert file["url"].startswith("/media/files/")
    response = await client.get(file["url"], headers=bearer(token))
    assert response.content == data
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    old = file["url"].replace("/media/files/", "/media/originals/")  # links made before
    assert (await client.get(old, headers=bearer(token))).content == data


async def test_media_of_a_members_only_item_is_for_the_tenants_members(client):
    token = await editor()
    image, file = await upload_both(client, token)
    created = (
        await write(
            client,
            token,
            CREATE_RESOURCE,
            {
                "input": {
                    "title": "For members",
                    "kind": "REPORT",
                    "audience": "MEMBERS",
                    "coverImageId": image["id"],
                    "attachments": [file["id"]],
                }
            },
        )
    )["createResource"]
    resource_id = created["resource"]["id"]
    assert (await write(client, token, PUBLISH, {"id": resource_id}))["publish"]["errors"] == []
    other = await editor("inspire", "viewer")
    reader = await editor("act", "viewer")
    for url in (image["url"], file["url"]):
        assert (await client.get(url)).status_code == 404, url
        assert (await client.get(url, headers=bearer(other))).status_code == 404, url
        read = await client.get(url, headers=bearer(reader))
        assert read.status_code == 200, url
        assert read.headers["cache-control"] == "private, no-store"


async def test_a_member_without_an_editorial_role_fetches_members_media_only():
    from cms.auth import Principal
    from cms.models import CommunityRole
    from media.visibility import Media

    rows = [SimpleNamespace(tenant_id=7)]
    person = Principal(
        token_id=0, name="Ana", role=None, tenant_id=7, account_id=1, community=CommunityRole.MEMBER
    )
    elsewhere = Principal(
        token_id=0, name="Bo", role=None, tenant_id=8, account_id=2, community=CommunityRole.MEMBER
    )
    draft_only = Media(rows, [], public=False)  # type: ignore[arg-type]
    members = Media(rows, [], public=False)  # type: ignore[arg-type]
    members.members = True
    assert not draft_only.previewable_by(person)
    assert members.previewable_by(person)
    assert not members.previewable_by(elsewhere)
    assert not members.previewable_by(None)
