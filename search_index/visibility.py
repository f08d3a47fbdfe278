"""Who may find what: one rule, written twice, as a Whoosh filter and as a database condition.

The index filter keeps drafts, scheduled, expired, archived and other tenants' unshared items,
and members-only items from anyone but their own tenant's members (`Audience.member`), out of
hits, highlights, facets, counts and suggestions; the database condition re-checks every hit on
hydration, so an index that lags behind the database can drop a hit but never show one it
should not.

`Visibility` keeps the index filter between searches: per segment (segments never change once
written; deletions are cleared per generation) and audience, a bitmap of the items live for
good, the scheduled and expiring ones with their times, and the bitmap at an instant together
with the window of instants it holds for (until the next scheduled go-live or expiry among
them). A search then costs a lookup; a new segment, a new audience or the end of a window costs
one pass over that segment's timed items (an earlier instant than the rule's, one pass over the
segment).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.expressions import Q
from whoosh import query as wq
from whoosh.idsets import DocIdSet
from whoosh.searching import Searcher

from cms.models import Audience as ContentAudience
from cms.models import Status
from cms.tenancy import Scope, audience_q, live_q
from search_index.documents import NEVER, SHAREABLE


class SearchScope(StrEnum):
    SITE = "site"  # the request's tenant plus every tenant's shared items
    KNOWLEDGE_BASE = "knowledge-base"  # shared items of every tenant


@dataclass(frozen=True)
class Audience:
    """The reader of a search: tenant (None = platform), the instant, preview right, scope,
    and whether it reads the tenant's members-only items (`Scope.member`)."""

    tenant_id: int | None
    now: datetime
    preview: bool = False
    scope: SearchScope = SearchScope.KNOWLEDGE_BASE
    member: bool = False

    @classmethod
    def of(cls, scope: Scope, search_scope: SearchScope | None = None) -> Audience:
        """The audience of a reading scope; without a tenant only the knowledge base exists."""
        chosen = search_scope or (
            SearchScope.SITE if scope.tenant_id is not None else SearchScope.KNOWLEDGE_BASE
        )
        if scope.tenant_id is None:
            chosen = SearchScope.KNOWLEDGE_BASE
        return cls(
            tenant_id=scope.tenant_id,
            now=scope.now,
            preview=scope.preview and scope.tenant_id is not None,
            scope=chosen,
            member=scope.member and scope.tenant_id is not None,
        )


def readers(audience: Audience) -> wq.Query:
    """The documents of an audience the reader may see (`cms.tenancy.audience_q`): public
    ones, and the own tenant's members-only ones for its members."""
    public = wq.Term("audience", ContentAudience.PUBLIC.value)
    if audience.member and audience.tenant_id is not None:
        return wq.Or([public, wq.Term("tenant_id", str(audience.tenant_id))])
    return public


def index_filter(audience: Audience) -> wq.Query:
    """The documents the audience may find, as a Whoosh query."""
    now = int(audience.now.timestamp())
    live = wq.And(
        [
            wq.Term("status", Status.PUBLISHED.value),
            wq.NumericRange("published_at", None, now),
            # Expired at or before now is gone; whole seconds, as the documents store them.
            wq.NumericRange("expires_at", now, None, startexcl=True),
        ]
    )
    shared = wq.Term("shared", "1")
    if audience.scope is SearchScope.KNOWLEDGE_BASE or audience.tenant_id is None:
        where: wq.Query = shared
    else:
        where = wq.Or([wq.Term("tenant_id", str(audience.tenant_id)), shared])
    public = wq.And([where, readers(audience), live])
    if not audience.preview:
        return public
    own = wq.Term("tenant_id", str(audience.tenant_id))
    if audience.scope is SearchScope.KNOWLEDGE_BASE:
        own = wq.And([own, shared])
    return wq.Or([public, own])


def visible_docs(searcher: Searcher, audience: Audience, narrower: list[wq.Query]) -> set[int]:
    """The numbers of the documents `index_filter` allows that match every `narrower` query.

    The same rule, computed faster: the times are read from the documents' columns for the
    candidates the terms leave, rather than matched as numeric ranges over the whole index (most
    of a plain search's time on 10,000 items).
    """
    now = int(audience.now.timestamp())
    shared = wq.Term("shared", "1")
    if audience.scope is SearchScope.KNOWLEDGE_BASE or audience.tenant_id is None:
        where: wq.Query = shared
    else:
        where = wq.Or([wq.Term("tenant_id", str(audience.tenant_id)), shared])
    published = wq.And(
        [where, readers(audience), wq.Term("status", Status.PUBLISHED.value), *narrower]
    )
    reader = searcher.reader()
    if reader.doc_count_all() == 0:  # an index without segments has no columns to read
        return set()
    starts = reader.column_reader("published_at")
    ends = reader.column_reader("expires_at")
    # Expired at or before now is gone; whole seconds, as the documents store them.
    docs = {d for d in searcher.docs_for_query(published) if starts[d] <= now < ends[d]}
    if audience.preview:
        own: wq.Query = wq.Term("tenant_id", str(audience.tenant_id))
        if audience.scope is SearchScope.KNOWLEDGE_BASE:
            own = wq.And([own, shared])
        docs.update(searcher.docs_for_query(wq.And([own, *narrower])))
    return docs


class Bitmap(DocIdSet):
    """Document numbers as one byte each (1 = in the set): membership is an index."""

    def __init__(self, bits: bytes) -> None:
        self.bits = bits

    def __contains__(self, docnum: object) -> bool:
        return isinstance(docnum, int) and 0 <= docnum < len(self.bits) and self.bits[docnum] == 1

    def __iter__(self) -> Iterator[int]:
        find, start = self.bits.find, 0
        while (start := find(1, start)) != -1:
            yield start
            start += 1

    def __len__(self) -> int:
        return self.bits.count(1)

    def __bool__(self) -> bool:
        return 1 in self.bits

    def __and__(self, other: Any) -> Bitmap:
        """The intersection: both as big integers, one AND."""
        size = len(self.bits)
        mine = int.from_bytes(self.bits, "little")
        theirs = int.from_bytes(other.bits[:size].ljust(size, b"\0"), "little")
        return Bitmap((mine & theirs).to_bytes(size, "little"))


@dataclass(frozen=True)
class AudienceKey:
    """What of an audience the index filter depends on (not the instant)."""

    tenant_id: int | None
    knowledge_base: bool
    preview: bool
    member: bool = False

    @classmethod
    def of(cls, audience: Audience) -> AudienceKey:
        knowledge_base = audience.scope is SearchScope.KNOWLEDGE_BASE or audience.tenant_id is None
        # The public knowledge base is the same for every tenant's public readers; a member's
        # holds their own tenant's shared members-only items too.
        own = audience.preview or audience.member
        tenant = None if knowledge_base and not own else audience.tenant_id
        return cls(tenant, knowledge_base, audience.preview, audience.member)


@dataclass
class _SegmentRule:
    """One segment's filter for one audience, from the instant `built` on.

    Kept small (a segment and audience may be many): the items live for good by `built`
    (published then, never expiring) and the preview's own items as one bitmap; only the
    others (scheduled, or with an expiry) with their times.
    """

    size: int
    built: int
    settled: bytes
    # The latest publication among the settled items: the window of any instant opens here.
    since: int
    # (document, published_at, expires_at) of the scheduled and expiring items.
    timed: list[tuple[int, int, int]]
    # The bitmap at the last instant asked, and the window of instants it holds for.
    state: tuple[bytes, tuple[int, int]] = (b"", (0, -1))

    def at(self, now: int) -> tuple[bytes, tuple[int, int]] | None:
        """The bitmap at `now` and its window; None before `built` (a new rule is needed)."""
        if now < self.built:
            return None
        state = self.state
        if state[1][0] <= now < state[1][1]:
            return state
        lo, hi = self.since, NEVER
        if not self.timed:
            self.state = state = (self.settled, (lo, hi))
            return state
        bits = bytearray(self.settled)
        for doc, start, end in self.timed:
            # Expired at or before now is gone; whole seconds, as the documents store them.
            if start <= now < end:
                bits[doc] = 1
            for instant in (start, end):
                if instant <= now:
                    lo = max(lo, instant)
                elif instant < hi:
                    hi = instant
        self.state = state = (bytes(bits), (lo, hi))
        return state


class LRU:
    """A small least-recently-used map, safe across the search threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._guard:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._guard:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._guard:
            self._items.clear()


def segments(searcher: Searcher) -> list[tuple[str, Searcher, int]]:
    """(segment id, its searcher, its first document number) of each segment."""
    found = []
    for sub, offset in searcher.leaf_searchers():
        segment = sub.reader().segment()
        name = segment.segment_id() if segment is not None else f"reader-{id(sub.reader())}"
        found.append((name, sub, offset))
    return found


@dataclass
class Visibility:
    """The index filter per segment and audience, kept between searches."""

    rules: LRU = field(default_factory=lambda: LRU(512))
    narrowed: LRU = field(default_factory=lambda: LRU(256))
    combined: LRU = field(default_factory=lambda: LRU(64))

    def allowed(
        self,
        searcher: Searcher,
        generation: tuple[str, int],
        audience: Audience,
        narrower: list[wq.Query],
    ) -> tuple[Bitmap, tuple[int, int]]:
        """What `index_filter` allows of the index now and matches every `narrower` query, and
        the window of instants (from, until) that answer holds for."""
        key = AudienceKey.of(audience)
        now = int(audience.now.timestamp())
        narrow_key = tuple(repr(q) for q in narrower)
        parts = segments(searcher)
        cached = self.combined.get((generation, key, narrow_key))
        if cached is not None and cached[1][0] <= now < cached[1][1]:
            return cached[0], cached[1]
        chunks: list[bytes] = []
        lo, hi = -NEVER, NEVER
        for name, sub, _offset in parts:
            rule = self.rules.get((generation[0], name, key))
            found = None if rule is None else rule.at(now)
            if found is None:
                rule = _rule(sub, audience, now)
                self.rules.put((generation[0], name, key), rule)
                found = rule.at(now)
                assert found is not None
            bits, (first, until) = found
            lo, hi = max(lo, first), min(hi, until)
            reader = sub.reader()
            if reader.has_deletions():  # deleted since the rule was made: never allowed
                cleared = bytearray(bits)
                for doc in _deleted(reader):
                    cleared[doc] = 0
                bits = bytes(cleared)
            if narrower:
                narrowed = self.narrowed.get((generation[0], name, narrow_key))
                if narrowed is None:
                    narrowed = _bits(sub, wq.And(narrower))
                    self.narrowed.put((generation[0], name, narrow_key), narrowed)
                bits = (Bitmap(bits) & Bitmap(narrowed)).bits
            chunks.append(bits)
        answer = Bitmap(b"".join(chunks)), (lo, hi)
        self.combined.put((generation, key, narrow_key), answer)
        return answer

    def clear(self) -> None:
        for cache in (self.rules, self.narrowed, self.combined):
            cache.clear()


def _deleted(reader: Any) -> Iterable[int]:
    """A segment's deleted documents (its reader keeps them as a set)."""
    found = getattr(reader, "deleted_docs_set", None)
    if found is not None:
        return found  # type: ignore[no-any-return]
    return (doc for doc in range(reader.doc_count_all()) if reader.is_deleted(doc))


def _bits(searcher: Searcher, query: wq.Query) -> bytes:
    bits = bytearray(searcher.reader().doc_count_all())
    for doc in searcher.docs_for_query(query):
        bits[doc] = 1
    return bytes(bits)


def _rule(searcher: Searcher, audience: Audience, now: int) -> _SegmentRule:
    """`index_filter` over one segment, for `now` and the instants after it."""
    shared = wq.Term("shared", "1")
    if audience.scope is SearchScope.KNOWLEDGE_BASE or audience.tenant_id is None:
        where: wq.Query = shared
    else:
        where = wq.Or([wq.Term("tenant_id", str(audience.tenant_id)), shared])
    reader = searcher.reader()
    size = reader.doc_count_all()
    starts = reader.column_reader("published_at")
    ends = reader.column_reader("expires_at")
    published = wq.And([where, readers(audience), wq.Term("status", Status.PUBLISHED.value)])
    settled = bytearray(size)
    since = -NEVER
    timed: list[tuple[int, int, int]] = []
    for doc in searcher.docs_for_query(published):
        start, end = starts[doc], ends[doc]
        if start >= NEVER:  # published without a time: never public
            continue
        if start <= now and end >= NEVER:
            settled[doc] = 1
            since = max(since, start)
        else:
            timed.append((doc, start, end))
    if audience.preview:
        mine: wq.Query = wq.Term("tenant_id", str(audience.tenant_id))
        if audience.scope is SearchScope.KNOWLEDGE_BASE:
            mine = wq.And([mine, shared])
        for doc in searcher.docs_for_query(mine):
            settled[doc] = 1
    return _SegmentRule(size, now, bytes(settled), since, timed)


def database_q(audience: Audience, content_type: str) -> Q:
    """The same rule for the rows of one content type."""
    shareable = content_type in SHAREABLE
    knowledge_base = audience.scope is SearchScope.KNOWLEDGE_BASE or audience.tenant_id is None
    if knowledge_base:
        if not shareable:
            return Q(id__in=[])
        where = Q(shared=True)
    elif shareable:
        where = Q(tenant_id=audience.tenant_id) | Q(shared=True)
    else:
        where = Q(tenant_id=audience.tenant_id)
    readable = audience_q(audience.tenant_id, member=audience.member)
    public = where & live_q(audience.now) & readable
    if not audience.preview:
        return public
    own = Q(tenant_id=audience.tenant_id)
    if knowledge_base:
        own = own & Q(shared=True)
    return public | own
