"""What a write the services refused reports."""

from __future__ import annotations

import pytest

from cms.errors import ValidationFailed


def field_codes(caught: pytest.ExceptionInfo[ValidationFailed]) -> set[tuple[str, str]]:
    """The (field, code) pairs of a refused write."""
    return {(e.field, e.code) for e in caught.value.errors}
