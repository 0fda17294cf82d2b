"""Measure the rules against the labelled set (labels/, docs/labelling.md).

The labelled set is the four seeds (labels/*.csv, documents in ../shared/seeds) and the
corpus tables (labels/corpus/*.csv, documents in ../shared/corpus/native as .docx); every
document's publisher is in labels/publishers.csv. Scores are per category: precision,
recall and F1 over indicator rows (indicator categories) or project tables (project
categories). `leave_one_out` tunes the rules on every publisher but one — which rules each
category uses, and the thresholds under [tuning] in lexicons/rules.toml — and scores the
held-out publisher's documents, once per publisher: a publisher's documents are near
copies, so holding out one document of a pair would measure a copy of the training set.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

import kpiscore
from kpiscore import lexicon
from kpiscore.findings import categories
from kpiscore.model import Document
from kpiscore.rules import RULES, Context, Rule, run

Key = tuple[str, int, int | None, str]  # document, project, row (None: project), category


@dataclass
class LabelledDocument:
    name: str
    document: Document
    labels: set[Key]
    publisher: str = ""
    source: str = "seeds"  # seeds | corpus: where the document comes from

    @cached_property
    def units(self) -> dict[str, set[tuple[str, int, int | None]]]:
        """What can be labelled, per level: every row, every table."""
        rows = {(self.name, p.index, r) for p in self.document.projects
                for r in range(1, len(p.indicators) + 1)}
        return {"indicator": rows, "project": {(self.name, p.index, None)
                                               for p in self.document.projects}}


def _split(cell: Any) -> list[str]:
    return [part.strip() for part in str(cell).split(";") if part.strip()] if pd.notna(cell) else []


def _publishers(labels_dir: Path) -> dict[str, str]:
    path = labels_dir / "publishers.csv"
    if not path.exists():
        return {}
    return dict(pd.read_csv(path, usecols=["document", "publisher"]).itertuples(index=False, name=None))


def _labelled(sheet: Path, document: Document, publisher: str, source: str) -> LabelledDocument:
    """One document joined to its two label sheets (indicators and projects)."""
    name = sheet.name.removesuffix(".indicators.csv")
    indicators = pd.read_csv(sheet, dtype={"name": str})
    projects = pd.read_csv(sheet.with_name(f"{name}.projects.csv"))
    labels: set[Key] = set()
    for line in indicators.itertuples():
        indicator = document.projects[line.project - 1].indicators[line.row - 1]
        if indicator.name != (line.name if pd.notna(line.name) else ""):
            raise ValueError(f"{sheet}: project {line.project} row {line.row} is "
                             f"{indicator.name!r} in the parser, {line.name!r} in the sheet")
        labels |= {(name, line.project, line.row, c) for c in _split(line.categories)}
    for line in projects.itertuples():
        labels |= {(name, line.project, None, c) for c in _split(line.categories)}
    unknown = {key[3] for key in labels} - set(categories())
    if unknown:
        raise ValueError(f"{sheet}: unknown categories {sorted(unknown)}")
    return LabelledDocument(name, document, labels, publisher or name, source)


def load(labels_dir: Path, seeds_dir: Path, corpus_dir: Path | None = None) -> list[LabelledDocument]:
    """Every labelled document, parsed and joined to its labels: the seeds (sheets in
    `labels_dir`), and the corpus tables (sheets in `labels_dir/corpus`) when `corpus_dir`
    is given."""
    publishers = _publishers(labels_dir)
    sources = [(sheet, seeds_dir / f"{sheet.name.removesuffix('.indicators.csv')}.txt", "seeds")
               for sheet in sorted(labels_dir.glob("*.indicators.csv"))]
    if corpus_dir is not None:
        sources += [(sheet, corpus_dir / "native" / f"{sheet.name.removesuffix('.indicators.csv')}.docx",
                     "corpus") for sheet in sorted((labels_dir / "corpus").glob("*.indicators.csv"))]
    documents = []
    for sheet, path, source in sources:
        if not path.exists():
            raise FileNotFoundError(f"{sheet}: document {path} not found")
        name = sheet.name.removesuffix(".indicators.csv")
        documents.append(_labelled(sheet, kpiscore.parse(path), publishers.get(name, ""), source))
    if not documents:
        raise FileNotFoundError(f"no label sheets in {labels_dir}")
    return documents


def folds(documents: list[LabelledDocument]) -> dict[str, set[str]]:
    """Publisher -> the names of its documents: what each fold holds out together."""
    groups: dict[str, set[str]] = {}
    for document in documents:
        groups.setdefault(document.publisher or document.name, set()).add(document.name)
    return groups


def predictions(documents: Iterable[LabelledDocument], rules: Iterable[Rule] = RULES,
                params: dict[str, dict[str, Any]] | None = None) -> set[Key]:
    params = params or lexicon.table("rules.toml")
    return {(d.name, f.project, f.row, f.category)
            for d in documents for f in run(Context(d.document, params), rules)}


def scores(documents: list[LabelledDocument], predicted: set[Key]) -> pd.DataFrame:
    """Precision, recall, F1 and support per category."""
    rows = []
    for category, entry in categories().items():
        units = set().union(*(d.units[entry["level"]] for d in documents))
        truth = {k[:3] for d in documents for k in d.labels if k[3] == category} & units
        guess = {k[:3] for k in predicted if k[3] == category} & units
        tp = len(truth & guess)
        precision = tp / len(guess) if guess else float("nan")
        recall = tp / len(truth) if truth else float("nan")
        f1 = 2 * tp / (len(truth) + len(guess)) if truth or guess else float("nan")
        rows.append({"category": category, "support": len(truth), "predicted": len(guess),
                     "tp": tp, "precision": precision, "recall": recall, "f1": f1})
    return pd.DataFrame(rows).set_index("category")


def _settings(rule: Rule) -> list[dict[str, Any]]:
    """Every combination of the rule's tunable thresholds ([tuning] in rules.toml)."""
    grid = {key.split(".", 1)[1]: values
            for key, values in lexicon.table("rules.toml")["tuning"].items()
            if key.split(".", 1)[0] == rule.code}
    return [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())]


def _with(params: dict[str, dict[str, Any]], code: str, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {**params, code: {**params.get(code, {}), **values}}


Candidates = dict[str, list[tuple[dict[str, Any], set[Key]]]]


def candidates(documents: list[LabelledDocument]) -> Candidates:
    """Each rule's findings on every document under each of its threshold settings.
    A rule reads only its own thresholds, so this is computed once and shared by all folds."""
    base = lexicon.table("rules.toml")
    return {rule.code: [(values, predictions(documents, [rule], _with(base, rule.code, values)))
                        for values in _settings(rule)]
            for rule in RULES}


def f1(truth: set, guess: set) -> float:
    return 2 * len(truth & guess) / (len(truth) + len(guess)) if truth or guess else 0.0


def tune(documents: list[LabelledDocument], found: Candidates | None = None
         ) -> tuple[list[Rule], dict[str, dict[str, Any]]]:
    """Choose, per category, the thresholds and the subset of its rules with the best F1 on
    `documents` (`found` may hold more documents; only these count). Returns the chosen
    rules and thresholds."""
    found = found or candidates(documents)
    names = {d.name for d in documents}
    params = lexicon.table("rules.toml")
    chosen: list[Rule] = []
    for category in categories():
        truth = {k for d in documents for k in d.labels if k[3] == category}
        best_per_rule = []
        for rule in (r for r in RULES if r.category == category):
            options = [(values, {k for k in keys if k[0] in names}) for values, keys in found[rule.code]]
            values, keys = max(options, key=lambda option: f1(truth, option[1]))  # first of ties
            params = _with(params, rule.code, values)
            best_per_rule.append((rule, keys))
        subsets = (s for n in range(1, len(best_per_rule) + 1)
                   for s in itertools.combinations(best_per_rule, n))
        # ties go to the larger subset: a rule stays unless it hurts on the training documents
        best_subset = max(subsets, key=lambda s: (f1(truth, set().union(*(f for _, f in s))), len(s)),
                          default=())
        chosen += [rule for rule, _ in best_subset]
    return chosen, params


def leave_one_out(documents: list[LabelledDocument]) -> tuple[pd.DataFrame, pd.DataFrame, set[Key]]:
    """Scores over the held-out publishers (pooled), the per-fold scores, and the held-out
    findings themselves."""
    found = candidates(documents)
    predicted: set[Key] = set()
    per_fold = []
    for publisher, names in folds(documents).items():
        held_out = [d for d in documents if d.name in names]
        rules, params = tune([d for d in documents if d.name not in names], found)
        fold = predictions(held_out, rules, params)
        predicted |= fold
        per_fold.append(scores(held_out, fold).assign(held_out=publisher))
    return scores(documents, predicted), pd.concat(per_fold), predicted


def against_the_bar(held_out: pd.DataFrame, min_labels: int = 10, bar: float = 0.75) -> str:
    """One line: macro-F1 over the categories with at least `min_labels` labels, and those of
    them whose held-out precision or recall is below `bar` (issue 13's measure)."""
    counted = held_out[held_out.support >= min_labels]
    below = [f"{c} ({row.precision:.3f} / {row.recall:.3f})" for c, row in counted.iterrows()
             if not (row.precision >= bar and row.recall >= bar)]
    return (f"held-out macro-F1 over the {len(counted)} categories with ≥{min_labels} labels: "
            f"{counted.f1.mean():.3f}; below {bar} in precision or recall: {', '.join(below) or 'none'}")


def print_scores(in_sample: pd.DataFrame, held_out: pd.DataFrame, console: Console,
                 title: str = "rules against the labelled set (P / R / F1)") -> None:
    """One table: support, then P / R / F1 in-sample and leave-one-publisher-out."""
    table = Table(title=title)
    for column in ("category", "labelled", "in-sample P", "R", "F1", "held-out P", "R", "F1"):
        table.add_column(column, justify="left" if column == "category" else "right", no_wrap=True)
    show = lambda x: "—" if pd.isna(x) else f"{x:.2f}"
    for category in in_sample.index:
        a, b = in_sample.loc[category], held_out.loc[category]
        table.add_row(category, str(int(a.support)), show(a.precision), show(a.recall), show(a.f1),
                      show(b.precision), show(b.recall), show(b.f1))
    console.print(table)
