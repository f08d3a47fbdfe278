"""Where the index lives on disk: numbered generations, a pointer file, and the writer lock.

```
$CMS_DATA_DIR/search_index/
    CURRENT          names the live generation, e.g. "index.3" (replaced atomically)
    index.3/         a Whoosh index, with SCHEMA: the version of the fields it was built with
    writer.lock      held (flock) by the one process that may write, released if it dies
    NODE             this index's name as an outbox consumer, generated once (see cms.outbox)
    indexer.lock     held for its life by the one server process whose poller drains the outbox
```
A rebuild writes `index.<n+1>` beside the live one and then replaces CURRENT, so searches never
see a half-built index; readers notice the new name on their next search. A generation built
with other fields than `documents.SCHEMA_VERSION` is stale: searches treat it as absent and the
writer rebuilds it before anything else.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index
from whoosh.index import FileIndex

from search_index.documents import SCHEMA_VERSION, build_schema

POINTER = "CURRENT"
VERSION_FILE = "SCHEMA"
LOCK = "writer.lock"
LEADER = "indexer.lock"
PREFIX = "index."
NODE = "NODE"


class WriterLock:
    """An exclusive, cross-process lock on the index; the OS drops it when its holder dies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, blocking: bool = False) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class IndexStore:
    """The generations of one index directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = WriterLock(root / LOCK)

    def node_name(self) -> str:
        """This index's outbox consumer name: made once (host name and random), then kept."""
        path = self.root / NODE
        with contextlib.suppress(FileNotFoundError):
            if name := path.read_text().strip():
                return name
        self.root.mkdir(parents=True, exist_ok=True)
        host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:60] or "node"
        name = f"{host}-{secrets.token_hex(6)}"
        temp = self.root / f"{NODE}.{os.getpid()}.tmp"
        temp.write_text(name)
        try:
            os.link(temp, path)  # only one process creates it; the others read the winner's
        except FileExistsError:
            name = path.read_text().strip()
        finally:
            temp.unlink()
        return name

    def current_name(self) -> str | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        return name if name.startswith(PREFIX) and (self.root / name).is_dir() else None

    def is_stale(self, name: str) -> bool:
        """Whether generation `name` was built with other index fields than this code's."""
        try:
            version = (self.root / name / VERSION_FILE).read_text().strip()
        except FileNotFoundError:
            return True  # built before versions were recorded
        return version != str(SCHEMA_VERSION)

    def current_is_stale(self) -> bool:
        name = self.current_name()
        return name is not None and self.is_stale(name)

    def open(self) -> tuple[str, FileIndex] | None:
        """The live index and its name, or None before anything was indexed."""
        for _ in range(3):  # a rebuild may remove an old generation between read and open
            name = self.current_name()
            if name is None:
                return None
            try:
                return name, index.open_dir(str(self.root / name))
            except (FileNotFoundError, index.EmptyIndexError):
                continue
        return None

    def last_written(self) -> datetime | None:
        """When the live generation was last committed to (None before anything was)."""
        name = self.current_name()
        if name is None:
            return None
        try:
            latest = max(entry.stat().st_mtime for entry in (self.root / name).iterdir())
        except (FileNotFoundError, ValueError):
            return None
        return datetime.fromtimestamp(latest, UTC)

    def open_or_create(self) -> FileIndex:
        """The live index, made empty if there is none yet; only the lock holder calls this."""
        opened = self.open()
        if opened is not None:
            return opened[1]
        name = self.new_generation()
        self.publish(name)
        return index.open_dir(str(self.root / name))

    def _generations(self) -> list[int]:
        numbers = []
        if self.root.is_dir():
            for entry in self.root.iterdir():
                if entry.name.startswith(PREFIX) and entry.name[len(PREFIX) :].isdigit():
                    numbers.append(int(entry.name[len(PREFIX) :]))
        return sorted(numbers)

    def new_generation(self) -> str:
        """An empty index directory beside the live one."""
        numbers = self._generations()
        name = f"{PREFIX}{(numbers[-1] + 1) if numbers else 1}"
        path = self.root / name
        path.mkdir(parents=True)
        index.create_in(str(path), build_schema())
        (path / VERSION_FILE).write_text(str(SCHEMA_VERSION))
        return name

    def publish(self, name: str) -> None:
        """Make `name` the live generation in one rename, then drop all but the previous one."""
        temp = self.root / f"{POINTER}.{os.getpid()}.tmp"
        with open(temp, "w") as fh:
            fh.write(name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, self.root / POINTER)
        live = int(name[len(PREFIX) :])
        for number in self._generations():
            # Only the lock holder builds and it publishes before letting go, so a newer
            # directory is what a crashed rebuild left.
            if number < live - 1 or number > live:
                shutil.rmtree(self.root / f"{PREFIX}{number}", ignore_errors=True)

    def discard(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)
