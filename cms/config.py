"""Settings: the only reader of the environment; tests build their own."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path


class SettingsError(ValueError):
    """A setting in the environment has a value we cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the app, the CLI and the tests need to know about their environment."""

    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = ""
    # GraphQL limits: each is a guard against a request that costs far more than it returns.
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_body_bytes: int = 1_000_000
    # Largest upload in MiB (CMS_MAX_UPLOAD_MB); multipart requests may be this much larger.
    max_upload_mb: int = 25
    default_page_size: int = 20
    max_page_size: int = 100
    # Search: concurrent searches (threads, and idle searchers kept), searches that may wait for
    # one before the next is refused, each search's time budget, and how many index terms one
    # prefix*, wild*card or typo~ term may stand for.
    search_threads: int = 4
    search_queue: int = 32
    search_time_ms: int = 1000
    search_max_expansions: int = 100
    # How long the in-process tenant directory (domains, slugs) is trusted before a reload.
    tenant_cache_seconds: float = 5.0
    debug: bool = False

    def __post_init__(self) -> None:
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite://{self.data_dir / 'cms.sqlite3'}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from the environment (os.environ unless given)."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("CMS_DATA_DIR") or "var")
        return cls(
            data_dir=data_dir,
            database_url=env.get("CMS_DATABASE_URL", ""),
            host=env.get("CMS_HOST") or "127.0.0.1",
            port=_int(env, "CMS_PORT", 8000),
            secret_key=env.get("CMS_SECRET_KEY", ""),
            max_query_depth=_int(env, "CMS_MAX_QUERY_DEPTH", 12),
            max_aliases=_int(env, "CMS_MAX_ALIASES", 30),
            max_tokens=_int(env, "CMS_MAX_TOKENS", 5000),
            max_body_bytes=_int(env, "CMS_MAX_BODY_BYTES", 1_000_000),
            max_upload_mb=_int(env, "CMS_MAX_UPLOAD_MB", 25),
            search_threads=_int(env, "CMS_SEARCH_THREADS", 4),
            search_queue=_int(env, "CMS_SEARCH_QUEUE", 32, minimum=0),
            search_time_ms=_int(env, "CMS_SEARCH_TIME_MS", 1000),
            search_max_expansions=_int(env, "CMS_SEARCH_MAX_EXPANSIONS", 100),
            debug=env.get("CMS_DEBUG", "") in {"1", "true", "yes"},
        )

    @property
    def max_upload_bytes(self) -> int:
        """The largest file an upload may carry, in bytes."""
        return self.max_upload_mb * 1024 * 1024

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (tests use this)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def ensure_data_dir(self) -> Path:
        """Create the data dir if needed and return it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir

    def resolved_secret_key(self) -> str:
        """The secret key from the environment, else one generated once into the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.ensure_data_dir() / "secret_key"
        if not path.exists():
            key = secrets.token_urlsafe(48)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(key)
        return path.read_text().strip()
