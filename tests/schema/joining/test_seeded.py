"""The seed content: STEM-POWER takes join requests towards its target of 40 members."""

from __future__ import annotations

import httpx
import pytest

from cms.models import JoinRequest
from seeds import load_seed
from tests.schema.joining.test_join_requests import COMMUNITY, REQUEST, join_input
from tests.support.api import data_of

pytestmark = pytest.mark.anyio


async def test_stem_power_takes_join_requests_towards_its_target(
    client: httpx.AsyncClient,
) -> None:
    first = await load_seed()
    assert first.created["community_settings"] == 1
    public = (await data_of(client, COMMUNITY, tenant="stem-power"))["community"]
    assert public["acceptsJoinRequests"] and public["acceptsEnquiries"]
    assert (public["membershipTarget"], public["memberCount"]) == (40, 0)
    assert public["privacyVersion"] == 1 and "french@bcu.ac.uk" in public["privacyText"]
    asked = await data_of(client, REQUEST, {"input": join_input()}, tenant="stem-power")
    assert asked["requestToJoin"] == {"received": True, "errors": []}
    assert await JoinRequest.filter(tenant__slug="stem-power").count() == 1
    # Other CoPs take none until their admins say so.
    act = (await data_of(client, COMMUNITY, tenant="act"))["community"]
    assert act["acceptsJoinRequests"] is False and act["membershipTarget"] is None
    second = await load_seed()
    assert second.created["community_settings"] == 0
    assert second.unchanged["community_settings"] == 1
