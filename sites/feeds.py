"""RSS 2.0 and Atom 1.0 feeds of a tenant's news and resources (ElementTree escapes the text)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from cms import models
from cms.urls import Routes

ATOM = "http://www.w3.org/2005/Atom"


def _summary(row: models.ContentModel) -> str:
    return str(getattr(row, "summary", "") or getattr(row, "description", "") or "")


def _when(row: models.ContentModel) -> datetime:
    return row.published_at or row.updated_at


def rss(
    tenant: models.Tenant,
    title: str,
    kind: str,
    rows: list[models.ContentModel],
    routes: Routes,
    self_url: str,
    now: datetime,
) -> bytes:
    ET.register_namespace("atom", ATOM)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = f"{tenant.name}: {title}"
    ET.SubElement(channel, "link").text = routes.home()
    ET.SubElement(channel, "description").text = tenant.description or f"{title} of {tenant.name}"
    ET.SubElement(channel, "language").text = tenant.default_language
    built = max((_when(r) for r in rows), default=now)
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(built.astimezone(UTC))
    ET.SubElement(
        channel, f"{{{ATOM}}}link", {"href": self_url, "rel": "self", "type": "application/rss+xml"}
    )
    for row in rows:
        item = ET.SubElement(channel, "item")
        url = routes.of(kind, row)
        ET.SubElement(item, "title").text = str(getattr(row, "title", row.slug))
        ET.SubElement(item, "link").text = url
        absolute = url.startswith(("http://", "https://"))
        guid = url if absolute else f"{kind}:{tenant.slug}:{row.id}"
        ET.SubElement(item, "guid", {"isPermaLink": "true" if absolute else "false"}).text = guid
        ET.SubElement(item, "pubDate").text = format_datetime(_when(row).astimezone(UTC))
        ET.SubElement(item, "description").text = _summary(row)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ET.tostring(root, encoding="utf-8"))


def atom(
    tenant: models.Tenant,
    title: str,
    kind: str,
    rows: list[models.ContentModel],
    routes: Routes,
    self_url: str,
    now: datetime,
) -> bytes:
    ET.register_namespace("", ATOM)

    def el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
        node.text = text
        return node

    root = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": tenant.default_language})
    el(root, "id", f"tag:cop-cms,2026:{tenant.slug}:{kind}")
    el(root, "title", f"{tenant.name}: {title}")
    el(root, "updated", max((r.updated_at for r in rows), default=now).astimezone(UTC).isoformat())
    el(root, "link", href=self_url, rel="self", type="application/atom+xml")
    el(root, "link", href=routes.home(), rel="alternate", type="text/html")
    author = el(root, "author")
    el(author, "name", tenant.name)
    for row in rows:
        entry = el(root, "entry")
        el(entry, "id", f"tag:cop-cms,2026:{tenant.slug}:{kind}:{row.id}")
        el(entry, "title", str(getattr(row, "title", row.slug)))
        el(entry, "updated", row.updated_at.astimezone(UTC).isoformat())
        el(entry, "published", _when(row).astimezone(UTC).isoformat())
        el(entry, "link", href=routes.of(kind, row), rel="alternate", type="text/html")
        el(entry, "summary", _summary(row), type="text")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ET.tostring(root, encoding="utf-8"))
