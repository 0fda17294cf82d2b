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
