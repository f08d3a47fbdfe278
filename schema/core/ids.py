"""Global ids: opaque, stable strings that name a type and a database id."""

from __future__ import annotations

import base64
import binascii

from cms.errors import NotFound

MAX_PK = 2**31 - 1
"""Every model's primary key is an IntField (32-bit): a larger id names no row, and PostgreSQL
refuses to compare an int column to it."""


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """The (type name, database id) an id names, or None for anything we did not make."""
    try:
        raw = base64.urlsafe_b64decode((global_id + "=" * (-len(global_id) % 4)).encode())
        type_name, pk = raw.decode().split(":", 1)
        value = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not type_name.isidentifier() or value <= 0 or not pk.isdigit():
        return None
    return type_name, value


def database_id(global_id: object, expected: str | tuple[str, ...], field: str) -> int:
    """The database id of an argument that must name one of the `expected` types."""
    decoded = from_global_id(str(global_id))
    allowed = (expected,) if isinstance(expected, str) else expected
    if decoded is None or decoded[0] not in allowed or not 0 < decoded[1] <= MAX_PK:
        raise NotFound(f"`{field}` is not the id of a {' or '.join(allowed)}.", field=field)
    return decoded[1]
