"""The committed migrations describe the models exactly, and upgrade a database in place."""

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from cms import db

pytestmark = pytest.mark.anyio


async def test_models_need_no_new_migration(clean_database):
    apps_config = db.tortoise_config("sqlite://:memory:")["apps"]
    changes = await MigrationAutodetector(Tortoise.apps, apps_config).changes()
    assert changes == [], "models changed: run `tortoise -c cms.db.TORTOISE_ORM makemigrations`"


async def test_migrating_twice_changes_nothing(settings, clean_database):
    from cms.models import Tenant

    await Tenant.create(slug="kept", name="Kept", kind="cop")
    await db.migrate(settings)  # closes connections
    await db.init(settings, run_migrations=False)
    assert await Tenant.filter(slug="kept").exists()
