"""MISSING_CATEGORY, EMPTY_GOAL and DUPLICATE_PROJECT: the table as a whole."""

from __future__ import annotations

import re
from collections.abc import Iterator

from rapidfuzz import fuzz, process

from kpiscore import kinds, lexicon
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, Example, ProjectRule, Rule, clip
from kpiscore.text import char_pairs, compact, without

_BENEFITS = {"经济效益", "社会效益", "生态效益", "可持续影响"}


def _level2_kinds(project: Project) -> set[str]:
    return {kind for kind in map(kinds.level2_kind, project.indicators) if kind}


class MissingOutcome(ProjectRule):
    code = "CMP-01"
    title = "效益或满意度缺项 (no benefit or satisfaction indicator)"
    category = "MISSING_CATEGORY"
    severity = Severity.medium
    flags = "A table with no 效益 (效果) indicator, or no 服务对象满意度 indicator."
    why = ("中发〔2018〕34号: a target covers output, cost, economic, social, ecological and "
           "sustainability effects, and service-recipient satisfaction.")
    fix = "Add the missing 一级: the effect the outputs bring about, and the satisfaction of those served."
    bad = Example("印刷项目: 产出 and 效益 rows, no 满意度 row", "000#2")
    good = Example("社保卡补卡制卡经费: 产出, 效益 and 满意度 rows", "000#5")

    def check(self, project: Project, context: Context) -> str | None:
        present = _level2_kinds(project)
        missing = [label for label, needed in (("效益指标", _BENEFITS), ("满意度指标", {"满意度"}))
                   if not present & needed]
        return f"缺少{'、'.join(missing)}" if missing else None


class MissingOutput(ProjectRule):
    code = "CMP-02"
    title = "产出二级缺项 (数量 / 质量 / 时效 missing)"
    category = "MISSING_CATEGORY"
    severity = Severity.medium
    flags = "A table whose 产出 lacks any of 数量, 质量 or 时效."
    why = "财预〔2015〕88号 / 财预〔2021〕101号 break output into quantity, quality and timeliness (and cost)."
    fix = "Add the missing output indicators: how much is delivered, to what standard, by when."
    bad = Example("城乡养老缴费补贴: 产出 has only 数量", "004#2")
    good = Example("劳动监察: 数量 >200件, 质量 100%, 时效 <60工作日, 成本 <120元/件", "000#4")

    def check(self, project: Project, context: Context) -> str | None:
        missing = [kind for kind in ("数量", "质量", "时效") if kind not in _level2_kinds(project)]
        return f"产出指标缺少{'、'.join(k + '指标' for k in missing)}" if missing else None


class MissingCost(ProjectRule):
    code = "COST-01"
    title = "缺成本指标 (no cost indicator)"
    category = "MISSING_CATEGORY"
    severity = Severity.medium
    flags = "A table from budget year 2021 on with no 成本 indicator at any level."
    why = ("中发〔2018〕34号 requires cost in every target; 财预〔2021〕101号 defines the cost "
           "branch (经济 / 社会 / 生态环境成本).")
    fix = "Add a cost indicator: a unit cost (元/人, 元/件) or a cost cap in 万元."
    bad = Example("2023 table with 数量, 质量, 时效, 效益 and 满意度 but no 成本", "001#1")
    good = Example("总成本 ≤47.43万元; 平均成本 ≤4.73万元", "002#1")

    def check(self, project: Project, context: Context) -> str | None:
        year = context.document.year
        if year is None or year < self.param(context, "from_year") or "成本" in _level2_kinds(project):
            return None
        return f"{year}年度项目缺少成本指标"


class GoalEmptyOrStub(ProjectRule):
    code = "CMP-05"
    title = "绩效目标缺失或模板化 (target text missing or a stub)"
    category = "EMPTY_GOAL"
    severity = Severity.high
    flags = ("A 绩效目标 that is empty, a template stub (`1.目标内容 1`), or that only restates the "
             "资金用途 or the title: its words, with numbering and idle words (确保, 用于, 工作, "
             "经费 …) removed, are mostly (by character pairs) those of the use or title. A goal "
             "that states a checkable or operational result (及时, 足额, 按时, 全部, 正常运转, "
             "顺利进行, a rate, a number) is never flagged. Word lists: goals.toml.")
    why = "财预〔2015〕88号 (完整性): the target must state what the money achieves this year."
    fix = "State what this year's money achieves: the output, for whom, how much, by when."
    bad = Example("绩效目标: 1.用于办公取暖费用 (资金用途: 用于办公取暖费用)", "001#1")
    good = Example("绩效目标: 通过拨付养老保险制度改革补助经费，确保机关事业单位退休人员养老金按时足额发放", "001#18")

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
    title = "整表克隆 (table copied from another project)"
    category = "DUPLICATE_PROJECT"
    severity = Severity.medium
    flags = ("Two projects of one document whose indicator rows are (nearly) the same once numbers "
             "and document numbers are masked, while the projects differ.")
    why = ("财预〔2015〕88号 (相关性, 适当性): targets are set per project and match its money; "
           "财预〔2020〕10号 checks that projects do not duplicate each other.")
    fix = "Write this project's own indicators: its outputs, quantities and effects, in proportion to its budget."
    bad = Example("创业担保贷款 25.59万 vs 22.59万: identical rows incl. ≥300笔, ≥15%", "001#7")
    good = Example("劳动监察 (>200件, <120元/件) vs 仲裁 (85件, <500元)", "000#4")

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
