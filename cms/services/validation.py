"""Input checks for writes: every problem is collected, none is written."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import anyio
from tortoise import fields
from tortoise.fields.data import CharEnumFieldInstance

from cms.errors import ErrorCode, FieldError
from cms.models import DelimitedListField
from cms.names import camel
from cms.services.kinds import Kind
from cms.services.richtext import MAX_DEPTH, active_content, nesting_depth, sanitise

MAX_TEXT = 200_000
MAX_LIST_ITEMS = 50
MAX_LIST_ITEM = 100
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
# Deliberately loose: one @, no spaces, a dot in the domain; deliverability is not ours to check.
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def slugify(text: str, max_length: int = 200) -> str:
    """A URL name from a title: ASCII, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def check_slug(value: Any, errors: list[FieldError], field: str = "slug") -> None:
    if not isinstance(value, str) or not SLUG.match(value) or len(value) > 200:
        errors.append(
            FieldError(
                field,
                "Use lower-case letters, digits and single hyphens (at most 200).",
                ErrorCode.INVALID_SLUG,
            )
        )


def check_path(value: str, errors: list[FieldError]) -> str:
    clean = value.strip().strip("/")
    if not clean or len(clean) > 500 or not all(SLUG.match(p) for p in clean.split("/")):
        errors.append(
            FieldError(
                "path",
                "A path is slugs joined by '/', e.g. about/how-to-join.",
                ErrorCode.INVALID_PATH,
            )
        )
    return clean


async def clean_values_off_loop(
    kind: Kind, values: dict[str, Any], errors: list[FieldError]
) -> dict[str, Any]:
    """`clean_values` in a worker thread: sanitising rich text is CPU work (nh3) that would
    stall every other request of the process for as long as it runs."""
    return await anyio.to_thread.run_sync(clean_values, kind, values, errors)


def clean_values(kind: Kind, values: dict[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    """The values checked and normalised field by field; problems are appended to `errors`."""
    fields_map = kind.model._meta.fields_map
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        field = fields_map[name]
        api_name = camel(name)
        if value is None:
            if field.null:
                cleaned[name] = None
            elif name in kind.required:
                errors.append(FieldError(api_name, "This field is required.", ErrorCode.REQUIRED))
            continue
        result = _clean_field(kind, name, api_name, field, value, errors)
        if result is not _INVALID:
            cleaned[name] = result
    return cleaned


_INVALID = object()


def _clean_field(
    kind: Kind,
    name: str,
    api_name: str,
    field: fields.Field[Any],
    value: Any,
    errors: list[FieldError],
) -> Any:
    def fail(message: str, code: ErrorCode) -> object:
        errors.append(FieldError(api_name, message, code))
        return _INVALID

    if isinstance(field, DelimitedListField):
        return _clean_list(kind.vocabularies.get(name), value, fail)
    if isinstance(field, CharEnumFieldInstance):
        enum_type: type[Enum] = field.enum_type
        try:
            return enum_type(value.value if isinstance(value, Enum) else value)
        except ValueError:
            allowed = ", ".join(m.value for m in enum_type)
            return fail(f"{value!r} is not one of: {allowed}.", ErrorCode.INVALID_CHOICE)
    if isinstance(field, fields.DatetimeField):
        problem = date_problem(value)
        return fail(*problem) if problem else to_utc(value)
    if isinstance(field, fields.BooleanField):
        return (
            value if isinstance(value, bool) else fail("Expected true or false.", ErrorCode.INVALID)
        )
    if isinstance(field, fields.IntField):
        if not isinstance(value, int) or isinstance(value, bool):
            return fail("Expected a whole number.", ErrorCode.INVALID)
        if value < 0 or value > 2**31 - 1:
            return fail("Expected a number from 0 to 2147483647.", ErrorCode.OUT_OF_RANGE)
        return value
    if not isinstance(value, str):
        return fail("Expected text.", ErrorCode.INVALID)
    text = value.strip() if not isinstance(field, fields.TextField) else value
    limit = getattr(field, "max_length", None) or MAX_TEXT
    if len(text) > limit:
        return fail(f"At most {limit} characters (got {len(text)}).", ErrorCode.TOO_LONG)
    if name in kind.required and not text.strip():
        return fail("This field is required.", ErrorCode.REQUIRED)
    if name in kind.html:
        danger = active_content(text)
        if danger:
            return fail(f"The HTML contains {danger}, which is not allowed.", ErrorCode.UNSAFE_HTML)
        if nesting_depth(text) > MAX_DEPTH:
            return fail(f"The HTML nests elements more than {MAX_DEPTH} deep.", ErrorCode.TOO_DEEP)
        return sanitise(text)
    if name in kind.urls and text and not is_web_url(text):
        return fail("Expected an http:// or https:// URL with a host name.", ErrorCode.INVALID_URL)
    if name == "language" and not LANGUAGE.match(text):
        return fail("Expected a language tag such as en, es or pt-BR.", ErrorCode.INVALID_LANGUAGE)
    if name == "country" and text and not COUNTRY.match(text.upper()):
        return fail("Expected a two-letter country code such as ES.", ErrorCode.INVALID_COUNTRY)
    if name == "country":
        return text.upper()
    if name == "contact_email" and text and not EMAIL.match(text):
        return fail("Expected an email address such as name@example.org.", ErrorCode.INVALID_EMAIL)
    if name == "translation_group":
        if "\x00" in text:
            return fail("A translation group cannot contain a NUL character.", ErrorCode.INVALID)
        return text or None  # an empty group would link every item without one
    if name == "timezone" and text not in _timezones():
        return fail(
            f"{text!r} is not an IANA timezone such as Europe/Madrid.", ErrorCode.INVALID_TIMEZONE
        )
    return text


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def is_web_url(text: str) -> bool:
    """Whether the text is an absolute http(s) URL with a host, and nothing a browser would
    strip or reinterpret (spaces, control characters, backslashes) hiding in it."""
    if _URL_UNSAFE.search(text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:  # a malformed IPv6 host or port
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _clean_list(vocabulary: type[Enum] | None, value: Any, fail: Any) -> Any:
    if not isinstance(value, list | tuple):
        return fail("Expected a list.", ErrorCode.INVALID)
    if len(value) > MAX_LIST_ITEMS:
        return fail(f"At most {MAX_LIST_ITEMS} entries.", ErrorCode.TOO_LONG)
    items: list[str] = []
    for item in value:
        raw = item.value if isinstance(item, Enum) else item
        if not isinstance(raw, str) or not raw.strip():
            return fail("Entries must be non-empty text.", ErrorCode.INVALID)
        raw = raw.strip()
        if len(raw) > MAX_LIST_ITEM or DelimitedListField.SEPARATOR in raw:
            return fail(
                f"Entries are at most {MAX_LIST_ITEM} characters, without '|'.", ErrorCode.INVALID
            )
        if vocabulary is not None and raw not in {m.value for m in vocabulary}:
            return fail(
                f"{raw!r} is not one of: {', '.join(m.value for m in vocabulary)}.",
                ErrorCode.INVALID_CHOICE,
            )
        if raw not in items:
            items.append(raw)
    return items


_TIMEZONES: set[str] = set()


def _timezones() -> set[str]:
    if not _TIMEZONES:
        _TIMEZONES.update(available_timezones())
    return _TIMEZONES


def date_problem(value: Any) -> tuple[str, ErrorCode] | None:
    """Why a value cannot be stored as an instant (message, code), or None when it can."""
    if not isinstance(value, datetime):
        return "Expected a date and time.", ErrorCode.INVALID
    if value.tzinfo is None or value.utcoffset() is None:
        return (
            "Give the time with a timezone offset, e.g. 2025-03-01T09:00:00+01:00.",
            ErrorCode.NAIVE_DATETIME,
        )
    try:
        value.astimezone(UTC)
    except OverflowError:
        return "The time falls outside the years 1 to 9999 in UTC.", ErrorCode.OUT_OF_RANGE
    return None


def to_utc(value: datetime) -> datetime:
    """The instant in UTC, as every write stores it.

    SQLite keeps a datetime as the text it was given and compares text: a time stored with
    `-10:00` sorted as if it were UTC. One offset everywhere makes text order time order.
    """
    return value.astimezone(UTC)
