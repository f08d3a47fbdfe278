"""Media storage on disk: originals by content hash, renditions beside them, safe keys only.

Keys are relative paths that this module builds itself (`originals/ab/<sha256>.jpg`); a key
that comes back in a URL is checked segment by segment, so `..`, absolute paths, backslashes
and anything outside the media root are refused before the filesystem is touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from cms.errors import InvalidInput

ORIGINALS = "originals"
RENDITIONS = "renditions"
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$")


class UnsafeKey(InvalidInput):
    """A storage key that is not one this module could have made."""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_key(digest: str, extension: str) -> str:
    """Where the bytes with this SHA-256 live: two-character fan-out keeps directories small."""
    return f"{ORIGINALS}/{digest[:2]}/{digest}.{extension}"


def check_key(key: str) -> str:
    """The key itself if every segment is a plain name; UnsafeKey otherwise."""
    parts = key.split("/")
    if not key or len(key) > 400 or any(not _SEGMENT.match(p) for p in parts):
        raise UnsafeKey("The media path is not valid.", field="path")
    return key


class Storage:
    """Files under one media root, written atomically (temp file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The file of a key, refused unless it stays inside the root."""
        check_key(key)
        root = self.root.resolve()
        path = (root / key).resolve()
        if not path.is_relative_to(root):
            raise UnsafeKey("The media path is not valid.", field="path")
        return path

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def put(self, key: str, data: bytes) -> bool:
        """Write `data` at `key` unless it is there already; True when this call wrote it."""
        path = self.path(key)
        if path.is_file():
            return False
        self.write(path, data)
        return True

    @staticmethod
    def write(path: Path, data: bytes) -> None:
        """Write through a temporary file in the same directory and rename it into place,
        so a reader never sees half a file and two writers of the same bytes both succeed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
