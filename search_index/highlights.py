"""Highlights from the postings' character offsets, for the page of hits being returned only.

The title and text fields keep a term vector per document with where each word stands in the
stored text, so marking the matches reads the vectors of the page's hits instead of analysing
their texts again.
The words marked are the query's own (negated words never are), as the index holds them.
"""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any

from whoosh import highlight
from whoosh import query as wq
from whoosh.analysis import Token
from whoosh.searching import Searcher

# Only matches in a text's opening are marked: that is where a reader looks.
HIGHLIGHT_CHARS = 4000


class Mark(highlight.Formatter):
    """Snippets as escaped text with every match in <mark>…</mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace), quote=False)}</mark>"


class _Passages(highlight.PinpointFragmenter):
    """Passages around the matches that start and end at whole words (Whoosh's own trim also
    cuts the first word of a text and the last)."""

    @staticmethod
    def _autotrim(fragment: Any) -> None:
        text, start, end = fragment.text, fragment.startchar, fragment.endchar
        if start > 0 and not text[start - 1].isspace():
            space = text.find(" ", start, end)
            start = space + 1 if space > 0 else start
        if end < len(text) and not text[end].isspace():
            space = text.rfind(" ", start, end)
            end = space if space > 0 else end
        if fragment.matches:
            start = min(start, fragment.matches[0].startchar)
            end = max(end, fragment.matches[-1].endchar)
        fragment.startchar, fragment.endchar = start, end


_FRAGMENTER = _Passages(maxchars=240, surround=60, autotrim=True, charlimit=HIGHLIGHT_CHARS)
_SCORER = highlight.BasicFragmentScorer()
_FORMATTER = Mark()


def _positive(query: wq.Query) -> wq.Query:
    """The query without its negated parts (their words are never in a hit)."""

    def drop(q: wq.Query) -> wq.Query:
        if isinstance(q, wq.Not):
            return wq.NullQuery
        if isinstance(q, wq.AndNot):
            return q.a.accept(drop)
        return q

    return query.accept(drop)


def query_terms(searcher: Searcher, query: wq.Query, fields: set[str]) -> dict[str, list[bytes]]:
    """The index terms of `fields` the query looks for (expanded prefixes included)."""
    terms: dict[str, list[bytes]] = defaultdict(list)
    positive = _positive(query)
    if positive is wq.NullQuery:
        return terms
    reader = searcher.reader()
    seen: set[tuple[str, bytes]] = set()
    # Not Query.existing_terms: its loop variable shadows its field argument, so it stops
    # looking at other fields after the first term it finds.
    for leaf in positive.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname not in fields:
                continue
            btext = text if isinstance(text, bytes) else searcher.schema[fieldname].to_bytes(text)
            if (fieldname, btext) not in seen and (fieldname, btext) in reader:
                seen.add((fieldname, btext))
                terms[fieldname].append(btext)
    for btexts in terms.values():
        btexts.sort()
    return terms


def offsets(
    searcher: Searcher, terms: dict[str, list[bytes]], docs: list[int]
) -> dict[tuple[int, str], list[Token]]:
    """The matched words' places per (document, field), in text order, for these documents,
    read from the documents' term vectors."""
    found: dict[tuple[int, str], list[Token]] = {}
    reader = searcher.reader()
    for doc in sorted(set(docs)):
        for fieldname, btexts in terms.items():
            if not reader.has_vector(doc, fieldname):
                continue
            fieldobj = searcher.schema[fieldname]
            vector = reader.vector(doc, fieldname)
            tokens: list[Token] = []
            for btext in btexts:  # sorted, as the vector's terms are
                word = fieldobj.from_bytes(btext)
                if not vector.is_active():
                    break
                target = btext if isinstance(vector.id(), bytes) else word
                if vector.id() < target:
                    vector.skip_to(target)
                if not vector.is_active() or vector.id() != target:
                    continue
                for pos, start, end in vector.value_as("characters"):
                    if end > HIGHLIGHT_CHARS:
                        break
                    tokens.append(
                        Token(text=word, pos=pos, startchar=start, endchar=end, matched=True)
                    )
            if tokens:
                tokens.sort(key=lambda t: (t.startchar, -t.endchar))
                found[doc, fieldname] = tokens
    return found


def snippet(text: str, tokens: list[Token], top: int) -> str:
    """The best `top` passages of `text` around the tokens, matches in <mark>."""
    if not tokens:
        return ""
    distinct = [t for i, t in enumerate(tokens) if i == 0 or t.startchar != tokens[i - 1].startchar]
    fragments = _FRAGMENTER.fragment_matches(text, distinct)
    best = highlight.top_fragments(fragments, top, _SCORER, highlight.FIRST, minscore=1)
    return str(_FORMATTER.format(best))
