"""Train the classifier on the labelled set and measure it against the rules.

Everything is measured leave-one-publisher-out (kpiscore.evaluate.folds: a publisher's
documents are held out together): for each held-out publisher, the rules are tuned
(kpiscore.evaluate.tune), the model is fitted, and the per-category combination is chosen
on the other publishers only. The combination is chosen on out-of-fold predictions of
those publishers (each predicted by rules tuned and a model fitted without it), so rules
and model compete on equal terms. The shipped model is fitted on every document; its
combination is chosen on the held-out predictions of the evaluation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
from rich.console import Console
from rich.table import Table

from kpiscore import evaluate
from kpiscore.classifier import blend, features, pipeline
from kpiscore.classifier.store import TrainedModel
from kpiscore.evaluate import Key, LabelledDocument
from kpiscore.rules import RULES, Context, run

Unit = tuple[str, int, int]  # document, project, row
SYSTEMS = ("rules", "model", "combined")


@dataclass
class Corpus:
    """The labelled documents as the model sees them: one feature table for all rows, the
    0/1 labels of the model's categories, and each row's document."""

    documents: list[LabelledDocument]
    table: pd.DataFrame  # features.rows of every document, with a "document" column
    truth: pd.DataFrame  # 0/1 per model category, same rows
    categories: list[str]

    @classmethod
    def of(cls, documents: list[LabelledDocument], categories: list[str]) -> Corpus:
        tables = []
        for labelled in documents:
            context = Context(labelled.document)
            table = features.rows(labelled.document, run(context, RULES), context.withheld)
            tables.append(table.assign(document=labelled.name))
        table = pd.concat(tables, ignore_index=True)
        labels = {key for d in documents for key in d.labels}
        truth = pd.DataFrame({c: [(d, p, r, c) in labels for d, p, r in cls._units(table)]
                              for c in categories}, dtype=int)
        return cls(documents, table, truth, categories)

    @staticmethod
    def _units(table: pd.DataFrame) -> list[Unit]:
        return list(zip(table["document"], table["project"], table["row"]))

    def rows_of(self, names: set[str]) -> pd.Series:
        return self.table["document"].isin(names)

    def fit(self, names: set[str]):
        rows = self.rows_of(names)
        return pipeline.fit(self.table[rows], self.truth[rows])

    def predict(self, model, names: set[str]) -> pd.DataFrame:
        """P(category) for the rows of `names`, indexed by (document, project, row)."""
        rows = self.table[self.rows_of(names)]
        result = pipeline.probabilities(model, rows, self.categories)
        result.index = pd.MultiIndex.from_tuples(self._units(rows), names=["document", "project", "row"])
        return result


def _units(keys: set[Key], category: str) -> set[Unit]:
    return {key[:3] for key in keys if key[3] == category}


def _keys(units: set[Unit], category: str) -> set[Key]:
    return {(*unit, category) for unit in units}


@dataclass
class Predictions:
    """Held-out predictions of one system (rules alone, model alone, or combined)."""

    rules: set[Key]
    model: set[Key]
    combined: set[Key]


def _groups(corpus: Corpus, names: list[str]) -> dict[str, set[str]]:
    """The publishers' folds among `names`: publisher -> its documents."""
    return evaluate.folds([d for d in corpus.documents if d.name in names])


def _out_of_fold(corpus: Corpus, names: list[str], found: evaluate.Candidates
                 ) -> tuple[set[Key], pd.DataFrame]:
    """Rule findings and model probabilities for each of `names`, each from rules tuned and a
    model fitted on the other publishers of `names`."""
    by_rules: set[Key] = set()
    probability = []
    for held in _groups(corpus, names).values():
        others = [d for d in corpus.documents if d.name in names and d.name not in held]
        chosen, params = evaluate.tune(others, found)
        by_rules |= evaluate.predictions([d for d in corpus.documents if d.name in held],
                                         chosen, params)
        probability.append(corpus.predict(corpus.fit({d.name for d in others}), held))
    return by_rules, pd.concat(probability)


def choices(corpus: Corpus, names: list[str], by_rules: set[Key],
            probability: pd.DataFrame) -> tuple[dict[str, blend.Choice], dict[str, blend.Choice]]:
    """Per category, the best combination and the best model-alone threshold on `names`."""
    settings = pipeline.settings()
    thresholds = settings["thresholds"]
    labels = {key for d in corpus.documents if d.name in names for key in d.labels}
    combined, alone = {}, {}
    for category in corpus.categories:
        truth, rules = _units(labels, category), _units(by_rules, category)
        combined[category] = blend.choose(truth, rules, probability[category], thresholds,
                                          min_gain=settings["min_gain"])
        alone[category] = blend.choose(truth, rules, probability[category], thresholds,
                                       sources=("model",))
    return combined, alone


def leave_one_out(corpus: Corpus) -> tuple[Predictions, pd.DataFrame, list[dict]]:
    """Held-out predictions of the three systems, the held-out probabilities of every row,
    and the combination each fold chose."""
    found = evaluate.candidates(corpus.documents)
    names = [d.name for d in corpus.documents]
    result = Predictions(set(), set(), set())
    probabilities, chosen = [], []
    for publisher, held in _groups(corpus, names).items():
        training = [n for n in names if n not in held]
        oof_rules, oof_probability = _out_of_fold(corpus, training, found)
        combined, alone = choices(corpus, training, oof_rules, oof_probability)
        rules, params = evaluate.tune([d for d in corpus.documents if d.name not in held], found)
        by_rules = evaluate.predictions([d for d in corpus.documents if d.name in held], rules, params)
        probability = corpus.predict(corpus.fit(set(training)), held)
        probabilities.append(probability)
        for category in corpus.categories:
            rule_units = _units(by_rules, category)
            result.model |= _keys(blend.selected(alone[category], rule_units, probability[category]), category)
            result.combined |= _keys(blend.selected(combined[category], rule_units,
                                                    probability[category]), category)
        result.rules |= by_rules
        chosen += [{"held_out": publisher, "category": c, **choice.to_dict()} for c, choice in combined.items()]
    return result, pd.concat(probabilities), chosen


def compare(corpus: Corpus, predictions: Predictions) -> pd.DataFrame:
    """P / R / F1 of rules alone, model alone and combined, per model category, with a
    macro-F1 row."""
    frames = {name: evaluate.scores(corpus.documents, getattr(predictions, name))
              .loc[corpus.categories, ["support", "precision", "recall", "f1"]]
              for name in SYSTEMS}
    table = pd.concat(frames, axis=1).astype(float)  # the macro row holds means, not counts
    table.loc["macro"] = table.mean(numeric_only=True)
    return table


@dataclass
class HeldOut:
    """What the leave-one-publisher-out run leaves behind for training the shipped model."""

    corpus: Corpus
    probability: pd.DataFrame  # each row's P(category) from the model fitted without its document
    fold_choices: list[dict]


def held_out(documents: list[LabelledDocument]) -> tuple[pd.DataFrame, HeldOut]:
    """The comparison table (rules / model / combined, held-out) and what produced it."""
    corpus = Corpus.of(documents, pipeline.settings()["categories"])
    predictions, probability, chosen = leave_one_out(corpus)
    return compare(corpus, predictions), HeldOut(corpus, probability, chosen)


def train(documents: list[LabelledDocument]) -> tuple[TrainedModel, pd.DataFrame]:
    """The shipped model (fitted on every document) and its held-out comparison table. Its
    combination per category is chosen on the held-out probabilities against the rules as
    `check` runs them (all rules, default thresholds)."""
    comparison, run = held_out(documents)
    names = [d.name for d in documents]
    combined, _ = choices(run.corpus, names, evaluate.predictions(documents), run.probability)
    info = {"trained_on": _fingerprint(documents), "rows": len(run.corpus.table),
            "publishers": len(evaluate.folds(documents)),
            "held_out": _records(comparison),
            "fold_choices": run.fold_choices}
    model = TrainedModel(run.corpus.fit(set(names)), run.corpus.categories, combined, info)
    return model, comparison


def print_comparison(comparison: pd.DataFrame, console: Console) -> None:
    """Held-out P / R / F1 of rules alone, model alone and combined, per category."""
    table = Table(title="rules / model / combined, leave-one-publisher-out (P R F1)")
    table.add_column("category", no_wrap=True)
    table.add_column("n", justify="right")
    for system in SYSTEMS:
        table.add_column(system, justify="right", no_wrap=True)
    for category, line in comparison.iterrows():
        cells = [" ".join("  — " if pd.isna(line[(system, m)]) else f"{line[(system, m)]:.2f}"
                          for m in ("precision", "recall", "f1"))
                 for system in SYSTEMS]
        labelled = "" if category == "macro" else f"{line[('rules', 'support')]:.0f}"
        table.add_row(str(category), labelled, *cells)
    console.print(table)


def _records(comparison: pd.DataFrame) -> list[dict]:
    """The comparison table as JSON-ready records: one per category and system."""
    long = comparison.stack(level=0, future_stack=True).round(4)
    return [{"category": category, "system": system, **values}
            for (category, system), values in long.to_dict(orient="index").items()]


def _fingerprint(documents: list[LabelledDocument]) -> list[dict]:
    """What the model was trained on: each seed, its labelled row count and a hash of its labels."""
    return [{"document": d.name, "labels": len(d.labels),
             "sha256": hashlib.sha256(repr(sorted(d.labels, key=str)).encode()).hexdigest()[:16]}
            for d in documents]
