"""VAGUE_VALUE, UNIT_MISMATCH and DIRECTION: what the parsed 指标值 says, or fails to say."""

from __future__ import annotations

import re

from kpiscore import kinds, lexicon
from kpiscore.findings import Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, Example, IndicatorRule, clip
from kpiscore.text import compact

_TIME_IN_TEXT = re.compile(r"\d+\s*(日|号)?前|\d+\s*个?工作日|\d+\s*天|月底|季度|年底|当月|次月|按月")


_LEADING_NUMBER = re.compile(r"^[≥≤<>=≈]*\d")


def _is_prose(words: str) -> bool:
    """Words after the number that are more than a stray character."""
    return len(compact(words)) >= 2


class QualitativeValue(IndicatorRule):
    code = "VAL-01"
    title = "未量化的定性值 (qualitative value with nothing to check)"
    category = "VAGUE_VALUE"
    severity = Severity.medium
    flags = ("A 指标值 with no number, date or graded tier that states a wish (及时, 保障, "
             "提高服务, 维持单位正常运转) rather than a condition that can be verified at year end "
             "(无重大安全事故 and 不存在挤占挪用现象 pass).")
    why = ("财预〔2011〕285号 and 财预〔2015〕88号 (细化量化) ask for values stated in numbers where "
           "possible, and qualitative values in graded tiers; 财预〔2020〕10号 (绩效指标明确性) "
           "asks for clear, measurable values.")
    fix = ("State a number with a unit (≥95%、≥300笔), a deadline (12月31日前), or a graded "
           "qualitative target (达成年度指标 / 部分达成 / 未达成).")
    bad = Example("产出指标 | 时效指标 | 资金发放及时性 | 反映资金发放是否及时 | 及时 | ", "001#17 row 3")
    good = Example("产出指标 | 时效指标 | 案件结案时间 | 结案时间小于60个工作日 | <60工作日 | "
                   "《劳动法》《劳动保障监察条例》", "000#4 row 3")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if indicator.parsed.kind != "qualitative":
            return None
        value = compact(indicator.value)
        if lexicon.any_match(lexicon.table("vague.toml")["checkable"], value):
            return None
        return f"指标值「{clip(indicator.value)}」无法在年底判断是否达成"


class NumberGluedToProse(IndicatorRule):
    code = "VAL-02"
    title = "数字后接描述 (a number glued to prose)"
    category = "VAGUE_VALUE"
    severity = Severity.high
    flags = ("A number followed by prose instead of a unit: `≥90 用于办公取暖正常运行工作开展的程度`, "
             "`≥90 信访群众满意度`. The number measures nothing that is defined, whatever the "
             "words after it name.")
    why = ("财预〔2020〕10号 (绩效指标明确性) wants clear, measurable values; the budget system "
           "stores operator, number and unit separately and requires a unit.")
    fix = "Replace the prose with a unit and a defined quantity (≥95%、≥3200平方米), and put the definition in 绩效指标描述."
    bad = Example("产出指标 | 数量指标 | 办公取暖费支付的比例 | 用于办公取暖正常运行工作开展的程度 | "
                  "≥90 用于办公取暖正常运行工作开展的程度 | 依据县财政预算批复", "001#1 row 1")
    good = Example("产出指标 | 数量指标 | 聘用人数 | 聘用人数 | 10人 | 实际数据", "002#1 row 1")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if parsed.number is None or parsed.unit or not _is_prose(parsed.text):
            return None
        if not _LEADING_NUMBER.match(compact(indicator.value)):
            return None
        return f"指标值「{clip(indicator.value, 30)}」是数字加描述，没有可考核的计量对象"


class NumberWithoutUnit(IndicatorRule):
    code = "VAL-03"
    title = "缺计量单位 (number without a unit)"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    flags = ("A count or an amount given as a bare number (`享受补贴人员数量 ≥90`, `开设课程数量 220`), "
             "so nobody knows what is counted. A rate, quality or effect row with a bare number is "
             "not flagged here (a number glued to prose there is VAGUE_VALUE), nor a name that "
             "states its unit (`实施营造林总面积(亩) 80000`).")
    why = ("The budget system's save check requires a 计量单位 for every quantitative value; "
           "the Hebei 2020 form has a 单位 column.")
    fix = "Add the unit the number counts: %、人、件、万元、个工作日…"
    bad = Example("产出指标 | 数量指标 | 享受社会保险补贴人员数量 | 享受社会保险补贴人员数量 | "
                  "≥90 享受社会保险补贴人员数量 | 县财政预算批复", "001#12 row 1")
    good = Example("满意度指标 | 服务对象满意度指标 | 群众满意度 | 群众对人社部门服务满意度 | >=95% | "
                   "大部分群众对人社部门提供的服务满意", "004#1 row 7")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if parsed.number is None or parsed.unit or parsed.deadline or not kinds.is_count_or_amount(indicator):
            return None
        return f"「{clip(indicator.name)}」是数量或金额，指标值「{clip(indicator.value)}」却缺少计量单位"


class UnitContradictsName(IndicatorRule):
    code = "VAL-04"
    title = "单位与指标不符 (unit contradicts the indicator)"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    flags = ("A unit of the wrong class for what the name measures: % for a count or an amount "
             "(…人数, …发放额), a count for a rate (…率, …比例).")
    why = ("财预〔2021〕101号 asks for explicit units; a value in the wrong unit cannot be compared "
           "with the actual result at year end.")
    fix = "Write the value in the unit the name asks for, or rename the indicator to what the value measures."
    bad = Example("产出指标 | 数量指标 | 上年创业担保贷款发放额 | 上年创业担保贷款发放额 | ≥15% | "
                  "历史平均数据", "001#7 row 1")
    good = Example("产出指标 | 质量指标 | 到位准确率 | 到位准确率：准确发放人数*100% | ≥95% | 合同约定",
                   "002#1 row 2")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        wanted = kinds.name_class(indicator.name)
        actual = kinds.unit_class(indicator.parsed.unit)
        if wanted is None or actual is None:
            return None
        clash = ((wanted in ("count", "money") and actual == "percent")
                 or (wanted == "percent" and actual in ("count", "money", "unit_money")))
        if not clash:
            return None
        return f"「{clip(indicator.name)}」的指标值单位是「{indicator.parsed.unit}」"


class PercentAbove100(IndicatorRule):
    code = "VAL-07"
    title = "百分比超过100 (percentage above 100)"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    flags = "A percentage target above 100, which no rate can reach."
    why = "Arithmetic: a share of a whole is at most 100%; such a target cannot be met or scored."
    fix = "Use =100% for a full rate, or state the quantity in its own unit (人、件、万元)."
    bad = Example("(none in the seeds) 产出 | 质量 | 委托业务报告合格率 | … | ≥120%", "-")
    good = Example("产出指标 | 质量指标 | 到位准确率 | 到位准确率：准确发放人数*100% | ≥95% | 合同约定",
                   "002#1 row 2")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        top = parsed.upper if parsed.upper is not None else parsed.number
        if kinds.unit_class(parsed.unit) != "percent" or top is None or top <= 100:
            return None
        return f"指标值「{clip(indicator.value)}」超过100%"


class TimelinessWithoutTime(IndicatorRule):
    code = "VAL-10"
    title = "时效值不是时间 (时效 value that is no time)"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    flags = ("A 时效 row whose value is neither a date, a deadline, a duration nor a rate "
             "(`及时`, `项目维持时效 ≥95%`), unless its name or description states the deadline it "
             "measures. A timeliness rate (`资金发放及时率 ≥95%`) is a proper 时效 target.")
    why = ("财预〔2015〕88号 / 财预〔2021〕101号 define 时效 as the timeliness of delivery; practice "
           "is a date (X月X日前) or a duration (≤N个工作日).")
    fix = "Give the deadline (12月31日前) or the duration (≤15个工作日), or define the deadline in 绩效指标描述."
    bad = Example("产出指标 | 时效指标 | 资金发放及时性 | 反映资金发放是否及时 | 及时 | ", "001#17 row 3")
    good = Example("产出指标 | 时效指标 | 案件结案时间 | 结案时间小于60个工作日 | <60工作日 | "
                   "《劳动法》《劳动保障监察条例》", "000#4 row 3")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if kinds.level2_kind(indicator) != "时效" or parsed.kind in ("empty", "placeholder"):
            return None
        if parsed.deadline or _TIME_IN_TEXT.search(indicator.name + indicator.description + parsed.text):
            return None
        if parsed.kind == "qualitative":
            return f"时效指标的指标值「{clip(indicator.value)}」不是日期、时限或及时率"
        # a number is judged by its unit: a % is right for a rate (财预〔2021〕101号 及时率), wrong
        # for a duration; a bare number or other units belong to VAL-02 / VAL-03 and TXT-05
        if kinds.unit_class(parsed.unit) == "percent" and kinds.name_class(indicator.name) != "percent":
            return f"「{clip(indicator.name)}」不是比率，时效指标值却是百分比「{clip(indicator.value)}」"
        return None


class CostWithoutMoney(IndicatorRule):
    code = "VAL-13"
    title = "成本值不是金额 (成本 value that is no money)"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    flags = "A 成本 row whose value is not an amount of money (元, 万元, 元/人 …)."
    why = ("财预〔2021〕101号 ties cost indicators to unit costs or cost caps in money; "
           "中发〔2018〕34号 requires cost in every target.")
    fix = "State the cost cap in money: ≤4.4万元, ≤120元/件."
    bad = Example("产出指标 | 成本指标 | 资金使用规范性 | 专项资金使用符合规定，合理高效 | 合理规范 | "
                  "《财务管理制度》《社会保险基金财务制度》", "004#1 row 1")
    good = Example("产出指标 | 成本指标 | 总成本 | 总成本：反映按项目发放资金情况 | ≤47.43万元 | 合同约定",
                   "002#1 row 4")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if kinds.level2_kind(indicator) != "成本" or parsed.kind in ("empty", "placeholder"):
            return None
        money = ("money", "unit_money")
        if kinds.unit_class(parsed.unit) in money:
            return None
        if kinds.stated_unit_class(indicator.name) in money and parsed.number is not None:
            return None  # the name states the money unit: 项目总投入(≥**万元) | 6070
        return f"成本指标的指标值「{clip(indicator.value)}」不是金额"


class WrongDirection(IndicatorRule):
    code = "VAL-06"
    title = "方向错误 (operator points the wrong way)"
    category = "DIRECTION"
    severity = Severity.medium
    flags = ("A lower-is-better indicator (成本, 时间, 代偿率, 投诉率) with ≥ or >, or a "
             "higher-is-better one (满意度, 覆盖率, 发放率) with ≤ or <.")
    why = ("The budget system scores 正向 and 反向 indicators differently: with the wrong "
           "operator, over-spending or delay scores as success.")
    fix = "Turn the operator round: ≤ for costs and durations, ≥ for rates, counts and satisfaction."
    bad = Example("产出指标 | 成本指标 | 见习岗补贴人均标准 | 见习岗补贴人均标准 | 不低于当地最低工资标准，2000 元 | "
                  "冀财社【205】号文件", "000#24 row 10")
    good = Example("产出指标 | 成本指标 | 总成本 | 总成本：反映按项目发放资金情况 | ≤47.43万元 | 合同约定",
                   "002#1 row 4")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if parsed.deadline or parsed.operator not in ("≥", ">", "≤", "<"):
            return None
        direction = kinds.polarity(indicator)
        wrong = {"lower": ("≥", ">"), "higher": ("≤", "<")}.get(direction or "", ())
        if parsed.operator not in wrong:
            return None
        better = "越低越好" if direction == "lower" else "越高越好"
        return f"「{clip(indicator.name)}」{better}，指标值却用「{parsed.operator}」"


RULES = (QualitativeValue(), NumberGluedToProse(), NumberWithoutUnit(), UnitContradictsName(),
         PercentAbove100(), TimelinessWithoutTime(), CostWithoutMoney(), WrongDirection())
