"""The account settings as the environment gives them."""

from __future__ import annotations

import pytest

from cms.config import Settings, SettingsError


def test_account_settings_from_the_environment() -> None:
    env = {
        "CMS_SESSION_DAYS": "30",
        "CMS_SIGN_IN_LINK_MINUTES": "10",
        "CMS_PASSWORD_RESET_MINUTES": "20",
        "CMS_ATTEMPT_WINDOW_MINUTES": "5",
        "CMS_ATTEMPTS_PER_ADDRESS": "3",
        "CMS_ATTEMPTS_PER_CLIENT": "7",
        "CMS_ARGON2_TIME_COST": "2",
        "CMS_ARGON2_MEMORY_KIB": "1024",
        "CMS_ARGON2_PARALLELISM": "1",
    }
    settings = Settings.from_env(env)
    assert (settings.session_days, settings.sign_in_link_minutes) == (30, 10)
    assert (settings.password_reset_minutes, settings.attempt_window_minutes) == (20, 5)
    assert (settings.attempts_per_address, settings.attempts_per_client) == (3, 7)
    assert (settings.argon2_time_cost, settings.argon2_memory_kib) == (2, 1024)
    assert settings.argon2_parallelism == 1
    defaults = Settings.from_env({})
    assert (defaults.session_days, defaults.attempts_per_address) == (14, 10)


@pytest.mark.parametrize("name, value", [("CMS_SESSION_DAYS", "0"), ("CMS_ARGON2_MEMORY_KIB", "4")])
def test_bad_account_settings_are_clear_errors(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})
