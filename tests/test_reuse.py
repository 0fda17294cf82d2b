"""Cross-document reuse (kpiscore.reuse): masked wording, exact and near-duplicate clusters,
the LSH index's recall against brute force, and DUP-02 on that index giving the findings
of comparing every pair of tables."""

from __future__ import annotations

import gzip
import json
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz, process

from kpiscore import reuse
from kpiscore.model import Document
from kpiscore.rules.base import Context, clip
from kpiscore.rules import table_rules
from kpiscore.rules.table_rules import ClonedTable, _row_key

DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "rules" / "documents"


def _fixture(path: Path) -> Document:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return Document.from_dict(json.load(handle))


def test_masked_wording_is_one_phrase_whatever_the_figures():
    assert reuse.masked("合格率", "", "≥95%") == reuse.masked("合格率 ", None, "≥98.5％")
    assert reuse.masked("培训人数", "", "≥300人") != reuse.masked("培训人次", "", "≥300人")


def test_text_hash_is_stable_across_processes():
    # a fixed value (blake2b, 8 bytes, little-endian): datasets of other runs must join
    assert reuse.text_hash("群众满意度≥#") == reuse.text_hash("群众满意度≥#")
    assert reuse.text_hash("群众满意度≥#") == 2017425267404321518


def test_identical_and_near_rows_pair_unrelated_rows_do_not():
    texts = ["服务对象满意度≥#", "服务对象满意度达到#", "补贴资金发放及时率#", "补贴资金发放准确率#",
             "培训人数≥#人", "", "x"]
    # rapidfuzz ratios: the 满意度 rows 84.2, the 补贴 rows 80.0, the rest far apart
    pairs = {tuple(pair) for pair in reuse.similar_pairs(texts, 0.84).tolist()}
    assert pairs == {(0, 1)}
    assert {tuple(p) for p in reuse.similar_pairs(texts, 0.8).tolist()} == {(0, 1), (2, 3)}
    assert not len(reuse.similar_pairs(texts, 0.85))


def test_clusters_join_chains_and_keep_rows_printed_by_two_documents():
    members = pd.DataFrame({
        "document_id": ["a", "b", "c", "a", "a", "d"],
        "phrase": ["群众满意度≥#", "群众满意度≥#", "群众满意程度≥#", "雾炮车风炮射程≥#M",
                   "雾炮车风炮射程≥#M", "完成时限#月底前"],
    })
    shared = reuse.shared_clusters(members, "phrase", 0.85)
    # 满意度 rows in three documents are one cluster; the 雾炮车 row is printed twice but by
    # one document, the 时限 row once: neither is cross-document reuse
    assert shared["phrase"].str.startswith("群众").all()
    assert shared["cluster"].tolist() == [0, 0, 0]
    assert sorted(shared["document_id"]) == ["a", "b", "c"]


def _variants(count: int, rng: random.Random) -> list[str]:
    """Rows built from a few real phrases: kept, one or two characters edited, a place
    name put before, or new rows of the same characters."""
    base = ["服务对象满意度≥#", "补贴资金发放及时率#", "培训人数≥#人", "项目完成及时率#",
            "公共就业服务覆盖率≥#", "城镇新增就业人数≥#万人", "劳动保障监察举报投诉案件结案率≥#",
            "雾炮车风炮射程≥#M", "受益建档立卡贫困人口满意度≥#", "项目区农村基础设施条件明显改善"]
    alphabet = sorted(set("".join(base)))
    rows = []
    for _ in range(count):
        text, draw = rng.choice(base), rng.random()
        if draw < 0.5:
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice(alphabet) + text[at + 1:]
        elif draw < 0.7:
            text = rng.choice(["县", "全市", "辖区"]) + text
        elif draw < 0.9:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 16)))
        rows.append(text)
    return list(dict.fromkeys(rows))


def _brute_force(texts: list[str], similarity: float) -> list[tuple[int, int]]:
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=similarity * 100)
    first, second = np.nonzero(np.triu(scores, k=1))
    return list(zip(first.tolist(), second.tolist()))


def test_lsh_recall_against_brute_force():
    texts = _variants(4000, random.Random(1))
    truth = _brute_force(texts, 0.85)
    labels = reuse.clusters(texts, 0.85)
    assert len(truth) > 1000
    assert sum(labels[i] == labels[j] for i, j in truth) / len(truth) >= 0.95
    # and the index finds nothing brute force does not: every pair is verified
    assert {tuple(p) for p in reuse.similar_pairs(texts, 0.85).tolist()} <= set(truth)


def test_within_document_index_finds_every_similar_pair():
    from kpiscore.rules.table_rules import _WITHIN_DOCUMENT

    texts = _variants(1500, random.Random(2))
    truth = set(_brute_force(texts, 0.75))
    found = {tuple(p) for p in reuse.similar_pairs(texts, 0.75, _WITHIN_DOCUMENT).tolist()}
    assert len(truth) > 500 and found == truth


def _all_pairs_findings(document: Document, share: float, similarity: float) -> list[str]:
    """DUP-02 as it was before the index: every pair of tables compared."""
    projects = [p for p in Context(document).projects() if len(p.indicators) >= 2]
    keys = {p.index: [_row_key(i) for i in p.indicators] for p in projects}

    def matched(rows: list[str], others: list[str]) -> float:
        matrix = process.cdist(rows, others, scorer=fuzz.ratio)
        return min((matrix.max(axis=1) >= similarity * 100).mean(),
                   (matrix.max(axis=0) >= similarity * 100).mean())

    messages = []
    for project in projects:
        twins = [o for o in projects
                 if o.index != project.index and matched(keys[project.index], keys[o.index]) >= share]
        if twins:
            shown = "、".join(f"第{t.index}个项目「{clip(t.title, 14)}」" for t in twins[:3])
            messages.append(f"{project.index} 指标表与{shown}基本相同")
    return messages


@pytest.fixture(params=["index", "small-documents-all-pairs"])
def comparing(request, monkeypatch):
    """DUP-02 both ways: through the LSH index (every document), and as it runs on a
    document of few rows (every pair, table_rules._ALL_PAIRS_UP_TO)."""
    if request.param == "index":
        monkeypatch.setattr(table_rules, "_ALL_PAIRS_UP_TO", 0)
    return request.param


@pytest.mark.parametrize("path", sorted(DOCUMENTS.glob("*.json.gz")), ids=lambda p: p.name[:3])
def test_duplicate_rule_findings_unchanged(path, comparing):
    document = _fixture(path)
    rule = ClonedTable()
    for similarity in (0.75, 0.85, 0.95):  # the values kpiscore eval tunes over
        for share in (0.6, 0.9):
            context = Context(document)  # its params are the shared lexicon table: copy it
            context.params = context.params | {"DUP-02": {"share": share, "similarity": similarity}}
            found = [f"{f.project} {f.message}" for f in rule.findings(context)]
            assert found == _all_pairs_findings(document, share, similarity)


def test_duplicate_rule_on_many_cloned_tables(comparing):
    """Tables of the seeds repeated with other figures: the index and all pairs agree."""
    import copy

    rng = random.Random(3)
    real = [p for path in sorted(DOCUMENTS.glob("00*.json.gz")) for p in _fixture(path).projects
            if len(p.indicators) >= 2]
    document = Document(source="many", format="text")
    for index in range(1, 121):
        project = copy.deepcopy(rng.choice(real))
        project.index = index
        for indicator in project.indicators:
            indicator.value = re.sub(r"\d+", lambda _: str(rng.randint(1, 99)), indicator.value)
        document.projects.append(project)
    found = [f"{f.project} {f.message}" for f in ClonedTable().findings(Context(document))]
    assert len(found) > 50
    assert found == _all_pairs_findings(document, 0.6, 0.85)
