"""What one search may spend: a deadline, and caps on the index terms a pattern or typo expands to.

An anonymous caller must not be able to buy seconds of CPU with one word: `*e*` would otherwise
walk and OR together every term of every text field, `gender~3` would compare the word with the
whole lexicon, and each search would wait for as long as it takes. Here every expanding term
(prefix, wildcard, typo) keeps at most `max_expansions` index terms, all of them together look at
no more than `max_scan`,
edit distances are capped, and the search stops collecting at its deadline. Whatever a cap or
the deadline cut short marks the search `partial`, so the caller knows the answer is incomplete.
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.qparser import FuzzyTermPlugin
from whoosh.reading import IndexReader
from whoosh.support.levenshtein import damerau_levenshtein

from search_index.documents import WORDS, analyzer_for

# Typos: at most two edits, one for short words, none for very short ones; the first letter
# is kept (almost no typo changes it, and it cuts the words to compare by an order of magnitude).
MAX_DISTANCE = 2
SHORT_WORD = 5
TYPO_PREFIX = 1


@dataclass(frozen=True)
class SearchLimits:
    """The settings that bound a search (see cms.config.Settings for their meaning)."""

    time_seconds: float = 1.0
    max_expansions: int = 100
    # Index terms all the expanding terms of one search may look at, and keep, together (a term
    # is searched in several fields: title, body and authors in each language).
    max_scan: int = 50_000
    total_expansions_factor: int = 4

    @property
    def max_total_expansions(self) -> int:
        return self.max_expansions * self.total_expansions_factor


@dataclass
class Budget:
    """One search's allowance; `partial` records that a cap or the deadline cut the answer."""

    limits: SearchLimits
    deadline: float = field(default=0.0)
    partial: bool = False
    scanned: int = 0
    expanded: int = 0

    def __post_init__(self) -> None:
        if not self.deadline:
            self.deadline = time.monotonic() + self.limits.time_seconds

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline


# `word~` without a distance, and the automatic retry: one edit, two in a long word.
AUTO = -1
LONG_WORD = 8


def max_distance(word: str, asked: int = AUTO) -> int:
    """The edit distance a typo of `word` may have: what was asked, within the caps."""
    if asked == AUTO:
        asked = MAX_DISTANCE if len(word) >= LONG_WORD else 1
    if len(word) <= 2:
        return 0
    if len(word) <= SHORT_WORD:
        return min(asked, 1)
    return min(asked, MAX_DISTANCE)


def capped(budget: Budget, candidates: Iterable[Any], keep: Callable[[Any], bool]) -> list[Any]:
    """The first `max_expansions` candidates kept, within what the search may still look at."""
    limits = budget.limits
    found: list[Any] = []
    for candidate in candidates:
        budget.scanned += 1
        if budget.scanned > limits.max_scan or (budget.scanned % 512 == 0 and budget.expired()):
            budget.partial = True
            break
        if keep(candidate):
            full = len(found) >= limits.max_expansions
            if full or budget.expanded >= limits.max_total_expansions:
                budget.partial = True
                break
            found.append(candidate)
            budget.expanded += 1
    return found


def terms_within(
    reader: IndexReader, fieldname: str, word: str, maxdist: int, budget: Budget
) -> list[str]:
    """Terms of a field within `maxdist` edits of `word` (same first letter), capped.

    Each segment walks its own term automaton: the reader over several segments would instead
    compare the word with every term of the field.
    """
    if fieldname not in reader.schema or not word:
        return []
    prefix = min(TYPO_PREFIX, len(word))

    def walk() -> Iterator[str]:
        for leaf, _ in reader.leaf_readers():
            if not leaf.indexed_field_names() or fieldname not in leaf.indexed_field_names():
                continue
            yield from leaf.terms_within(fieldname, word, maxdist, prefix=prefix)

    return sorted(set(capped(budget, walk(), lambda _: True)))


def rank(word: str, candidates: Iterable[str], frequency: Callable[[str], int]) -> list[str]:
    """Candidates nearest first, then the most frequent."""
    return sorted(candidates, key=lambda c: (damerau_levenshtein(word, c), -frequency(c), c))


class TypoSyntax(FuzzyTermPlugin):
    """`word~` and `word~N`: without N, the distance suits the word's length."""

    def create(self, parser: Any, match: Any) -> Any:
        node = super().create(parser, match)
        if not match.group("maxdist"):
            node.maxdist = AUTO
        return node


class _Cached:
    """Expanding terms are asked for their terms several times (matching, highlighting)."""

    budget: Budget | None = None
    _expansion: tuple[int, list[bytes]] | None = None

    def _btexts(self, ixreader: IndexReader) -> list[bytes]:
        if self._expansion is None or self._expansion[0] != id(ixreader):
            budget = self.budget or Budget(SearchLimits())
            self._expansion = (id(ixreader), self._expand(ixreader, budget))
        return self._expansion[1]

    def _expand(self, ixreader: IndexReader, budget: Budget) -> list[bytes]:
        raise NotImplementedError


class CappedPrefix(_Cached, wq.Prefix):
    def _expand(self, ixreader: IndexReader, budget: Budget) -> list[bytes]:
        return capped(budget, ixreader.expand_prefix(self.fieldname, self.text), lambda _: True)


class CappedWildcard(_Cached, wq.Wildcard):
    def _expand(self, ixreader: IndexReader, budget: Budget) -> list[bytes]:
        fieldobj = ixreader.schema[self.fieldname]
        pattern = re.compile(fnmatch.translate(self.text))
        prefix = self._find_prefix(self.text)
        candidates = (
            ixreader.expand_prefix(self.fieldname, prefix)
            if prefix
            else ixreader.lexicon(self.fieldname)
        )
        return capped(budget, candidates, lambda b: bool(pattern.match(fieldobj.from_bytes(b))))


class Typo(_Cached, wq.FuzzyTerm):
    """A word as typed, matched through the real words near it.

    The text fields hold stems, so comparing a typo with them fails (`budgetng` is two edits
    from `budget`). The word is compared with the unstemmed `words` vocabulary instead
    (`budgeting`, one edit), and each word found is analysed as the field analyses its text.
    Its own stem's neighbours in the field are kept too, for words beyond the vocabulary.
    """

    def __init__(
        self,
        fieldname: str,
        text: str,
        boost: float = 1.0,
        maxdist: int = AUTO,
        prefixlength: int = TYPO_PREFIX,
        constantscore: bool = True,
    ) -> None:
        super().__init__(fieldname, text, boost, maxdist, prefixlength, constantscore)

    def _expand(self, ixreader: IndexReader, budget: Budget) -> list[bytes]:
        if self.fieldname not in ixreader.schema:
            return []
        fieldobj = ixreader.schema[self.fieldname]
        word = self.text
        dist = max_distance(word, int(self.maxdist))
        found: set[bytes] = set()
        for real in terms_within(ixreader, WORDS, word, dist, budget):
            for term in fieldobj.process_text(real, mode="query"):
                btext = fieldobj.to_bytes(term)
                if ixreader.doc_frequency(self.fieldname, btext):
                    found.add(btext)
        for stem in fieldobj.process_text(word, mode="query"):
            found.update(
                fieldobj.to_bytes(t)
                for t in terms_within(ixreader, self.fieldname, stem, dist, budget)
            )
        if len(found) > budget.limits.max_expansions:
            budget.partial = True
            return sorted(found)[: budget.limits.max_expansions]
        return sorted(found)


def plain_word(text: str) -> str | None:
    """The one word a typed term is made of, lowercased and accent-folded (None if not one)."""
    tokens = [t.text for t in analyzer_for("xx")(text)]
    return tokens[0] if len(tokens) == 1 else None


def bind(query: wq.Query, budget: Budget) -> wq.Query:
    """The query with every expanding term capped by the budget."""

    def capped_leaf(q: wq.Query) -> wq.Query:
        if isinstance(q, _Cached):  # a copy (`accept` copies): parses are reused
            q.budget = budget
            q._expansion = None
            return q
        if isinstance(q, wq.FuzzyTerm):  # a `~` on a field that is not text: exact
            return wq.Term(q.fieldname, q.text, boost=q.boost)
        if isinstance(q, wq.Prefix):
            new: wq.Query = CappedPrefix(q.fieldname, q.text, boost=q.boost)
        elif isinstance(q, wq.Wildcard):
            new = CappedWildcard(q.fieldname, q.text, boost=q.boost)
        elif isinstance(q, wq.MultiTerm):  # nothing else may walk the lexicon
            return wq.NullQuery
        else:
            return q
        new.budget = budget
        return new

    return query.accept(capped_leaf)
