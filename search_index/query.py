"""Searching the index: query parsing per language, filters, facets, highlights, suggestions.

Everything here is blocking and runs in a worker thread. A query is parsed once for every
language present in the index, each time with that language's analyzer, and the parses are
OR-ed, so `budgeting` finds English items through the stem `budget` and Spanish ones through
their own stems. Visibility is the search's `filter`, so hits, counts and facets all obey it.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh.analysis import Token
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.qparser import (
    FieldAliasPlugin,
    MultifieldPlugin,
    QueryParser,
    RangePlugin,
)
from whoosh.searching import Searcher, TimeLimit

from cms.errors import InvalidInput
from search_index.budget import (
    MAX_DISTANCE,
    Budget,
    SearchLimits,
    Typo,
    TypoSyntax,
    bind,
    max_distance,
    plain_word,
    rank,
    terms_within,
)
from search_index.documents import (
    ALL_LANGUAGES,
    AUTHORS,
    OWN_AUTHORS,
    WORDS,
    language_of,
    text_field,
    title_field,
)
from search_index.facets import FacetColumns
from search_index.facets import count as count_facets
from search_index.highlights import offsets, query_terms, snippet
from search_index.matching import Phrases, countable, documents, matching, scoring
from search_index.searchers import SearcherPool
from search_index.store import IndexStore
from search_index.visibility import LRU, Audience, Bitmap, Visibility

if TYPE_CHECKING:
    from search_index.cache import ResultCache

MAX_QUERY_CHARS = 500
MAX_TERMS = 40
MAX_OFFSET = 1000
FEW_HITS = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_WORD = re.compile(r"\w+", re.UNICODE)
_CURSOR_PREFIX = "search:"


@dataclass(frozen=True)
class Filters:
    """Exact filters a caller adds to a search (all optional)."""

    kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    thematic_areas: tuple[str, ...] = ()
    language: str | None = None
    tenants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    content_type: str
    object_id: int
    score: float
    tenant: str
    title: str
    highlights: tuple[tuple[str, str], ...]


@dataclass
class SearchPage:
    """One page of results with the totals of the whole (visible) result set."""

    total: int
    offset: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    # A cap or the time budget cut the search short: more may match than is shown or counted.
    partial: bool = False


def clean_query(text: str) -> str:
    """The query without control characters and runs of spaces; too long is an error."""
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"The search query is too long ({len(text)} characters; at most {MAX_QUERY_CHARS}).",
            field="query",
        )
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    return " ".join(text.split())


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        if raw.startswith(_CURSOR_PREFIX):
            offset = int(raw[len(_CURSOR_PREFIX) :])
            if 0 <= offset <= MAX_OFFSET:
                return offset
    except (ValueError, UnicodeError):
        pass
    raise InvalidInput("The cursor is not one this search returned.", field="after")


class Searching:
    """Searches over a bounded pool of warm searchers, each within a budget of time and terms.

    What does not change between searches is kept: the index filter per segment and audience
    (`Visibility`), the facet columns per segment (`FacetColumns`), the languages per
    generation, and parsed queries (an LRU by text, languages and typo mode).
    """

    def __init__(
        self, store: IndexStore, limits: SearchLimits | None = None, *, pool_size: int = 4
    ) -> None:
        self.store = store
        self.limits = limits or SearchLimits()
        self.pool = SearcherPool(store, pool_size)
        self.visibility = Visibility()
        self.columns = FacetColumns()
        self.parsed = LRU(PARSED_QUERIES)
        self._languages = LRU(8)

    def close(self) -> None:
        """Close the idle searchers (they reopen on the next search)."""
        self.pool.close()

    def search(
        self,
        text: str,
        audience: Audience,
        filters: Filters = Filters(),  # noqa: B008 - frozen
        *,
        first: int = 20,
        offset: int = 0,
        facets: bool = True,
        highlights: bool = True,
        cache: ResultCache | None = None,
    ) -> SearchPage:
        """One page of visible hits for a query, with facets and a suggestion when few match.

        With a `cache`, a public audience's page is taken from it or put in it, keyed by the
        index generation and the window of instants the index filter's answer holds for.
        """
        cleaned = clean_query(text)
        if not cleaned:
            return SearchPage(total=0, offset=offset, hits=[])
        with self.pool.lend() as held:
            if held is None:
                return SearchPage(total=0, offset=offset, hits=[])
            name, searcher = held
            if searcher.reader().doc_count_all() == 0:  # no segment: no columns to read
                return SearchPage(total=0, offset=offset, hits=[])
            request = _Request(cleaned, audience, filters, Budget(self.limits), first, offset)
            # Every commit makes a new generation of the live index: a key for what it holds.
            generation = (name, searcher.reader().generation())
            allowed, window = self.visibility.allowed(
                searcher, generation, audience, _narrower(filters)
            )
            key = None
            if cache is not None and not (audience.preview or audience.member):
                key = (
                    generation,
                    window,
                    cleaned,
                    filters,
                    audience.tenant_id,
                    audience.scope,
                    first,
                    offset,
                    facets,
                    highlights,
                )
                cached = cache.get(key)
                if cached is not None:
                    return cached
            page = _search(
                self, searcher, generation, request, allowed, facets=facets, highlights=highlights
            )
            if key is not None and cache is not None and not page.partial:
                cache.put(key, page)
            return page

    def count(self) -> int:
        with self.pool.borrow() as searcher:
            return 0 if searcher is None else searcher.doc_count()

    def languages(self, searcher: Searcher, generation: Any, language: str | None) -> list[str]:
        """Analysis languages to parse a query in: the one asked for, else those indexed."""
        if language:
            return [language_of(language)]
        found = self._languages.get(generation)
        if found is None:
            found = _languages(searcher, None)
            self._languages.put(generation, found)
        return list(found)

    def parse(
        self,
        searcher: Searcher,
        text: str,
        langs: list[str],
        *,
        fuzzy: bool = False,
        audience: Audience | None = None,
        budget: Budget | None = None,
    ) -> Any:
        """`parse`, with the parse itself reused: binding to the audience and budget copies."""
        key = (text, tuple(langs), fuzzy)
        parsed = self.parsed.get(key)
        if parsed is None:
            parsed = _parse_only(searcher, text, langs, fuzzy=fuzzy)
            self.parsed.put(key, parsed)
        if parsed is _NOTHING:
            return None
        return _bound(parsed, audience, budget)


PARSED_QUERIES = 256


@dataclass
class _Request:
    text: str
    audience: Audience
    filters: Filters
    budget: Budget
    first: int
    offset: int


def _search(
    searching: Searching,
    searcher: Searcher,
    generation: Any,
    request: _Request,
    allowed: Bitmap,
    *,
    facets: bool,
    highlights: bool,
) -> SearchPage:
    text, audience, budget, offset = request.text, request.audience, request.budget, request.offset
    langs = searching.languages(searcher, generation, request.filters.language)
    parsed = searching.parse(searcher, text, langs, audience=audience, budget=budget)
    if parsed is None or not allowed:  # an empty filter would be no filter at all to Whoosh
        return SearchPage(total=0, offset=offset, hits=[])
    limit = offset + request.first
    found = _collect(searcher, parsed, allowed, limit, budget)
    retried = False
    if found.total == 0 and offset == 0 and not budget.expired():
        fuzzy = searching.parse(searcher, text, langs, fuzzy=True, audience=audience, budget=budget)
        if fuzzy is not None:
            found = _collect(searcher, fuzzy, allowed, limit, budget)
            retried = found.total > 0
            parsed = fuzzy
    page = SearchPage(total=found.total, offset=offset, hits=[])
    top = found.top[offset:limit]
    marks: dict[tuple[int, str], list[Token]] = {}
    if highlights and top and not budget.expired():
        fields = {f(lang) for lang in ALL_LANGUAGES for f in (title_field, text_field)}
        terms = query_terms(searcher, parsed, fields)
        marks = offsets(searcher, terms, [doc for _, doc in top])
    for score, doc in top:
        page.hits.append(_hit(searcher, doc, score, marks if highlights else None))
    if facets:
        columns = searching.columns.of(searcher, generation)
        page.facets = count_facets(columns, found.docs)
    typos = retried or "~" in text
    if (typos or found.total < FEW_HITS) and not any(c in text for c in "*?"):
        if not budget.expired():
            page.suggestion = _suggest(searching, searcher, text, langs, allowed, budget)
    page.partial = budget.partial
    return page


@dataclass
class _Found:
    """The best `limit` (score, document) pairs, and every visible match."""

    top: list[tuple[float, int]]
    docs: list[int]
    total: int


def _collect(
    searcher: Searcher, query: wq.Query, allowed: Bitmap, limit: int, budget: Budget
) -> _Found:
    """Every visible match (for the total and facets) and the top `limit` of them by score.

    Both stop at the budget's deadline with what they found.
    """
    if countable(query):
        # Every visible match from bitmaps first; then the top scored among those only, with
        # the phrases' documents known and block skipping.
        phrases: Phrases = {}
        try:
            matched = matching(searcher, query, allowed.bits, budget, phrases)
        except TimeLimit:
            budget.partial = True
            return _Found([], [], 0)
        docs = documents(matched)
        scored = scoring(query, phrases)
        top = _top(searcher, scored, Bitmap(matched), limit, budget) if docs else []
        return _Found(top, docs, len(docs))
    # A prefix or a typo Whoosh matches itself in any case: one pass scores and counts.
    everything: list[int] = []
    top = _top(searcher, query, allowed, limit, budget, everything)
    return _Found(top, everything, len(everything))


def _top(
    searcher: Searcher,
    query: wq.Query,
    allowed: Bitmap,
    limit: int,
    budget: Budget,
    everything: list[int] | None = None,
) -> list[tuple[float, int]]:
    """The best `limit` allowed documents by score; with `everything`, every match too."""
    if limit <= 0 and everything is None:
        return []
    # Counting every match: no block skipping, and no dropping of parts that cannot reach the
    # top (`replace`), or those parts' documents would go uncounted.
    counting = everything is not None
    child = TopCollector(
        limit=max(limit, 1), usequality=not counting, replace=0 if counting else 10
    )
    collector = _VisibleInTime(child, allowed, budget, everything)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        budget.partial = True
    items = sorted(child.items, reverse=True)[:limit]
    return [(score, -negated) for score, negated in items]


class _VisibleInTime(FilterCollector):
    """Only the allowed documents, and only until the deadline.

    Whoosh's TimeLimitCollector cannot do this: wrapped around a filter it feeds the documents
    past the filter's check, and wrapped inside one it never sees the loop it would stop.
    """

    # A document can take long to come when many terms intersect: look at the clock often.
    CHECK_EVERY = 16

    def __init__(
        self, child: Any, allowed: Bitmap, budget: Budget, everything: list[int] | None = None
    ) -> None:
        super().__init__(child, allow=allowed)
        self.bits = allowed.bits
        self.budget = budget
        # Every allowed match, when the caller counts them here.
        self.everything = everything

    def collect_matches(self) -> None:
        child, bits, budget, offset = self.child, self.bits, self.budget, self.offset
        everything = self.everything
        for seen, docnum in enumerate(child.matches(), start=1):
            if seen % self.CHECK_EVERY == 0 and budget.expired():
                raise TimeLimit
            if bits[offset + docnum]:
                child.collect(docnum)
                if everything is not None:
                    everything.append(offset + docnum)
            else:
                self.filtered_count += 1


def _languages(searcher: Searcher, language: str | None) -> list[str]:
    """Analysis languages to parse a query in: the one asked for, else those indexed."""
    if language:
        return [language_of(language)]
    present = {
        language_of(t.decode() if isinstance(t, bytes) else t) for t in searcher.lexicon("language")
    }
    return [lang for lang in ALL_LANGUAGES if lang in present] or ["xx"]


class _Parser(QueryParser):
    """The query parser over several fields, with typo terms kept as typed (the fields would
    stem them)."""

    def __init__(self, fieldnames: list[str], schema: Any, *, fuzzy: bool) -> None:
        super().__init__(None, schema)
        self.add_plugin(MultifieldPlugin(fieldnames))
        self.fuzzy = fuzzy

    def term_query(
        self,
        fieldname: str,
        text: str,
        termclass: Any,
        boost: float = 1.0,
        tokenize: bool = True,
        removestops: bool = True,
    ) -> Any:
        typo = termclass is wq.FuzzyTerm or (self.fuzzy and termclass is wq.Term)
        if typo and fieldname.startswith(_TYPO_FIELDS):
            word = plain_word(text)
            if word is not None:
                return Typo(fieldname, word, boost=boost)
        if termclass is wq.FuzzyTerm:  # a `~` on a field that is not text: exact
            termclass = wq.Term
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


_TYPO_FIELDS = ("title_", "text_", AUTHORS)


def _parser(searcher: Searcher, lang: str, fuzzy: bool) -> QueryParser:
    title, text = title_field(lang), text_field(lang)
    parser = _Parser([title, text, AUTHORS, OWN_AUTHORS], searcher.schema, fuzzy=fuzzy)
    parser.remove_plugin_class(RangePlugin)  # a term range would walk the lexicon uncapped
    parser.add_plugin(TypoSyntax())
    parser.add_plugin(
        FieldAliasPlugin(
            {title: ["title"], text: ["body", "text"], "tags": ["tag"], "thematic_areas": ["area"]}
        )
    )
    return parser


def parse(
    searcher: Searcher,
    text: str,
    langs: list[str],
    *,
    fuzzy: bool = False,
    audience: Audience | None = None,
    budget: Budget | None = None,
) -> Any:
    """The query in every language, OR-ed; plain words when the syntax cannot be read.

    Every expanding term is capped by the budget; without an audience (a suggestion's check)
    no unshared author's name is searched.
    """
    parsed = _parse_only(searcher, text, langs, fuzzy=fuzzy)
    return None if parsed is _NOTHING else _bound(parsed, audience, budget)


# A parse that found nothing to search for (kept in the parse cache like any other).
_NOTHING = wq.NullQuery


def _parse_only(searcher: Searcher, text: str, langs: list[str], *, fuzzy: bool) -> Any:
    """The parse of `parse`, before its binding to an audience and a budget."""
    words = _WORD.findall(text)
    if len(words) > MAX_TERMS:
        raise InvalidInput(
            f"The search query has too many terms ({len(words)}; at most {MAX_TERMS}).",
            field="query",
        )
    try:
        parts = [_parser(searcher, lang, fuzzy).parse(text) for lang in langs]
    except Exception:  # whoosh raises assorted errors on odd syntax; the words still count
        if not words:
            return _NOTHING
        parts = [_parser(searcher, lang, fuzzy).parse(" ".join(words)) for lang in langs]
    parts = [p for p in parts if not _null(p)]
    if not parts:
        return _NOTHING
    return wq.Or(parts) if len(parts) > 1 else parts[0]


def _bound(parsed: Any, audience: Audience | None, budget: Budget | None) -> Any:
    """A copy of a parse for one search: own authors restricted, expanding terms capped."""
    combined = bind(_own_authors(parsed, audience), budget or Budget(SearchLimits()))
    combined = combined.normalize()
    return None if _null(combined) else combined


def _null(query: Any) -> bool:
    return query is wq.NullQuery or isinstance(query, type(wq.NullQuery))


def _own_authors(query: wq.Query, audience: Audience | None) -> wq.Query:
    """Unshared authors' names match only their own tenant's items, for that tenant's readers."""
    tenant = None if audience is None else audience.tenant_id

    def restrict(q: wq.Query) -> wq.Query:
        if not q.is_leaf() or getattr(q, "fieldname", None) != OWN_AUTHORS:
            return q
        if tenant is None:
            return wq.NullQuery
        return wq.And([q, wq.Term("tenant_id", str(tenant))])

    return query.accept(restrict)


def _narrower(filters: Filters) -> list[wq.Query]:
    """The caller's exact filters, as queries every hit must match."""
    parts: list[wq.Query] = []
    for name, values in (
        ("kind", filters.kinds),
        ("tags", filters.tags),
        ("thematic_areas", filters.thematic_areas),
        ("tenant", filters.tenants),
    ):
        if values:
            parts.append(wq.Or([wq.Term(name, v) for v in values]))
    if filters.language:
        parts.append(wq.Term("language", filters.language.lower()))
    return parts


def _hit(
    searcher: Searcher,
    doc: int,
    score: float,
    marks: dict[tuple[int, str], list[Token]] | None,
) -> Hit:
    stored = searcher.stored_fields(doc)
    lang = next((lang for lang in ALL_LANGUAGES if title_field(lang) in stored), "xx")
    snippets: list[tuple[str, str]] = []
    if marks is not None:
        for name, source, top in (("title", title_field(lang), 1), ("body", text_field(lang), 3)):
            tokens = marks.get((doc, source))
            if tokens and source in stored:
                found = snippet(stored[source], tokens, top)
                if "<mark>" in found:
                    snippets.append((name, found))
    return Hit(
        content_type=stored["kind"],
        object_id=int(stored["object_id"]),
        score=float(score or 0.0),
        tenant=stored.get("tenant", ""),
        title=stored.get(title_field(lang), ""),
        highlights=tuple(snippets),
    )


def _visible(reader: Any, word: str, allowed: Bitmap) -> bool:
    """Whether a word of the vocabulary is in a document the reader may see."""
    if not reader.doc_frequency(WORDS, word):
        return False
    bits = allowed.bits
    return any(bits[docnum] for docnum in reader.postings(WORDS, word).all_ids())


_TILDE = re.compile(r"~\d?(/\d+)?")


def _suggest(
    searching: Searching,
    searcher: Searcher,
    text: str,
    langs: list[str],
    allowed: Bitmap,
    budget: Budget,
) -> str | None:
    """A corrected query from the words the reader may see, offered when it finds something."""
    words = _WORD.findall(_TILDE.sub(" ", text))
    if not words or len(words) > 8:
        return None
    reader = searcher.reader()
    changed = False
    corrected: list[str] = []
    for typed in words:
        word = plain_word(typed) or typed.lower()
        if len(word) < 3 or word.isdigit() or _visible(reader, word, allowed):
            corrected.append(word)
            continue
        near = terms_within(reader, WORDS, word, max_distance(word, MAX_DISTANCE), budget)
        ranked = rank(word, near, lambda w: reader.doc_frequency(WORDS, w))
        found = next((w for w in ranked if _visible(reader, w, allowed)), None)
        corrected.append(found or word)
        changed = changed or found is not None
    if not changed:
        return None
    suggestion = " ".join(corrected)
    query = searching.parse(searcher, suggestion, langs, budget=budget)
    if query is None:
        return None
    bits = allowed.bits
    if not any(bits[doc] for doc in searcher.docs_for_query(query)):
        return None
    return suggestion
