"""Split a 指标值 into operator, number, unit and kind (quantitative, tier, qualitative,
placeholder, empty), the way the budget system stores it."""

from __future__ import annotations

import re
from functools import cache

from kpiscore import lexicon
from kpiscore.memo import nfkc, per_document
from kpiscore.model import ParsedValue

# A number, or a fraction "2/3" (a following unit like 元/人 starts with no digit).
_NUMBER = re.compile(r"(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)(?:/(?P<denominator>\d+(?:\.\d+)?))?")
_MULTIPLIER = {"万": 1e4, "亿": 1e8}
_WHITESPACE = re.compile(r"\s+")
_TIER_SEPARATOR = re.compile(r"[/、，,；;]")
# A run of Chinese numerals longer than this is no quantity (and past 4,300 digits int()
# refuses it): it is left as written.
_LONGEST_NUMERAL = 24


@cache
def _leading_units() -> re.Pattern[str]:
    return _leading(lexicon.longest_first(lexicon.words("units.txt")))


@cache
def _placeholders() -> frozenset[str]:
    return frozenset(entry.casefold() for entry in lexicon.words("placeholders.txt"))


def _leading(words: tuple[str, ...]) -> re.Pattern[str]:
    """The first of `words` (in their order) that a text starts with, in one match: an
    alternation tries its branches in order."""
    return re.compile("|".join(map(re.escape, words)) or r"(?!)")


def _leading_unit(text: str) -> str | None:
    """The longest listed unit a text starts with."""
    found = _leading_units().match(text)
    return found[0] if found else None


@lexicon.per_entry
def _leading_of(candidates: dict[str, str]) -> re.Pattern[str]:
    return _leading(lexicon.longest_first(candidates))


def _longest_prefix(text: str, candidates: dict[str, str]) -> tuple[str, str] | None:
    found = _leading_of(candidates).match(text)
    return (found[0], candidates[found[0]]) if found else None


@cache
def _numerals() -> tuple[dict[str, int], dict[str, int], re.Pattern[str]]:
    table = lexicon.table("numerals.toml")
    digits, multipliers = table["digits"], table["multipliers"]
    run = "[" + "".join(digits) + "".join(multipliers) + "]+"
    return digits, multipliers, re.compile(run)


def _chinese_int(run: str) -> int:
    """"十二" -> 12, "三十一" -> 31, "一百二十" -> 120, "二〇二四" -> 2024."""
    digits, multipliers, _ = _numerals()
    if not any(char in multipliers for char in run):
        return int("".join(str(digits[char]) for char in run))
    total, current = 0, 0
    for char in run:
        if char in digits:
            current = digits[char]
        else:
            total += (current or 1) * multipliers[char]
            current = 0
    return total + current


def _digitise(compact: str) -> str:
    """Write Chinese numerals as digits where they are a quantity: a fraction "三分之二"
    anywhere, and a leading numeral run before a unit, %, 月, 日 or 年 ("十二月三十一日前")."""
    _, _, run = _numerals()
    if "分之" in compact:
        compact = re.sub(f"({run.pattern})分之({run.pattern})",
                         lambda m: m[0] if len(m[0]) > _LONGEST_NUMERAL else
                         f"{_chinese_int(m[2])}/{_chinese_int(m[1])}", compact)
    position = 0
    while match := run.match(compact, position):
        after = compact[match.end():]
        if len(match[0]) > _LONGEST_NUMERAL:
            break
        if not (after[:1] in "%月日号年" or _leading_unit(after)):
            break
        digits = str(_chinese_int(match[0]))
        compact = compact[:match.start()] + digits + after
        position = match.start() + len(digits) + 1  # "十二月三十一日": go on after 月
    return compact


@cache
def _tiers() -> frozenset[str]:
    return frozenset(lexicon.words("tiers.txt"))


def _is_tier(compact: str) -> bool:
    parts = [part for part in _TIER_SEPARATOR.split(compact) if part]
    return bool(parts) and all(part in _tiers() for part in parts)


def _is_placeholder(compact: str) -> bool:
    return compact.casefold() in _placeholders() or re.fullmatch(r"[xX*＊]+", compact) is not None


def _deadline(compact: str) -> ParsedValue | None:
    match = lexicon.pattern("operators.toml", "deadline", "pattern").match(compact)
    if not match or not (match["month"] or match["every"]):
        return None
    month = int(match["month"]) if match["month"] else None
    day = match["day"] and int(match["day"])
    if month is not None and not 1 <= month <= 12 or day and not 1 <= day <= 31:
        return None
    date = f"monthly-{day:02d}" if match["every"] and day else None
    if month is not None:
        date = f"{month:02d}-{day:02d}" if day else f"{month:02d}-end"
        if match["year"]:
            date = f"{match['year']}-{date}"
    return ParsedValue(operator="≤", kind="quantitative", deadline=date,
                       text=compact[match.end():])


# A unit no list holds: a measure word (1种, 17600株), a Latin unit (80M, 5km), 万 alone
# (250万, money in a budget), and "per" units (≤28.40/株, ≤620万/月, 1次/月).
_MEASURE_WORD = re.compile(r"^(?:[\u4e00-\u9fff](?=$|/)|[A-Za-z]{1,3}[23]?(?![A-Za-z]))")
_PER = re.compile(r"^/(?:[\u4e00-\u9fff]{1,2}|[A-Za-z]{1,3})")


def _compound_unit(after: str, unit: str | None) -> str | None:
    """The unit printed after the number: a listed one, else a measure word, then any "/X"."""
    if unit is None:
        found = _MEASURE_WORD.match(after)
        unit = found[0] if found else None
    per = _PER.match(after[len(unit or ""):])
    return (unit or "") + per[0] if per else unit


def is_operator(cell: str | None) -> bool:
    """Whether a cell holds only a comparison (≥, >=, 大于等于, 不低于 …): a 符号 / 指标方向 cell."""
    compact = re.sub(r"\s+", "", nfkc(cell or ""))
    operators = lexicon.table("operators.toml")
    return bool(compact) and (compact in operators["symbols"] or compact in operators["prefix_words"])


@per_document  # "≥95%", "100%", "12月31日前" recur on most tables of a document
def parse_value(value: str) -> ParsedValue:
    """Parse a printed value: "≥95%", "≤4.4 万元", "12月31日前完成", "涉密", "及时保障"."""
    compact = _squeezed(value)
    if not compact:
        return ParsedValue(kind="empty")
    if _is_placeholder(compact):
        return ParsedValue(kind="placeholder", text=compact)
    if _is_tier(compact):
        return ParsedValue(kind="tier", text=compact)
    compact = _digitise(compact)
    deadline = _deadline(compact)
    if deadline:
        return deadline

    operators = lexicon.table("operators.toml")
    operator = None
    rest = compact
    for table in ("symbols", "prefix_words"):
        found = _longest_prefix(rest, operators[table])
        if found:
            operator, rest = found[1], rest[len(found[0]):]
            break
    rest = _digitise(rest)

    value_range = lexicon.pattern("operators.toml", "range", "pattern").match(rest)
    if value_range:
        after = rest[value_range.end():]
        unit = _leading_unit(after)
        if unit:
            after = after[len(unit):]
        return ParsedValue(operator="range", number=float(value_range["low"]),
                           upper=float(value_range["high"]), kind="quantitative",
                           unit=unit or value_range["low_unit"] or None, text=after)

    number_match = _NUMBER.search(rest)
    if not number_match:
        return ParsedValue(operator=operator, kind="qualitative", text=rest)

    leading = rest[: number_match.start()]
    # "最高不超每人30万元": more operator words may stand between qualifiers
    for word in lexicon.longest_first(operators["prefix_words"]) if leading else ():
        if word in leading:
            operator = operator or operators["prefix_words"][word]
            leading = leading.replace(word, "")
    number = float(number_match["number"].replace(",", ""))
    if number_match["denominator"] and float(number_match["denominator"]):
        number /= float(number_match["denominator"])
    after = rest[number_match.end():]

    unit = _leading_unit(after)
    if unit is None and after[:1] in _MULTIPLIER:
        scaled_unit = _leading_unit(after[1:])
        if scaled_unit:
            number *= _MULTIPLIER[after[0]]
            unit = scaled_unit
            after = after[1:]
    unit = _compound_unit(after, unit)
    if unit:
        after = after[len(unit):]

    if operator is None:
        found = _longest_prefix(after, operators["suffix_words"])
        if found:
            operator, after = found[1], after[len(found[0]):]
    return ParsedValue(operator=operator, number=number, unit=unit, kind="quantitative",
                       text=(leading + after).strip())


def _squeezed(value: str | None) -> str:
    return _WHITESPACE.sub("", nfkc(value or ""))


@per_document  # several rules ask it of the same cells
def is_missing(cell: str) -> bool:
    """Whether a cell is empty or only a placeholder (涉密, 无, /, XX …): what parse_value
    reads as kind "empty" or "placeholder", decided by its first two steps."""
    compact = _squeezed(cell)
    return not compact or _is_placeholder(compact)
