"""COST_MISMATCH and BUDGET_INCONSISTENT: money in the table against the budget."""

from __future__ import annotations

from collections.abc import Iterator

from kpiscore import kinds, lexicon, money
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, IndicatorRule, ProjectRule, Verdict, clip
from kpiscore.text import compact

def _own_spending(indicator: Indicator) -> bool:
    """Whether the row's money is what the project spends, not loans it guarantees, funds it
    leverages or incomes of the people it serves (money.toml `not_spending`)."""
    text = compact(indicator.name + indicator.description + indicator.value)
    return not any(word in text for word in lexicon.table("money.toml")["not_spending"])


def _amount_wan(indicator: Indicator) -> float | None:
    """A total amount of money in the value, in 万元 (None for per-unit costs like 元/人)."""
    parsed = indicator.parsed
    if parsed.number is None or parsed.unit not in money.TO_WAN or not _own_spending(indicator):
        return None
    if money.is_per_unit(compact(indicator.name + parsed.text + indicator.value)):
        return None
    return parsed.number * money.TO_WAN[parsed.unit]


def _is_slip(first: float, second: float) -> bool:
    tolerance = lexicon.table("money.toml")["slip"]
    return any(abs(first * factor / second - 1) <= tolerance for factor in (1e4, 1e-4))


class CostAboveBudget(IndicatorRule):
    code = "COST-03"
    category = "COST_MISMATCH"
    severity = Severity.high
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        amount, budget = _amount_wan(indicator), money.budget(project)
        if amount is None or not budget or _is_slip(amount, budget):
            return None
        if amount <= budget * (1 + self.param(context, "tolerance")):
            return None
        return f"指标值「{clip(indicator.value)}」超过项目预算{budget:g}万元"


class YuanWanSlip(IndicatorRule):
    code = "COST-08"
    category = "COST_MISMATCH"
    severity = Severity.high
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        amount, budget = _amount_wan(indicator), money.budget(project)
        if amount is None or not budget or not _is_slip(amount, budget):
            return None
        return f"指标值「{clip(indicator.value)}」与预算{budget:g}万元相差一万倍，疑为元与万元混用"


class UnitCostTimesQuantity(ProjectRule):
    code = "COST-04"
    category = "COST_MISMATCH"
    severity = Severity.medium
    field = "value"

    def findings(self, context: Context) -> Iterator[Finding]:
        low, high = self.param(context, "ratio")
        for project in context.projects():
            budget = money.budget(project)
            products = {row: product for row, indicator in enumerate(project.indicators, start=1)
                        if (product := _product(indicator, project)) is not None}
            total = sum(products.values())
            if not budget or not products or low <= total / budget <= high:
                continue
            for row in products:
                value = project.indicators[row - 1].value
                yield self.finding(f"单位成本「{clip(value)}」×数量，合计约{total:.4g}万元，"
                                   f"与预算{budget:g}万元不符", project, row)


def _per(indicator: Indicator) -> tuple[str, str] | None:
    """(money unit, counted unit) of a unit cost: 元/件, or 万元 with 每人 / 每家 / 人均."""
    unit = indicator.parsed.unit or ""
    if "/" in unit:
        money_unit, per = unit.split("/", 1)
        return money_unit, per
    if unit not in money.TO_WAN:
        return None
    text = compact(indicator.name + indicator.value)
    per_words = lexicon.table("rules.toml")["COST-04"]["per_words"]
    return next(((unit, counted) for word, counted in per_words.items() if word in text), None)


def _product(indicator: Indicator, project: Project) -> float | None:
    """unit cost × the 数量 row counted in the same unit (the one whose name shares most
    characters with the cost row), in 万元."""
    per = _per(indicator)
    if indicator.parsed.number is None or per is None or not _own_spending(indicator):
        return None
    money_unit, counted = per
    quantities = [other for other in project.indicators
                  if kinds.level2_kind(other) == "数量" and other.parsed.number
                  and (other.parsed.unit or "").startswith(counted)]
    if not quantities:
        return None
    best = max(quantities, key=lambda other: len(set(other.name) & set(indicator.name)))
    periods = lexicon.table("rules.toml")["COST-04"]["periods"]
    text = compact(indicator.name + indicator.value)
    times = next((count for word, count in periods.items() if word in text), 1)
    return indicator.parsed.number * best.parsed.number * times * money.TO_WAN.get(money_unit, 1e-4)


class FundingSplit(ProjectRule):
    code = "COST-05"
    category = "BUDGET_INCONSISTENT"
    severity = Severity.high
    field = "budget_wan"

    def check(self, project: Project, context: Context) -> str | None:
        if project.budget_wan is None or project.fiscal_wan is None:
            return None
        parts = project.fiscal_wan + (project.other_wan or 0)
        if abs(parts - project.budget_wan) <= self.param(context, "tolerance"):
            return None
        return f"预算数{project.budget_wan:g}万元 ≠ 财政资金{project.fiscal_wan:g} + 其他资金{project.other_wan or 0:g}"


class SpendingPlan(ProjectRule):
    code = "COST-06"
    category = "BUDGET_INCONSISTENT"
    severity = Severity.medium
    field = "spending_plan"

    def check(self, project: Project, context: Context) -> str | None:
        plan = {month: share for month, share in project.spending_plan.items() if share is not None}
        if not plan:
            return None
        shares = list(plan.values())
        if any(later < earlier for earlier, later in zip(shares, shares[1:])):
            return f"支出计划{_show(plan)}不是累计递增"
        if abs(shares[-1] - 100) > 0.01 or "12月底" not in plan:
            return f"支出计划{_show(plan)}到12月底未达到100%"
        return None


def _show(plan: dict[str, float]) -> str:
    return "（" + "，".join(f"{month}{share:g}%" for month, share in plan.items()) + "）"


class NarrativeAmounts(ProjectRule):
    code = "COST-07"
    category = "BUDGET_INCONSISTENT"
    severity = Severity.high
    field = "budget_wan"

    def check(self, project: Project, context: Context) -> Verdict | None:
        # 项目说明 is no line of the report's header: its amounts sit on 预算数 (Rule.field)
        narratives = ((project.purpose, "purpose"), (project.explanation, self.field))
        for text, field in narratives:
            wrong = money.formula_errors(text)
            if wrong:
                return Verdict(f"算式「{clip(wrong[0], 30)}」计算结果有误", field)
        if not project.budget_wan:
            return None
        relative = lexicon.table("money.toml")["relative"]
        for text, field in narratives:
            total = money.stated_total(text)
            found = money.amounts(text)
            stated = total.wan if total else sum(amount.wan for amount in found)
            if not found or abs(stated / project.budget_wan - 1) <= relative:
                continue
            what = f"「{clip(total.text, 28)}」" if total else clip("、".join(a.text for a in found[:3]), 30)
            return Verdict(f"说明中的金额{what}与预算数{project.budget_wan:g}万元不符", field)
        return None


RULES = (CostAboveBudget(), YuanWanSlip(), UnitCostTimesQuantity(), FundingSplit(), SpendingPlan(),
         NarrativeAmounts())
