"""An iCalendar (RFC 5545) feed of a tenant's events.

Start and end are written in UTC (`…Z`, the form that needs no VTIMEZONE block), so every
client places them at the right instant; the event's own IANA zone travels as
`X-CMS-TIMEZONE` and in the description's first line is not repeated. Lines are folded at 75
octets and text is escaped as the RFC says.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cms import models
from cms.urls import Routes


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> bytes:
    """A content line folded into chunks of at most 75 octets, never inside a character."""
    out: list[bytes] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            out.append(current)
            current = b" "
            limit = 75
        current += encoded
    out.append(current)
    return b"\r\n".join(out) + b"\r\n"


def calendar(
    tenant: models.Tenant, rows: list[models.Event], routes: Routes, now: datetime
) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CoP CMS//Events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(tenant.name)}",
    ]
    for event in rows:
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{event.id}@{tenant.slug}.cop-cms",
            f"DTSTAMP:{_stamp(event.updated_at)}",
            f"DTSTART:{_stamp(event.start)}",
            f"DTEND:{_stamp(event.end)}",
            f"SUMMARY:{_text(event.title)}",
            f"URL:{routes.of('Event', event)}",
            f"X-CMS-TIMEZONE:{_text(event.timezone)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_text(event.description)}")
        lines.append(f"SEQUENCE:{event.version}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) for line in lines)
