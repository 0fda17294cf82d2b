"""The model card (models/README.md), written by `kpiscore train` from the figures it measured."""

from __future__ import annotations

from pathlib import Path
from string import Template

import pandas as pd
import sklearn

from kpiscore.classifier import features
from kpiscore.classifier.pipeline import settings
from kpiscore.classifier.store import TrainedModel
from kpiscore.classifier.training import SYSTEMS


def _figures(comparison: pd.DataFrame) -> str:
    head = "| category | labelled | " + " | ".join(f"{s} P | R | F1" for s in SYSTEMS) + " |"
    lines = [head, "| --- | ---: |" + " ---: |" * 9]
    for category, line in comparison.iterrows():
        labelled = "" if category == "macro" else f"{line[('rules', 'support')]:.0f}"
        cells = " | ".join("—" if pd.isna(line[(s, m)]) else f"{line[(s, m)]:.2f}"
                           for s in SYSTEMS for m in ("precision", "recall", "f1"))
        name = "**macro average**" if category == "macro" else category
        lines.append(f"| {name} | {labelled} | {cells} |")
    return "\n".join(lines)


def write(model: TrainedModel, comparison: pd.DataFrame, path: Path) -> None:
    template = Template((Path(__file__).parent / "card.md").read_text(encoding="utf-8"))
    options = settings()
    text = template.substitute(
        categories=", ".join(model.categories),
        documents=len(model.info["trained_on"]), rows=model.info["rows"],
        publishers=model.info.get("publishers", "?"),
        data="\n".join(f"| {d['document']} | {d['labels']} | `{d['sha256']}` |"
                       for d in model.info["trained_on"]),
        features=features.FEATURES, C=options["C"], seed=options["seed"],
        sklearn=sklearn.__version__,
        figures=_figures(comparison),
        choices="\n".join(f"- {c}: {choice.source}" + ("" if choice.source == "rules"
                                                       else f" at P ≥ {choice.threshold}")
                          for c, choice in model.choices.items()),
        choices_note="" if any(c.source != "rules" for c in model.choices.values()) else (
            "\nEvery category uses the rules: on this labelled set the model adds no finding to "
            "`check`\n(it is still loaded and version-checked, and speaks once a retrained "
            "model measures better).\n"),
        min_gain=options["min_gain"],
        **{f"macro_{system}": f"{comparison.loc['macro', (system, 'f1')]:.4f}" for system in SYSTEMS},
    )
    path.write_text(text, encoding="utf-8")
