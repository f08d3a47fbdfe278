"""How Python names are spelled in the API: one place for the snake/camel conversion."""

from __future__ import annotations


def camel(name: str) -> str:
    """`expires_at` -> `expiresAt`: a Python (snake_case) name as the API spells it."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def lower_first(name: str) -> str:
    """`NewsItem` -> `newsItem`: a type name as the name of a field holding one."""
    return name[:1].lower() + name[1:]
