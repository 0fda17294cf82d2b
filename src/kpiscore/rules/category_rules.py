"""MISCATEGORIZED: rows filed under a 二级 / 一级 they do not belong to."""

from __future__ import annotations

from kpiscore import kinds, lexicon
from kpiscore.findings import Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, Example, IndicatorRule, clip
from kpiscore.text import compact, per_document

_MEASURE_NAMES = {"rate": "比率", "money": "金额", "time": "时间", "count": "人数或件数",
                  "timeliness": "及时性", "compliance": "合规要求", "satisfaction": "满意度",
                  "payment": "资金拨付或发放", "effect": "效果", "deadline": "日期或期限"}


@per_document
def _matches(name: str, section: str) -> bool:
    return lexicon.any_match(lexicon.table("categories_misplaced.toml")[section], compact(name))


class ValueClassContradictsLevel2(IndicatorRule):
    code = "TXT-05"
    title = "类别错位 (the measure does not fit its 二级)"
    category = "MISCATEGORIZED"
    severity = Severity.medium
    flags = ("A row whose measure — count, rate, money, time, satisfaction, effect, payment, "
             "timeliness, compliance (kpiscore.kinds.measures) — is one its 二级 may not hold, by "
             "one table covering every 二级 (kinds.toml [misplaced]): a rate or money under 数量, "
             "timeliness under 质量 or 可持续影响, a rate or an effect under 成本, a payment under "
             "效益, anything but satisfaction under 满意度, satisfaction anywhere else.")
    why = ("The 二级 definitions of 财预〔2015〕88号 / 财预〔2021〕101号: 数量 counts outputs, 质量 "
           "states standards, 时效 deadlines, 成本 money, 效益 the effects, 满意度 satisfaction.")
    fix = "Move the row to the 二级 its value measures (a rate to 质量, money to 成本), or restate it as that 二级 asks."
    bad = Example("产出指标 | 数量指标 | 上年创业担保贷款发放额 | 上年创业担保贷款发放额 | ≥15% | 历史平均数据",
                  "001#7 row 1")
    good = Example("产出指标 | 数量指标 | 聘用人数 | 聘用人数 | 10人 | 实际数据", "002#1 row 1")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        found = kinds.misplaced(indicator)
        if found is None:
            return None
        return f"{indicator.level2}下的「{clip(indicator.name)}」衡量的是{_MEASURE_NAMES[found]}"


class ProcessAsResult(IndicatorRule):
    code = "TXT-06"
    title = "以投入或过程代替效益 (fund flow used as a benefit)"
    category = "MISCATEGORIZED"
    severity = Severity.medium
    flags = ("Fund-flow or process measures (资金到位率, 拨付率, 支付比例, 预算执行率, 资金合规使用) "
             "under 效益, in the name or the description, and 效益 rows whose value only states a "
             "payment (对符合条件的人员给予补贴, 及时支付医保待遇).")
    why = ("Input quantities are not performance results; 财预〔2020〕10号 scores 预算执行率 on its "
           "own, so it must not stand in for a benefit.")
    fix = "Move fund-flow measures out of 效益 and state the effect the spending has on its beneficiaries."
    bad = Example("(000#24 row 7 moved under 效益) 效益指标 | 社会效益指标 | 资金在规定时间内支付率 | "
                  "资金在规定时间内支付率 | ≥98% | 冀财社【205】号文件", "-")
    good = Example("效益指标 | 经济效益指标 | 担保代偿率 | 担保代偿率 | ≤10% | 上年行业平均水平", "001#7 row 4")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if kinds.level1_kind(indicator) != "效益":
            return None
        if _matches(indicator.name, "process") or _matches(indicator.description, "process"):
            return f"「{clip(indicator.name)}」是资金或过程指标，放在了{indicator.level2}"
        if indicator.parsed.kind == "qualitative" and _matches(indicator.value, "payment"):
            return f"「{clip(indicator.name)}」的指标值「{clip(indicator.value)}」只是支付资金，放在了{indicator.level2}"
        return None


class OutputAsBenefit(IndicatorRule):
    code = "TXT-07"
    title = "效益写成产出 (output or satisfaction used as a benefit)"
    category = "MISCATEGORIZED"
    severity = Severity.medium
    flags = ("Delivery measures (发放率, 到位情况, 完成率), counts of outputs (发放笔数 ≥300笔, "
             "受益人数) or satisfaction under 效益.")
    why = ("财预〔2015〕88号 / 财预〔2021〕101号 define 效益 as the effect the outputs bring about; "
           "reviewers list 满意度代替效益 and 产出与效益混淆 as common defects.")
    fix = "Put delivery rates under 产出 and satisfaction under 满意度; state the effect under 效益."
    bad = Example("效益指标 | 社会效益指标 | 创业担保贷款发放笔数 | 创业担保贷款发放笔数 | ≥300笔 | 历史平均数据",
                  "001#7 row 5")
    good = Example("效益指标 | 经济效益指标 | 担保代偿率 | 担保代偿率 | ≤10% | 上年行业平均水平", "001#7 row 4")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if kinds.level1_kind(indicator) != "效益" or kinds.level2_kind(indicator) == "满意度" \
                or _matches(indicator.name, "process"):
            return None  # a satisfaction 二级 under 效益 is the 2015 template's place for it
        counted = "count" in (kinds.name_class(indicator.name), kinds.unit_class(indicator.parsed.unit)) \
            and not _matches(indicator.name, "benefit_counts")
        if not (_matches(indicator.name, "delivery") or "满意" in indicator.name or counted):
            return None
        return f"「{clip(indicator.name)}」衡量的是产出或满意度，放在了{indicator.level2}"


class Level2OutsideLevel1(IndicatorRule):
    code = "CMP-03"
    title = "层级标签非法 (二级 under the wrong 一级)"
    category = "MISCATEGORIZED"
    severity = Severity.low
    flags = "A 二级 label that does not belong to its 一级 (满意度 | 社会效益指标, 产出 | 可持续影响指标)."
    why = "The indicator tree of 财预〔2015〕88号 / 财预〔2021〕101号 fixes which 二级 sit under each 一级."
    fix = "Correct the 一级 or 二级 label so the row sits in the standard tree."
    bad = Example("(none in the seeds) 满意度指标 | 社会效益指标 | …", "-")
    good = Example("效益指标 | 可持续影响指标 | …", "002#1 row 7")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if kinds.belongs(kinds.level1_kind(indicator), kinds.level2_kind(indicator)):
            return None
        return f"二级指标「{indicator.level2}」不属于一级指标「{indicator.level1}」"


RULES = (ValueClassContradictsLevel2(), ProcessAsResult(), OutputAsBenefit(), Level2OutsideLevel1())
