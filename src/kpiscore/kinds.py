"""What kind of thing an indicator is: its 一级 / 二级 kind, the class of its unit, the class
its name asks for, and its direction. Data in lexicons/kinds.toml."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

from kpiscore import lexicon

if TYPE_CHECKING:
    from kpiscore.model import Indicator

# Annotations printed inside a category label: 产出指标(50分), 数量指标(必填硬性指标).
_ANNOTATION = re.compile(r"[(（][^)）]*[)）]")


def _first_keyword(folded: str, table: dict[str, str]) -> str | None:
    return next((kind for keyword, kind in table.items() if keyword in folded), None)


def _folded(label: str) -> str:
    from kpiscore.templates import fold

    return _ANNOTATION.sub("", fold(label))


@cache
def level_kinds(level1: str, level2: str) -> tuple[str | None, str | None]:
    """The 一级 and 二级 kinds of printed category labels, however annotated, numbered or
    named: (产出 / 效益 / 满意度 / 成本, 数量 / 质量 / 时效 / 成本 / 经济效益 / 社会效益 /
    生态效益 / 可持续影响 / 满意度), None where the label names no kind."""
    table = lexicon.table("kinds.toml")
    first_text, second_text = _folded(level1), _folded(level2)
    second = _first_keyword(second_text, table["level2"])
    if any(group in first_text for group in table["level1_groups"]):
        # 实施效果指标 > 产出指标 / 效益指标 / 满意度指标: the 一级 kind is printed one level down
        if second_text in table["level1_printed_as_level2"]:
            return _first_keyword(second_text, table["level1"]), None
        return ("满意度", second) if second == "满意度" else (None, second)
    return _first_keyword(first_text, table["level1"]), second


def level1_kind(indicator: Indicator) -> str | None:
    """产出 / 效益 / 满意度 / 成本 (效果 and 项目效益 count as 效益, 项目完成 as 产出)."""
    return indicator.level1_kind


def level2_kind(indicator: Indicator) -> str | None:
    """数量 / 质量 / 时效 / 成本 / 经济效益 / 社会效益 / 生态效益 / 可持续影响 / 满意度."""
    return indicator.level2_kind


def belongs(level1: str | None, level2: str | None) -> bool:
    """Whether a 二级 kind may sit under a 一级 kind (unknown kinds are not judged)."""
    children = lexicon.table("kinds.toml")["children"]
    return level1 is None or level2 is None or level2 in children.get(level1, [level2])


@cache
def _unit_classes() -> dict[str, str]:
    return {unit: name for name, units in lexicon.table("kinds.toml")["units"].items()
            for unit in units}


def unit_class(unit: str | None) -> str | None:
    """percent / money / unit_money / time / count / other; None without a unit. A "per"
    unit of money (元/株, 万/月) is a unit cost; 万 alone is 万元 (250万)."""
    if unit is None:
        return None
    if unit in _unit_classes():
        return _unit_classes()[unit]
    base = unit.split("/", 1)[0]
    if "/" in unit:
        return "unit_money" if _unit_classes().get(base) == "money" or base == "万" else "other"
    return "money" if unit == "万" else "other"


# A parenthesised part of a name: a unit it states (受益人数(人), 成活率(≥**%)) or a note.
_PARENTHESES = re.compile(r"[(（]([^)）]*)[)）]")
_HINT = re.compile(r"[≥≤><=]*\s*[*＊]{2,}\S*$")


def stated_unit_class(name: str) -> str | None:
    """The class of the unit a name states in parentheses, even inside a template hint:
    "(亩)" other, "(≥**%)" percent, "(≤**元/株)" unit_money."""
    from kpiscore.values import parse_value

    for inside in _PARENTHESES.findall(unicodedata.normalize("NFKC", name or "")):
        candidate = re.sub(r"[*＊]+", "1", inside.replace(" ", ""))
        unit = parse_value(candidate if re.search(r"\d", candidate) else f"1{candidate}").unit
        if unit:
            return unit_class(unit)
    return None


def name_class(name: str) -> str | None:
    """The value class a 三级 name asks for from its ending: 发放率 -> percent, 人数 -> count;
    a unit the name states in parentheses decides first (成活率(≥**%) -> percent)."""
    stated = stated_unit_class(name)
    if stated in ("percent", "count", "money", "time"):
        return stated
    folded = _HINT.sub("", _PARENTHESES.sub("", lexicon.normalize_label(name))).rstrip("%★*")
    endings = [(ending, kind) for kind, words in lexicon.table("kinds.toml")["name_endings"].items()
               for ending in words if folded.endswith(lexicon.normalize_label(ending))]
    return max(endings, key=lambda pair: len(pair[0]))[1] if endings else None


def is_count_or_amount(indicator: Indicator) -> bool:
    """Whether a row counts things or sums money (人数, 数量, 发放额 …, or a 数量 row that is
    no rate), unless its name states the unit: 实施营造林总面积(亩)."""
    wanted = name_class(indicator.name)
    counted = wanted in ("count", "money") or (
        indicator.level2_kind == "数量" and wanted not in ("percent", "time"))
    return counted and stated_unit_class(indicator.name) is None


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
