"""Signed rendition URLs, and making each rendition once, on its first request.

A URL names the original and the spec, and carries an HMAC of both made with the secret key:
only the API hands URLs out (for images the reader may see), and nobody can ask the server
for a size or an image it did not sign. The first request renders in a worker thread, writes
through a temporary file and renames it into place; a per-key lock makes concurrent first
requests wait for that one rendering instead of repeating it.

Renders are bounded: at most `rendition_concurrency` run at once per process (the others wait
for a slot, holding no image), each decodes a large JPEG at a reduced size and writes at most
`rendition_max_pixels`; the store keeps to `rendition_store_mb`, evicting the least recently
used files (a served file's mtime is refreshed at most once an hour, so hits cost no write).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread

from cms.config import Settings
from media import memory, operations
from media.specs import Ladder, Spec
from media.storage import ORIGINALS, RENDITIONS, Storage, check_key

log = logging.getLogger("cms.media")

PREFIX = "/media/renditions"
SIGNATURE_LENGTH = 32  # hex characters: 128 bits
TOUCH_AFTER_SECONDS = 3600.0  # how stale a served file's mtime may get before it is refreshed
LOW_WATER = 0.9  # eviction frees the store down to this share of its budget


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
    """Renditions of one media root: made once, kept on disk within a budget, found by name."""

    def __init__(
        self,
        storage: Storage,
        render: Callable[[bytes, Spec, int], bytes] | None = None,
        *,
        ladder: Ladder,
        concurrency: int = 2,
        budget_bytes: int = 2048 * 1024 * 1024,
    ) -> None:
        self.storage = storage
        self.render = render
        self.ladder = ladder
        self.budget_bytes = budget_bytes
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiters: dict[str, int] = {}
        self._store_lock = threading.Lock()
        self._used: int | None = None  # bytes in the store, counted on the first write

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
        if _touch(path):
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
                await anyio.to_thread.run_sync(
                    self._make, original, path, spec, limiter=self._limiter
                )
                return found
        finally:
            self._waiters[key] -= 1
            if self._waiters[key] == 0:
                del self._waiters[key], self._locks[key]

    def _make(self, original: Path, path: Path, spec: Spec) -> None:
        render = self.render or operations.render  # looked up late so tests can count calls
        try:
            data = render(original.read_bytes(), spec, self.ladder.max_pixels)
        finally:
            memory.release()
        self.storage.write(path, data)
        self._account(len(data), keep=path)

    def _account(self, added: int, keep: Path) -> None:
        """Count a new file into the store and evict the least recently used files when the
        store is over its budget; a full scan only then (and once per process)."""
        with self._store_lock:
            if self._used is None:
                self._used = sum(size for _, size, _ in _files(self._root()))
            else:
                self._used += added
            if self._used <= self.budget_bytes:
                return
            files = sorted(_files(self._root()), key=lambda f: f[2])  # oldest mtime first
            used = sum(size for _, size, _ in files)
            target = int(self.budget_bytes * LOW_WATER)
            evicted = 0
            for file, size, _ in files:
                if used <= target:
                    break
                if file == keep:
                    continue
                try:
                    file.unlink()
                except FileNotFoundError:
                    pass
                used -= size
                evicted += 1
            self._used = used
            log.info("rendition store over budget: evicted %d files, %d bytes left", evicted, used)

    def _root(self) -> Path:
        return self.storage.root.resolve() / RENDITIONS


def _touch(path: Path) -> bool:
    """Whether the file exists; refreshes its mtime (its recency for eviction) when stale."""
    try:
        mtime = path.stat().st_mtime
    except (FileNotFoundError, NotADirectoryError):
        return False
    if time.time() - mtime > TOUCH_AFTER_SECONDS:
        try:
            os.utime(path)
        except OSError:  # evicted meanwhile, or a read-only store: it is served all the same
            pass
    return True


def _files(root: Path) -> list[tuple[Path, int, float]]:
    """Every rendition file under `root`: path, size and mtime."""
    found: list[tuple[Path, int, float]] = []
    if not root.is_dir():
        return found
    for directory, _, names in os.walk(root):
        for name in names:
            if name.startswith(".tmp-"):  # being written: not in the store yet
                continue
            path = Path(directory, name)
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            found.append((path, stat.st_size, stat.st_mtime))
    return found


@functools.lru_cache(maxsize=8)
def signer_for(settings: Settings) -> Signer:
    """One signer per settings: the secret key may live in a file read once."""
    return Signer(settings.resolved_secret_key())
