"""ECHO, BOILERPLATE and UNRELATED: what the wording of a row says about the project."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache

from rapidfuzz import fuzz

from kpiscore import kinds, lexicon, phrases
from kpiscore.findings import Finding, Severity
from kpiscore.memo import per_document
from kpiscore.model import Indicator, Project
from kpiscore.relatedness import Topics, foreign
from kpiscore.rules.base import Context, IndicatorRule, Rule, Verdict, clip
from kpiscore.text import char_pairs, compact, strip_fillers, without


def _same_wording(first: str, second: str, similarity: float) -> bool:
    first, second = strip_fillers(first), strip_fillers(second)
    if not first or not second:
        return False
    if first in second or second in first:
        return min(len(first), len(second)) >= 2
    return fuzz.ratio(first, second) >= similarity * 100


def _value_words(indicator: Indicator) -> str:
    """The words of a value: all of it when qualitative, the prose after the number else."""
    parsed = indicator.parsed
    return indicator.value if parsed.kind == "qualitative" else parsed.text


class ValueEchoesName(IndicatorRule):
    code = "TXT-01"
    category = "ECHO"
    severity = Severity.high
    field = "value"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        words = _value_words(indicator)
        if len(compact(words)) < self.param(context, "min_length"):
            return None
        similarity = self.param(context, "similarity")
        for label, cell in (("三级指标", indicator.name), ("绩效指标描述", indicator.description)):
            if _same_wording(words, cell, similarity):
                return f"指标值「{clip(indicator.value)}」重复了{label}「{clip(cell, 16)}」"
        return None


class DescriptionCopiesName(IndicatorRule):
    code = "TXT-02"
    category = "ECHO"
    severity = Severity.low
    field = "description"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        name, description = strip_fillers(indicator.name), strip_fillers(indicator.description)
        if not name or name != description:
            return None
        return f"绩效指标描述「{clip(indicator.description)}」只是重复指标名称"


class Slogan(IndicatorRule):
    code = "TXT-04"
    category = "BOILERPLATE"
    severity = Severity.medium

    def check(self, indicator: Indicator, project: Project, context: Context) -> Verdict | None:
        for field, cell in (("name", indicator.name), ("value", _value_words(indicator))):
            folded = compact(cell)
            if lexicon.any_match(lexicon.table("boilerplate.toml")["slogans"], folded):
                if _names_own_object(indicator, project, context):
                    return None
                return Verdict(f"「{clip(cell)}」是套话，未说明本项目的具体产出或效果", field)
        return None


@per_document  # TXT-03 compares rows with their project's title, use and goal
def _bigrams(text: str) -> frozenset[str]:
    """Content bigrams of a text, without the generic words listed in relatedness.toml."""
    return frozenset(char_pairs(without(text, lexicon.table("relatedness.toml")["generic"], "|")))


def _header_words(project: Project) -> frozenset[str]:
    return _bigrams(" ".join(filter(None, (project.title, project.purpose, project.goal))))


def _own_words(project: Project, context: Context) -> frozenset[str]:
    """The content pairs of what a project is (title, use and goal), without the pairs most
    of the document's projects share: a department's own vocabulary (社保, 就业, 养老保险 in a
    人社 document) names none of its projects in particular."""
    return context.per_project(_distinct_header_words, project)


def _distinct_header_words(project: Project, context: Context) -> frozenset[str]:
    return _header_words(project) - context.shared(_header_words, "BOILERPLATE.shared_share")


@cache
def _no_object_words() -> tuple[str, ...]:
    table = lexicon.table("boilerplate.toml")
    return (*table["no_object"], *table["policy"])


def _names_object(name: str) -> bool:
    """Whether a name says what it counts or checks: two characters or more once the words
    that name no object and the abstract policy words (boilerplate.toml `no_object`,
    `policy`) are removed, with numbers, hints and punctuation."""
    text = re.sub(r"[\d.#*＊≥≤><=()（）:：\s]+", "", re.sub(r"^指标\d+[:：]", "", compact(name)))
    return len(without(text, _no_object_words())) >= 2


def _names_own_object(indicator: Indicator, project: Project, context: Context) -> bool:
    """Whether the row's description or value names something of this project (its title,
    use or goal): then a generic-sounding name is not boilerplate (DOMAIN.md)."""
    own = _own_words(project, context) - _bigrams(indicator.name)  # what the row adds to its name
    return any(_bigrams(cell) & own for cell in (indicator.description, _value_words(indicator)))


def _standard_row(indicator: Indicator) -> bool:
    """满意度 and 成本 rows with a proper value (≥95%, ≤15万元): standard indicators."""
    parsed = indicator.parsed
    return kinds.level2_kind(indicator) in ("满意度", "成本") and parsed.number is not None and bool(parsed.unit)


class NoObject(IndicatorRule):
    code = "TXT-03"
    category = "BOILERPLATE"
    severity = Severity.medium
    field = "name"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if _names_object(indicator.name) or _standard_row(indicator) or \
                _names_own_object(indicator, project, context):
            return None
        return f"「{clip(indicator.name)}」没有指明对象，描述和指标值也未说明本项目考核的是什么"


class RecurringTemplateRow(IndicatorRule):
    code = "TXT-08"
    category = "BOILERPLATE"
    severity = Severity.medium
    field = "name"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        elsewhere = phrases.other_publishers(indicator.name, context.document.source)
        if elsewhere < self.param(context, "min_publishers") or _standard_row(indicator):
            return None
        if _bigrams(indicator.name) & _own_words(project, context) or _names_own_object(indicator, project, context):
            return None
        return f"「{clip(indicator.name)}」另有{elsewhere}个单位原样使用，未说明本项目的具体对象"


def _skeleton(name: str) -> str:
    """A name with its slot words masked: 按时完成数量的比例 -> 按时完成□."""
    text = compact(name)
    table = lexicon.table("boilerplate.toml")
    for slot in table["slots"]:
        text = text.replace(slot, "□")
    for filler in table["fillers"]:
        text = text.removesuffix(filler)
    return text


class SlotFilledTemplate(Rule):
    code = "DUP-03"
    category = "BOILERPLATE"
    severity = Severity.medium
    field = "name"

    def findings(self, context: Context) -> Iterator[Finding]:
        for project in context.projects():
            skeletons = [_skeleton(indicator.name) for indicator in project.indicators]
            counts = Counter(s for s in skeletons if "□" in s and not _names_object(s.replace("□", "")))
            for row, skeleton in enumerate(skeletons, start=1):
                if counts[skeleton] >= self.param(context, "min_rows"):
                    name = project.indicators[row - 1].name
                    yield self.finding(f"「{clip(name)}」与本表另外{counts[skeleton] - 1}行是同一句式模板"
                                       "，只替换了类别词", project, row)


class UnrelatedToProject(IndicatorRule):
    code = "TXT-10"
    category = "UNRELATED"
    severity = Severity.medium
    field = "name"

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        level = kinds.level2_kind(indicator)
        if project.kind == "department" or level == "成本":
            return None  # 部门整体 covers all the unit's work; a cost row fits any project
        output = level in ("数量", "质量", "时效")  # an output is what the money buys
        scope = (project.purpose or project.title) if output else f"{project.title} {project.purpose or ''}"
        if indicator.parsed.kind == "qualitative":  # the value says what the row is about
            row = Topics.of(indicator.value, row=True)
        else:  # the number measures what the name says; prose after it only when the name is bare
            row = Topics.of(indicator.name + indicator.description, row=True) \
                or Topics.of(_value_words(indicator), row=True)
        own = Topics.of(scope)
        mismatch = foreign(row, own, outcome=not output)
        if mismatch is None:
            return None
        name, what = clip(indicator.name), "、".join(mismatch.what)
        where = "资金用途" if output else "名称和用途"
        if mismatch.why == "running":
            service = own.areas & set(lexicon.table("relatedness.toml")["running"])
            return (f"「{name}」衡量的是{what}，而本项目资金用于{'、'.join(sorted(service))}，"
                    "产出应是服务本身，不是发放或领取的人数")
        return f"「{name}」属于{what}，而本项目{where}只涉及{'、'.join(sorted(own.areas | own.populations))}"


RULES = (ValueEchoesName(), DescriptionCopiesName(), NoObject(), Slogan(), RecurringTemplateRow(),
         SlotFilledTemplate(),
         UnrelatedToProject())
