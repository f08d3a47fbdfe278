"""Which documents a query matches, as a bitmap, without scoring them (for totals and facets).

Whoosh finds the matches of an OR over many fields and languages by stepping a tree of matchers
one document at a time, several Python calls per document and per field. Counting needs no
order and no score: each term's posting list is read block by block into a bitmap (one byte
per document), and the query's AND/OR/NOT become integer operations over those bitmaps. A
phrase is checked from its words' positions, only in the documents the reader may see that hold
all its words. What is neither (a prefix, a typo) is matched by Whoosh as before.

`scoring` hands the phrases' documents found here to the scoring pass, so that it scores them
as Whoosh does (the sum of the words' scores) without checking positions again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher, TimeLimit
from whoosh.util import make_binary_tree

from search_index.budget import Budget

# (segment, field, words) of a phrase -> the segment's documents where it stands, as found by
# `matching` within what the reader may see.
Phrases = dict[tuple[str, str, tuple[str, ...]], frozenset[int]]


def matching(
    searcher: Searcher,
    query: wq.Query,
    allowed: bytes,
    budget: Budget,
    phrases: Phrases | None = None,
) -> bytes:
    """The allowed documents the query matches, one byte each (1 = matches), index-wide; each
    phrase's own documents go to `phrases`."""
    chunks: list[bytes] = []
    for sub, offset in searcher.leaf_searchers():
        size = sub.reader().doc_count_all()
        mask = int.from_bytes(allowed[offset : offset + size], "little")
        if mask:
            found = _bits(sub, query, size, mask, budget, phrases) & mask
            chunks.append(found.to_bytes(size, "little"))
        else:
            chunks.append(bytes(size))
    return b"".join(chunks)


def countable(query: Any) -> bool:
    """Whether `matching` reads the query from postings alone (no prefix or typo)."""
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
    return _plain_phrase(query)


def _plain_phrase(query: Any) -> bool:
    return type(query) is wq.Phrase and query.slop == 1 and len(query.words) > 1


def documents(bits: bytes) -> list[int]:
    """The numbers of the documents set in a bitmap."""
    found: list[int] = []
    find, start = bits.find, 0
    while (start := find(1, start)) != -1:
        found.append(start)
        start += 1
    return found


class _KnownPhrase(wq.Phrase):
    """A phrase whose documents `matching` found: scored as Whoosh scores a phrase (the sum of
    its words' scores, `SpanNear2` over an intersection) on those documents only."""

    known: Phrases = {}  # noqa: RUF012 - set per instance by `scoring`

    def matcher(self, searcher: Searcher, context: Any = None) -> Any:
        docs = self.known.get((_segment(searcher), self.fieldname, tuple(self.words)))
        if docs is None:
            return super().matcher(searcher, context)
        if not docs:
            return NullMatcher()
        words = [wq.Term(self.fieldname, word).matcher(searcher, context) for word in self.words]
        found = FilterMatcher(make_binary_tree(IntersectionMatcher, words), docs)
        return WrappingMatcher(found, boost=self.boost) if self.boost != 1.0 else found


def scoring(query: wq.Query, phrases: Phrases) -> wq.Query:
    """The query with its phrases scored on the documents `matching` found for them."""

    def known(q: wq.Query) -> wq.Query:
        if _plain_phrase(q):
            phrase = _KnownPhrase(q.fieldname, q.words, q.slop, q.boost, q.char_ranges)
            phrase.known = phrases
            return phrase
        return q

    return query.accept(known) if phrases else query


def _segment(searcher: Searcher) -> str:
    segment = searcher.reader().segment()
    return str(segment.segment_id()) if segment is not None else f"reader-{id(searcher.reader())}"


def _from_ids(ids: Iterable[int], size: int) -> int:
    bits = bytearray(size)
    for doc in ids:
        bits[doc] = 1
    return int.from_bytes(bits, "little")


def _ones(size: int) -> int:
    return int.from_bytes(b"\x01" * size, "little")


def _bits(
    sub: Searcher,
    query: Any,
    size: int,
    mask: int,
    budget: Budget,
    phrases: Phrases | None,
) -> int:
    """The segment's documents matching `query`, exact within `mask` (outside it, anything: the
    caller keeps only the mask's, and deleted documents are never in it)."""
    if budget.expired():
        raise TimeLimit
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return 0
    if type(query) is wq.Term:
        return _from_ids(_term_ids(sub, query), size)
    if isinstance(query, wq.Or | wq.DisjunctionMax) and not getattr(query, "minmatch", 0):
        found = 0
        for part in query.subqueries:
            found |= _bits(sub, part, size, mask, budget, phrases)
        return found
    if type(query) is wq.And:
        found = mask
        for part in query.subqueries:
            found &= _bits(sub, part, size, found, budget, phrases)
            if not found:
                break
        return found
    if isinstance(query, wq.AndNot):
        positive = _bits(sub, query.a, size, mask, budget, phrases) & mask
        if not positive:
            return 0
        return positive & (_ones(size) ^ _bits(sub, query.b, size, positive, budget, phrases))
    if isinstance(query, wq.AndMaybe):
        return _bits(sub, query.a, size, mask, budget, phrases)
    if isinstance(query, wq.Require):
        found = _bits(sub, query.a, size, mask, budget, phrases) & mask
        return found & _bits(sub, query.b, size, found, budget, phrases) if found else 0
    if type(query) is wq.Not:
        return _ones(size) ^ _bits(sub, query.query, size, mask, budget, phrases)
    if _plain_phrase(query):
        found = _phrase(sub, query, size, mask, budget)
        if phrases is not None:
            docs = documents(found.to_bytes(size, "little")) if found else []
            phrases[_segment(sub), query.fieldname, tuple(query.words)] = frozenset(docs)
        return found
    # Prefixes, typos and the rest: Whoosh's own matcher.
    return _from_ids(query.docs(sub), size)


def _phrase(sub: Searcher, phrase: wq.Phrase, size: int, mask: int, budget: Budget) -> int:
    """The documents within `mask` where the phrase's words stand one after the other."""
    schema, reader = sub.schema, sub.reader()
    if phrase.fieldname not in schema:
        return 0
    field = schema[phrase.fieldname]
    try:
        btexts = [field.to_bytes(word) for word in phrase.words]
    except ValueError:
        return 0
    if any((phrase.fieldname, b) not in reader for b in btexts):
        return 0
    candidates = mask
    for btext in btexts:
        candidates &= _from_ids(_term_ids(sub, wq.Term(phrase.fieldname, btext)), size)
        if not candidates:
            return 0
    postings = [reader.postings(phrase.fieldname, b) for b in btexts]
    found = bytearray(size)
    for seen, doc in enumerate(documents(candidates.to_bytes(size, "little"))):
        if seen % 256 == 255 and budget.expired():
            raise TimeLimit
        reach: set[int] | None = None
        for matcher in postings:
            matcher.skip_to(doc)
            places = matcher.value_as("positions")
            reach = set(places) if reach is None else {p for p in places if p - 1 in reach}
            if not reach:
                break
        if reach:
            found[doc] = 1
    return int.from_bytes(found, "little")


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
