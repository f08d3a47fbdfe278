"""Search results kept for public readers, within a byte budget.

A key names everything a page depends on: the index generation (any commit makes a new one),
the window of instants the index filter's answer holds for (it ends at the next scheduled
go-live or expiry among the items the audience's scope covers), the query, the filters, the
audience (tenant and scope) and the page. So an entry is exact while it is found: a write that
reaches the index, or a scheduled item's time, makes another key. Preview and member audiences
never reach the cache (`Searching.search` and the resolver keep them out): it holds what an
anonymous reader may see; a hit is still re-checked and loaded from the database on every search.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable

from search_index.query import Hit, SearchPage

# What an entry costs beyond its strings: the objects, the key, the map's slot.
ENTRY_OVERHEAD = 600
HIT_OVERHEAD = 400


def page_bytes(page: SearchPage) -> int:
    """A fair estimate of the memory a page holds."""
    size = ENTRY_OVERHEAD + sys.getsizeof(page.suggestion or "")
    for hit in page.hits:
        size += HIT_OVERHEAD + _hit_bytes(hit)
    for values in page.facets.values():
        size += 100 + sum(80 + sys.getsizeof(v) for v, _ in values)
    return size


def _hit_bytes(hit: Hit) -> int:
    size = sys.getsizeof(hit.title) + sys.getsizeof(hit.tenant) + sys.getsizeof(hit.content_type)
    for name, snippet in hit.highlights:
        size += 120 + sys.getsizeof(name) + sys.getsizeof(snippet)
    return size


class ResultCache:
    """Least recently used pages first out, once their bytes pass `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Hashable, tuple[SearchPage, int]] = OrderedDict()
        self._guard = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> SearchPage | None:
        with self._guard:
            found = self._items.get(key)
            if found is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, page: SearchPage) -> None:
        size = page_bytes(page) + sys.getsizeof(repr(key))
        if size > self.max_bytes:
            return
        with self._guard:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (page, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._guard:
            self._items.clear()
            self.bytes = 0
