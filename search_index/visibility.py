"""Who may find what: one rule, written twice, as a Whoosh filter and as a database condition.

The index filter keeps drafts, scheduled, expired, archived and other tenants' unshared items
out of hits, highlights, facets, counts and suggestions; the database condition re-checks every
hit on hydration, so an index that lags behind the database can drop a hit but never show one it
should not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tortoise.expressions import Q
from whoosh import query as wq
from whoosh.searching import Searcher

from cms.models import Status
from cms.tenancy import Scope, published_q
from search_index.documents import SHAREABLE


class SearchScope(StrEnum):
    SITE = "site"  # the request's tenant plus every tenant's shared items
    KNOWLEDGE_BASE = "knowledge-base"  # shared items of every tenant


@dataclass(frozen=True)
class Audience:
    """The reader of a search: tenant (None = platform), the instant, preview right, scope."""

    tenant_id: int | None
    now: datetime
    preview: bool = False
    scope: SearchScope = SearchScope.KNOWLEDGE_BASE

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
        )


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
    public = wq.And([where, live])
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
    published = wq.And([where, wq.Term("status", Status.PUBLISHED.value), *narrower])
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
    public = where & published_q(audience.now)
    if not audience.preview:
        return public
    own = Q(tenant_id=audience.tenant_id)
    if knowledge_base:
        own = own & Q(shared=True)
    return public | own
