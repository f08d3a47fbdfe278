"""How a Plone item becomes an item here: types, paths, workflow states, dates and text.

Pure functions of one item's JSON (and the tenant's defaults); the importer does the I/O.

| Plone | here |
| --- | --- |
| Folder, Document (and a multilingual root folder, LRF) | page at the path of its parent chain |
| News Item | news item; its `image` is the lead image |
| Event | event |
| Link | resource (kind article) with the external URL |
| File | file; also a resource when no imported item links to it |
| Image | image |
| Collection, Plone Site, anything else | skipped, with the reason |
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cms.models import EventFormat, ResourceKind
from cms.services.validation import EMAIL, LANGUAGE, slugify
from importers.plone.html import blocks_to_html, plain_to_html
from importers.plone.source import ItemProblem

# What an item becomes: the first four name content kinds of cms.services.kinds.KINDS; files
# and images are media rows.
PAGE, NEWS, EVENT, RESOURCE, FILE, IMAGE = "Page", "NewsItem", "Event", "Resource", "File", "Image"
KIND_OF_TYPE = {
    "Folder": PAGE,
    "Document": PAGE,
    "LRF": PAGE,
    "News Item": NEWS,
    "Event": EVENT,
    "Link": RESOURCE,
    "File": FILE,
    "Image": IMAGE,
}
SKIPPED_TYPES = {
    "Collection": "a Collection is a saved search, not content; rebuild it as a list query",
    "Topic": "a Topic (old Collection) is a saved search, not content",
}
# Where a front end reaches an item that is not a page; links to such items are rewritten so.
ROUTES = {NEWS: "news", EVENT: "events", RESOURCE: "resources"}
_ONLINE = re.compile(r"\b(online|zoom|teams|webinar|virtual|webex|jitsi)\b", re.I)
_EMPTY_LANGUAGES = {"", "##DEFAULT##", "none"}
_OFFICE = "application/vnd.openxmlformats-officedocument"
_FILE_KINDS = {
    "text/csv": ResourceKind.DATASET,
    f"{_OFFICE}.spreadsheetml.sheet": ResourceKind.DATASET,
    f"{_OFFICE}.presentationml.presentation": ResourceKind.TRAINING_MATERIAL,
}


def text_of(value: Any) -> str:
    """A string field's value; None and non-strings are empty."""
    return value.strip() if isinstance(value, str) else ""


def segment(plone_id: str, title: str, uid: str) -> str:
    """A path segment or slug from a Plone id (`Annual_Report.pdf` → `annual-report`)."""
    base = re.sub(
        r"\.(pdf|docx?|xlsx?|pptx?|odt|csv|txt|jpe?g|png|gif|webp|zip)$", "", plone_id, flags=re.I
    )
    return slugify(base, 120) or slugify(title, 120) or f"item-{uid[:8]}"


def parse_date(value: Any, zone: ZoneInfo, field: str) -> datetime | None:
    """An ISO date from the export, read in `zone` when Plone wrote it without an offset."""
    if value in (None, "", "None"):
        return None
    if not isinstance(value, str):
        raise ItemProblem(f"{field} is not a date: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        raise ItemProblem(f"{field} is not an ISO date: {value!r}") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def language(data: dict[str, Any], default: str) -> str:
    value = data.get("language")
    if isinstance(value, dict):  # plone.restapi may serialise a vocabulary term
        value = value.get("token")
    text = text_of(value)
    if text.lower() in _EMPTY_LANGUAGES:
        return default
    text = text.replace("_", "-")
    head, _, rest = text.partition("-")
    text = head.lower() + (f"-{rest}" if rest else "")
    return text if LANGUAGE.match(text) else default


def body_html(data: dict[str, Any]) -> str:
    """The item's rich text: `text` (HTML, or plain text made HTML), else Volto blocks."""
    text = data.get("text")
    if isinstance(text, dict):
        raw = text.get("data")
        content_type = str(text.get("content-type") or "text/html")
        if isinstance(raw, str) and raw.strip():
            return raw if content_type == "text/html" else plain_to_html(raw)
    elif isinstance(text, str) and text.strip():
        return text
    blocks = data.get("blocks")
    if isinstance(blocks, dict) and blocks:
        return blocks_to_html(blocks, data.get("blocks_layout"))
    return ""


def subjects(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(slug, name) of each keyword, once, in the export's order."""
    seen: dict[str, str] = {}
    values = data.get("subjects") or data.get("subject") or []
    for value in values if isinstance(values, list | tuple) else []:
        name = text_of(value)[:100]
        slug = slugify(name, 100)
        if slug and slug not in seen:
            seen[slug] = name
    return list(seen.items())


@dataclass(frozen=True)
class Binary:
    """A file field of an item: inline bytes or a blob path, with the names Plone gave."""

    filename: str
    content_type: str
    data: bytes | None = None
    blob_path: str | None = None


def binary(data: dict[str, Any], field: str) -> Binary | None:
    """The `image` or `file` field; ItemProblem when it is there but unusable."""
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ItemProblem(f"{field} is not an object")
    filename = text_of(value.get("filename"))
    content_type = text_of(value.get("content-type"))
    if "blob_path" in value:
        return Binary(filename, content_type, blob_path=value["blob_path"])
    raw = value.get("data")
    if not isinstance(raw, str) or not raw:
        raise ItemProblem(f"{field} has neither data nor blob_path")
    encoding = text_of(value.get("encoding")) or "base64"
    if encoding != "base64":
        raise ItemProblem(f"{field} is encoded as {encoding!r}, not base64")
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ItemProblem(f"{field} is not valid base64") from None
    return Binary(filename, content_type, data=decoded)


def file_resource_kind(content_type: str) -> ResourceKind:
    """What a stand-alone file is as a resource: data tables are datasets, slides training
    material, anything else (PDF, documents) a report."""
    return _FILE_KINDS.get(content_type, ResourceKind.REPORT)


def event_fields(data: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """start, end, format, location, registration URL and contact of a Plone event."""
    start = parse_date(data.get("start"), zone, "start")
    if start is None:
        raise ItemProblem("the event has no start")
    end = parse_date(data.get("end"), zone, "end")
    if data.get("whole_day"):
        local = start.astimezone(zone)
        start = datetime.combine(local.date(), time.min, tzinfo=zone)
        last = (end or local).astimezone(zone).date()
        end = datetime.combine(last, time(23, 59, 59), tzinfo=zone)
    if data.get("open_end") or end is None:
        local = start.astimezone(zone)
        end = datetime.combine(local.date(), time(23, 59, 59), tzinfo=zone)
    if end < start:
        end = start + timedelta(hours=1)
    location = text_of(data.get("location"))[:300]
    url = text_of(data.get("event_url"))
    online = bool(_ONLINE.search(location)) or (not location and bool(url))
    email = text_of(data.get("contact_email"))
    return {
        "start": start,
        "end": end,
        "timezone": zone.key,
        "format": EventFormat.ONLINE if online else EventFormat.IN_PERSON,
        "location": location,
        "registration_url": url if url.startswith(("http://", "https://")) else "",
        "contact_name": text_of(data.get("contact_name"))[:200],
        "contact_email": email if EMAIL.match(email) else "",
    }
