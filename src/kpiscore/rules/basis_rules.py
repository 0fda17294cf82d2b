"""WEAK_BASIS: 指标值确定依据 that names no source."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from kpiscore import kinds, lexicon
from kpiscore.findings import Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, Example, IndicatorRule, clip
from kpiscore.text import compact, per_document
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
        for found in re.finditer(re.escape(noun), folded):
            qualifier = folded[:found.start()]
            for word in sorted(table["generic_qualifiers"], key=len, reverse=True):
                qualifier = qualifier.replace(word, "")
            if len(qualifier) >= 2:
                return True
    return False


def _free_text_basis(project: Project) -> bool:
    """Whether the template has a free-text basis column: a 绩效标准 choice column
    (计划 / 行业 / 历史 / 其他标准) or no basis column at all is not judged."""
    fields = project.fields
    return "basis" in fields and "basis_choice" not in fields


class GenericBasis(IndicatorRule):
    code = "VAL-11"
    title = "依据缺失或泛化 (basis empty or generic)"
    category = "WEAK_BASIS"
    severity = Severity.medium
    flags = ("A free-text 指标值确定依据 that is empty, a placeholder, or shows no source a reader "
             "could look up — no document number or title, no named plan, standard, statistic or "
             "survey: 实际工作需要, 文件要求, 行业标准 / 历史标准 / 合同约定 alone, or only the budget "
             "(依据县财政预算批复, 部门预算) on a row that is not a cost. Templates with no basis "
             "column, or a 绩效标准 column of standard types, are not judged.")
    why = ("财预〔2020〕10号 and local evaluation methods list the standards a value may rest on: "
           "计划, 行业, 历史, or other standards confirmed by finance; the budget system offers "
           "them as a dictionary (INDEXSTANDARDS).")
    fix = "Name the source: the plan or policy document and its number, the industry standard, or last year's actual figure."
    bad = Example("产出指标 | 数量指标 | 办公取暖费支付的比例 | 用于办公取暖正常运行工作开展的程度 | "
                  "≥90 用于办公取暖正常运行工作开展的程度 | 依据县财政预算批复", "001#1 row 1")
    good = Example("产出指标 | 时效指标 | 案件结案时间 | 结案时间小于60个工作日 | <60工作日 | "
                   "《劳动法》《劳动保障监察条例》", "000#4 row 3")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if not _free_text_basis(project):
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
    title = "依据错列 (basis holds another column's text)"
    category = "WEAK_BASIS"
    severity = Severity.medium
    flags = ("A 指标值确定依据 that names no source and instead holds an aim, a satisfaction "
             "phrase, or the row's own name, description or value.")
    why = ("The basis must say where the value comes from (计划 / 行业 / 历史 standard); text "
           "shifted from another column leaves the value without any.")
    fix = "Replace the text with the value's source (document, standard, data) and move the text to the column it belongs to."
    bad = Example("满意度指标 | 服务对象满意度指标 | 群众满意度 | 群众对人社部门服务满意度 | >=95% | "
                  "大部分群众对人社部门提供的服务满意", "004#1 row 7")
    good = Example("产出指标 | 时效指标 | 案件结案时间 | 结案时间小于60个工作日 | <60工作日 | "
                   "《劳动法》《劳动保障监察条例》", "000#4 row 3")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        basis = compact(indicator.basis)
        # a budget approval is a (weak) source, judged by VAL-11, not text from another column
        if not _free_text_basis(project) or len(basis) < 2 or _names_a_source(basis) or "预算" in basis:
            return None
        for cell in (indicator.name, indicator.description, indicator.value):
            if cell and fuzz.partial_ratio(basis, compact(cell)) >= self.param(context, "similarity") * 100:
                return f"指标值确定依据「{clip(indicator.basis)}」重复了本行其他单元的内容"
        if len(basis) >= self.param(context, "min_prose") or "满意" in basis:
            return f"指标值确定依据「{clip(indicator.basis)}」是目标或描述，不是依据来源"
        return None


RULES = (GenericBasis(), BasisFromAnotherColumn())
