"""Media tests get a data dir of their own per test, so 'nothing stored' can be checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from cms.config import Settings


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.with_overrides(
        tenant_cache_seconds=0.0, media_visibility_seconds=0.0, data_dir=tmp_path
    )


@pytest.fixture
def media_root(app_settings: Settings) -> Path:
    return app_settings.data_dir / "media"
