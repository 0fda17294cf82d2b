"""MISCATEGORIZED: rows filed under a 二级 / 一级 they do not belong to."""

from __future__ import annotations

from kpiscore import kinds, lexicon
from kpiscore.findings import Severity
from kpiscore.memo import per_document
from kpiscore.model import Indicator, Project
from kpiscore.rules.base import Context, IndicatorRule, clip
from kpiscore.text import compact

_MEASURE_NAMES = {"rate": "比率", "money": "金额", "time": "时间", "count": "人数或件数",
                  "timeliness": "及时性", "compliance": "合规要求", "satisfaction": "满意度",
                  "payment": "资金拨付或发放", "effect": "效果", "deadline": "日期或期限"}


@per_document
def _matches(name: str, section: str) -> bool:
    return lexicon.any_match(lexicon.table("categories_misplaced.toml")[section], compact(name))


class ValueClassContradictsLevel2(IndicatorRule):
    code = "TXT-05"
    category = "MISCATEGORIZED"
    severity = Severity.medium
    field = "level2"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        found = kinds.misplaced(indicator)
        if found is None:
            return None
        return f"{indicator.level2}下的「{clip(indicator.name)}」衡量的是{_MEASURE_NAMES[found]}"


class ProcessAsResult(IndicatorRule):
    code = "TXT-06"
    category = "MISCATEGORIZED"
    severity = Severity.medium
    field = "level2"

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
    category = "MISCATEGORIZED"
    severity = Severity.medium
    field = "level2"

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
    category = "MISCATEGORIZED"
    severity = Severity.low
    field = "level2"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if kinds.belongs(kinds.level1_kind(indicator), kinds.level2_kind(indicator)):
            return None
        return f"二级指标「{indicator.level2}」不属于一级指标「{indicator.level1}」"


RULES = (ValueClassContradictsLevel2(), ProcessAsResult(), OutputAsBenefit(), Level2OutsideLevel1())
