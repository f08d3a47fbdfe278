"""The seed content includes GENERA's published data framework, once."""

import pytest

from cms.models import DataFramework, FrameworkVersion, VersionStatus
from seeds.loader import load_seed

pytestmark = pytest.mark.anyio


async def test_genera_framework_is_seeded_once(clean_database):
    await load_seed()
    await load_seed()
    framework = await DataFramework.get(code="genera", tenant__slug="genera")
    versions = await FrameworkVersion.filter(framework_id=framework.id)
    assert [(v.number, v.status) for v in versions] == [(1, VersionStatus.PUBLISHED)]
    codes = [i["code"] for i in versions[0].definition["indicators"]]
    assert codes == ["staff", "decision", "recruitment"]
