"""Persisted GraphQL documents: found by hash, registered by clients (bounded), or trusted.

Clients register documents through Apollo's automatic persisted query protocol (the API
checks them first, `schema/persisted.py`); an operator adds trusted ones from a manifest
(`cms persisted-queries add`). Every worker and node reads the same table, so a document
registered through one is known to all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from cms.models import PersistedQuery

SHA256 = re.compile(r"[0-9a-f]{64}")
APOLLO_MANIFEST = "apollo-persisted-query-manifest"


def sha256_of(body: str) -> str:
    """The hex SHA-256 of a document's UTF-8 text, as Apollo's clients compute it."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


async def find(sha256: str, *, trusted_only: bool = False) -> str | None:
    """The stored document with this hash (only a trusted one if asked), or None."""
    query = PersistedQuery.filter(sha256=sha256)
    if trusted_only:
        query = query.filter(trusted=True)
    found = await query.first().values_list("body", flat=True)
    return cast(str | None, found)


async def register(sha256: str, body: str, *, limit: int) -> bool:
    """Store a client's document; past `limit` such documents the oldest ones are deleted
    (trusted documents neither count nor go). True if this call stored it."""
    if limit <= 0:
        return False
    try:
        _, created = await PersistedQuery.get_or_create(sha256=sha256, defaults={"body": body})
    except IntegrityError:  # another worker stored it at the same moment
        return False
    if created:
        registered = PersistedQuery.filter(trusted=False)
        excess = await registered.count() - limit
        if excess > 0:
            oldest = await registered.order_by("id").limit(excess).values_list("id", flat=True)
            await PersistedQuery.filter(id__in=list(oldest)).delete()
    return bool(created)


@dataclass(frozen=True)
class ManifestEntry:
    """One document of a manifest: its hash, its text, and its operation name if given."""

    sha256: str
    body: str
    name: str | None = None


class ManifestError(ValueError):
    """A manifest we cannot read; the message says what is wrong and where."""


def parse_manifest(data: Any) -> list[ManifestEntry]:
    """The entries of an Apollo persisted-query manifest or of a plain `{hash: document}` map;
    every id must be the SHA-256 of its document."""
    if not isinstance(data, dict):
        raise ManifestError("a manifest is a JSON object")
    entries: list[ManifestEntry] = []
    if "operations" in data or data.get("format") is not None:
        if data.get("format") != APOLLO_MANIFEST or data.get("version") != 1:
            raise ManifestError(
                f'an Apollo manifest has "format": "{APOLLO_MANIFEST}" and "version": 1'
            )
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise ManifestError('"operations" must be a list')
        for number, operation in enumerate(operations):
            if not isinstance(operation, dict):
                raise ManifestError(f"operation {number} is not an object")
            name = operation.get("name")
            entries.append(
                _entry(operation.get("id"), operation.get("body"), f"operation {number}", name)
            )
    else:
        for key, body in data.items():
            entries.append(_entry(key, body, f"entry {key[:16]!r}", None))
    if not entries:
        raise ManifestError("the manifest has no documents")
    return entries


def _entry(key: Any, body: Any, where: str, name: Any) -> ManifestEntry:
    if not isinstance(key, str) or not SHA256.fullmatch(key):
        raise ManifestError(f"{where}: the id must be a SHA-256 in lower-case hex")
    if not isinstance(body, str) or not body.strip():
        raise ManifestError(f"{where}: the body must be a GraphQL document")
    if sha256_of(body) != key:
        raise ManifestError(f"{where}: the id is not the SHA-256 of its body")
    if name is not None and not isinstance(name, str):
        raise ManifestError(f"{where}: the name must be a string")
    return ManifestEntry(sha256=key, body=body, name=name[:200] if name else None)


async def add_trusted(entries: list[ManifestEntry]) -> tuple[int, int]:
    """Store the manifest's documents as trusted, in one transaction: (added, already there);
    a document a client registered before becomes trusted."""
    added = kept = 0
    async with in_transaction():
        for entry in entries:
            row = await PersistedQuery.get_or_none(sha256=entry.sha256)
            if row is None:
                await PersistedQuery.create(
                    sha256=entry.sha256, body=entry.body, name=entry.name, trusted=True
                )
                added += 1
            elif not row.trusted or (entry.name and row.name != entry.name):
                row.trusted = True
                row.name = entry.name or row.name
                await row.save(update_fields=["trusted", "name"])
                added += 1
            else:
                kept += 1
    return added, kept


async def all_documents() -> list[PersistedQuery]:
    """Every stored document, trusted ones first, then by age."""
    return await PersistedQuery.all().order_by("-trusted", "id")
