"""The importer's link rewriting asks cms/urls.py, so a tenant's route patterns apply."""

from __future__ import annotations

from typing import Any

import pytest

from cms import models
from tests import factories
from tests.importers.plone.test_importer import _import

pytestmark = pytest.mark.anyio


async def test_links_follow_the_tenants_route_patterns(settings: Any, clean_database: None) -> None:
    tenant = await factories.tenant(slug="genera", name="GENERA", default_language="en")
    await models.SiteRoutes.create(tenant_id=tenant.id, patterns={"Page": "/site/{path}"})
    await _import(settings)
    team = await models.Page.get(tenant_id=tenant.id, path="about/team")
    assert 'href="/site/about/how-to-join"' in team.body
