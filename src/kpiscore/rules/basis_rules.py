"""WEAK_BASIS: 指标值确定依据 that names no source."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from kpiscore import kinds, lexicon
from kpiscore.findings import Severity
from kpiscore.memo import per_document
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, IndicatorRule, clip
from kpiscore.text import compact
from kpiscore.values import is_missing


@per_document  # VAL-11 and VAL-12 ask it of every basis; bases repeat down a table
def _names_a_source(basis: str) -> bool:
    """Positive evidence of a source a reader could look up (lexicons/basis.toml)."""
    folded = compact(basis)
    table = lexicon.table("basis.toml")
    if lexicon.any_match(table["documents"], folded):
        return True
    if any(word in folded for word in table["evidence"]):
        return True
    for noun in table["named"]:
        if noun not in folded:
            continue  # most bases name none of them: no pattern to search with
        for found in re.finditer(re.escape(noun), folded):
            qualifier = folded[:found.start()]
            for word in lexicon.longest_first(table["generic_qualifiers"]):
                qualifier = qualifier.replace(word, "")
            if len(qualifier) >= 2:
                return True
    return False


def _free_text_basis(project: Project, context: Context) -> bool:
    """Whether the template has a free-text basis column: a 绩效标准 choice column
    (计划 / 行业 / 历史 / 其他标准) or no basis column at all is not judged."""
    fields = project.fields
    return "basis" in fields and "basis_choice" not in fields


class GenericBasis(IndicatorRule):
    code = "VAL-11"
    category = "WEAK_BASIS"
    severity = Severity.medium
    field = "basis"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if not context.per_project(_free_text_basis, project):
            return None
        basis = indicator.basis
        if is_missing(basis):
            return "指标值确定依据为空" if not basis.strip() else f"指标值确定依据是占位符「{basis}」"
        table = lexicon.table("basis.toml")
        if _names_a_source(basis):
            return None
        if any(word in basis for word in table["budget"]):
            if kinds.level2_kind(indicator) in table["budget_ok_kinds"]:
                return None
            return f"指标值确定依据「{clip(basis)}」只提到预算本身，非成本指标需要说明取值来源"
        return f"指标值确定依据「{clip(basis)}」过于笼统，未说明可查证的来源"


class BasisFromAnotherColumn(IndicatorRule):
    code = "VAL-12"
    category = "WEAK_BASIS"
    severity = Severity.medium
    field = "basis"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        basis = compact(indicator.basis)
        # a budget approval is a (weak) source, judged by VAL-11, not text from another column
        if not context.per_project(_free_text_basis, project) or len(basis) < 2 or _names_a_source(basis) or "预算" in basis:
            return None
        for cell in (indicator.name, indicator.description, indicator.value):
            if cell and fuzz.partial_ratio(basis, compact(cell)) >= self.param(context, "similarity") * 100:
                return f"指标值确定依据「{clip(indicator.basis)}」重复了本行其他单元的内容"
        if len(basis) >= self.param(context, "min_prose") or "满意" in basis:
            return f"指标值确定依据「{clip(indicator.basis)}」是目标或描述，不是依据来源"
        return None


RULES = (GenericBasis(), BasisFromAnotherColumn())
