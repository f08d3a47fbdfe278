"""Global ids: opaque, stable strings that name a type and a database id."""

from __future__ import annotations

import base64
import binascii


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
