"""The labelled set: every sheet matches the parser, and uses only DOMAIN.md categories."""

from __future__ import annotations

import pytest
from conftest import REPO, SEEDS

from kpiscore import evaluate
from kpiscore.findings import category_names


def test_every_label_sheet_matches_its_seed():
    if not SEEDS.exists():
        pytest.skip("seeds not available")
    documents = evaluate.load(REPO / "labels", SEEDS)
    assert len(documents) == 4
    rows = sum(d.document.indicator_count for d in documents)
    assert rows == 628
    levels = {key[3]: key[2] is None for d in documents for key in d.labels}
    assert all(is_project == (name in category_names("project")) for name, is_project in levels.items())


def test_corpus_sheets_match_the_corpus_and_every_document_has_a_publisher():
    corpus = SEEDS.parent / "corpus"
    if not (SEEDS.exists() and corpus.is_dir()):
        pytest.skip("seeds or corpus not available")
    documents = evaluate.load(REPO / "labels", SEEDS, corpus)
    assert len(documents) == 22 and sum(d.source == "corpus" for d in documents) == 18
    assert sum(d.document.indicator_count for d in documents if d.source == "corpus") == 183
    folds = evaluate.folds(documents)
    assert len(folds) == 19  # 07 / 08, 11 / 12 and 13 / 16 share a publisher: held out together
    assert folds["湘潭市城市管理和综合执法局"] == {"07_xiangtan_wupaoche_2023", "08_xiangtan_wupaoche_2024"}


def test_the_bar_line_names_the_categories_below_it():
    import pandas as pd

    held_out = pd.DataFrame({"support": [20, 12, 3], "precision": [0.9, 0.8, 0.1],
                             "recall": [0.8, 0.7, 0.1], "f1": [0.85, 0.75, 0.1]},
                            index=["ECHO", "DIRECTION", "COST_MISMATCH"])
    line = evaluate.against_the_bar(held_out)
    assert "over the 2 categories with ≥10 labels: 0.800" in line  # COST_MISMATCH has too few labels
    assert line.endswith("DIRECTION (0.800 / 0.700)")
