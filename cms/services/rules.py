"""Write rules of a content kind beyond its single fields: values derived, checks across fields.

A kind's `Rules` (in cms/services/kinds.py) run on every create and update of that kind: `derive`
after the fields are cleaned, `check` inside the transaction over the values as they will be
saved (an update's new values over the row's current ones). The page tree (paths, parents,
moves) needs the database and stays in cms/services/content.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cms import models
from cms.errors import ErrorCode, FieldError
from cms.services.videos import parse_video_url

Values = dict[str, Any]


def _nothing(values: Values) -> None:
    return None


def _no_problem(values: Values, errors: list[FieldError]) -> None:
    return None


@dataclass(frozen=True)
class Rules:
    """What a kind derives and checks across its fields."""

    derive: Callable[[Values], None] = _nothing
    check: Callable[[Values, list[FieldError]], None] = _no_problem


def video_source(values: Values) -> None:
    """A YouTube or Vimeo source URL decides the provider and a privacy-friendly embed URL."""
    if not values.get("source_url"):
        return
    source = parse_video_url(values["source_url"])
    if source is not None:
        values["provider"] = models.VideoProvider(source.provider)
        values["embed_url"] = source.embed_url


def event_times(values: Values, errors: list[FieldError]) -> None:
    """An event ends at or after its start."""
    start, end = values.get("start"), values.get("end")
    if isinstance(start, datetime) and isinstance(end, datetime) and end < start:
        errors.append(FieldError("end", "The end is before the start.", ErrorCode.END_BEFORE_START))


NONE = Rules()
VIDEO = Rules(derive=video_source)
EVENT = Rules(check=event_times)
