"""The one place that decides a content item's public URL on its tenant's front end.

A tenant's front end routes each kind by a pattern (`/news/{slug}`, a page at `/{path}`); the
defaults below are what the Plone import always assumed, and a tenant's admins may change them
(`SiteRoutes`, the `setSiteRoutes` mutation). Feeds, sitemaps, webhook payloads, preview links
and the Plone importer's link rewriting all ask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

from cms import models

DEFAULT_PATTERNS: dict[str, str] = {
    "Page": "/{path}",
    "NewsItem": "/news/{slug}",
    "Event": "/events/{slug}",
    "Resource": "/resources/{slug}",
    "Video": "/videos/{slug}",
    "Profile": "/people/{slug}",
    "Organisation": "/organisations/{slug}",
}
PLACEHOLDERS = ("{slug}", "{path}", "{id}")
_PATTERN = re.compile(r"/[A-Za-z0-9._~/{}-]*")
PATTERN_MAX = 200


def pattern_problem(kind: str, pattern: str) -> str | None:
    """Why `pattern` cannot route `kind`, or None."""
    if kind not in DEFAULT_PATTERNS:
        return f"{kind!r} is not a kind with a public page."
    if len(pattern) > PATTERN_MAX or not _PATTERN.fullmatch(pattern):
        return "A pattern is a path starting with /, of letters, digits, -._~/ and placeholders."
    rest = pattern
    for placeholder in PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "{" in rest or "}" in rest:
        return f"The only placeholders are {', '.join(PLACEHOLDERS)}."
    if not any(p in pattern for p in PLACEHOLDERS):
        return "A pattern names the item: it needs {slug}, {path} or {id}."
    return None


@dataclass(frozen=True)
class Routes:
    """A tenant's base URL (may be empty: then URLs are paths) and its patterns by kind."""

    base_url: str = ""
    patterns: dict[str, str] = field(default_factory=dict)

    def path(self, kind: str, *, slug: str = "", path: str = "", object_id: int = 0) -> str:
        """The path of an item of `kind` on the front end."""
        pattern = self.patterns.get(kind) or DEFAULT_PATTERNS.get(kind, "/{slug}")
        return (
            pattern.replace("{slug}", quote(slug, safe=""))
            .replace("{path}", quote(path, safe="/"))
            .replace("{id}", str(object_id))
        )

    def url(self, kind: str, *, slug: str = "", path: str = "", object_id: int = 0) -> str:
        """The item's absolute URL when the tenant has a base URL, else its path."""
        return self.base_url.rstrip("/") + self.path(
            kind, slug=slug, path=path, object_id=object_id
        )

    def home(self) -> str:
        return self.base_url.rstrip("/") + "/"

    def of(self, kind: str, row: models.ContentModel) -> str:
        """The URL of a content row."""
        return self.url(
            kind, slug=row.slug, path=str(getattr(row, "path", "") or ""), object_id=row.id
        )


async def routes_of(tenant: models.Tenant) -> Routes:
    """The tenant's routes: its SiteRoutes row, else its website and the default patterns."""
    row = await models.SiteRoutes.get_or_none(tenant_id=tenant.id)
    if row is None:
        return Routes(base_url=tenant.website, patterns=dict(DEFAULT_PATTERNS))
    return Routes(
        base_url=row.base_url or tenant.website,
        patterns={**DEFAULT_PATTERNS, **(row.patterns or {})},
    )
