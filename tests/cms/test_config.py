"""Settings come from the environment, once, with clear errors for unusable values."""

from pathlib import Path

import pytest

from cms.config import Settings, SettingsError


def test_defaults():
    settings = Settings.from_env({})
    assert settings.data_dir == Path("var")
    assert settings.database_url == "sqlite://var/cms.sqlite3"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_environment_overrides():
    settings = Settings.from_env(
        {
            "CMS_DATA_DIR": "/srv/cms",
            "CMS_DATABASE_URL": "postgres://cms@db/cms",
            "CMS_HOST": "0.0.0.0",
            "CMS_PORT": "9000",
            "CMS_MAX_QUERY_DEPTH": "8",
        }
    )
    assert settings.data_dir == Path("/srv/cms")
    assert settings.database_url == "postgres://cms@db/cms"
    assert (settings.host, settings.port, settings.max_query_depth) == ("0.0.0.0", 9000, 8)


def test_data_dir_places_the_sqlite_file():
    assert (
        Settings.from_env({"CMS_DATA_DIR": "/tmp/x"}).database_url == "sqlite:///tmp/x/cms.sqlite3"
    )


@pytest.mark.parametrize("value", ["eighty", "0", "-5"])
def test_bad_port_is_a_clear_error(value):
    with pytest.raises(SettingsError, match="CMS_PORT"):
        Settings.from_env({"CMS_PORT": value})


def test_secret_key_is_generated_once(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = settings.resolved_secret_key()
    assert len(first) >= 40
    assert settings.resolved_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path, secret_key="given").resolved_secret_key() == "given"


def test_the_search_result_cache_settings():
    assert (Settings.from_env({}).search_cache, Settings.from_env({}).search_cache_mb) == (True, 32)
    settings = Settings.from_env({"CMS_SEARCH_CACHE": "off", "CMS_SEARCH_CACHE_MB": "8"})
    assert (settings.search_cache, settings.search_cache_mb) == (False, 8)
    with pytest.raises(SettingsError, match="CMS_SEARCH_CACHE_MB"):
        Settings.from_env({"CMS_SEARCH_CACHE_MB": "0"})


def test_workers_and_persisted_queries_settings():
    defaults = Settings.from_env({})
    assert (defaults.workers, defaults.trusted_documents) == (1, False)
    assert (defaults.persisted_queries_max, defaults.persisted_query_max_bytes) == (10_000, 32_768)
    settings = Settings.from_env(
        {
            "CMS_WORKERS": "4",
            "CMS_TRUSTED_DOCUMENTS": "true",
            "CMS_PERSISTED_QUERIES_MAX": "0",
            "CMS_PERSISTED_QUERY_MAX_BYTES": "4096",
        }
    )
    assert (settings.workers, settings.trusted_documents) == (4, True)
    assert (settings.persisted_queries_max, settings.persisted_query_max_bytes) == (0, 4096)
    with pytest.raises(SettingsError, match="CMS_WORKERS"):
        Settings.from_env({"CMS_WORKERS": "0"})
