"""What kind of thing an indicator is: its 一级 / 二级 kind, the class of its unit, the class
its name asks for, and its direction. Data in lexicons/kinds.toml."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from kpiscore import lexicon
from kpiscore.memo import nfkc, per_document
from kpiscore.templates import NOTE, fold

if TYPE_CHECKING:
    from kpiscore.model import Indicator

def _first_keyword(folded: str, table: dict[str, str]) -> str | None:
    return next((kind for keyword, kind in table.items() if keyword in folded), None)


def _folded(label: str) -> str:
    """A category label without its annotations: 产出指标(50分), 数量指标(必填硬性指标)."""
    return NOTE.sub("", fold(label))


@lru_cache(maxsize=4096)  # a small vocabulary of labels, bounded against a hostile corpus
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
    return level_kinds(indicator.level1, indicator.level2)[0]  # = Indicator.level1_kind


def level2_kind(indicator: Indicator) -> str | None:
    """数量 / 质量 / 时效 / 成本 / 经济效益 / 社会效益 / 生态效益 / 可持续影响 / 满意度."""
    return level_kinds(indicator.level1, indicator.level2)[1]  # = Indicator.level2_kind


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


_HINT = re.compile(r"[≥≤><=]*\s*[*＊]{2,}\S*$")


@per_document
def stated_unit_class(name: str) -> str | None:
    """The class of the unit a name states in parentheses, even inside a template hint:
    "(亩)" other, "(≥**%)" percent, "(≤**元/株)" unit_money."""
    from kpiscore.values import parse_value

    for inside in NOTE.findall(nfkc(name or "")):
        candidate = re.sub(r"[*＊]+", "1", inside.replace(" ", ""))
        unit = parse_value(candidate if re.search(r"\d", candidate) else f"1{candidate}").unit
        if unit:
            return unit_class(unit)
    return None


@cache
def _name_endings() -> tuple[tuple[str, str, str], ...]:
    """(ending as listed, ending folded, kind) of kinds.toml [name_endings], in listed order."""
    return tuple((ending, lexicon.normalize_label(ending), kind)
                 for kind, words in lexicon.table("kinds.toml")["name_endings"].items()
                 for ending in words)


@per_document
def name_class(name: str) -> str | None:
    """The value class a 三级 name asks for from its ending: 发放率 -> percent, 人数 -> count;
    a unit the name states in parentheses decides first (成活率(≥**%) -> percent)."""
    stated = stated_unit_class(name)
    if stated in ("percent", "count", "money", "time"):
        return stated
    folded = _HINT.sub("", NOTE.sub("", lexicon.normalize_label(name))).rstrip("%★*")
    endings = [(ending, kind) for ending, folded_ending, kind in _name_endings()
               if folded.endswith(folded_ending)]
    return max(endings, key=lambda pair: len(pair[0]))[1] if endings else None


_DATE_RANGE = re.compile(r"\d{4}\s*[年.]\s*\d{1,2}\s*月?\s*[-—~至到]+")


def measures(indicator: Indicator) -> list[str]:
    """What a row measures, one or several of: satisfaction, payment (fund flow), timeliness,
    compliance, money, time (a duration), deadline (a date), rate, count, effect. Words of the
    name (kinds.toml [measures]), the value's unit and the name's ending each add theirs."""
    patterns = lexicon.table("kinds.toml")["measures"]
    name = lexicon.normalize_label(indicator.name)
    value = lexicon.normalize_label(indicator.value)
    if lexicon.any_match(patterns["satisfaction"], name):
        return ["satisfaction"]  # a satisfaction rate is a satisfaction, whatever its unit
    found = [kind for kind in ("payment", "timeliness", "compliance")
             if lexicon.any_match(patterns[kind], name)]
    if "timeliness" in found and any(word in name for word in patterns["category_words"]):
        found.remove("timeliness")
    parsed = indicator.parsed
    if parsed.deadline or _DATE_RANGE.search(value):
        found.append("deadline")
    by_class = {"percent": "rate", "money": "money", "unit_money": "money", "time": "time", "count": "count"}
    for kind in (by_class.get(unit_class(parsed.unit) or ""), by_class.get(name_class(indicator.name) or "")):
        if kind and kind not in found:
            found.append(kind)
    if parsed.kind == "qualitative" and lexicon.any_match(patterns["effect"], value + name):
        found.append("effect")
    return found


def misplaced(indicator: Indicator) -> str | None:
    """The first measure of a row that its 二级 may not hold (kinds.toml [misplaced])."""
    allowed = lexicon.table("kinds.toml")["misplaced"].get(indicator.level2_kind or "", [])
    return next((kind for kind in measures(indicator) if kind in allowed), None)


def is_count_or_amount(indicator: Indicator) -> bool:
    """Whether a row counts things or sums money (人数, 数量, 发放额 …, or a 数量 row that is
    no rate), unless its name states the unit: 实施营造林总面积(亩)."""
    wanted = name_class(indicator.name)
    counted = wanted in ("count", "money") or (
        indicator.level2_kind == "数量" and wanted not in ("percent", "time"))
    return counted and stated_unit_class(indicator.name) is None


def polarity(indicator: Indicator) -> str | None:
    """"lower" when smaller values are better (成本, 时间, a rate of defects), "higher" when
    larger ones are (满意度, 覆盖率, a completion or a saving), None when the name does not
    say (counts are not judged)."""
    words = lexicon.table("kinds.toml")["polarity"]
    name = lexicon.normalize_label(indicator.name)
    if any(word in name for word in words["sustained"]):
        return "higher"  # 维持时效 ≥1年, 可持续性服务 ≥1年: a duration kept up
    if name_class(indicator.name) == "percent":
        defect = any(word in name for word in words["defects"])
        return "lower" if defect and not any(word in name for word in words["achieved"]) else "higher"
    if level2_kind(indicator) == "时效" and unit_class(indicator.parsed.unit) == "time":
        return "lower"  # a deadline or a duration: 7天内完成 | <7天
    found = [(name.rfind(word) + len(word), len(word), direction)
             for direction, listed in (("lower", words["lower"]), ("higher", words["higher"]),
                                       ("higher", words["achieved"]))
             for word in listed if word in name]
    if found:
        return max(found)[2]  # the word ending nearest the end of the name
    return lexicon.table("kinds.toml")["polarity_by_level2"].get(level2_kind(indicator) or "")
