"""Signed rendition URLs, and making each rendition once, on its first request.

A URL names the original and the spec, and carries an HMAC of both made with the secret key:
only the API hands URLs out (for images the reader may see), and nobody can ask the server
for a size or an image it did not sign. The first request renders in a worker thread, writes
through a temporary file and renames it into place; a per-key lock makes concurrent first
requests wait for that one rendering instead of repeating it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from cms.config import Settings
from media import operations
from media.specs import Spec
from media.storage import ORIGINALS, RENDITIONS, Storage, check_key

PREFIX = "/media/renditions"
SIGNATURE_LENGTH = 32  # hex characters: 128 bits


class Signer:
    """HMAC-SHA256 over the rendition's path, truncated; compared in constant time."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"cms-rendition:" + secret.encode()).digest()

    def sign(self, message: str) -> str:
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()
        return digest[:SIGNATURE_LENGTH]

    def verify(self, message: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(message), signature)


def source_of(storage_key: str) -> str:
    """An original's key without the `originals/` prefix, as rendition URLs carry it."""
    return storage_key.removeprefix(f"{ORIGINALS}/")


def url(signer: Signer, storage_key: str, spec: Spec) -> str:
    """The signed URL of one rendition of the original at `storage_key`."""
    path = f"{source_of(storage_key)}/{spec.name}"
    return f"{PREFIX}/{signer.sign(path)}/{path}"


@dataclass(frozen=True)
class Rendition:
    """A rendition on disk and how to describe it in an HTTP response."""

    path: Path
    content_type: str
    etag: str


class Renditions:
    """Renditions of one media root: made once, kept on disk, found again by name."""

    def __init__(self, storage: Storage, render: Callable[[bytes, Spec], bytes] | None = None):
        self.storage = storage
        self.render = render
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiters: dict[str, int] = {}

    @staticmethod
    def key(source: str, spec: Spec) -> str:
        return f"{RENDITIONS}/{source}/{spec.name}"

    @staticmethod
    def etag(source: str, spec: Spec) -> str:
        """Strong and stable: a rendition's bytes depend only on its original and spec."""
        return '"' + hashlib.sha256(f"{source}/{spec.name}".encode()).hexdigest()[:32] + '"'

    async def get(self, source: str, spec: Spec) -> Rendition | None:
        """The rendition, made now if this is its first request; None without an original."""
        check_key(source)
        key = self.key(source, spec)
        path = self.storage.path(key)
        found = Rendition(path, spec.content_type, self.etag(source, spec))
        if path.is_file():
            return found
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                if path.is_file():  # made while this request waited for the lock
                    return found
                original = self.storage.path(f"{ORIGINALS}/{source}")
                if not original.is_file():
                    return None
                await run_in_threadpool(self._make, original, path, spec)
                return found
        finally:
            self._waiters[key] -= 1
            if self._waiters[key] == 0:
                del self._waiters[key], self._locks[key]

    def _make(self, original: Path, path: Path, spec: Spec) -> None:
        render = self.render or operations.render  # looked up late so tests can count calls
        self.storage.write(path, render(original.read_bytes(), spec))


@functools.lru_cache(maxsize=8)
def signer_for(settings: Settings) -> Signer:
    """One signer per settings: the secret key may live in a file read once."""
    return Signer(settings.resolved_secret_key())
