"""A bounded pool of Whoosh searchers over the live generation of the index.

A searcher holds its segments' readers and caches (tens of MB on a large index). Kept one per
worker thread, they outlived their threads and their generations: every burst of searches on
new threads left another set open. Here a search borrows a searcher and gives it back; at most
`size` idle ones are kept, all of the live generation and up to date, and any other is closed
when it is given back or found stale. Searchers in use are bounded by the search threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from whoosh.searching import Searcher

from search_index.store import IndexStore


class SearcherPool:
    """Searchers lent one search at a time; reopened, not refreshed, when the index changes.

    Reopened rather than `refresh()`ed: a refreshed searcher reuses segment readers that cache
    their deletions, so documents replaced since would be found twice.
    """

    def __init__(self, store: IndexStore, size: int) -> None:
        self.store = store
        self.size = max(1, size)
        self._idle: list[tuple[str, Searcher]] = []
        self._lent = 0
        self._guard = threading.Lock()

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Searcher | None]:
        """A searcher of the live generation for one search (None before anything is indexed)."""
        with self.lend() as held:
            yield None if held is None else held[1]

    @contextlib.contextmanager
    def lend(self) -> Iterator[tuple[str, Searcher] | None]:
        """(generation name, searcher) for one search (None before anything is indexed)."""
        held = self._take()
        if held is None:
            yield None
            return
        try:
            yield held
        finally:
            self._give_back(held)

    def _take(self) -> tuple[str, Searcher] | None:
        name = self.store.current_name()
        stale: list[Searcher] = []
        found: tuple[str, Searcher] | None = None
        with self._guard:
            while self._idle:
                held = self._idle.pop()
                if held[0] == name and held[1].up_to_date():
                    found = held
                    break
                stale.append(held[1])
            if found is not None:
                self._lent += 1
        for searcher in stale:
            searcher.close()
        if found is not None:
            return found
        opened = self.store.open()
        if opened is None:
            return None
        name, ix = opened
        if self.store.is_stale(name):  # its fields are not the ones the filters name
            ix.close()
            return None
        searcher = ix.searcher()
        with self._guard:
            self._lent += 1
        return name, searcher

    def _give_back(self, held: tuple[str, Searcher]) -> None:
        keep = held[0] == self.store.current_name() and held[1].up_to_date()
        with self._guard:
            self._lent -= 1
            if keep and len(self._idle) < self.size:
                self._idle.append(held)
                return
        held[1].close()

    def close(self) -> None:
        """Close the idle searchers (lent ones close when given back)."""
        with self._guard:
            idle, self._idle = self._idle, []
        for _, searcher in idle:
            searcher.close()
