"""A trained classifier on disk, and what `kpiscore check` does with it.

The model is two files in models/: `indicators.skops` (the Pipeline, saved with skops so
loading never unpickles arbitrary code) and `indicators.json` (what it was trained for:
feature version, scikit-learn version, categories, and how it combines with the rules per
category). A model whose feature version or scikit-learn minor version differs from the
running code is refused with a one-line error rather than silently mis-scoring.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpiscore import __version__
from kpiscore.classifier import features
from kpiscore.classifier.blend import Choice, selected
from kpiscore.errors import InputError, ModelError
from kpiscore.findings import Finding, Severity, categories, in_order
from kpiscore.model import Document
from kpiscore.read.failures import says
from kpiscore.resources import data_dir

if TYPE_CHECKING:  # scikit-learn loads only when the model is used: seconds on a cold start
    import pandas as pd
    from sklearn.pipeline import Pipeline

NAME = "indicators"
# Types skops does not trust by default that a kpiscore model legitimately holds: the
# tokenizer the word vectorizers call. Anything else in a model file is refused.
TRUSTED = {"kpiscore.classifier.features.words"}
_META_KEYS = {"features", "scikit-learn", "categories", "choices"}


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


@dataclass
class TrainedModel:
    fitted: Pipeline | None  # None until first needed when read from `folder`
    categories: list[str]
    choices: dict[str, Choice]
    info: dict[str, Any] = field(default_factory=dict)  # training data, figures
    folder: Path | None = None

    @property
    def pipeline(self) -> Pipeline:
        if self.fitted is None:
            self.fitted = _read_pipeline(self.folder / f"{NAME}.skops")
        return self.fitted

    @property
    def speaks(self) -> bool:
        """Whether any category combines the model with the rules (else it adds nothing)."""
        return any(choice.source != "rules" for choice in self.choices.values())

    def findings(self, document: Document, rule_findings: list[Finding], active: set[str],
                 withheld: set[int] = frozenset(), evidence: list[Finding] | None = None
                 ) -> list[Finding]:
        """The findings after combining rules and model per category: rows the combination
        flags keep their rule findings, rows only the model flags get a model finding, and
        rule findings on rows the combination drops are removed. Only `active` categories
        (those --select / --ignore leave to the model) are touched; 涉密 (`withheld`) tables
        are left alone. The features read `evidence`, every rule's findings (default
        `rule_findings`), so that the model sees the same row whatever the selection."""
        # a category left to the rules keeps its findings as they are
        handled = {c: choice for c, choice in self.choices.items()
                   if c in active and choice.source != "rules"}
        if not handled:
            return list(rule_findings)
        from kpiscore.classifier.pipeline import probabilities

        table = features.rows(document, rule_findings if evidence is None else evidence, withheld)
        probability = probabilities(self.pipeline, table, self.categories)
        kept = [f for f in rule_findings if f.row is None or f.category not in handled]
        for category, choice in handled.items():
            own = [f for f in rule_findings if f.category == category and f.row is not None]
            flagged = selected(choice, {(f.project, f.row) for f in own}, probability[category])
            kept += [f for f in own if (f.project, f.row) in flagged]
            for project, row in sorted(flagged - {(f.project, f.row) for f in own}):
                kept.append(self._finding(document, table, category, project, row,
                                          probability.at[(project, row), category]))
        return in_order(kept)

    def _finding(self, document: Document, table: pd.DataFrame, category: str, project: int,
                 row: int, chance: float) -> Finding:
        from kpiscore.classifier.pipeline import drivers, settings

        options, chance = settings(), round(float(chance), 3)
        line = table[(table["project"] == project) & (table["row"] == row)]
        words = drivers(self.pipeline, line, self.categories.index(category), options["words"])
        name = document.projects[project - 1].indicators[row - 1].name
        message = (f"模型判断「{name}」{categories()[category]['title']}（概率 {chance:.2f}；"
                   f"依据：{'、'.join(words) or '—'}）")
        return Finding(f"ML-{category}", category, Severity[options["severity"]], message,
                       options["fix"][category], project, row, source="model",
                       probability=chance, words=tuple(words))

    def save(self, folder: Path) -> None:
        import skops.io

        folder.mkdir(parents=True, exist_ok=True)
        skops.io.dump(self.pipeline, folder / f"{NAME}.skops", compression=zipfile.ZIP_DEFLATED,
                      compresslevel=9)
        meta = {"features": features.FEATURES, "scikit-learn": version("scikit-learn"),
                "kpiscore": __version__, "categories": self.categories,
                "choices": {c: choice.to_dict() for c, choice in self.choices.items()},
                **self.info}
        (folder / f"{NAME}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n",
                                             encoding="utf-8")


def load(folder: Path) -> TrainedModel:
    """Read a model, refusing one trained for other features or another scikit-learn. The
    fitted pipeline is read now only if the model speaks in some category (reading it means
    importing scikit-learn, seconds on a cold start), else on first use."""
    path, meta_path = folder / f"{NAME}.skops", folder / f"{NAME}.json"
    if not path.exists() or not meta_path.exists():
        raise InputError(str(path), says("no_model"))
    meta = _read_meta(meta_path)
    if meta["features"] != features.FEATURES:
        raise InputError(str(path), says("model_features", trained=meta["features"],
                                         current=features.FEATURES))
    installed = version("scikit-learn")
    if _minor(meta["scikit-learn"]) != _minor(installed):
        raise InputError(str(path), says("model_sklearn", trained=meta["scikit-learn"],
                                         installed=installed))
    try:
        choices = {c: Choice(**choice) for c, choice in meta["choices"].items()}
    except (TypeError, AttributeError):
        raise ModelError(str(meta_path), _damaged()) from None
    model = TrainedModel(None, meta["categories"], choices,
                         {k: v for k, v in meta.items() if k not in {"categories", "choices"}},
                         folder)
    if model.speaks:
        model.pipeline  # a bad file is refused up front, not halfway through a batch
    return model


def _damaged() -> str:
    return says("damaged_model")


def _read_meta(path: Path) -> dict[str, Any]:
    """What the model was trained for; ModelError for a file that is not that JSON."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # ValueError: bad JSON or bytes that are not UTF-8
        raise ModelError(str(path), _damaged()) from None
    if not isinstance(meta, dict) or not _META_KEYS <= set(meta) or not isinstance(meta["choices"], dict):
        raise ModelError(str(path), _damaged())
    return meta


def _read_pipeline(path: Path) -> Pipeline:
    """The fitted pipeline, refusing a file that holds types kpiscore does not trust, and
    one that is truncated or damaged (skops reads a zip of JSON and arrays: whatever fails
    in there is a damaged file)."""
    import skops.io

    try:
        unknown = set(skops.io.get_untrusted_types(file=path)) - TRUSTED
        if unknown:
            raise InputError(str(path), says("model_untrusted", types="、".join(sorted(unknown))))
        return skops.io.load(path, trusted=sorted(TRUSTED))
    except InputError:
        raise
    except Exception:  # zipfile, json, numpy and skops each raise their own on a bad file
        raise ModelError(str(path), _damaged()) from None


@cache
def default() -> TrainedModel:
    """The model shipped in models/, loaded once, on first use."""
    return load(data_dir("models"))
