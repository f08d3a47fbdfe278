"""Which documents a query matches, as a bitmap, without scoring them (for totals and facets).

Whoosh finds the matches of an OR over many fields and languages by stepping a tree of matchers
one document at a time, several Python calls per document and per field. Counting needs no
order and no score: each term's posting list is read block by block into a bitmap (one byte
per document), and the query's AND/OR/NOT become integer operations over those bitmaps. What
is not a plain boolean of terms (a phrase, a prefix, a typo) is matched by Whoosh as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher, TimeLimit

from search_index.budget import Budget


def matching(searcher: Searcher, query: wq.Query, allowed: bytes, budget: Budget) -> bytes:
    """The allowed documents the query matches, one byte each (1 = matches), index-wide."""
    chunks: list[bytes] = []
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        mask = int.from_bytes(allowed[offset : offset + size], "little")
        if mask:
            found = _bits(sub, query, size, budget) & mask
            chunks.append(found.to_bytes(size, "little"))
        else:
            chunks.append(bytes(size))
    return b"".join(chunks)


def countable(query: Any) -> bool:
    """Whether `matching` reads the query from postings alone (no phrase, prefix or typo)."""
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)) or type(query) is wq.Term:
        return True
    if isinstance(query, wq.Or | wq.DisjunctionMax):
        return not getattr(query, "minmatch", 0) and all(countable(q) for q in query.subqueries)
    if type(query) is wq.And:
        return all(countable(q) for q in query.subqueries)
    if type(query) is wq.Not:
        return countable(query.query)
    if isinstance(query, wq.AndNot | wq.Require):
        return countable(query.a) and countable(query.b)
    if isinstance(query, wq.AndMaybe):
        return countable(query.a)
    return False


def documents(bits: bytes) -> list[int]:
    """The numbers of the documents set in a bitmap."""
    found: list[int] = []
    find, start = bits.find, 0
    while (start := find(1, start)) != -1:
        found.append(start)
        start += 1
    return found


def _from_ids(ids: Iterable[int], size: int) -> int:
    bits = bytearray(size)
    for doc in ids:
        bits[doc] = 1
    return int.from_bytes(bits, "little")


def _ones(size: int) -> int:
    return int.from_bytes(b"\x01" * size, "little")


def _bits(sub: Searcher, query: Any, size: int, budget: Budget) -> int:
    """The segment's documents matching `query` (deleted ones included: the mask drops them)."""
    if budget.expired():
        raise TimeLimit
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return 0
    if type(query) is wq.Term:
        return _from_ids(_term_ids(sub, query), size)
    if isinstance(query, wq.Or | wq.DisjunctionMax) and not getattr(query, "minmatch", 0):
        found = 0
        for part in query.subqueries:
            found |= _bits(sub, part, size, budget)
        return found
    if type(query) is wq.And:
        found = _ones(size)
        for part in query.subqueries:
            found &= _bits(sub, part, size, budget)
            if not found:
                break
        return found
    if isinstance(query, wq.AndNot):
        positive = _bits(sub, query.a, size, budget)
        return positive & (_ones(size) ^ _bits(sub, query.b, size, budget)) if positive else 0
    if isinstance(query, wq.AndMaybe):
        return _bits(sub, query.a, size, budget)
    if isinstance(query, wq.Require):
        return _bits(sub, query.a, size, budget) & _bits(sub, query.b, size, budget)
    if type(query) is wq.Not:
        return _ones(size) ^ _bits(sub, query.query, size, budget)
    # Phrases, prefixes, typos and the rest: Whoosh's own matcher.
    return _from_ids(query.docs(sub), size)


def _term_ids(sub: Searcher, term: wq.Term) -> Iterable[int]:
    schema = sub.schema
    if term.fieldname not in schema:
        return ()
    try:
        btext = schema[term.fieldname].to_bytes(term.text)
        matcher = sub.reader().postings(term.fieldname, btext)
    except (TermNotFound, ValueError):
        return ()
    if isinstance(matcher, FilterMatcher):  # deletions: the allowed mask leaves them out
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return list(matcher.all_ids())
    ids: list[int] = []
    # Whole blocks of ids at a time (the matcher's own loop is three calls per posting).
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        ids.extend(matcher._ids)
        matcher._next_block()
    return ids
