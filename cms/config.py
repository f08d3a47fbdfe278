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


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


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
    # Static cost of a query (objects it may return, searches weigh more), checked before it runs.
    max_query_cost: int = 10_000
    # Items in one list argument or list variable (ids, tags, filters).
    max_list_items: int = 1000
    # Answer __schema and __type (GraphiQL, client code generators); off hides the schema.
    introspection: bool = True
    # Largest upload in MiB (CMS_MAX_UPLOAD_MB); multipart requests may be this much larger.
    max_upload_mb: int = 25
    default_page_size: int = 20
    max_page_size: int = 100
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
            max_query_cost=_int(env, "CMS_MAX_QUERY_COST", 10_000),
            max_list_items=_int(env, "CMS_MAX_LIST_ITEMS", 1000),
            introspection=_bool(env, "CMS_INTROSPECTION", True),
            max_upload_mb=_int(env, "CMS_MAX_UPLOAD_MB", 25),
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
