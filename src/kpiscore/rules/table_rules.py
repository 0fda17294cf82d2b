"""MISSING_CATEGORY, EMPTY_GOAL and DUPLICATE_PROJECT: the table as a whole."""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
from rapidfuzz import fuzz, process

from kpiscore import kinds, lexicon, reuse
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, ProjectRule, Rule, clip
from kpiscore.text import char_pairs, compact, without

_BENEFITS = {"经济效益", "社会效益", "生态效益", "可持续影响"}


def _level2_kinds(project: Project) -> set[str]:
    return {kind for kind in map(kinds.level2_kind, project.indicators) if kind}


class MissingOutcome(ProjectRule):
    code = "CMP-01"
    category = "MISSING_CATEGORY"
    severity = Severity.medium
    field = "title"

    def check(self, project: Project, context: Context) -> str | None:
        present = _level2_kinds(project)
        missing = [label for label, needed in (("效益指标", _BENEFITS), ("满意度指标", {"满意度"}))
                   if not present & needed]
        return f"缺少{'、'.join(missing)}" if missing else None


class MissingOutput(ProjectRule):
    code = "CMP-02"
    category = "MISSING_CATEGORY"
    severity = Severity.medium
    field = "title"

    def check(self, project: Project, context: Context) -> str | None:
        missing = [kind for kind in ("数量", "质量", "时效") if kind not in _level2_kinds(project)]
        return f"产出指标缺少{'、'.join(k + '指标' for k in missing)}" if missing else None


class MissingCost(ProjectRule):
    code = "COST-01"
    category = "MISSING_CATEGORY"
    severity = Severity.medium
    field = "title"

    def check(self, project: Project, context: Context) -> str | None:
        year = context.document.year
        if year is None or year < self.param(context, "from_year") or "成本" in _level2_kinds(project):
            return None
        return f"{year}年度项目缺少成本指标"


class GoalEmptyOrStub(ProjectRule):
    code = "CMP-05"
    category = "EMPTY_GOAL"
    severity = Severity.high
    field = "goal"

    def check(self, project: Project, context: Context) -> str | None:
        if project.goal is None and project.kind == "department":
            return None  # 部门整体 tables carry no target cell; the unit's goals are stated elsewhere
        goal = project.goal or ""
        words = lexicon.table("goals.toml")
        stated = compact(re.sub(words["numbering"], "", goal))
        if any(word in stated for word in words["results"]) or re.search(r"\d", re.sub(words["year"], "", stated)):
            return None
        if len(stated) < self.param(context, "min_length"):
            return f"绩效目标「{clip(goal) or '（空）'}」没有实际内容"
        content = char_pairs(without(stated, words["idle"], "|"))
        reference = char_pairs(without(" ".join(filter(None, (project.purpose, project.title))),
                                       words["idle"], "|"))
        if not content or len(content & reference) / len(content) >= self.param(context, "overlap"):
            return f"绩效目标「{clip(goal)}」只是重复资金用途或项目名称，未说明要达到的效果"
        return None


def _row_key(indicator: Indicator) -> str:
    """A row with its numbers and document numbers masked, for comparing tables."""
    return reuse.masked(indicator.level2, indicator.name, indicator.description, indicator.value)


class ClonedTable(Rule):
    code = "DUP-02"
    category = "DUPLICATE_PROJECT"
    severity = Severity.medium
    field = "title"

    def findings(self, context: Context) -> Iterator[Finding]:
        projects = [p for p in context.projects() if len(p.indicators) >= 2]
        if len(projects) < 2:
            return
        share, similarity = self.param(context, "share"), self.param(context, "similarity")
        matched = _matched_shares([[_row_key(i) for i in p.indicators] for p in projects], similarity)
        for position, project in enumerate(projects):
            # the smaller of the two shares: each table mostly made of the other's rows
            twins = [projects[other] for other in sorted(matched.get(position, {}))
                     if other != position and matched[position][other] >= share
                     and matched.get(other, {}).get(position, 0.0) >= share]
            if twins:
                shown = "、".join(f"第{t.index}个项目「{clip(t.title, 14)}」" for t in twins[:3])
                yield self.finding(f"指标表与{shown}基本相同", project)


def _matched_shares(tables: list[list[str]], similarity: float) -> dict[int, dict[int, float]]:
    """shares[a][b]: the share of table a's rows that have a row of table b at rapidfuzz
    ratio ≥ `similarity` (0..1); absent where none has. Similar rows come from the LSH
    index (reuse.similar_pairs), so the work grows with the rows and their near twins,
    not with the pairs of tables."""
    unique: dict[str, int] = {}
    codes = np.array([unique.setdefault(key, len(unique)) for table in tables for key in table],
                     dtype=np.int64)
    sizes = np.array([len(table) for table in tables], dtype=np.int64)
    owner = np.repeat(np.arange(len(tables)), sizes)
    pairs = _similar_rows(list(unique), similarity)
    texts = np.arange(len(unique))
    # a text is similar to itself and to each text of a similar pair, both ways round
    near, far = (np.concatenate((texts, pairs[:, 0], pairs[:, 1])),
                 np.concatenate((texts, pairs[:, 1], pairs[:, 0])))
    printed = np.unique(codes * len(tables) + owner)  # (text, table), each once
    text_in, table_of = np.divmod(printed, len(tables))
    # (text, table): the text has a similar text printed in the table, each once
    text, table = _joined(far, near, text_in, table_of)
    text, table = np.divmod(np.unique(text * len(tables) + table), len(tables))
    row, table = _joined(codes, np.arange(len(codes)), text, table)
    keys, counts = np.unique(owner[row] * len(tables) + table, return_counts=True)
    shares: dict[int, dict[int, float]] = {}
    for (a, b), count in zip(zip(*np.divmod(keys, len(tables))), counts):
        # count / size, as the mean of a row of booleans is: the same float at the threshold
        shares.setdefault(int(a), {})[int(b)] = float(count / sizes[a])
    return shares


def _joined(left_key: np.ndarray, left_value: np.ndarray, right_key: np.ndarray,
            right_value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left_value[i], right_value[j]) for every i, j with left_key[i] == right_key[j]: a
    join of two key columns, in numpy."""
    order = np.argsort(right_key, kind="stable")
    ordered = right_key[order]
    low = np.searchsorted(ordered, left_key, "left")
    counts = np.searchsorted(ordered, left_key, "right") - low
    left = np.repeat(np.arange(len(left_key)), counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return left_value[left], right_value[order[np.repeat(low, counts) + within]]


def _similar_rows(texts: list[str], similarity: float) -> np.ndarray:
    """Index pairs (i < j) of texts at rapidfuzz ratio ≥ `similarity`: up to
    _ALL_PAIRS_UP_TO texts every pair is compared (rapidfuzz's cdist, in C++), beyond
    that the LSH index finds the candidates."""
    if len(texts) > _ALL_PAIRS_UP_TO:
        return reuse.similar_pairs(texts, similarity, _WITHIN_DOCUMENT)
    scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=similarity * 100, workers=1)
    return np.argwhere(np.triu(scores >= similarity * 100, k=1))


# Most documents print a few hundred distinct rows, where comparing every pair is what
# the index stands in for and is faster (100 of the seeds' rows: 0.8 ms against 3.2; all
# their 434: 16.7 against 18.9); it grows with the square of the rows, the index linearly.
_ALL_PAIRS_UP_TO = 400
# Rows of one document are few: 48 bands of 2 make a pair of Jaccard 0.25 a candidate
# with probability 0.95, and every pair of a bucket is compared, which keeps the findings
# those of comparing every pair of tables (tests/test_reuse.py, benchmarks/bench_reuse.py).
_WITHIN_DOCUMENT = reuse.Banding(bands=48, rows=2, window=None)


RULES = (MissingOutcome(), MissingOutput(), MissingCost(), GoalEmptyOrStub(), ClonedTable())
