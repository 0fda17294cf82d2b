"""ECHO, BOILERPLATE and UNRELATED: what the wording of a row says about the project."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from rapidfuzz import fuzz

from kpiscore import kinds, lexicon, phrases
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Project
from kpiscore.relatedness import Topics, foreign
from kpiscore.rules.base import Context, Example, IndicatorRule, Rule, clip
from kpiscore.text import char_pairs, compact, per_document, strip_fillers, without


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
    title = "值回显 (value repeats the name or description)"
    category = "ECHO"
    severity = Severity.high
    flags = ("A 指标值 whose words (after the operator, number and unit) repeat the 三级指标 or "
             "the 绩效指标描述: `≥90 用于办公取暖正常运行工作开展的程度`, or a value equal to the name.")
    why = ("财预〔2015〕88号 (细化量化) and 财预〔2020〕10号 (绩效指标明确性): the value must state a "
           "measurable target; repeating the name states none.")
    fix = "Write the target itself in 指标值: operator, number and unit (≥95%、≥300笔、12月31日前)."
    bad = Example("产出指标 | 数量指标 | 办公取暖费支付的比例 | 用于办公取暖正常运行工作开展的程度 | "
                  "≥90 用于办公取暖正常运行工作开展的程度 | 依据县财政预算批复", "001#1 row 1")
    good = Example("产出指标 | 质量指标 | 到位准确率 | 到位准确率：准确发放人数*100% | ≥95% | 合同约定",
                   "002#1 row 2")

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
    title = "描述照抄名称 (description copies the name)"
    category = "ECHO"
    severity = Severity.low
    flags = ("A 绩效指标描述 equal to the 三级指标, or equal to it plus only 情况 / 程度 / 的 / "
             "比例: it gives no definition, scope or formula.")
    why = ("The budget system has 指标解释 and 计算公式 fields for exactly this; 财预〔2020〕10号 asks "
           "for indicators that are clear and measurable.")
    fix = "Define the indicator: what is counted, over which population, and the formula (A÷B×100%)."
    bad = Example("产出指标 | 数量指标 | 聘用人数 | 聘用人数 | 10人 | 实际数据", "002#1 row 1")
    good = Example("产出指标 | 时效指标 | 发放及时率 | 发放及时率=及时发放的次数/发放总数*100% | ≥95% | 合同约定",
                   "002#1 row 3")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        name, description = strip_fillers(indicator.name), strip_fillers(indicator.description)
        if not name or name != description:
            return None
        return f"绩效指标描述「{clip(indicator.description)}」只是重复指标名称"


class Slogan(IndicatorRule):
    code = "TXT-04"
    title = "套话 (generic slogan)"
    category = "BOILERPLATE"
    severity = Severity.medium
    flags = ("A generic slogan in the name or value (社会保障制度更加公平可持续, 促进经济社会的更好"
             "发展, 保证社保工作顺利开展, 维持单位正常运转, 提高效率), when the row's description "
             "and value name nothing of this project either.")
    why = ("财预〔2015〕88号 (相关性) requires indicators tied to the project; 财预〔2021〕101号 names "
           "高度关联 as a principle. A slogan fits every table and measures none.")
    fix = "Name what this project's money delivers or changes, with a measurable value."
    bad = Example("效益指标 | 社会效益指标 | 保证社保工作顺利开展 | 保证社保工作顺利开展 | 保证社保工作顺利开展 | "
                  "机关要求", "002#1 row 6")
    good = Example("产出指标 | 数量指标 | 聘用人数 | 聘用人数 | 10人 | 实际数据", "002#1 row 1")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if _names_own_object(indicator, project, context):
            return None
        for cell in (indicator.name, _value_words(indicator)):
            folded = compact(cell)
            if lexicon.any_match(lexicon.table("boilerplate.toml")["slogans"], folded):
                return f"「{clip(cell)}」是套话，未说明本项目的具体产出或效果"
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
    return _header_words(project) - context.shared(_header_words, "BOILERPLATE.shared_share")


def _names_object(name: str) -> bool:
    """Whether a name says what it counts or checks: two characters or more once the words
    that name no object and the abstract policy words (boilerplate.toml `no_object`,
    `policy`) are removed, with numbers, hints and punctuation."""
    table = lexicon.table("boilerplate.toml")
    text = re.sub(r"[\d.#*＊≥≤><=()（）:：\s]+", "", re.sub(r"^指标\d+[:：]", "", compact(name)))
    return len(without(text, (*table["no_object"], *table["policy"]))) >= 2


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
    title = "无对象的空泛指标 (indicator that names no object)"
    category = "BOILERPLATE"
    severity = Severity.medium
    flags = ("A 三级 name made only of metric words, process verbs and category names (覆盖率, "
             "运转保障率, 按时完成数量的比例, 提供优质服务, 直接、间接总受益人数) whose description "
             "and value do not name this project's own object either. 满意度 and 成本 rows with a "
             "proper value (≥95%, ≤15万元) are standard indicators and are not flagged. Words: "
             "`no_object` in boilerplate.toml.")
    why = ("财预〔2015〕88号 (相关性) and 财预〔2021〕101号 (高度关联): an indicator must say what of "
           "this project is counted or checked; a name with no object fits any table.")
    fix = "Name the object: what is covered, completed or paid, for whom (养老金发放覆盖率, 见习补贴发放人数)."
    bad = Example("产出指标 | 质量指标 | 覆盖率 | 覆盖率 | 100% | 文件规定冀价行费字 (2018) 71 号文件", "000#5 row 2")
    good = Example("产出指标 | 质量指标 | 覆盖率 | 贫困人口参加城乡民医疗保险占应参保的比例 | =100% | "
                   "承高党政办字[2016]78号文件按政策，落实贫困人口医疗保障救助工作，全部参保", "004#13 row 1")

    def check(self, indicator: Indicator, project: Project, context: Context) -> str | None:
        if _names_object(indicator.name) or _standard_row(indicator) or \
                _names_own_object(indicator, project, context):
            return None
        return f"「{clip(indicator.name)}」没有指明对象，描述和指标值也未说明本项目考核的是什么"


class RecurringTemplateRow(IndicatorRule):
    code = "TXT-08"
    title = "跨单位套用的模板行 (template row reused across publishers)"
    category = "BOILERPLATE"
    severity = Severity.medium
    flags = ("A 三级 name that other publishers print too (the phrase-frequency index "
             "lexicons/phrases.json, rebuilt by `kpiscore phrases`), when neither the name nor its "
             "description or value names anything of this project (its title, use and goal). "
             "满意度 and 成本 rows with a proper value are standard indicators and are not flagged.")
    why = ("财预〔2015〕88号 (相关性) and 财预〔2021〕101号 (高度关联): an indicator must be tied to "
           "its project; a row pasted unchanged into unrelated tables is tied to none.")
    fix = "Replace the template row with an indicator of what this project's money delivers or changes."
    bad = Example("产出指标 | 质量指标 | 覆盖率 | 覆盖率 | 100% | 文件规定冀价行费字 (2018) 71 号文件", "000#5 row 2")
    good = Example("产出指标 | 数量指标 | 聘用人数 | 聘用人数 | 10人 | 实际数据", "002#1 row 1")

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
    title = "句式模板替换 (slot-filled template)"
    category = "BOILERPLATE"
    severity = Severity.medium
    flags = ("Rows of one table made from one skeleton with the 二级 word swapped in, the rest "
             "naming no object (个人创业担保贷款数量 / …成本 is not a template): "
             "按时完成数量的比例, 按时完成质量的程度, 按时限完成经济效益程度.")
    why = ("财预〔2015〕88号 (相关性): each indicator should measure a distinct aspect of this "
           "project; a template filled with category names measures none.")
    fix = "Replace each templated row with a real indicator of that category for this project."
    bad = Example("产出指标 | 质量指标 | 按时完成质量的程度 | …", "001#11 row 2")
    good = Example("产出指标 | 质量指标 | 到位准确率 | 到位准确率：准确发放人数*100% | ≥95% | 合同约定",
                   "002#1 row 2")

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
    title = "与项目无关 (indicator unrelated to the project)"
    category = "UNRELATED"
    severity = Severity.medium
    flags = ("A row about something its project's money does not buy or reach. A 产出 row "
             "(数量, 质量, 时效) is compared with the programme areas of the 资金用途 (the title "
             "when there is none); a 效益 or 满意度 row with those of the title and 资金用途, and "
             "is also related when it names the population the project serves. Flags: another "
             "programme (an IT project measured by 案件受理率); another part of the same "
             "programme (retirees for a contribution subsidy); payments or the people paid as "
             "the output of money that runs a service (退休人数, 发放率 for office money or an "
             "agents' subsidy). A qualitative value says what the row is about; with a number, "
             "the name does. Cost rows, 部门整体 tables and rows or projects that name no area "
             "are not judged. Areas, parts and populations: relatedness.toml.")
    why = ("财预〔2015〕88号 完整性 and 相关性: indicators must match what the money is for.")
    fix = "Measure what this project's money buys or achieves; move the row to the project it belongs to."
    bad = Example("产出指标 | 数量指标 | 案件受理率 | 案件受理的程度 | ≥90 案件受理的程度 | 依据县财政预算批复",
                  "001#5 row 1")
    good = Example("产出指标 | 数量指标 | 全年案件数量 | 全年案件数量 | >200件 | 经验标准", "000#4 row 1")

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
