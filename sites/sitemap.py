"""A tenant's sitemap.xml (sitemaps.org 0.9): its public pages, news, events and resources."""

from __future__ import annotations

from datetime import UTC
from xml.etree import ElementTree as ET

from cms import models
from cms.urls import Routes

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap(entries: list[tuple[str, models.ContentModel]], routes: Routes) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}urlset")
    for kind, row in entries:
        url = ET.SubElement(root, f"{{{NS}}}url")
        ET.SubElement(url, f"{{{NS}}}loc").text = routes.of(kind, row)
        ET.SubElement(url, f"{{{NS}}}lastmod").text = row.updated_at.astimezone(UTC).isoformat(
            timespec="seconds"
        )
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(ET.tostring(root, encoding="utf-8"))
