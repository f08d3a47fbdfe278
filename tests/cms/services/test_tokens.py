"""Tokens made by the service: values that do not fit their column are refused."""

from __future__ import annotations

import pytest

from cms import models
from cms.errors import ValidationFailed
from cms.services.tokens import create_token
from tests import factories
from tests.support.errors import field_codes

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("name", "tenant", "field", "code"),
    [("n" * 101, "home", "name", "INVALID"), ("x", "h" * 80, "tenant", "NOT_FOUND")],
)
async def test_create_token_refuses_values_longer_than_their_column(
    clean_database, name, tenant, field, code
):
    await factories.tenant(slug="home")
    with pytest.raises(ValidationFailed) as caught:
        await create_token(name, "editor", tenant)
    assert field_codes(caught) == {(field, code)}
    assert await models.ApiToken.all().count() == 0
