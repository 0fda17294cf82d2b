"""What the classifier sees of an indicator row: its words, its kinds, the shape of its value,
how close it is to the project's title, purpose and goal, and which rules fired on it.

`rows` builds one table row per indicator; `transformer` turns that table into the matrix
the model is fitted on. Bump FEATURES whenever either changes: saved models record it, and
a model built for other features is refused (kpiscore.classifier.store).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from kpiscore import kinds, lexicon
from kpiscore.findings import Finding, categories
from kpiscore.memo import per_document
from kpiscore.model import Document, Indicator, Project
from kpiscore.rules import RULES
from kpiscore.text import compact

if TYPE_CHECKING:  # jieba, pandas and scikit-learn load where used: `check` reads only
    # FEATURES from here unless the model speaks, and they cost a cold start 0.5 s and more
    import jieba
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer

FEATURES = 1

TEXTS = ["name", "description", "value_words", "basis"]
KINDS = ["level1_kind", "level2_kind", "operator", "unit_class", "name_class", "value_kind",
         "level2_unit", "level2_name"]
SHAPE = ["has_number", "name_length", "description_length", "value_length", "name_in_title",
         "name_in_purpose", "name_in_goal", "description_is_name", "value_is_name",
         "name_repeats", "description_repeats", "value_repeats", "own_words", "other_words"]
RULE_FLAGS = [f"rule {rule.code}" for rule in RULES
              if categories()[rule.category]["level"] == "indicator"]


@cache
def _tokenizer() -> jieba.Tokenizer:
    import jieba

    jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary build on every start
    tokenizer = jieba.Tokenizer()
    for word in lexicon.words("jieba_words.txt"):
        tokenizer.add_word(word)
    return tokenizer


def words(text: str) -> tuple[str, ...]:
    """jieba words of a cell, with the domain words of lexicons/jieba_words.txt kept whole
    and whitespace and punctuation dropped. (A plain function, so that a saved model names
    it and nothing else: see store.TRUSTED.)"""
    return _words_of(text)


@per_document  # bounded, and emptied per document: a corpus run would otherwise keep every cell
def _words_of(text: str) -> tuple[str, ...]:
    return tuple(w for w in _tokenizer().lcut(text) if w.strip() and (w.isalnum() or len(w) > 1))


def _similarity(short: str, long: str | None) -> float:
    """How much of `short` appears in `long` (0..1), on compacted text."""
    short, long = compact(short), compact(long or "")
    return fuzz.partial_ratio(short, long) / 100 if short and long else 0.0


def _share(cell: str, text: str) -> float:
    """The share of a cell's words that occur in `text`."""
    cell_words = [w for w in words(cell) if len(w) > 1]
    return sum(w in text for w in cell_words) / len(cell_words) if cell_words else 0.0


class _Corpus:
    """What a row is compared with in its document: how many other tables repeat a cell
    word for word (templates do), and the words of every project's header."""

    def __init__(self, document: Document) -> None:
        self.tables: dict[tuple[str, str], set[int]] = defaultdict(set)
        for project in document.projects:
            for indicator in project.indicators:
                for column in ("name", "description", "value"):
                    self.tables[column, compact(getattr(indicator, column))].add(project.index)
        self.headers = {project.index: compact(f"{project.title}{project.purpose or ''}"
                                               f"{project.goal or ''}")
                        for project in document.projects}

    def repeats(self, project: Project, indicator: Indicator, column: str) -> float:
        cell = compact(getattr(indicator, column))
        return min(len(self.tables[column, cell] - {project.index}), 5) / 5 if cell else 0.0

    def other_words(self, project: Project, indicator: Indicator) -> float:
        """How much better the name fits another project's header than its own."""
        shares = [_share(indicator.name, text) for index, text in self.headers.items()
                  if index != project.index]
        return max(shares, default=0.0)


def _row(project: Project, indicator: Indicator, fired: set[str], corpus: _Corpus
         ) -> dict[str, object]:
    parsed = indicator.parsed
    level2 = kinds.level2_kind(indicator) or "?"
    unit = kinds.unit_class(parsed.unit) or "none"
    name = kinds.name_class(indicator.name) or "none"
    return {
        "name": indicator.name, "description": indicator.description,
        "value_words": parsed.text or indicator.value, "basis": indicator.basis,
        "level1_kind": kinds.level1_kind(indicator) or "?", "level2_kind": level2,
        "operator": parsed.operator or "none", "unit_class": unit, "name_class": name,
        "value_kind": parsed.kind, "level2_unit": f"{level2}|{unit}", "level2_name": f"{level2}|{name}",
        "has_number": float(parsed.number is not None),
        "name_length": min(len(indicator.name), 40) / 40,
        "description_length": min(len(indicator.description), 40) / 40,
        "value_length": min(len(indicator.value), 40) / 40,
        "name_in_title": _similarity(indicator.name, project.title),
        "name_in_purpose": _similarity(indicator.name, project.purpose),
        "name_in_goal": _similarity(indicator.name, project.goal),
        "description_is_name": fuzz.ratio(compact(indicator.description), compact(indicator.name)) / 100,
        "value_is_name": _similarity(parsed.text, indicator.name + indicator.description),
        **{f"{column}_repeats": corpus.repeats(project, indicator, column)
           for column in ("name", "description", "value")},
        "own_words": _share(indicator.name, corpus.headers[project.index]),
        "other_words": corpus.other_words(project, indicator),
        **{flag: float(flag.removeprefix("rule ") in fired) for flag in RULE_FLAGS},
    }


def rows(document: Document, findings: Iterable[Finding], withheld: set[int] = frozenset()
         ) -> pd.DataFrame:
    """One row per indicator (keyed by project and row) with every feature column, leaving out
    the `withheld` (涉密) tables; `findings` are the rules' findings on the document."""
    import pandas as pd

    fired: dict[tuple[int, int | None], set[str]] = defaultdict(set)
    for finding in findings:
        fired[finding.project, finding.row].add(finding.rule)
    corpus = _Corpus(document)
    table = [{"project": project.index, "row": position,
              **_row(project, indicator, fired[project.index, position], corpus)}
             for project in document.projects if project.index not in withheld
             for position, indicator in enumerate(project.indicators, start=1)]
    return pd.DataFrame(table, columns=["project", "row", *TEXTS, *KINDS, *SHAPE, *RULE_FLAGS])


def _words(min_df: int = 1) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(tokenizer=words, token_pattern=None, lowercase=False, min_df=min_df,
                           sublinear_tf=True)


def transformer() -> ColumnTransformer:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import OneHotEncoder

    """Feature table -> matrix: word TF-IDF per text cell, character 1–3-grams of name and
    value, one-hot kinds, and the shape and rule columns as they are."""
    return ColumnTransformer([
        ("name", _words(), "name"),
        ("description", _words(), "description"),
        ("value", _words(), "value_words"),
        ("basis", _words(min_df=2), "basis"),
        ("name_chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2,
                                       sublinear_tf=True), "name"),
        ("value_chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2,
                                        sublinear_tf=True), "value_words"),
        ("kind", OneHotEncoder(handle_unknown="ignore"), KINDS),
        ("shape", "passthrough", SHAPE + RULE_FLAGS),
    ])
