"""The memoised analyzers give exactly the tokens of Whoosh's own chains, in every mode."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from whoosh.analysis import CharsetFilter, LanguageAnalyzer, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map

from search_index.documents import ALL_LANGUAGES, PLAIN, FoldFilter, analyzer_for

TEXTS = [
    "The Gender Equality Plans of the universities: a toolkit for RPOs and RFOs.",
    "Les plans d'égalité entre les femmes et les hommes à l'Université de Genève; été, Noël.",
    "Die Gleichstellungspläne der Universitäten und Forschungseinrichtungen, Größe, Straße.",
    "La igualdad de género en las universidades españolas: mujeres, niñas y la ciencia.",
    "Il piano per la parità di genere nelle università italiane e negli enti di ricerca.",
    "Jämställdhet i högskolan och forskningen: kvinnor, män och ÅÄÖ åäö.",
    "Равенство полов в науке и высшем образовании",
    "a an I O 1 22 x y the and of to is in, stop-word: heavy text!",
    "",
    "   ",
]
MODES: list[dict[str, Any]] = [
    {"mode": "index", "positions": True, "chars": True},
    {"mode": "index", "positions": True, "chars": True, "start_pos": 7, "start_char": 3},
    {"mode": "query", "removestops": False},
    {"mode": "query", "removestops": True, "positions": True},
    {"mode": "query", "tokenize": False, "removestops": False},
    {"mode": "index", "boosts": True},
]


def whoosh_chain(lang: str) -> Any:
    """The analyzer the index used before FoldFilter (what it must agree with)."""
    if lang == PLAIN:
        return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return LanguageAnalyzer(lang) | CharsetFilter(accent_map)


def tokens(analyzer: Any, text: str, options: dict[str, Any]) -> list[tuple[Any, ...]]:
    out = []
    for t in analyzer(text, **options):
        out.append(
            (
                t.text,
                t.stopped,
                getattr(t, "pos", None),
                getattr(t, "startchar", None),
                getattr(t, "endchar", None),
            )
        )
    return out


@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_same_tokens_as_whoosh_in_every_mode(lang: str) -> None:
    ours, theirs = analyzer_for(lang), whoosh_chain(lang)
    for options in MODES:
        for text in TEXTS:
            for _ in range(2):  # the second pass answers from the memo
                assert tokens(ours, text, options) == tokens(theirs, text, options), (
                    lang,
                    options,
                    text,
                )


def test_the_memo_is_bounded_and_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FoldFilter, "MEMO", 10)
    ours, theirs = analyzer_for("en"), whoosh_chain("en")
    text = " ".join(f"word{n} the running women" for n in range(40))
    options = {"mode": "index", "positions": True}
    assert tokens(ours, text, options) == tokens(theirs, text, options)
    fold = ours.items[-1]
    assert len(fold._kept) + len(fold._stopped) <= 11


def test_it_pickles_into_the_index_schema_without_its_memo() -> None:
    analyzer = analyzer_for("fr")
    list(analyzer("les universités"))
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer
    assert copy.items[-1]._kept == {}
    text = "les universités"
    assert [t.text for t in copy(text)] == [t.text for t in analyzer(text)]
