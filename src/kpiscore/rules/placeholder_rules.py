"""PLACEHOLDER: required cells that are empty or hold a placeholder, and 涉密 tables."""

from __future__ import annotations

from collections.abc import Iterator

from kpiscore import lexicon
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, Example, IndicatorRule, Rule, clip
from kpiscore.values import is_missing


class RequiredCellEmpty(IndicatorRule):
    code = "CMP-04"
    title = "必填单元为空 (required cell empty)"
    category = "PLACEHOLDER"
    severity = Severity.high
    flags = ("An empty 三级指标 or 指标值, a 三级指标 / 绩效指标描述 / 指标值 that is only a "
             "placeholder (涉密, 无, /, -, **, XX, 待定), or one that keeps the template's fill-in "
             "hint (`苗木成活率(≥**%)`, `指标1:安置小区物业费`). An empty 描述 counts where the "
             "template has that column and other rows of the table fill it.")
    why = ("The budget system (预算管理一体化) refuses to save empty required cells and values "
           "made of placeholder characters; a row without a name or value cannot be assessed.")
    fix = "Fill the cell with the indicator's real name, definition or target value."
    bad = Example("(002#1 row 1 with its value removed) 产出指标 | 数量指标 | 聘用人数 | 聘用人数 | "
                  "(empty) | 实际数据", "-")
    good = Example("产出指标 | 数量指标 | 聘用人数 | 聘用人数 | 10人 | 实际数据", "002#1 row 1")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        has_descriptions = "description" in project.fields and any(
            other.description for other in project.indicators)
        cells = {"三级指标": indicator.name, "指标值": indicator.value}
        if has_descriptions:
            cells["绩效指标描述"] = indicator.description
        empty = [label for label, cell in cells.items() if is_missing(cell)]
        if empty:
            shown = "、".join(f"{label}「{cells[label]}」" if cells[label] else f"{label}为空"
                             for label in empty)
            return f"必填单元缺失：{shown}"
        hints = self.param(context, "hints")
        hinted = [label for label, cell in cells.items() if lexicon.any_match(hints, cell)]
        if hinted:
            return "、".join(f"{label}「{clip(cells[label])}」" for label in hinted) + "保留了模板的填写提示"
        return None


class WithheldTable(Rule):
    code = "CMP-06"
    title = "涉密表 (table withheld as 涉密)"
    category = "PLACEHOLDER"
    severity = Severity.low
    flags = ("A table whose every indicator value reads 涉密. It is reported on each row and "
             "the project is left out of scoring (score N/A), so it is not mistaken for a "
             "badly written table.")
    why = ("《政府信息公开条例》 (2019) 第十四条 exempts lawfully classified information; the "
           "withheld table is not a defect of indicator quality, but a reviewer should confirm "
           "the classification, especially for ordinary administrative items.")
    fix = "Confirm the 涉密 classification; if the project is not classified, disclose the table."
    bad = Example("工资系统并网经费: every cell 涉密", "000#3")
    good = Example("社保卡补卡制卡经费: all cells disclosed", "000#5")

    def findings(self, context: Context) -> Iterator[Finding]:
        for project in context.document.projects:
            if project.index in context.withheld:
                for row in range(1, len(project.indicators) + 1):
                    yield self.finding("整表涉密，不参与评分", project, row)


RULES = (RequiredCellEmpty(), WithheldTable())
