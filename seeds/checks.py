"""Checks for single values in seed data: each returns the normalised value or raises Invalid."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cms.models import ThematicArea

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PATH_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$")
HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class Invalid(ValueError):
    """One value is wrong; the caller adds where it was."""


Check = Callable[[Any], Any]


def text(value: Any) -> str:
    """A string, as it is."""
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {type(value).__name__}")
    return value


def matching(pattern: re.Pattern[str], what: str) -> Check:
    """A check for strings that match the whole pattern."""

    def check(value: Any) -> str:
        if not pattern.fullmatch(text(value)):
            raise Invalid(f"{value!r} is not a valid {what}")
        return str(value)

    return check


def boolean(value: Any) -> bool:
    """true or false, not 0, 1 or a string."""
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {value!r}")
    return value


def integer(value: Any) -> int:
    """A non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(f"expected a non-negative integer, got {value!r}")
    return value


def aware_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time with a timezone offset."""
    try:
        parsed = datetime.fromisoformat(text(value))
    except ValueError:
        raise Invalid(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise Invalid(f"{value!r} has no timezone (write e.g. +00:00)")
    return parsed


def iana_timezone(value: Any) -> str:
    """An IANA timezone name such as Europe/Brussels."""
    try:
        ZoneInfo(text(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{value!r} is not an IANA timezone") from None
    return str(value)


def choice(enum: type[StrEnum]) -> Check:
    """A check for one value of the enum."""

    def check(value: Any) -> StrEnum:
        try:
            return enum(text(value))
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise Invalid(f"{value!r} is not one of: {allowed}") from None

    return check


def list_of(item: Check) -> Check:
    """A check for a list of distinct values, each passing ``item``."""

    def check(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {type(value).__name__}")
        items = [item(v) for v in value]
        if len(set(map(str, items))) != len(items):
            raise Invalid("the list repeats a value")
        return items

    return check


SLUG = matching(SLUG_RE, "slug (lower-case words joined by '-')")
PATH = matching(PATH_RE, "page path (slugs joined by '/')")
LANGUAGE = matching(LANGUAGE_RE, "language code")
COUNTRY = matching(COUNTRY_RE, "two-letter country code")
HOST = matching(HOST_RE, "host name")
TEXT = text
SLUGS = list_of(SLUG)
STRINGS = list_of(text)
THEMATIC_AREAS = list_of(choice(ThematicArea))
