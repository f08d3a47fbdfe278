"""Tags written through the service: slugs come from names, are unique per tenant and fit."""

from __future__ import annotations

import pytest

from cms.errors import ValidationFailed
from cms.services import tags
from cms.services.content import SYSTEM
from tests import factories
from tests.factories import database_state
from tests.support.errors import field_codes

pytestmark = pytest.mark.anyio


async def test_tag_slugs_come_from_names_are_unique_and_fit(clean_database):
    home, away = await factories.tenant(), await factories.tenant()
    tag = await tags.create_tag(SYSTEM, home, "  Gender Budgeting ", None)
    assert (tag.name, tag.slug) == ("Gender Budgeting", "gender-budgeting")
    assert (
        await tags.create_tag(SYSTEM, away, "Gender budgeting", None)
    ).slug == "gender-budgeting"
    other = await tags.create_tag(SYSTEM, home, "Other", None)
    before = await database_state()
    for attempt, expected in (
        (tags.create_tag(SYSTEM, home, "Gender-budgeting", None), ("slug", "DUPLICATE")),
        (tags.create_tag(SYSTEM, home, "Long", "l" * 150), ("slug", "TOO_LONG")),
        (tags.create_tag(SYSTEM, home, "", "x"), ("name", "INVALID")),
        (tags.create_tag(SYSTEM, home, "!!!", None), ("slug", "INVALID_SLUG")),
        (tags.update_tag(SYSTEM, other.id, None, "gender-budgeting"), ("slug", "DUPLICATE")),
        (tags.update_tag(SYSTEM, other.id, None, "l" * 150), ("slug", "TOO_LONG")),
    ):
        with pytest.raises(ValidationFailed) as caught:
            await attempt
        assert field_codes(caught) == {expected}
    assert await database_state() == before
    renamed = await tags.update_tag(SYSTEM, other.id, "Renamed", "renamed")
    assert (renamed.name, renamed.slug) == ("Renamed", "renamed")
