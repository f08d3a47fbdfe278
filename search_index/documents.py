"""What the index holds: its fields, declared once, the analyzers, and documents made from rows.

Each language Whoosh can stem gets its own `title_<lang>` and `text_<lang>` fields, so an item is
analysed with its own language's stemmer and stop words; anything else goes to the plain
`title_xx` / `text_xx` fields. Every text analyzer folds accents. Private fields (a profile's
contact) never reach a document.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from tortoise import connections
from whoosh import columns, fields, formats
from whoosh.analysis import (
    Analyzer,
    Filter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.lang import NoStemmer, NoStopWords, has_stemmer, stemmer_for_language
from whoosh.lang import languages as whoosh_languages
from whoosh.support.charset import accent_map

from cms import models
from cms.models import Audience, Status
from cms.services.kinds import KINDS, Kind

PLAIN = "xx"
# Languages with a stemmer in Whoosh: ar da nl en fi fr de hu it no pt ro ru es sv tr.
LANGUAGES: tuple[str, ...] = tuple(lang for lang in whoosh_languages if has_stemmer(lang))
ALL_LANGUAGES: tuple[str, ...] = (*LANGUAGES, PLAIN)

# A published item without a publication time is not public: it sorts after every "now".
NEVER = 2**62
# An item without an expiry never expires: the same far-future instant stands for "never".
NO_EXPIRY = NEVER

# Bump whenever the fields below change: an index built with another version is rebuilt.
SCHEMA_VERSION = 5

TITLE_BOOST = 3.0
# Analysis is most of the indexing time; suggestions only need the words near the top.
SUGGEST_CHARS = 600

# The kinds in the index, by content type (as the outbox names them), and their models.
INDEXED: dict[str, Kind] = {name: kind for name, kind in KINDS.items() if kind.indexed}
MODELS: dict[str, type[models.ContentModel]] = {name: k.model for name, k in INDEXED.items()}
SHAREABLE = frozenset(name for name, kind in INDEXED.items() if kind.shareable)

FACET_FIELDS = ("kind", "tags", "thematic_areas", "language", "tenant")
# The per-document columns facets are counted from: single values are the fields' own sortable
# columns, lists (tags, areas) columns of their own holding the comma-joined slugs.
FACET_COLUMNS = {
    "kind": "kind",
    "tags": "tag_list",
    "thematic_areas": "area_list",
    "language": "language",
    "tenant": "tenant",
}
LIST_FACETS = frozenset(("tags", "thematic_areas"))
# The unstemmed vocabulary of what every reader of an item may see of it: "did you mean" and
# typo matching draw their words from here.
WORDS = "words"
# Names of a resource's authors whom every reader of the resource may see (live and shared)...
AUTHORS = "authors"
# ...and of its live unshared authors of its own tenant: only that tenant's readers see them.
OWN_AUTHORS = "own_authors"


def language_of(tag: str | None) -> str:
    """The analysis language of a BCP 47 tag: its primary subtag if Whoosh stems it, else plain."""
    base = (tag or "").split("-", 1)[0].split("_", 1)[0].strip().lower()
    return base if base in LANGUAGES else PLAIN


class FoldFilter(Filter):  # type: ignore[misc]  # Whoosh is untyped
    """Lowercase, stop words, stemming and accent folding in one step, memoised per word.

    The same tokens as `LanguageAnalyzer(lang) | CharsetFilter(accent_map)` (or, without a
    language, `LowercaseFilter() | CharsetFilter(accent_map)`), stop-word renumbering of
    positions included, but each distinct word is lowered, stemmed and folded once instead of
    passing every token through four generators: analysis is most of the indexing time.
    """

    # Words remembered; past this the memo starts again (a bounded cache that costs nothing).
    MEMO = 200_000

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang
        self.stops: frozenset[str] = frozenset()
        self.minsize = 0
        if lang is not None:
            with contextlib.suppress(NoStopWords):
                stop = StopFilter(lang=lang)
                self.stops, self.minsize = stop.stops, stop.min
        self._setup()

    def _setup(self) -> None:
        stem: Callable[[str], str] | None = None
        if self.lang is not None:
            with contextlib.suppress(NoStemmer):
                stem = stemmer_for_language(self.lang)
        self._stem = stem
        self._kept: dict[str, str] = {}
        self._stopped: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"lang": self.lang, "stops": self.stops, "minsize": self.minsize}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FoldFilter)
            and self.lang == other.lang
            and self.stops == other.stops
            and self.minsize == other.minsize
        )

    def __hash__(self) -> int:
        return hash((FoldFilter, self.lang))

    def _fold(self, text: str) -> str | None:
        """The indexed form of a word, or None for a stop word."""
        lowered = text.lower()
        if len(lowered) < self.minsize or lowered in self.stops:
            return None
        stemmed = self._stem(lowered) if self._stem is not None else lowered
        return stemmed.translate(accent_map)

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:
        kept, stopped = self._kept, self._stopped
        pos: int | None = None
        for t in tokens:
            text = t.text
            folded = kept.get(text)
            if folded is None and text not in stopped:
                if len(kept) + len(stopped) > self.MEMO:
                    kept.clear()
                    stopped.clear()
                folded = self._fold(text)
                if folded is None:
                    stopped[text] = text.lower().translate(accent_map)
                else:
                    kept[text] = folded
            if folded is not None:
                if t.positions and self.stops:  # StopFilter renumbers past stop words
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                t.text = folded
                yield t
            elif not t.removestops:
                t.stopped = True
                t.text = stopped[text]
                yield t


def analyzer_for(lang: str) -> Analyzer:
    """Stemming and stop words for a language Whoosh knows; tokens and case folding otherwise."""
    return RegexTokenizer() | FoldFilter(None if lang == PLAIN else lang)


def title_field(lang: str) -> str:
    return f"title_{lang}"


def text_field(lang: str) -> str:
    return f"text_{lang}"


def build_schema() -> fields.Schema:
    """The one index schema: filters and facets as exact fields, texts per language."""
    schema = fields.Schema(
        key=fields.ID(unique=True, stored=True),
        kind=fields.ID(stored=True, sortable=True),
        object_id=fields.STORED(),
        tenant_id=fields.ID(stored=True),
        tenant=fields.ID(stored=True, sortable=True),
        shared=fields.ID(stored=True),
        status=fields.ID(stored=True),
        audience=fields.ID(stored=True),
        published_at=fields.NUMERIC(bits=64, signed=True, stored=True, sortable=True),
        expires_at=fields.NUMERIC(bits=64, signed=True, stored=True, sortable=True),
        language=fields.ID(stored=True, sortable=True),
        tags=fields.KEYWORD(stored=True, commas=True, scorable=True),
        thematic_areas=fields.KEYWORD(stored=True, commas=True),
        # Facets read these columns: one value per document, no postings to walk.
        tag_list=fields.COLUMN(columns.VarBytesColumn()),
        area_list=fields.COLUMN(columns.VarBytesColumn()),
        # Unstemmed words of titles and openings, for "did you mean": suggestions are real words.
        words=fields.TEXT(analyzer=analyzer_for(PLAIN), phrase=False),
        authors=fields.TEXT(analyzer=analyzer_for(PLAIN)),
        own_authors=fields.TEXT(analyzer=analyzer_for(PLAIN)),
        # What a document shows of related rows, so that their change or deletion finds it
        # even when the links are gone with the row.
        author_ids=fields.KEYWORD(commas=True),
        tag_ids=fields.KEYWORD(commas=True),
    )
    for lang in ALL_LANGUAGES:
        analyzer = analyzer_for(lang)
        # Term vectors with character offsets: a highlight reads where the matched words are
        # instead of analysing the stored text again. Kept apart from the postings, which stay
        # lean for matching (offsets in them would be read with every block of ids).
        schema.add(
            title_field(lang),
            fields.TEXT(
                analyzer=analyzer,
                stored=True,
                field_boost=TITLE_BOOST,
                vector=formats.Characters(),
            ),
        )
        schema.add(
            text_field(lang),
            fields.TEXT(analyzer=analyzer, stored=True, vector=formats.Characters()),
        )
    return schema


def key_of(content_type: str, object_id: int) -> str:
    return f"{content_type}:{object_id}"


def timestamp(value: datetime | None, missing: int = NEVER) -> int:
    return int(value.timestamp()) if value is not None else missing


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset(
        "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th blockquote section article pre figcaption"
        " dt dd".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


_SPACES = re.compile(r"\s+")


def plain_text(value: str) -> str:
    """Text of (sanitised) HTML, with block boundaries as spaces and entities decoded."""
    if "<" not in value and "&" not in value:
        return _SPACES.sub(" ", value).strip()
    parser = _TextExtractor()
    parser.feed(value)
    parser.close()
    return _SPACES.sub(" ", html.unescape("".join(parser.parts))).strip()


# A long report's first pages say what it is about; the rest would only grow the index.
ATTACHED_CHARS = 100_000


def _join(*parts: str) -> str:
    return "\n".join(p for p in (s.strip() for s in parts) if p)


def _opening(text: str) -> str:
    """The first words of a text, none of them cut (a cut word would be offered as a word)."""
    if len(text) <= SUGGEST_CHARS:
        return text
    return text[: SUGGEST_CHARS + 1].rsplit(None, 1)[0]


def _texts(content_type: str, row: Any, attached: str = "") -> tuple[str, str]:
    """(title, text) of a row; only the public fields its kind's `search` names."""
    kind = INDEXED[content_type]
    assert kind.search is not None
    markup = {*kind.html, *kind.search.markup}
    parts = []
    for name in kind.search.text:
        value = getattr(row, name)
        if not isinstance(value, str):  # a list field
            parts.append(", ".join(value))
        else:
            parts.append(plain_text(value) if name in markup else value)
    return getattr(row, kind.search.title), _join(*parts, attached)


def make_document(
    content_type: str,
    row: Any,
    tenant_slug: str,
    tags: list[str],
    authors: list[str],
    attached: str = "",
    *,
    own_authors: list[str] | None = None,
    author_ids: list[int] | None = None,
    tag_ids: list[int] | None = None,
) -> dict[str, Any]:
    """The index document of one row.

    `authors` are the names every reader of the item may see, `own_authors` those only its own
    tenant's readers may see; `author_ids` and `tag_ids` are every related row it was made from.
    """
    lang = language_of(row.language)
    title, text = _texts(content_type, row, attached)
    names = ", ".join(authors)
    areas = ",".join(getattr(row, "thematic_areas", None) or [])
    return {
        "key": key_of(content_type, row.id),
        "kind": content_type,
        "object_id": row.id,
        "tenant_id": str(row.tenant_id),
        "tenant": tenant_slug,
        "shared": "1" if getattr(row, "shared", False) else "0",
        "status": str(row.status.value if hasattr(row.status, "value") else row.status),
        "audience": str(getattr(row.audience, "value", row.audience)),
        "published_at": timestamp(row.published_at),
        "expires_at": timestamp(row.expires_at, NO_EXPIRY),
        "language": (row.language or "").lower(),
        "tags": ",".join(tags),
        "thematic_areas": areas,
        "tag_list": ",".join(tags).encode(),
        "area_list": areas.encode(),
        title_field(lang): title,
        text_field(lang): text,
        "words": _join(title, _opening(text), names),
        "authors": names,
        "own_authors": ", ".join(own_authors or ()),
        "author_ids": ",".join(str(i) for i in author_ids or ()),
        "tag_ids": ",".join(str(i) for i in tag_ids or ()),
    }


def _placeholders(count: int) -> str:
    dialect = connections.get("default").capabilities.dialect
    if dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" for _ in range(count))


async def _tags(content_type: str, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(id, slug) of each item's tags."""
    kind = INDEXED[content_type]
    grouped: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not kind.tags or not ids:
        return grouped
    link = kind.link("tags")
    sql = (
        f'SELECT l."{link.column}" AS owner_id, t."id" AS tag_id, t."slug" FROM "{link.table}" l '
        f'JOIN "tag" t ON t."id" = l."{link.other}" '
        f'WHERE l."{link.column}" IN ({_placeholders(len(ids))}) ORDER BY t."slug"'
    )
    rows = await connections.get("default").execute_query_dict(sql, list(ids))
    for row in rows:
        grouped[row["owner_id"]].append((row["tag_id"], row["slug"]))
    return grouped


@dataclass
class Authors:
    """What a resource's readers may see of its authors, and who they all are."""

    shared: list[str] = field(default_factory=list)
    own: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)


def _live(profile: dict[str, Any], now: datetime) -> bool:
    """Whether the public may see a profile now (the rule of cms.tenancy.published_q): a
    members-only profile's name is no one's to find through a public resource."""
    published_at, expires_at = profile["profile__published_at"], profile["profile__expires_at"]
    audience = profile["profile__audience"]
    return (
        str(getattr(profile["profile__status"], "value", profile["profile__status"]))
        == Status.PUBLISHED.value
        and str(getattr(audience, "value", audience)) == Audience.PUBLIC.value
        and published_at is not None
        and published_at <= now
        and (expires_at is None or expires_at > now)
    )


async def _authors(rows: list[Any], now: datetime) -> dict[int, Authors]:
    """The authors of resources as their readers may see them at `now`.

    A draft, scheduled, expired or members-only profile, or another tenant's unshared one, is no
    one's to find: its name stays out of the document (its id stays in, so its publication finds
    the resource).
    """
    tenants = {row.id: row.tenant_id for row in rows}
    links = (
        await models.ResourceAuthor.filter(resource_id__in=sorted(tenants))
        .order_by("position", "id")
        .values(
            "resource_id",
            "profile_id",
            "profile__name",
            "profile__tenant_id",
            "profile__shared",
            "profile__status",
            "profile__audience",
            "profile__published_at",
            "profile__expires_at",
        )
    )
    grouped: dict[int, Authors] = defaultdict(Authors)
    for link in links:
        authors = grouped[link["resource_id"]]
        authors.ids.append(link["profile_id"])
        if not _live(link, now):
            continue
        if link["profile__shared"]:
            authors.shared.append(link["profile__name"])
        elif link["profile__tenant_id"] == tenants[link["resource_id"]]:
            authors.own.append(link["profile__name"])
    return grouped


async def _attached_texts(kind: Kind, ids: list[int]) -> dict[int, str]:
    """The extracted text of each item's attachments (PDFs), capped per item."""
    link = kind.link("attachments")
    sql = (
        f'SELECT l."{link.column}" AS owner_id, f."text" FROM "{link.table}" l '
        f'JOIN "file" f ON f."id" = l."{link.other}" '
        f'WHERE l."{link.column}" IN ({_placeholders(len(ids))}) ORDER BY f."id"'
    )
    grouped: dict[int, list[str]] = defaultdict(list)
    for row in await connections.get("default").execute_query_dict(sql, list(ids)):
        if row["text"]:
            grouped[row["owner_id"]].append(row["text"])
    return {owner: "\n".join(texts)[:ATTACHED_CHARS] for owner, texts in grouped.items()}


async def tenant_slugs() -> dict[int, str]:
    return dict(await models.Tenant.all().values_list("id", "slug"))


async def load_documents(
    content_type: str,
    ids: Iterable[int],
    slugs: dict[int, str] | None = None,
    now: datetime | None = None,
) -> dict[int, dict[str, Any]]:
    """Documents of the rows that exist among `ids` (a few queries, whatever the count).

    Related rows (authors) are shown as the public sees them at `now`.
    """
    ids = sorted(set(ids))
    kind = INDEXED[content_type]
    if not ids:
        return {}
    rows = await kind.model.filter(id__in=ids)
    slugs = slugs if slugs is not None else await tenant_slugs()
    tags = await _tags(content_type, ids)
    authors = await _authors(rows, now or datetime.now(UTC)) if kind.authors else {}
    attached = await _attached_texts(kind, ids) if kind.attachments else {}
    documents = {}
    for row in rows:
        tagged = tags.get(row.id, [])
        by = authors.get(row.id, Authors())
        documents[row.id] = make_document(
            content_type,
            row,
            slugs.get(row.tenant_id, ""),
            [slug for _, slug in tagged],
            by.shared,
            attached.get(row.id, ""),
            own_authors=by.own,
            author_ids=by.ids,
            tag_ids=[tag_id for tag_id, _ in tagged],
        )
    return documents


async def tagged_items(tag_ids: list[int]) -> dict[str, list[int]]:
    """Items that carry any of the tags, by content type."""
    found: dict[str, list[int]] = {}
    conn = connections.get("default")
    for content_type, kind in INDEXED.items():
        if not kind.tags:
            continue
        link = kind.link("tags")
        sql = (
            f'SELECT DISTINCT "{link.column}" AS owner_id FROM "{link.table}" '
            f'WHERE "{link.other}" IN ({_placeholders(len(tag_ids))})'
        )
        rows = await conn.execute_query_dict(sql, list(tag_ids))
        if rows:
            found[content_type] = [r["owner_id"] for r in rows]
    return found
