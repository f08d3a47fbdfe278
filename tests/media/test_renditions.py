"""Renditions: signed URLs handed out with visible images, made once, cached, served safely."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cms import models
from media import operations
from schema.core.ids import to_global_id
from tests import factories
from tests.support import samples
from tests.support.api import data_of
from tests.support.uploads import (
    PUBLISH,
    UPLOAD_IMAGE,
    editor,
    published_resource,
    upload,
    upload_photo_and_pdf,
    uploaded,
    write,
)

pytestmark = pytest.mark.anyio

DELETE_RESOURCE = "mutation ($id: ID!) { deleteResource(id: $id) { deletedId errors { code } } }"
SITE_RESOURCE = """
query ($slug: String!) {
  resource(slug: $slug) {
    title
    coverImage {
      alt width height
      rendition(width: 800, format: WEBP) { url width height format }
      srcset(widths: [800, 400, 3000, 2800])
    }
    attachments { title url text }
  }
}
"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tampered(url: str) -> str:
    """The URL with one character of its signature changed."""
    parts = url.split("/")  # "", "media", "renditions", signature, ...
    signature = parts[3]
    parts[3] = signature[:5] + ("0" if signature[5] != "0" else "1") + signature[6:]
    return "/".join(parts)


async def test_upload_attach_query_and_serve_an_800px_webp_without_gps(client):
    """The issue's 'done when': upload, attach to a resource, a CoP site asks for a WebP."""
    token = await editor()
    image_id, file_id = await upload_photo_and_pdf(client, token)
    slug = await published_resource(client, token, "Inclusive recruitment", image_id, file_id)

    data = await data_of(client, SITE_RESOURCE, {"slug": slug}, tenant="act")  # no token
    cover = data["resource"]["coverImage"]
    rendition = cover["rendition"]
    assert (rendition["width"], rendition["height"], rendition["format"]) == (800, 533, "WEBP")
    assert rendition["url"].startswith("/media/renditions/")
    assert data["resource"]["attachments"][0]["text"] == "Recruitment without bias"
    widths = [int(part.rsplit(" ", 1)[1][:-1]) for part in cover["srcset"].split(", ")]
    assert widths == [400, 800, 2400]  # 2800 and 3000 become the original 2400

    response = await client.get(rendition["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    served = samples.open_image(response.content)
    assert (served.format, served.size) == ("WEBP", (800, 533))
    assert samples.GPS_IFD not in served.getexif() and dict(served.getexif()) == {}

    again = await client.get(rendition["url"], headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == response.headers["etag"]

    forged = await client.get(tampered(rendition["url"]))
    assert forged.status_code == 403


async def test_a_signature_is_bound_to_the_size_and_the_image(client):
    token = await editor()
    image_id, file_id = await upload_photo_and_pdf(client, token)
    slug = await published_resource(client, token, "Bound", image_id, file_id)
    url = (await data_of(client, SITE_RESOURCE, {"slug": slug}, tenant="act"))["resource"][
        "coverImage"
    ]["rendition"]["url"]
    bigger = url.replace("w800-", "w1600-")
    assert (await client.get(bigger)).status_code == 403
    other = samples.photo((300, 200), colour=(9, 9, 9))
    await upload(client, UPLOAD_IMAGE, other, "b.jpg", {"alt": ""}, token=token)
    other_name = (await models.Image.get(alt="")).storage_key.rsplit("/", 1)[1]
    swapped = url.replace(url.split("/")[5], other_name)
    assert swapped != url
    assert (await client.get(swapped)).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/media/renditions/0123/%2e%2e/%2e%2e/secret_key",
        "/media/originals/%2e%2e/secret_key",
        "/media/originals/ab/%2e%2e%2f%2e%2e%2fsecret_key",
    ],
)
async def test_paths_with_dot_dot_are_refused(client, app_settings, path):
    (app_settings.data_dir / "secret_key").write_text("do-not-serve")  # next to media/
    response = await client.get(path)
    assert response.status_code in (400, 404)
    assert "do-not-serve" not in response.text
    if "%2e%2e/" in path:
        assert response.status_code == 400
        assert response.text == "The media path is not valid."


async def test_concurrent_first_requests_make_the_rendition_once(client, monkeypatch):
    token = await editor()
    image_id, file_id = await upload_photo_and_pdf(client, token)
    slug = await published_resource(client, token, "Popular", image_id, file_id)
    url = (await data_of(client, SITE_RESOURCE, {"slug": slug}, tenant="act"))["resource"][
        "coverImage"
    ]["rendition"]["url"]
    calls = []
    real = operations.render

    def counting(data: bytes, spec: Any, max_pixels: int) -> bytes:
        calls.append(spec)
        return real(data, spec, max_pixels)

    monkeypatch.setattr(operations, "render", counting)
    responses = await asyncio.gather(*(client.get(url) for _ in range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.content for r in responses}) == 1
    assert len(calls) == 1
    assert (await client.get(url)).status_code == 200
    assert len(calls) == 1


async def test_the_public_original_is_re_encoded_without_gps(client):
    token = await editor()
    result = await uploaded(
        await upload(
            client,
            UPLOAD_IMAGE,
            samples.photo((300, 200), orientation=6),
            "p.jpg",
            {"alt": ""},
            token=token,
        ),
        "uploadImage",
    )
    assert (await client.get(result["image"]["url"])).status_code == 404  # used by nothing yet
    response = await client.get(result["image"]["url"], headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["content-type"] == "image/jpeg"
    served = samples.open_image(response.content)
    assert served.size == (200, 300)  # orientation applied
    assert dict(served.getexif()) == {}
    assert (
        await client.get(result["image"]["url"] + "x", headers=bearer(token))
    ).status_code == 404


RENDITION_ARGS = """
query ($slug: String!, $w: Int, $h: Int, $q: Int) {
  resource(slug: $slug) { coverImage { rendition(width: $w, height: $h, quality: $q, fit: COVER,
    format: AVIF) { url width height format } } }
}
"""


@pytest.mark.parametrize(
    ("variables", "field"),
    [({}, "width"), ({"w": 0}, "width"), ({"w": 4001}, "width"), ({"h": -5}, "height"),
     ({"w": 100, "q": 0}, "quality"), ({"w": 100, "q": 101}, "quality")],
)  # fmt: skip
async def test_rendition_arguments_out_of_bounds_are_errors(client, variables, field):
    owner = await factories.tenant(slug="act")
    image = await factories.image(owner)
    await factories.resource(owner, slug="r", cover_image=image)
    response = await client.post(
        "/graphql",
        json={"query": RENDITION_ARGS, "variables": {"slug": "r", **variables}},
        headers={"X-CMS-Tenant": "act"},
    )
    [error] = response.json()["errors"]
    expected = {"code": "BAD_USER_INPUT", "reason": "INVALID_INPUT", "field": field}
    assert error["extensions"] == expected


async def test_cover_and_avif_renditions_are_served(client):
    token = await editor()
    image_id, file_id = await upload_photo_and_pdf(client, token)
    slug = await published_resource(client, token, "Covered", image_id, file_id)
    response = await client.post(
        "/graphql",
        json={"query": RENDITION_ARGS, "variables": {"slug": slug, "w": 300, "h": 300, "q": 50}},
        headers={"X-CMS-Tenant": "act"},
    )
    rendition = response.json()["data"]["resource"]["coverImage"]["rendition"]
    assert (rendition["width"], rendition["height"], rendition["format"]) == (400, 400, "AVIF")
    served = await client.get(rendition["url"])
    assert served.headers["content-type"] == "image/avif"
    assert samples.open_image(served.content).size == (400, 400)


async def test_drafts_and_other_tenants_hand_out_no_rendition(client):
    act = await factories.tenant(slug="act")
    other = await factories.tenant(slug="inspire")
    draft = await factories.resource(
        act, slug="draft", status=models.Status.DRAFT, cover_image=await factories.image(act)
    )
    private = await factories.resource(
        other, slug="private", cover_image=await factories.image(other)
    )
    query = """query ($s: String!, $t: String) {
      resource(slug: $s, tenant: $t) { coverImage { rendition(width: 100) { url } } }
    }"""
    assert await data_of(client, query, {"s": draft.slug}, tenant="act") == {"resource": None}
    found = await data_of(client, query, {"s": private.slug, "t": "inspire"}, tenant="act")
    assert found == {"resource": None}


async def test_deleting_an_item_keeps_media_other_items_use(client):
    token = await editor()
    image_id, file_id = await upload_photo_and_pdf(client, token)
    first = await published_resource(client, token, "First", image_id, file_id)
    second = await published_resource(client, token, "Second", image_id, file_id)
    first_id = (await models.Resource.get(slug=first)).id
    deleted = await write(
        client, token, DELETE_RESOURCE, {"id": to_global_id("Resource", first_id)}
    )
    assert deleted["deleteResource"]["errors"] == []
    data = await data_of(client, SITE_RESOURCE, {"slug": second}, tenant="act")
    assert data["resource"]["coverImage"]["alt"] == "Workshop"
    assert [a["title"] for a in data["resource"]["attachments"]] == ["Guide"]
    assert (await client.get(data["resource"]["coverImage"]["rendition"]["url"])).status_code == 200
    assert (await client.get(data["resource"]["attachments"][0]["url"])).status_code == 200
    assert await models.Image.all().count() == 1 and await models.File.all().count() == 1


VIDEO = """
mutation ($input: CreateVideoInput!) {
  createVideo(input: $input) { video { provider sourceUrl embedUrl } errors { field code } }
}
"""
UPDATE_VIDEO = """
mutation ($id: ID!, $input: UpdateVideoInput!) {
  updateVideo(id: $id, input: $input) { video { provider embedUrl } errors { field code } }
}
"""


async def test_videos_get_provider_and_privacy_friendly_embed_from_their_link(client):
    token = await editor()
    created = (
        await write(
            client,
            token,
            VIDEO,
            {
                "input": {
                    "title": "Gender in R&I",
                    "provider": "FILE",
                    "sourceUrl": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                }
            },
        )
    )["createVideo"]
    assert created["errors"] == []
    assert created["video"]["provider"] == "YOUTUBE"
    assert created["video"]["embedUrl"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    row = await models.Video.get()

    updated = (
        await write(
            client,
            token,
            UPDATE_VIDEO,
            {
                "id": to_global_id("Video", row.id),
                "input": {"expectedVersion": 1, "sourceUrl": "https://vimeo.com/76979871"},
            },
        )
    )["updateVideo"]
    assert updated["errors"] == []
    assert updated["video"] == {
        "provider": "VIMEO",
        "embedUrl": "https://player.vimeo.com/video/76979871?dnt=1",
    }


WIRED = """
mutation ($image: ID!) {
  createProfile(input: {name: "Ana Prieto", photoId: $image}) { profile { id } errors { code } }
  createNewsItem(input: {title: "Launch", imageId: $image}) { newsItem { id } errors { code } }
  createVideo(input: {title: "Talk", provider: FILE, thumbnailId: $image}) {
    video { id } errors { code }
  }
}
"""
WIRED_READ = """
query ($p: String!, $n: String!, $v: String!) {
  profile(slug: $p) { photo { rendition(width: 64, height: 64) { url width height } } }
  newsItem(slug: $n) { image { rendition(width: 640, format: JPEG) { url width } } }
  video(slug: $v) { thumbnail { rendition(width: 320) { url width } } }
}
"""


async def test_profiles_news_and_videos_show_uploaded_images(client):
    token = await editor()
    image_id, _ = await upload_photo_and_pdf(client, token)
    created = await write(client, token, WIRED, {"image": image_id})
    ids = [
        created[k][f]["id"]
        for k, f in (
            ("createProfile", "profile"),
            ("createNewsItem", "newsItem"),
            ("createVideo", "video"),
        )
    ]
    for node_id in ids:
        assert (await write(client, token, PUBLISH, {"id": node_id}))["publish"]["errors"] == []
    slugs = {
        "p": (await models.Profile.get()).slug,
        "n": (await models.NewsItem.get()).slug,
        "v": (await models.Video.get()).slug,
    }
    data = await data_of(client, WIRED_READ, slugs, tenant="act")
    photo = data["profile"]["photo"]["rendition"]
    assert (photo["width"], photo["height"]) == (64, 64)
    assert data["newsItem"]["image"]["rendition"]["width"] == 640
    assert data["video"]["thumbnail"]["rendition"]["width"] == 400  # 320 is off the ladder
    for url in (
        photo["url"],
        data["newsItem"]["image"]["rendition"]["url"],
        data["video"]["thumbnail"]["rendition"]["url"],
    ):
        response = await client.get(url)
        assert response.status_code == 200
        assert dict(samples.open_image(response.content).getexif()) == {}
