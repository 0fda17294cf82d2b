"""COST_MISMATCH and BUDGET_INCONSISTENT: money in the table against the budget."""

from __future__ import annotations

from collections.abc import Iterator

from kpiscore import kinds, lexicon, money
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, Example, IndicatorRule, ProjectRule, clip
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
    title = "成本超预算 (amount above the budget)"
    category = "COST_MISMATCH"
    severity = Severity.high
    flags = ("An amount of money in an indicator above the project's 预算数 (or the total stated "
             "in 项目说明 when the table has none), beyond a 1% tolerance.")
    why = ("财预〔2015〕88号 (适当性): target and money must match; a cost cap above the "
           "appropriation cannot be a target of this budget.")
    fix = "Check the figure and its unit against 预算数; a cost cap cannot exceed the project's budget."
    bad = Example("(none in the seeds) 预算数 10.00 | 成本 | 总成本 | ≤12万元", "-")
    good = Example("产出指标 | 成本指标 | 社保卡制卡经费 | … | ≤10万元 | …", "000#5 row 4")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        amount, budget = _amount_wan(indicator), money.budget(project)
        if amount is None or not budget or _is_slip(amount, budget):
            return None
        if amount <= budget * (1 + self.param(context, "tolerance")):
            return None
        return f"指标值「{clip(indicator.value)}」超过项目预算{budget:g}万元"


class YuanWanSlip(IndicatorRule):
    code = "COST-08"
    title = "元 / 万元 错位 (amount off by 10⁴)"
    category = "COST_MISMATCH"
    severity = Severity.high
    flags = "An amount that equals the budget times or divided by 10,000: 元 written as 万元 or the reverse."
    why = "财预〔2015〕88号 (适当性); the table is stated in 万元, a unit slip changes the target 10,000-fold."
    fix = "Write the amount in the unit of the table (万元), or correct the unit."
    bad = Example("(none in the seeds) 预算数 2.40 | 成本 | 办公费 | ≤24000万元", "-")
    good = Example("产出指标 | 成本指标 | 社保卡制卡经费 | … | ≤10万元 | …", "000#5 row 4")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        amount, budget = _amount_wan(indicator), money.budget(project)
        if amount is None or not budget or not _is_slip(amount, budget):
            return None
        return f"指标值「{clip(indicator.value)}」与预算{budget:g}万元相差一万倍，疑为元与万元混用"


class UnitCostTimesQuantity(ProjectRule):
    code = "COST-04"
    title = "单价×数量与预算不符 (unit cost × quantity far from the budget)"
    category = "COST_MISMATCH"
    severity = Severity.medium
    flags = ("Unit costs (元/件, 元/人, or an amount 每人 / 每家 / 人均) times their matching 数量 "
             "rows (times 12 for monthly amounts) that add up to less than half or more than 1.5 "
             "times the budget.")
    why = ("财预〔2015〕88号 (相应匹配) and 财预〔2020〕10号 (绩效目标合理性): targets must correspond "
           "to the planned quantities and money.")
    fix = "Make unit cost × quantity agree with 预算数, or explain the difference in 绩效指标描述."
    bad = Example("(none in the seeds) 培训人数 ≥500人, 人均培训成本 ≤200元/人, 预算数 30万元", "-")
    good = Example(">200件 × <120元/件 = 2.4万元 = 预算数 2.40", "000#4")

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
    title = "资金构成不平 (预算数 ≠ 财政资金 + 其他资金)"
    category = "BUDGET_INCONSISTENT"
    severity = Severity.high
    flags = "预算数 differs from 财政资金 + 其他资金 (an empty 其他资金 is 0) by more than 0.01 万元."
    why = "Internal consistency of the 项目绩效目标表 header: the parts of the funding make up the total."
    fix = "Correct 预算数, 财政资金 or 其他资金 so that the parts add up to the total."
    bad = Example("(none in the seeds) 预算数 50.00 | 财政资金 40.00 | 其他资金 (blank)", "-")
    good = Example("预算数 14.30 | 财政资金 14.30 | 其他资金 (blank)", "001#1")

    def check(self, project: Project, context: Context) -> str | None:
        if project.budget_wan is None or project.fiscal_wan is None:
            return None
        parts = project.fiscal_wan + (project.other_wan or 0)
        if abs(parts - project.budget_wan) <= self.param(context, "tolerance"):
            return None
        return f"预算数{project.budget_wan:g}万元 ≠ 财政资金{project.fiscal_wan:g} + 其他资金{project.other_wan or 0:g}"


class SpendingPlan(ProjectRule):
    code = "COST-06"
    title = "支出计划不规范 (spending plan malformed)"
    category = "BUDGET_INCONSISTENT"
    severity = Severity.medium
    flags = ("A cumulative spending plan (3月底 / 6月底 / 10月底 / 12月底) that goes down, or does "
             "not reach 100% by 12月底 (a missing 12月底 counts).")
    why = ("中发〔2018〕34号 sets the 双监控 of targets and spending; the Hebei table labels the row "
           "累计进度 %, so it must be non-decreasing and end at 100.")
    fix = "Give the cumulative share spent by each date, never decreasing, reaching 100% by 12月底."
    bad = Example("3月底 30 | 6月底 50 | 10月底 20 | 12月底 (blank)", "001#23")
    good = Example("3月底 25 | 6月底 50 | 10月底 75 | 12月底 100", "001#1")

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
    title = "说明金额与预算不符 (amounts in the narrative contradict the budget)"
    category = "BUDGET_INCONSISTENT"
    severity = Severity.high
    flags = ("Amounts in 资金用途 or 项目说明 whose stated total (合计, 需经费, 项目资金 …) or sum is "
             "more than 5% off 预算数, or off by 10⁴ (a 元 / 万元 slip); and written sums "
             "(10458×10+72×15=…元) whose result is wrong.")
    why = ("财预〔2015〕88号 (适当性, 可行性): the costing behind the budget must support it; "
           "a narrative that contradicts 预算数 leaves the amount unjustified.")
    fix = "Correct the amounts (and their 元 / 万元 units) so the narrative adds up to 预算数."
    bad = Example("预算数 2.40 | 需办公费14000万元，差旅费10000元", "000#4")
    good = Example("预算数 4.00 | 需经费 40000 元，其中办公费 25000 元，邮寄费 5000 元，差旅费 10000 元", "000#6")

    def check(self, project: Project, context: Context) -> str | None:
        for text in (project.purpose, project.explanation):
            wrong = money.formula_errors(text)
            if wrong:
                return f"算式「{clip(wrong[0], 30)}」计算结果有误"
        if not project.budget_wan:
            return None
        relative = lexicon.table("money.toml")["relative"]
        for text in (project.purpose, project.explanation):
            total = money.stated_total(text)
            found = money.amounts(text)
            stated = total.wan if total else sum(amount.wan for amount in found)
            if not found or abs(stated / project.budget_wan - 1) <= relative:
                continue
            what = f"「{total.text}」" if total else "、".join(a.text for a in found[:3])
            return f"说明中的金额{clip(what, 30)}与预算数{project.budget_wan:g}万元不符"
        return None


RULES = (CostAboveBudget(), YuanWanSlip(), UnitCostTimesQuantity(), FundingSplit(), SpendingPlan(),
         NarrativeAmounts())
