"""Facet counts read from per-document columns, kept per segment between searches.

A segment's columns are read once into lists (a tag list split into a tuple once), then a
search's counts are a `Counter` over the matching documents' values: no postings walked, no
value list rebuilt per document per search.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

from whoosh.searching import Searcher

from search_index.documents import FACET_COLUMNS, FACET_FIELDS, LIST_FACETS
from search_index.visibility import LRU, segments

FACET_VALUES = 30


class FacetColumns:
    """Each facet's value per document number, for the whole index, built from its segments."""

    def __init__(self) -> None:
        self._segments = LRU(512)
        self._whole = LRU(8)

    def of(self, searcher: Searcher, generation: tuple[str, int]) -> dict[str, list[Any]]:
        whole = self._whole.get(generation)
        if whole is not None:
            return whole  # type: ignore[no-any-return]
        joined: dict[str, list[Any]] = {name: [] for name in FACET_FIELDS}
        for name, sub, _offset in segments(searcher):
            key = (generation[0], name)
            columns = self._segments.get(key)
            if columns is None:
                columns = _read(sub)
                self._segments.put(key, columns)
            for facet in FACET_FIELDS:
                joined[facet].extend(columns[facet])
        self._whole.put(generation, joined)
        return joined


def _read(searcher: Searcher) -> dict[str, list[Any]]:
    reader = searcher.reader()
    size = reader.doc_count_all()
    columns: dict[str, list[Any]] = {}
    for facet in FACET_FIELDS:
        name = FACET_COLUMNS[facet]
        if not reader.has_column(name):
            columns[facet] = [() if facet in LIST_FACETS else ""] * size
            continue
        values = list(reader.column_reader(name))
        if facet in LIST_FACETS:
            columns[facet] = [_split(v) for v in values]
        else:
            columns[facet] = [v.decode() if isinstance(v, bytes) else (v or "") for v in values]
    return columns


_SPLIT: dict[bytes, tuple[str, ...]] = {}


def _split(value: bytes | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = _SPLIT.get(value)
    if found is None:
        found = tuple(v for v in value.decode().split(",") if v)
        if len(_SPLIT) < 100_000:  # the same few combinations recur; intern them
            _SPLIT[value] = found
    return found


def count(columns: dict[str, list[Any]], docs: Iterable[int]) -> dict[str, list[tuple[str, int]]]:
    """The most frequent values of each facet among `docs`, most frequent first."""
    docs = list(docs)
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet in FACET_FIELDS:
        values = map(columns[facet].__getitem__, docs)
        tally = Counter(chain.from_iterable(values) if facet in LIST_FACETS else values)
        ranked = sorted(((v, n) for v, n in tally.items() if v), key=lambda kv: (-kv[1], kv[0]))
        counts[facet] = ranked[:FACET_VALUES]
    return counts
