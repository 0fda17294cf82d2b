"""How rules and model combine, per category: the rules alone, the model alone, either of
them, or both together, at a probability threshold. `choose` picks the combination that
measures best on labelled rows; `selected` is the one definition of which rows a
combination flags, used both to measure it and to produce findings."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `check` reads a Choice on every start; pandas loads only when rows are scored
    import pandas as pd

SOURCES = ("rules", "both", "either", "model")  # ties go to the earlier, simpler one


@dataclass(frozen=True)
class Choice:
    source: str  # one of SOURCES
    threshold: float = 0.5  # P(category) at or above which the model says yes

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def selected(choice: Choice, by_rules: set[Hashable], probability: pd.Series) -> set[Hashable]:
    """The rows a combination flags, given the rows the rules flag and P(category) per row
    (indexed by the same keys)."""
    by_model = set(probability.index[probability >= choice.threshold])
    return {"rules": by_rules, "model": by_model, "either": by_rules | by_model,
            "both": by_rules & by_model}[choice.source]


def choose(truth: set[Hashable], by_rules: set[Hashable], probability: pd.Series,
           thresholds: list[float], sources: tuple[str, ...] = SOURCES, min_gain: float = 0.0) -> Choice:
    """The combination of `sources` with the best F1 against `truth` (rows labelled with the
    category); "rules" needs no threshold, and stays unless another combination beats it by
    `min_gain`."""
    from kpiscore.evaluate import f1  # training only: it loads pandas and rich

    score = lambda choice: f1(truth, selected(choice, by_rules, probability))
    options = [Choice(source, t) for source in sources
               for t in ([Choice.threshold] if source == "rules" else thresholds)]
    best = max(options, key=score)
    if "rules" in sources and score(best) < score(Choice("rules")) + min_gain:
        return Choice("rules")
    return best
