"""PLACEHOLDER: required cells that are empty or hold a placeholder, and 涉密 tables."""

from __future__ import annotations

from collections.abc import Iterator

from kpiscore import lexicon
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, IndicatorRule, Rule, Verdict, clip
from kpiscore.values import is_missing

# the field of each required cell, by the label its message names
_FIELDS = {"三级指标": "name", "指标值": "value", "绩效指标描述": "description"}


def _has_descriptions(project: Project, context: Context) -> bool:
    """Whether the table has a description column and fills it somewhere."""
    return "description" in project.fields and any(other.description for other in project.indicators)


class RequiredCellEmpty(IndicatorRule):
    code = "CMP-04"
    category = "PLACEHOLDER"
    severity = Severity.high

    def check(self, indicator: Indicator, project: Project, context: Context) -> Verdict | None:
        has_descriptions = context.per_project(_has_descriptions, project)
        cells = {"三级指标": indicator.name, "指标值": indicator.value}
        if has_descriptions:
            cells["绩效指标描述"] = indicator.description
        empty = [label for label, cell in cells.items() if is_missing(cell)]
        if empty:
            shown = "、".join(f"{label}「{cells[label]}」" if cells[label] else f"{label}为空"
                             for label in empty)
            return Verdict(f"必填单元缺失：{shown}", _FIELDS[empty[0]])
        hints = self.param(context, "hints")
        hinted = [label for label, cell in cells.items() if lexicon.any_match(hints, cell)]
        if hinted:
            return Verdict("、".join(f"{label}「{clip(cells[label])}」" for label in hinted)
                           + "保留了模板的填写提示", _FIELDS[hinted[0]])
        return None


class WithheldTable(Rule):
    code = "CMP-06"
    category = "PLACEHOLDER"
    severity = Severity.low
    field = "value"

    def findings(self, context: Context) -> Iterator[Finding]:
        for project in context.document.projects:
            if project.index in context.withheld:
                for row in range(1, len(project.indicators) + 1):
                    yield self.finding("整表涉密，不参与评分", project, row)


RULES = (RequiredCellEmpty(), WithheldTable())
