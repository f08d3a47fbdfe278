"""Settings: the only reader of the environment; tests build their own."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting in the environment has a value we cannot use."""


def _ints(
    env: Mapping[str, str], name: str, default: tuple[int, ...], low: int, high: int
) -> tuple[int, ...]:
    """A comma-separated list of integers between `low` and `high`, sorted, no duplicates."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        values = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}))
    except ValueError:
        raise SettingsError(f"{name} must be comma-separated integers, got {raw!r}") from None
    if not values or values[0] < low or values[-1] > high:
        raise SettingsError(f"{name} must list integers between {low} and {high}, got {raw!r}")
    return values


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


RENDITION_WIDTHS = (64, 128, 256, 400, 640, 800, 1024, 1280, 1600, 1920, 2560, 3200)
RENDITION_QUALITIES = (50, 60, 70, 80, 90)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if not value >= 0:
        raise SettingsError(f"{name} must be at least 0, got {raw!r}")
    return value


_ORIGIN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def parse_origin(raw: str, name: str) -> str:
    """An origin (`https://host[:port]`) as browsers send it; a SettingsError names `name`."""
    text = raw.strip().lower()
    match = _ORIGIN.fullmatch(text)
    if match is None or ".." in text or match.group(2).startswith((".", "-")):
        raise SettingsError(
            f"{name}: {raw.strip()!r} is not an origin; write scheme://host[:port], e.g. "
            "https://www.example.org (no path, no trailing slash, no wildcard)"
        )
    scheme, host, port = match.groups()
    if port is not None and not 0 < int(port) < 65536:
        raise SettingsError(f"{name}: {raw.strip()!r} has a port out of range")
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{int(port)}"


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name) or ""
    return tuple(parse_origin(part, name) for part in raw.split(",") if part.strip())


def _tenant_origins(env: Mapping[str, str], name: str) -> tuple[tuple[str, str], ...]:
    """`slug=origin,origin;slug=origin` as (slug, origin) pairs."""
    raw = env.get(name) or ""
    pairs: list[tuple[str, str]] = []
    for entry in raw.split(";"):
        if not entry.strip():
            continue
        slug, sep, origins = entry.partition("=")
        slug = slug.strip()
        if not sep or not _SLUG.fullmatch(slug) or not origins.strip():
            raise SettingsError(
                f"{name}: {entry.strip()!r} is not slug=origin[,origin]; write e.g. "
                "act=https://act.example.org,https://www.act.example.org;inspire=https://inspire.example.org"
            )
        pairs.extend((slug, parse_origin(o, name)) for o in origins.split(",") if o.strip())
    return tuple(pairs)


def _node_name(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if len(value) > 100 or any(not (c.isalnum() or c in "-_.") for c in value):
        raise SettingsError(f"{name} must be at most 100 letters, digits, '-', '_' or '.'")
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
    # Search: concurrent searches (threads, and idle searchers kept), searches that may wait for
    # one before the next is refused, each search's time budget, and how many index terms one
    # prefix*, wild*card or typo~ term may stand for.
    search_threads: int = 4
    search_queue: int = 32
    search_time_ms: int = 1000
    search_max_expansions: int = 100
    # Search result cache for public readers (keyed by index generation; never previews), and
    # the memory it may hold in MiB.
    search_cache: bool = True
    search_cache_mb: int = 32
    # How long the in-process tenant directory (domains, slugs) is trusted before a reload.
    tenant_cache_seconds: float = 5.0
    # Renditions: widths (and heights) are rounded up to a step of this ladder, qualities to
    # the nearest allowed one, so one image has a bounded number of renditions.
    rendition_widths: tuple[int, ...] = RENDITION_WIDTHS
    rendition_qualities: tuple[int, ...] = RENDITION_QUALITIES
    # No rendition has more pixels than this (the box shrinks, keeping its aspect ratio).
    rendition_max_pixels: int = 8_000_000
    # Renders running at once per process; the others wait for a free slot.
    rendition_concurrency: int = 2
    # Disk the rendition store may use (MiB); the least recently used files go first.
    rendition_store_mb: int = 2048
    # How long a "may the public see this media file" answer is reused (seconds).
    media_visibility_seconds: float = 5.0
    # PDF text extraction: pages read, characters kept, and seconds spent at most.
    pdf_max_pages: int = 200
    pdf_max_chars: int = 1_000_000
    pdf_max_seconds: float = 10.0
    # Browser origins that may call /graphql and /media from any page (CMS_CORS_ORIGINS), and
    # extra origins of one tenant each (CMS_CORS_TENANT_ORIGINS) as (slug, origin) pairs; a
    # tenant's own domains are allowed over https without being listed (cms/cors.py).
    cors_origins: tuple[str, ...] = ()
    cors_tenant_origins: tuple[tuple[str, str], ...] = ()
    # This node's name as an outbox consumer (CMS_NODE_NAME); empty: the one generated once
    # into the index directory. Nodes sharing one database need different names.
    node_name: str = ""
    # A node unseen this long (hours) stops holding outbox events back; it rebuilds on return.
    outbox_keep_hours: int = 168
    # The exact response cache of public reads (schema/cache.py): on or off, and the memory its
    # answers may take per process (MiB; the least recently used go first).
    response_cache: bool = True
    response_cache_mb: int = 64
    # HTTP caching of public answers: how long a browser or CDN may use one without asking
    # (seconds), and how long after that it may serve it while it revalidates.
    http_max_age: int = 60
    http_stale_while_revalidate: int = 300
    # Server processes `cms serve` starts (CMS_WORKERS, or --workers); each has its own
    # connections and caches, the search indexer runs in one of them.
    workers: int = 1
    # Persisted queries: documents clients register by hash (at most this many, the oldest
    # go first past it; each at most this many bytes, a larger one runs but is not stored),
    # and trusted-documents mode, in which only documents from an operator's manifest run.
    persisted_queries_max: int = 10_000
    persisted_query_max_bytes: int = 32_768
    trusted_documents: bool = False
    # Webhooks: may targets be loopback, private or link-local (CMS_WEBHOOK_ALLOW_PRIVATE)?
    # The first retry waits this many seconds, each next one twice as long, and a delivery
    # still failing after the retry window (hours) is marked failed; each POST may take this
    # long; how often each process looks for new events and due deliveries.
    webhook_allow_private: bool = False
    webhook_retry_seconds: float = 30.0
    webhook_retry_hours: float = 24.0
    webhook_timeout_seconds: float = 10.0
    webhook_poll_seconds: float = 0.25
    # Feeds, calendars and sitemaps: items per feed, URLs per sitemap (anonymous callers).
    feed_items: int = 50
    sitemap_urls: int = 5000
    # How long a preview link for a draft stays valid (minutes), at most.
    preview_minutes: int = 60
    # Mail (issue 16): SMTP when a URL is set (smtp://host:port, smtps://user:pass@host:465,
    # or smtp+starttls://…), else `.eml` files under $CMS_DATA_DIR/mail/; the From address; the
    # base URL links in mail start with when the tenant has no site of its own; the first
    # retry's wait (seconds, doubling) and how long a message is retried (hours).
    smtp_url: str = ""
    mail_from: str = "CoP CMS <no-reply@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    mail_retry_seconds: float = 30.0
    mail_retry_hours: float = 48.0
    mail_poll_seconds: float = 1.0
    # How long an invitation's link may be accepted (days).
    invitation_days: int = 14
    # Join requests and enquiries (issue 16): how long an unconfirmed one is kept (hours, also
    # the life of its confirmation link), a declined request and a delivered enquiry (days);
    # attempts allowed per client per hour and per address per day; how often the server purges.
    unconfirmed_retention_hours: float = 48.0
    declined_retention_days: float = 30.0
    enquiry_retention_days: float = 30.0
    joining_per_client_hour: int = 10
    joining_per_address_day: int = 3
    purge_minutes: float = 60.0
    # Accounts (issue 16): how long a session lasts (days), how long an e-mailed sign-in link
    # and a password-reset link work (minutes); attempts at signing in, asking for a link and
    # using one, per address and per client address, within each window (minutes).
    session_days: int = 14
    sign_in_link_minutes: int = 15
    password_reset_minutes: int = 60
    attempt_window_minutes: int = 15
    attempts_per_address: int = 10
    attempts_per_client: int = 50
    # argon2id's cost (argon2-cffi's defaults, RFC 9106's low-memory profile): passes, memory
    # in KiB, lanes. Tests use a cheap profile; a stored hash of another cost is upgraded at
    # the next sign-in.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    argon2_parallelism: int = 4
    # Gender-data charts (issue 17): disk the cached SVGs may use (MiB); the oldest go first.
    chart_store_mb: int = 64

    def __post_init__(self) -> None:
        if self.smtp_url and not self.smtp_url.startswith(
            ("smtp://", "smtps://", "smtp+starttls://")
        ):
            raise SettingsError(
                "CMS_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, "
                f"got {self.smtp_url.split('://')[0]!r}"
            )
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
            cors_origins=_origins(env, "CMS_CORS_ORIGINS"),
            cors_tenant_origins=_tenant_origins(env, "CMS_CORS_TENANT_ORIGINS"),
            rendition_widths=_ints(env, "CMS_RENDITION_WIDTHS", RENDITION_WIDTHS, 16, 4000),
            rendition_qualities=_ints(env, "CMS_RENDITION_QUALITIES", RENDITION_QUALITIES, 1, 100),
            rendition_max_pixels=_int(env, "CMS_RENDITION_MAX_PIXELS", 8_000_000, 10_000),
            rendition_concurrency=_int(env, "CMS_RENDITION_CONCURRENCY", 2),
            rendition_store_mb=_int(env, "CMS_RENDITION_STORE_MB", 2048),
            media_visibility_seconds=_float(env, "CMS_MEDIA_VISIBILITY_SECONDS", 5.0),
            pdf_max_pages=_int(env, "CMS_PDF_MAX_PAGES", 200),
            pdf_max_chars=_int(env, "CMS_PDF_MAX_CHARS", 1_000_000),
            pdf_max_seconds=_float(env, "CMS_PDF_MAX_SECONDS", 10.0),
            search_threads=_int(env, "CMS_SEARCH_THREADS", 4),
            search_queue=_int(env, "CMS_SEARCH_QUEUE", 32, minimum=0),
            search_time_ms=_int(env, "CMS_SEARCH_TIME_MS", 1000),
            search_max_expansions=_int(env, "CMS_SEARCH_MAX_EXPANSIONS", 100),
            node_name=_node_name(env, "CMS_NODE_NAME"),
            outbox_keep_hours=_int(env, "CMS_OUTBOX_KEEP_HOURS", 168),
            search_cache=_bool(env, "CMS_SEARCH_CACHE", True),
            search_cache_mb=_int(env, "CMS_SEARCH_CACHE_MB", 32),
            response_cache=_bool(env, "CMS_RESPONSE_CACHE", True),
            response_cache_mb=_int(env, "CMS_RESPONSE_CACHE_MB", 64),
            http_max_age=_int(env, "CMS_HTTP_MAX_AGE", 60, minimum=0),
            http_stale_while_revalidate=_int(
                env, "CMS_HTTP_STALE_WHILE_REVALIDATE", 300, minimum=0
            ),
            workers=_int(env, "CMS_WORKERS", 1),
            persisted_queries_max=_int(env, "CMS_PERSISTED_QUERIES_MAX", 10_000, minimum=0),
            persisted_query_max_bytes=_int(env, "CMS_PERSISTED_QUERY_MAX_BYTES", 32_768),
            trusted_documents=_bool(env, "CMS_TRUSTED_DOCUMENTS", False),
            webhook_allow_private=_bool(env, "CMS_WEBHOOK_ALLOW_PRIVATE", False),
            webhook_retry_seconds=_float(env, "CMS_WEBHOOK_RETRY_SECONDS", 30.0),
            webhook_retry_hours=_float(env, "CMS_WEBHOOK_RETRY_HOURS", 24.0),
            webhook_timeout_seconds=_float(env, "CMS_WEBHOOK_TIMEOUT_SECONDS", 10.0),
            webhook_poll_seconds=_float(env, "CMS_WEBHOOK_POLL_SECONDS", 0.25),
            feed_items=_int(env, "CMS_FEED_ITEMS", 50),
            sitemap_urls=_int(env, "CMS_SITEMAP_URLS", 5000),
            preview_minutes=_int(env, "CMS_PREVIEW_MINUTES", 60),
            smtp_url=env.get("CMS_SMTP_URL", ""),
            mail_from=env.get("CMS_MAIL_FROM") or "CoP CMS <no-reply@localhost>",
            public_url=(env.get("CMS_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            mail_retry_seconds=_float(env, "CMS_MAIL_RETRY_SECONDS", 30.0),
            mail_retry_hours=_float(env, "CMS_MAIL_RETRY_HOURS", 48.0),
            mail_poll_seconds=_float(env, "CMS_MAIL_POLL_SECONDS", 1.0),
            invitation_days=_int(env, "CMS_INVITATION_DAYS", 14),
            unconfirmed_retention_hours=_float(env, "CMS_UNCONFIRMED_RETENTION_HOURS", 48.0),
            declined_retention_days=_float(env, "CMS_DECLINED_RETENTION_DAYS", 30.0),
            enquiry_retention_days=_float(env, "CMS_ENQUIRY_RETENTION_DAYS", 30.0),
            joining_per_client_hour=_int(env, "CMS_JOINING_PER_CLIENT_HOUR", 10),
            joining_per_address_day=_int(env, "CMS_JOINING_PER_ADDRESS_DAY", 3),
            purge_minutes=_float(env, "CMS_PURGE_MINUTES", 60.0),
            session_days=_int(env, "CMS_SESSION_DAYS", 14),
            sign_in_link_minutes=_int(env, "CMS_SIGN_IN_LINK_MINUTES", 15),
            password_reset_minutes=_int(env, "CMS_PASSWORD_RESET_MINUTES", 60),
            attempt_window_minutes=_int(env, "CMS_ATTEMPT_WINDOW_MINUTES", 15),
            attempts_per_address=_int(env, "CMS_ATTEMPTS_PER_ADDRESS", 10),
            attempts_per_client=_int(env, "CMS_ATTEMPTS_PER_CLIENT", 50),
            argon2_time_cost=_int(env, "CMS_ARGON2_TIME_COST", 3),
            argon2_memory_kib=_int(env, "CMS_ARGON2_MEMORY_KIB", 65_536, minimum=8),
            argon2_parallelism=_int(env, "CMS_ARGON2_PARALLELISM", 4),
            chart_store_mb=_int(env, "CMS_CHART_STORE_MB", 64),
        )

    @property
    def max_upload_bytes(self) -> int:
        """The largest file an upload may carry, in bytes."""
        return self.max_upload_mb * 1024 * 1024

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests use this); each value has its field's type."""
        return replace(self, **changes)

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
