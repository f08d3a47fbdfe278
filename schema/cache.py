"""Caching of public reads: an exact response cache in the process, and HTTP caching headers.

A public read is a query without a principal (so without preview). Its answer is kept, per
process, under the tenant, the sha256 of the document, the operation name and the variables
(canonical JSON), together with the content generations it was computed at
(`cms/services/generations.py`) and the next instant something scheduled changes what the
tenant's public may see. Every lookup reads both generations from the database (one query), so
after a write commits no process serves the answer from before it. Answers with errors, answers
of mutations and answers that used search (the index catches up after the write, issue 14
keys those by index generation) are not stored.

HTTP: a public answer carries a strong ETag over its bytes, `Cache-Control: public, max-age,
stale-while-revalidate` (max-age never past the next scheduled change), `Vary` and a cache tag
naming the tenant; anything with a principal is `private, no-store`, as are mutations and errors.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.graphql import OperationType

from cms.auth import Principal
from cms.config import Settings
from cms.models import Tenant
from cms.services import generations
from schema.context import Context

# What an entry costs besides its body: the key, the entry object, the dict slot (measured
# roughly; a budget in bytes of bodies alone would let many tiny answers overrun it).
ENTRY_OVERHEAD = 400
PRIVATE = "private, no-store"
NO_STORE = "no-store"
VARY = "Accept, Authorization, X-CMS-Tenant"
PLATFORM_TAG = "platform"


@dataclass(frozen=True)
class Entry:
    """One stored answer: its bytes, their ETag, what it was computed from and until when."""

    body: bytes
    etag: str
    generations: tuple[int, int]
    expires: datetime | None  # the next scheduled change (None: nothing scheduled)

    @property
    def size(self) -> int:
        return len(self.body) + ENTRY_OVERHEAD


class ResponseStore:
    """Entries within a byte budget, the least recently used going first."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()

    def get(self, key: bytes) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: bytes, entry: Entry) -> None:
        if entry.size > self.budget:
            return  # an answer larger than the whole budget would only push out the others
        self.discard(key)
        self.entries[key] = entry
        self.used += entry.size
        while self.used > self.budget:
            _, oldest = self.entries.popitem(last=False)
            self.used -= oldest.size

    def discard(self, key: bytes) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.used -= old.size


@dataclass
class Ticket:
    """What the cache knows of one request before it executes."""

    public: bool  # no principal, no preview: the answer may be shared with anyone
    tag: str  # the cache tag naming the tenant
    key: bytes | None = None  # None: the store is off or the request is not public
    generations: tuple[int, int] | None = None
    hit: Entry | None = None


def etag_of(body: bytes) -> str:
    """A strong ETag over the exact bytes of an answer."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def request_key(
    tenant: Tenant | None, query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> bytes:
    """The tenant, the document's sha256, the operation name and the canonical variables."""
    canonical = json.dumps(
        variables or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    digest = hashlib.sha256()
    for part in (
        str(tenant.id if tenant is not None else 0),
        hashlib.sha256(query.encode()).hexdigest(),
        operation_name or "",
        canonical,
    ):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.digest()


class ResponseCache:
    """The response cache of one app (one process) and the HTTP headers of every answer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.enabled = settings.response_cache
        self.store = ResponseStore(settings.response_cache_mb * 1024 * 1024)
        # Per tenant: the generations the next change was computed at, and that instant.
        self._next: dict[int, tuple[tuple[int, int], datetime, datetime | None]] = {}

    async def begin(
        self,
        tenant: Tenant | None,
        principal: Principal | None,
        now: datetime,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Ticket:
        """Before the context is even built: is the request public (no principal, so no
        preview either), and is its answer stored and current at `now`?"""
        ticket = Ticket(
            public=principal is None,
            tag=f"tenant:{tenant.slug}" if tenant is not None else PLATFORM_TAG,
        )
        if not (self.enabled and ticket.public):
            return ticket
        try:
            ticket.key = request_key(tenant, query, operation_name, variables)
        except TypeError:  # a multipart request's files: an upload, never a public read
            return ticket
        ticket.generations = await generations.current(tenant.id if tenant is not None else None)
        entry = self.store.get(ticket.key)
        if entry is None:
            return ticket
        if entry.generations != ticket.generations or (
            entry.expires is not None and now >= entry.expires
        ):
            self.store.discard(ticket.key)
            return ticket
        ticket.hit = entry
        return ticket

    def answer(self, request: Request, ticket: Ticket, media_type: str, now: datetime) -> Response:
        """The stored answer of a hit, or 304 when the client holds these bytes."""
        entry = ticket.hit
        assert entry is not None
        response = Response(entry.body, status_code=200, media_type=f"{media_type}; charset=utf-8")
        return self._public(request, response, ticket, entry.etag, entry.expires, now)

    async def finish(
        self,
        request: Request,
        ticket: Ticket,
        context: Context,
        response: Response,
        *,
        clean: bool,
    ) -> Response:
        """After execution: store a clean public query's answer, and set the caching headers.

        `clean` is an answer with data and no error of any kind.
        """
        query = context.operation is OperationType.QUERY
        # Preview and members-only reading never happen without a principal; belt and braces.
        ticket.public = ticket.public and not (context.scope.preview or context.scope.member)
        if not (clean and query and response.status_code == 200):
            response.headers["Cache-Control"] = PRIVATE if not ticket.public else NO_STORE
            return response
        if not ticket.public:
            response.headers["Cache-Control"] = PRIVATE
            response.headers["Vary"] = VARY
            return response
        body = bytes(response.body)
        etag = etag_of(body)
        now = context.scope.now
        expires = None
        if ticket.key is not None and ticket.generations is not None:
            expires = await self._next_change(context, ticket.generations)
            if not context.searched:
                self.store.put(ticket.key, Entry(body, etag, ticket.generations, expires))
        return self._public(request, response, ticket, etag, expires, now)

    @staticmethod
    def unless_set(response: Response) -> Response:
        """Any answer whose caching nothing decided (request errors, the IDE): never stored."""
        if "cache-control" not in response.headers:
            response.headers["Cache-Control"] = NO_STORE
        return response

    def _public(
        self,
        request: Request,
        response: Response,
        ticket: Ticket,
        etag: str,
        expires: datetime | None,
        now: datetime,
    ) -> Response:
        max_age = self.settings.http_max_age
        if expires is not None:
            # A CDN must not keep an answer past the moment a scheduled item changes it.
            max_age = max(0, min(max_age, int((expires - now).total_seconds())))
        headers = {
            "ETag": etag,
            "Cache-Control": (
                f"public, max-age={max_age}, "
                f"stale-while-revalidate={self.settings.http_stale_while_revalidate}"
            ),
            "Vary": VARY,
            "Cache-Tag": ticket.tag,
            "Surrogate-Key": ticket.tag,
        }
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    async def _next_change(self, context: Context, current: tuple[int, int]) -> datetime | None:
        """The tenant's next scheduled change, computed once per generations and kept until
        it passes (nothing is written meanwhile, so nothing comes before it)."""
        scope = context.scope
        slot = scope.tenant_id or 0
        now = scope.now
        known = self._next.get(slot)
        if known is not None:
            at, computed, upcoming = known
            if at == current and computed <= now and (upcoming is None or now < upcoming):
                return upcoming
        upcoming = await generations.next_change(scope.tenant_id, now)
        self._next[slot] = (current, now, upcoming)
        return upcoming


def _matches(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (or is `*`); weak tags compare weakly."""
    if not header:
        return False
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == etag:
            return True
    return False
