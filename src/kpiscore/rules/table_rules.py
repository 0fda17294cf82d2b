"""MISSING_CATEGORY, EMPTY_GOAL and DUPLICATE_PROJECT: the table as a whole."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz, process

from kpiscore import kinds, lexicon
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
    text = compact(" ".join((indicator.level2, indicator.name, indicator.description,
                             indicator.value)))
    return re.sub(r"\d+(\.\d+)?", "#", text)


class ClonedTable(Rule):
    code = "DUP-02"
    category = "DUPLICATE_PROJECT"
    severity = Severity.medium
    field = "title"

    def findings(self, context: Context) -> Iterator[Finding]:
        projects = [p for p in context.projects() if len(p.indicators) >= 2]
        if len(projects) < 2:
            return
        keys = [[_row_key(i) for i in p.indicators] for p in projects]
        share, similarity = self.param(context, "share"), self.param(context, "similarity") * 100
        for position, project in enumerate(projects):
            shares = _matched_shares(keys, position, similarity)
            twins = [other for other, matched in zip(projects, shares)
                     if other.index != project.index and matched >= share]
            if twins:
                shown = "、".join(f"第{t.index}个项目「{clip(t.title, 14)}」" for t in twins[:3])
                yield self.finding(f"指标表与{shown}基本相同", project)


def _matched_shares(keys: list[list[str]], position: int, similarity: float) -> list[float]:
    """For table `position` and every table of `keys` (row keys per table), the smaller of
    the two shares of rows that have a near-identical row in the other table. One score
    matrix against all rows at once: one call per table, not one per pair of tables."""
    import numpy as np  # rapidfuzz's cdist returns numpy arrays; loaded only here

    rows = [key for table in keys for key in table]
    starts = np.cumsum([0] + [len(table) for table in keys[:-1]])
    alike = process.cdist(keys[position], rows, scorer=fuzz.ratio) >= similarity
    # per other table: the share of this table's rows matched there, and of its rows matched here
    mine = np.logical_or.reduceat(alike, starts, axis=1).mean(axis=0)
    theirs = np.add.reduceat(alike.any(axis=0), starts) / [len(table) for table in keys]
    return np.minimum(mine, theirs).tolist()


RULES = (MissingOutcome(), MissingOutput(), MissingCost(), GoalEmptyOrStub(), ClonedTable())
