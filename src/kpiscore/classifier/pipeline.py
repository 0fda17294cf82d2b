"""The model: a scikit-learn Pipeline from the feature table to one probability per
category (one logistic regression per category over the same features), and the features
that pushed a row's probability up."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from kpiscore import lexicon
from kpiscore.classifier import features


def settings() -> dict:
    return lexicon.table("classifier.toml")


def build() -> Pipeline:
    """Unfitted: features, then a class-balanced logistic regression per category (rare
    categories such as UNRELATED would otherwise never reach a useful probability)."""
    options = settings()
    regression = LogisticRegression(C=options["C"], class_weight="balanced", max_iter=5000,
                                    random_state=options["seed"])
    return Pipeline([("features", features.transformer()),
                     ("classify", OneVsRestClassifier(regression))])


def fit(table: pd.DataFrame, truth: pd.DataFrame) -> Pipeline:
    """Fit on a feature table and a 0/1 frame of the same rows, one column per category."""
    with warnings.catch_warnings():
        # a category with no example in a training fold is predicted as constant 0; fine
        warnings.filterwarnings("ignore", message="Label not .* is present in all training")
        model = build().fit(table, truth.to_numpy())
    for _, vectorizer, _ in model.named_steps["features"].transformers_:
        if hasattr(vectorizer, "stop_words_"):  # terms cut by min_df: only bloat the saved file
            del vectorizer.stop_words_
    return model


def probabilities(model: Pipeline, table: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """P(category) for every row of a feature table, indexed by (project, row)."""
    index = pd.MultiIndex.from_frame(table[["project", "row"]])
    if table.empty:
        return pd.DataFrame(columns=categories, index=index, dtype=float)
    return pd.DataFrame(model.predict_proba(table), columns=categories, index=index)


def drivers(model: Pipeline, row: pd.DataFrame, category: int, count: int) -> list[str]:
    """What raised category number `category` most on a one-row table: up to `count` of
    its words (word or character features of a cell) first, then, if the words say less
    than that, kinds (二级=数量) or rules that fired."""
    estimator = model.named_steps["classify"].estimators_[category]
    if not hasattr(estimator, "coef_"):  # no positive example in training: nothing drove it
        return []
    transformer = model.named_steps["features"]
    contribution = transformer.transform(row).multiply(estimator.coef_[0]).toarray()[0]
    names = transformer.get_feature_names_out()
    raised = [names[i] for i in np.argsort(-contribution) if contribution[i] > 0]
    is_word = lambda feature: feature.partition("__")[0] not in {"kind", "shape"}
    shown: list[str] = []
    for feature in [f for f in raised if is_word(f)] + [f for f in raised if not is_word(f)]:
        label = _readable(feature)
        if label not in shown and len(shown) < count:
            shown.append(label)
    return shown


def _readable(feature: str) -> str:
    """"name__满意度" -> 「满意度」, "kind__level2_kind_数量" -> 二级=数量, "shape__rule VAL-01"
    -> rule VAL-01, "shape__name_repeats" -> 名称在其他表中重复 (classifier.toml [explain])."""
    group, _, name = feature.partition("__")
    labels = settings()["explain"]
    if group == "kind":
        column = next(c for c in features.KINDS if name.startswith(c + "_"))
        return f"{labels[column]}={name.removeprefix(column + '_')}"
    if group == "shape":
        return labels.get(name, name)
    return f"「{name}」"
