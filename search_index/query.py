"""Searching the index: query parsing per language, filters, facets, highlights, suggestions.

Everything here is blocking and runs in a worker thread. A query is parsed once for every
language present in the index, each time with that language's analyzer, and the parses are
OR-ed, so `budgeting` finds English items through the stem `budget` and Spanish ones through
their own stems. Visibility is the search's `filter`, so hits, counts and facets all obey it.
"""

from __future__ import annotations

import base64
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from whoosh import highlight, sorting
from whoosh import query as wq
from whoosh.collectors import FilterCollector
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
    FACET_FIELDS,
    OWN_AUTHORS,
    WORDS,
    language_of,
    text_field,
    title_field,
)
from search_index.searchers import SearcherPool
from search_index.store import IndexStore
from search_index.visibility import Audience, visible_docs

MAX_QUERY_CHARS = 500
MAX_TERMS = 40
MAX_OFFSET = 1000
FACET_VALUES = 30
FEW_HITS = 3
HIGHLIGHT_CHARS = 4000
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


class _Mark(highlight.Formatter):
    """Snippets as escaped text with every match in <mark>…</mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


class Searching:
    """Searches over a bounded pool of searchers, each within a budget of time and terms."""

    def __init__(
        self, store: IndexStore, limits: SearchLimits | None = None, *, pool_size: int = 4
    ) -> None:
        self.store = store
        self.limits = limits or SearchLimits()
        self.pool = SearcherPool(store, pool_size)

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
    ) -> SearchPage:
        """One page of visible hits for a query, with facets and a suggestion when few match."""
        cleaned = clean_query(text)
        if not cleaned:
            return SearchPage(total=0, offset=offset, hits=[])
        with self.pool.borrow() as searcher:
            if searcher is None:
                return SearchPage(total=0, offset=offset, hits=[])
            request = _Request(cleaned, audience, filters, Budget(self.limits), first, offset)
            return _search(searcher, request, facets=facets, highlights=highlights)

    def count(self) -> int:
        with self.pool.borrow() as searcher:
            return 0 if searcher is None else searcher.doc_count()


@dataclass
class _Request:
    text: str
    audience: Audience
    filters: Filters
    budget: Budget
    first: int
    offset: int


def _search(searcher: Searcher, request: _Request, *, facets: bool, highlights: bool) -> SearchPage:
    text, audience, budget, offset = request.text, request.audience, request.budget, request.offset
    langs = _languages(searcher, request.filters.language)
    parsed = parse(searcher, text, langs, audience=audience, budget=budget)
    if parsed is None:
        return SearchPage(total=0, offset=offset, hits=[])
    # What the audience may see, worked out once for the search, its retry and its suggestion.
    allowed = visible_docs(searcher, audience, _narrower(request.filters))
    if not allowed:  # and an empty filter would be no filter at all to Whoosh
        return SearchPage(total=0, offset=offset, hits=[])
    groups = _facets() if facets else None
    limit = offset + request.first
    results = _collect(searcher, parsed, allowed, limit, groups, budget)
    retried = False
    if results.is_empty() and offset == 0 and not budget.expired():
        fuzzy = parse(searcher, text, langs, fuzzy=True, audience=audience, budget=budget)
        if fuzzy is not None:
            results = _collect(searcher, fuzzy, allowed, limit, groups, budget)
            retried = not results.is_empty()
    total = len(results)
    page = SearchPage(total=total, offset=offset, hits=[])
    results.formatter = _Mark()
    results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
    for hit in results[offset:limit]:
        page.hits.append(_hit(hit, highlights and not budget.expired()))
    if groups is not None:
        page.facets = {name: _counts(results.groups(name)) for name in FACET_FIELDS}
    typos = retried or "~" in text
    if (typos or total < FEW_HITS) and not any(c in text for c in "*?") and not budget.expired():
        page.suggestion = _suggest(searcher, text, langs, allowed, budget)
    page.partial = budget.partial
    return page


def _collect(
    searcher: Searcher,
    query: wq.Query,
    allowed: set[int],
    limit: int,
    groups: dict[str, sorting.FacetType] | None,
    budget: Budget,
) -> Any:
    """The top hits, stopped at the budget's deadline with what was found so far."""
    collector = _VisibleInTime(
        searcher.collector(limit=limit, groupedby=groups, terms=True), allowed, budget
    )
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        budget.partial = True
    return collector.results()


class _VisibleInTime(FilterCollector):
    """Only the allowed documents, and only until the deadline.

    Whoosh's TimeLimitCollector cannot do this: wrapped around a filter it feeds the documents
    past the filter's check, and wrapped inside one it never sees the loop it would stop.
    """

    # A document can take long to come when many terms intersect: look at the clock often.
    CHECK_EVERY = 16

    def __init__(self, child: Any, allowed: set[int], budget: Budget) -> None:
        super().__init__(child, allow=allowed)
        self.budget = budget

    def collect_matches(self) -> None:
        child, allowed, budget = self.child, self._allow, self.budget
        for seen, docnum in enumerate(child.matches(), start=1):
            if seen % self.CHECK_EVERY == 0 and budget.expired():
                raise TimeLimit
            if self.offset + docnum in allowed:
                child.collect(docnum)
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
            return None
        parts = [_parser(searcher, lang, fuzzy).parse(" ".join(words)) for lang in langs]
    parts = [p for p in parts if not _null(p)]
    if not parts:
        return None
    combined = wq.Or(parts) if len(parts) > 1 else parts[0]
    combined = bind(_own_authors(combined, audience), budget or Budget(SearchLimits()))
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


def _facets() -> dict[str, sorting.FacetType]:
    return {
        name: sorting.FieldFacet(
            name, allow_overlap=name in ("tags", "thematic_areas"), maptype=sorting.Count
        )
        for name in FACET_FIELDS
    }


def _counts(groups: dict[Any, int]) -> list[tuple[str, int]]:
    values = [
        (k.decode() if isinstance(k, bytes) else str(k), int(v))
        for k, v in groups.items()
        if k not in (None, "", b"")
    ]
    values.sort(key=lambda kv: (-kv[1], kv[0]))
    return values[:FACET_VALUES]


def _hit(hit: Any, with_highlights: bool) -> Hit:
    stored = hit.fields()
    lang = next((lang for lang in ALL_LANGUAGES if title_field(lang) in stored), "xx")
    snippets: list[tuple[str, str]] = []
    if with_highlights:
        for name, source, top in (("title", title_field(lang), 1), ("body", text_field(lang), 3)):
            if source in stored:
                # Highlighting re-analyses the text: the opening is where a reader looks.
                text = stored[source][:HIGHLIGHT_CHARS]
                snippet = hit.highlights(source, text=text, top=top)
                if snippet and "<mark>" in snippet:
                    snippets.append((name, snippet))
    return Hit(
        content_type=stored["kind"],
        object_id=int(stored["object_id"]),
        score=float(hit.score or 0.0),
        tenant=stored.get("tenant", ""),
        title=stored.get(title_field(lang), ""),
        highlights=tuple(snippets),
    )


def _visible(reader: Any, word: str, allowed: set[int]) -> bool:
    """Whether a word of the vocabulary is in a document the reader may see."""
    if not reader.doc_frequency(WORDS, word):
        return False
    postings = reader.postings(WORDS, word)
    return any(docnum in allowed for docnum in postings.all_ids())


_TILDE = re.compile(r"~\d?(/\d+)?")


def _suggest(
    searcher: Searcher, text: str, langs: list[str], allowed: set[int], budget: Budget
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
    query = parse(searcher, suggestion, langs, budget=budget)
    if query is None or searcher.search(query, filter=allowed, limit=1).is_empty():
        return None
    return suggestion
