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
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from whoosh import highlight, sorting
from whoosh import query as wq
from whoosh.qparser import FieldAliasPlugin, FuzzyTermPlugin, MultifieldParser
from whoosh.searching import Searcher

from cms.errors import InvalidInput
from search_index.documents import (
    ALL_LANGUAGES,
    FACET_FIELDS,
    analyzer_for,
    language_of,
    text_field,
    title_field,
)
from search_index.store import IndexStore
from search_index.visibility import Audience, index_filter

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
    """Searchers over the live generation, one per thread, reopened when the index changes.

    Reopened rather than `refresh()`ed: a refreshed searcher reuses segment readers that cache
    their deletions, so documents replaced since would be found twice.
    """

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self._local = threading.local()
        self._open: set[Searcher] = set()
        self._guard = threading.Lock()

    def searcher(self) -> Searcher | None:
        name = self.store.current_name()
        held: tuple[str, Searcher] | None = getattr(self._local, "held", None)
        if held is not None and held[0] == name and held[1].up_to_date():
            return held[1]
        if held is not None:
            self._forget(held[1])
            self._local.held = None
        opened = self.store.open()
        if opened is None:
            return None
        name, ix = opened
        if self.store.is_stale(name):  # its fields are not the ones the filters name
            ix.close()
            return None
        searcher = ix.searcher()
        with self._guard:
            self._open.add(searcher)
        self._local.held = (name, searcher)
        return searcher

    def _forget(self, searcher: Searcher) -> None:
        with self._guard:
            self._open.discard(searcher)
        searcher.close()

    def close(self) -> None:
        """Close the searchers of every thread (they reopen on the next search)."""
        with self._guard:
            searchers, self._open = list(self._open), set()
        for searcher in searchers:
            searcher.close()
        self._local = threading.local()

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
        searcher = self.searcher()
        if searcher is None or not cleaned:
            return SearchPage(total=0, offset=offset, hits=[])
        langs = _languages(searcher, filters.language)
        allowed = _filter(audience, filters)
        parsed = parse(searcher, cleaned, langs)
        if parsed is None:
            return SearchPage(total=0, offset=offset, hits=[])
        groups = _facets() if facets else None
        results = searcher.search(
            parsed, filter=allowed, limit=offset + first, groupedby=groups, terms=True
        )
        if results.is_empty() and offset == 0:
            fuzzy = parse(searcher, cleaned, langs, fuzzy=True)
            if fuzzy is not None:
                results = searcher.search(
                    fuzzy, filter=allowed, limit=offset + first, groupedby=groups, terms=True
                )
        total = len(results)
        page = SearchPage(total=total, offset=offset, hits=[])
        results.formatter = _Mark()
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        for hit in results[offset : offset + first]:
            page.hits.append(_hit(hit, highlights))
        if groups is not None:
            page.facets = {name: _counts(results.groups(name)) for name in FACET_FIELDS}
        if total < FEW_HITS and not any(c in cleaned for c in "*?~"):
            page.suggestion = _suggest(searcher, cleaned, langs, allowed)
        return page

    def count(self) -> int:
        searcher = self.searcher()
        return 0 if searcher is None else searcher.doc_count()


def _languages(searcher: Searcher, language: str | None) -> list[str]:
    """Analysis languages to parse a query in: the one asked for, else those indexed."""
    if language:
        return [language_of(language)]
    present = {language_of(t.decode() if isinstance(t, bytes) else t)
               for t in searcher.lexicon("language")}  # fmt: skip
    return [lang for lang in ALL_LANGUAGES if lang in present] or ["xx"]


def _parser(searcher: Searcher, lang: str, fuzzy: bool) -> MultifieldParser:
    title, text = title_field(lang), text_field(lang)
    termclass = _Fuzzy if fuzzy else wq.Term
    parser = MultifieldParser([title, text], searcher.schema, termclass=termclass)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(
        FieldAliasPlugin(
            {title: ["title"], text: ["body", "text"], "tags": ["tag"], "thematic_areas": ["area"]}
        )
    )
    return parser


class _Fuzzy(wq.FuzzyTerm):
    """A term that also matches words one edit away (the first two letters kept)."""

    def __init__(self, fieldname: str, text: str, boost: float = 1.0, **kwargs: Any) -> None:
        # Whoosh's automaton fails on a prefix longer than the word; short words stay exact.
        super().__init__(
            fieldname, text, boost=boost, maxdist=1 if len(text) > 3 else 0,
            prefixlength=min(2, len(text)),
        )  # fmt: skip


def parse(searcher: Searcher, text: str, langs: list[str], *, fuzzy: bool = False) -> Any:
    """The query in every language, OR-ed; plain words when the syntax cannot be read."""
    try:
        parts = [_parser(searcher, lang, fuzzy).parse(text) for lang in langs]
    except Exception:  # whoosh raises assorted errors on odd syntax; the words still count
        words = " ".join(_WORD.findall(text))
        if not words:
            return None
        parts = [_parser(searcher, lang, fuzzy).parse(words) for lang in langs]
    parts = [p for p in parts if p is not wq.NullQuery and not isinstance(p, type(wq.NullQuery))]
    if not parts:
        return None
    combined = wq.Or(parts).normalize() if len(parts) > 1 else parts[0].normalize()
    if combined is wq.NullQuery:
        return None
    terms = sum(1 for _ in combined.leaves())
    if terms > MAX_TERMS * len(langs) * 2:
        raise InvalidInput(
            f"The search query has too many terms (at most {MAX_TERMS}).", field="query"
        )
    return combined


def _filter(audience: Audience, filters: Filters) -> wq.Query:
    parts: list[wq.Query] = [index_filter(audience)]
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
    return wq.And(parts)


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


def _known(searcher: Searcher, word: str) -> bool:
    reader = searcher.reader()
    return all(reader.doc_frequency("words", t.text) for t in analyzer_for("xx")(word))


def _suggest(searcher: Searcher, text: str, langs: list[str], allowed: wq.Query) -> str | None:
    """A corrected query, offered only when it finds something the audience may see."""
    words = _WORD.findall(text)
    if not words or len(words) > 8:
        return None
    changed = False
    corrected: list[str] = []
    for word in words:
        if len(word) < 3 or word.isdigit() or _known(searcher, word):
            corrected.append(word.lower())
            continue
        found = searcher.suggest("words", word.lower(), limit=1, maxdist=2, prefix=1)
        corrected.append(found[0] if found else word.lower())
        changed = changed or bool(found)
    if not changed:
        return None
    suggestion = " ".join(corrected)
    query = parse(searcher, suggestion, langs)
    if query is None or searcher.search(query, filter=allowed, limit=1).is_empty():
        return None
    return suggestion
