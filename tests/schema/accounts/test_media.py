"""A person's session on /media: a draft's image is served to the tenant's editorial roles,
as to its tokens, and to no community-only member."""

from __future__ import annotations

import pytest

from cms import models
from cms.models import CommunityRole, Role
from tests.support import samples
from tests.support.accounts import person, session_of
from tests.support.uploads import CREATE_RESOURCE, UPLOAD_IMAGE, editor, upload, uploaded, write

pytestmark = pytest.mark.anyio

COVER = "query ($id: ID!) { node(id: $id) { ... on Resource { coverImage { url } } } }"


@pytest.mark.parametrize(
    "roles, status",
    [((Role.VIEWER, None), 200), ((None, CommunityRole.COORDINATOR), 404)],
)
async def test_a_draft_s_image_is_served_to_people_with_an_editorial_role(client, roles, status):
    token = await editor()
    photo = samples.photo((300, 200))
    sent = await upload(client, UPLOAD_IMAGE, photo, "p.jpg", {"alt": "a"}, token=token)
    image = (await uploaded(sent, "uploadImage"))["image"]
    values = {"title": "Embargoed", "kind": "REPORT", "coverImageId": image["id"]}
    made = await write(client, token, CREATE_RESOURCE, {"input": values})
    resource_id = made["createResource"]["resource"]["id"]
    url = (await write(client, token, COVER, {"id": resource_id}))["node"]["coverImage"]["url"]
    act = await models.Tenant.get(slug="act")
    await person("ada@example.org", roles={act: roles})
    session = await session_of(client, "ada@example.org")
    response = await client.get(url, headers={"Authorization": f"Bearer {session}"})
    assert response.status_code == status
    assert (await client.get(url)).status_code == 404
