"""Persisted queries: Apollo's automatic persisted query protocol and trusted documents.

A request names its document by hash in `extensions.persistedQuery`
(`{"version": 1, "sha256Hash": "…"}`), over POST or over GET, so that browsers and CDNs can
cache it:

  hash, no `query`       the stored document runs; unknown: PERSISTED_QUERY_NOT_FOUND with the
                         message `PersistedQueryNotFound`, and the client sends it again with
                         its `query` (Apollo's clients do this by themselves)
  hash and `query`       the hash must be the document's SHA-256 (else
                         PERSISTED_QUERY_HASH_MISMATCH); a document that parses, is within
                         every limit and validates is stored (cms/services/persisted.py) and
                         runs; one that does not runs as sent, to answer its errors (so does
                         one past the registration rate, REGISTRATIONS_PER_SECOND)
  `query` only           runs as sent

In trusted-documents mode (CMS_TRUSTED_DOCUMENTS) clients register nothing: only documents
from an operator's manifest run, by hash or by their exact text; anything else is
PERSISTED_QUERY_REQUIRED. Known documents are kept in a small in-process cache in front of the
database, which every worker and node shares. GET never runs a mutation (RequestRules).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, NoSchemaIntrospectionCustomRule, parse
from graphql.validation import specified_rules, validate

from cms.config import Settings
from cms.errors import ErrorCode
from cms.services import persisted as store
from schema.limits import check_document

CACHE_SIZE = 512  # known documents kept in memory per process
# Registrations are the one write an anonymous caller can cause: each process stores at most
# this many at once, then this many a second; past that a document runs without being stored
# (its client sends it in full again next time), so a flood of new documents never queues
# editors' writes behind it.
REGISTRATION_BURST = 200
REGISTRATIONS_PER_SECOND = 20.0
NOT_FOUND = "PersistedQueryNotFound"  # the message Apollo's clients look for
_SURROGATE = re.compile("[\ud800-\udfff]")


class PersistedQueryError(Exception):
    """A persisted-query request we answer without running anything; `malformed` ones are
    HTTP request errors (400, BAD_REQUEST), the others GraphQL errors with their code."""

    def __init__(self, message: str, code: ErrorCode, *, malformed: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.malformed = malformed

    def graphql_error(self) -> GraphQLError:
        return GraphQLError(self.message, extensions={"code": self.code})


class PersistedQueries:
    """Turns a request's `query` and `extensions` into the document text to run."""

    def __init__(self, schema: strawberry.Schema, settings: Settings) -> None:
        self.schema = schema
        self.settings = settings
        self.trusted_only = settings.trusted_documents
        self._known: OrderedDict[str, str] = OrderedDict()
        self._refused: OrderedDict[str, None] = OrderedDict()  # hashes not worth checking again
        self._allowance = float(REGISTRATION_BURST)
        self._counted_at = time.monotonic()

    async def document(self, query: Any, extensions: dict[str, Any] | None) -> Any:
        """The document to run: the `query` sent, or the stored one its hash names."""
        wanted = (extensions or {}).get("persistedQuery")
        sent = query if isinstance(query, str) and query.strip() else None
        if wanted is None:
            if self.trusted_only and sent is not None:
                await self._trusted(store.sha256_of(sent))
            return query
        sha256 = _hash_of(wanted)
        if sent is None:
            found = await self._lookup(sha256)
            if found is None:
                raise PersistedQueryError(NOT_FOUND, ErrorCode.PERSISTED_QUERY_NOT_FOUND)
            return found
        if store.sha256_of(sent) != sha256:
            raise PersistedQueryError(
                "The persistedQuery sha256Hash is not the SHA-256 of the query sent with it.",
                ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
            )
        if self.trusted_only:
            await self._trusted(sha256)
        elif sha256 not in self._known and sha256 not in self._refused:
            if self.storable(sent) is None:
                if self._may_register():
                    await store.register(sha256, sent, limit=self.settings.persisted_queries_max)
                    self._remember(sha256, sent)
            else:
                self._refused[sha256] = None
                if len(self._refused) > CACHE_SIZE:
                    self._refused.popitem(last=False)
        return sent

    def _may_register(self) -> bool:
        """A token bucket: REGISTRATION_BURST at once, REGISTRATIONS_PER_SECOND after."""
        now = time.monotonic()
        elapsed, self._counted_at = now - self._counted_at, now
        self._allowance = min(
            float(REGISTRATION_BURST), self._allowance + elapsed * REGISTRATIONS_PER_SECOND
        )
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True

    async def _trusted(self, sha256: str) -> None:
        if await self._lookup(sha256) is None:
            raise PersistedQueryError(
                "Only registered documents run on this server (trusted documents); "
                "send the sha256Hash of one in extensions.persistedQuery.",
                ErrorCode.PERSISTED_QUERY_REQUIRED,
            )

    async def _lookup(self, sha256: str) -> str | None:
        found = self._known.get(sha256)
        if found is not None:
            self._known.move_to_end(sha256)
            return found
        found = await store.find(sha256, trusted_only=self.trusted_only)
        if found is not None:
            self._remember(sha256, found)
        return found

    def _remember(self, sha256: str, body: str) -> None:
        self._known[sha256] = body
        if len(self._known) > CACHE_SIZE:
            self._known.popitem(last=False)

    def storable(self, body: str) -> str | None:
        """Why this document may not be stored, or None: it must be text any database takes,
        within the size limit, parse, pass our limits and validate against the schema."""
        return document_problem(self.schema, self.settings, body)


def document_problem(schema: strawberry.Schema, settings: Settings, body: str) -> str | None:
    """Why `body` is not a document this API would run, or None (also used for manifests)."""
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > settings.persisted_query_max_bytes:
        return f"it is {size} bytes, over CMS_PERSISTED_QUERY_MAX_BYTES"
    if "\x00" in body or _SURROGATE.search(body):
        return "it contains a NUL character or a lone surrogate"
    try:
        document = parse(body, max_tokens=settings.max_tokens)
    except GraphQLSyntaxError as error:
        return error.message
    refused = check_document(document, settings)
    if refused:
        return refused[0].message
    rules = list(specified_rules)
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    errors = validate(schema._schema, document, rules)
    return errors[0].message if errors else None


def _hash_of(wanted: Any) -> str:
    if not isinstance(wanted, dict) or wanted.get("version") != 1:
        raise PersistedQueryError(
            "extensions.persistedQuery must be {version: 1, sha256Hash: …}.",
            ErrorCode.BAD_REQUEST,
            malformed=True,
        )
    sha256 = wanted.get("sha256Hash")
    if not isinstance(sha256, str) or not store.SHA256.fullmatch(sha256):
        raise PersistedQueryError(
            "persistedQuery.sha256Hash must be a SHA-256 in lower-case hex.",
            ErrorCode.BAD_REQUEST,
            malformed=True,
        )
    return sha256
