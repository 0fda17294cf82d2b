"""What kind of thing an indicator is: its 一级 / 二级 kind, the class of its unit, the class
its name asks for, and its direction. Data in lexicons/kinds.toml."""

from __future__ import annotations

from functools import cache

from kpiscore import lexicon
from kpiscore.model import Indicator


def _first_keyword(text: str, table: dict[str, str]) -> str | None:
    folded = lexicon.normalize_label(text)
    return next((kind for keyword, kind in table.items() if keyword in folded), None)


def level1_kind(indicator: Indicator) -> str | None:
    """产出 / 效益 / 满意度 / 成本 (效果 counts as 效益)."""
    return _first_keyword(indicator.level1, lexicon.table("kinds.toml")["level1"])


def level2_kind(indicator: Indicator) -> str | None:
    """数量 / 质量 / 时效 / 成本 / 经济效益 / 社会效益 / 生态效益 / 可持续影响 / 满意度."""
    return _first_keyword(indicator.level2, lexicon.table("kinds.toml")["level2"])


def belongs(level1: str | None, level2: str | None) -> bool:
    """Whether a 二级 kind may sit under a 一级 kind (unknown kinds are not judged)."""
    children = lexicon.table("kinds.toml")["children"]
    return level1 is None or level2 is None or level2 in children.get(level1, [level2])


@cache
def _unit_classes() -> dict[str, str]:
    return {unit: name for name, units in lexicon.table("kinds.toml")["units"].items()
            for unit in units}


def unit_class(unit: str | None) -> str | None:
    """percent / money / unit_money / time / count / other; None without a unit."""
    return None if unit is None else _unit_classes().get(unit, "other")


def name_class(name: str) -> str | None:
    """The value class a 三级 name asks for from its ending: 发放率 -> percent, 人数 -> count."""
    folded = lexicon.normalize_label(name)
    endings = [(ending, kind) for kind, words in lexicon.table("kinds.toml")["name_endings"].items()
               for ending in words if folded.endswith(lexicon.normalize_label(ending))]
    return max(endings, key=lambda pair: len(pair[0]))[1] if endings else None


def polarity(indicator: Indicator) -> str | None:
    """"lower" when smaller values are better (成本, 时间, 代偿率), "higher" when larger ones
    are (满意度, 覆盖率, counts), None when the name does not say."""
    words = lexicon.table("kinds.toml")["polarity"]
    name = lexicon.normalize_label(indicator.name)
    if any(word in name for word in words["lower_rates"]):
        return "lower"
    if name_class(indicator.name) == "percent":  # 规定时间内支付率: a rate, not a time
        return "higher"
    for direction in ("lower", "higher"):
        if any(word in name for word in words[direction]):
            return direction
    return lexicon.table("kinds.toml")["polarity_by_level2"].get(level2_kind(indicator) or "")
