"""VAGUE_VALUE, UNIT_MISMATCH and DIRECTION: what the parsed 指标值 says, or fails to say."""

from __future__ import annotations

import re

from kpiscore import kinds, lexicon
from kpiscore.findings import Severity
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, IndicatorRule, clip
from kpiscore.text import compact

_TIME_IN_TEXT = re.compile(r"\d+\s*(日|号)?前|\d+\s*个?工作日|\d+\s*天|月底|季度|年底|当月|次月|按月")


_LEADING_NUMBER = re.compile(r"^[≥≤<>=≈]*\d")


def _is_prose(words: str) -> bool:
    """Words after the number that are more than a stray character."""
    return len(compact(words)) >= 2


class QualitativeValue(IndicatorRule):
    code = "VAL-01"
    category = "VAGUE_VALUE"
    severity = Severity.medium
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if indicator.parsed.kind != "qualitative":
            return None
        value = compact(indicator.value)
        if lexicon.any_match(lexicon.table("vague.toml")["checkable"], value):
            return None
        return f"指标值「{clip(indicator.value)}」无法在年底判断是否达成"


class NumberGluedToProse(IndicatorRule):
    code = "VAL-02"
    category = "VAGUE_VALUE"
    severity = Severity.high
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if parsed.number is None or parsed.unit or not _is_prose(parsed.text):
            return None
        if not _LEADING_NUMBER.match(compact(indicator.value)):
            return None
        return f"指标值「{clip(indicator.value, 30)}」是数字加描述，没有可考核的计量对象"


class NumberWithoutUnit(IndicatorRule):
    code = "VAL-03"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        if parsed.number is None or parsed.unit or parsed.deadline or not kinds.is_count_or_amount(indicator):
            return None
        return f"「{clip(indicator.name)}」是数量或金额，指标值「{clip(indicator.value)}」却缺少计量单位"


class UnitContradictsName(IndicatorRule):
    code = "VAL-04"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    field = "value"

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
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        parsed = indicator.parsed
        top = parsed.upper if parsed.upper is not None else parsed.number
        if kinds.unit_class(parsed.unit) != "percent" or top is None or top <= 100:
            return None
        return f"指标值「{clip(indicator.value)}」超过100%"


class TimelinessWithoutTime(IndicatorRule):
    code = "VAL-10"
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    field = "value"

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
    category = "UNIT_MISMATCH"
    severity = Severity.medium
    field = "value"

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
    category = "DIRECTION"
    severity = Severity.medium
    field = "value"

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
