"""Every rule: documented in Chinese in its catalogue entry (lexicons/rule_docs.toml), right
on its own bad and good examples and on the cases of fixtures/rules/cases.toml — real rows
of the seeds and the corpus, stored parsed in fixtures/rules/documents (make_documents.py),
so these tests need no ../shared — and, on every row it flags, about the right field, in
Chinese."""

from __future__ import annotations

import gzip
import json
import re
import tomllib
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpiscore import lexicon, rules
from kpiscore.cli import app
from kpiscore.findings import ROW_FIELDS, TABLE_FIELDS, Finding, categories
from kpiscore.model import Document, Indicator
from kpiscore.rules import RULES, Context, Rule
from kpiscore.rules.base import catalogue
from kpiscore.values import parse_value

SOURCE = re.compile(r"(?P<seed>\d{2,3})#(?P<project>\d+)(?: row (?P<row>\d+))?$")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
CASES = tomllib.loads((FIXTURES / "cases.toml").read_text("utf-8"))["rules"]


@cache
def _document(key: str) -> Document:
    with gzip.open(FIXTURES / "documents" / f"{key}.json.gz", "rt", encoding="utf-8") as handle:
        return Document.from_dict(json.load(handle))


class _Documents(dict):
    """The fixture documents by key ("000", "14"), read on first use."""

    def __missing__(self, key: str) -> Document:
        return _document(key)


@pytest.fixture
def seeds() -> _Documents:
    return _Documents()


def _found(rule: Rule, document: Document, project: int, row: int | None) -> list[Finding]:
    return [f for f in rule.findings(Context(document))
            if f.project == project and (row is None or f.row == row)]


def _fired(rule: Rule, document: Document, project: int, row: int | None) -> bool:
    return bool(_found(rule, document, project, row))


def _row_text(indicator: Indicator) -> str:
    return " | ".join((indicator.level1, indicator.level2, indicator.name, indicator.description,
                       indicator.value, indicator.basis))


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_category_has_a_rule_and_every_rule_a_known_category():
    assert {rule.category for rule in RULES} == set(categories())
    assert len({rule.code for rule in RULES}) == len(RULES)


TEXTS = ("title", "flags", "why", "fix")


def test_catalogue_has_an_entry_for_each_rule_and_a_rule_for_each_entry():
    codes = {rule.code for rule in RULES}
    assert not codes - set(catalogue()), "rules without an entry in lexicons/rule_docs.toml"
    assert not set(catalogue()) - codes, "entries in lexicons/rule_docs.toml without a rule"


@pytest.mark.parametrize("code", sorted(catalogue()))
def test_catalogue_entry_has_every_field(code: str):
    entry = catalogue()[code]
    assert set(entry) == {*TEXTS, "bad", "good"}
    assert all(isinstance(entry[key], str) and entry[key].strip() for key in TEXTS)
    for label in ("bad", "good"):
        assert set(entry[label]) == {"text", "source"} and entry[label]["text"].strip()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule: Rule):
    assert rule.title == type(rule).title == catalogue()[rule.code]["title"]
    for text in (rule.flags, rule.why, rule.fix, rule.bad.text, rule.good.text):
        assert len(text) > 10
    assert rule.bad.source != rule.good.source


EXAMPLES = [(rule, label) for rule in RULES for label in ("bad", "good")
            if SOURCE.match(getattr(rule, label).source)]


@pytest.mark.parametrize("rule,label", EXAMPLES,
                         ids=[f"{rule.code}-{label}" for rule, label in EXAMPLES])
def test_rule_on_its_seed_example(rule: Rule, label: str, seeds):
    example = getattr(rule, label)
    where = SOURCE.match(example.source)
    document = seeds[where["seed"]]
    project = int(where["project"])
    row = int(where["row"]) if where["row"] else None
    if row is not None and "…" not in example.text:
        # the documented row is the real one, cell for cell
        shown = _row_text(document.projects[project - 1].indicators[row - 1])
        assert _folded(shown) == _folded(example.text)
    assert _fired(rule, document, project, row) is (label == "bad")


def _one_row_document(seeds, seed: str, project: int, row: int, **changes) -> tuple[Document, int]:
    """A seed with one real row changed: for rules the seeds never trigger."""
    document = seeds[seed]
    projects = list(document.projects)
    target = projects[project - 1]
    indicators = list(target.indicators)
    changed = replace(indicators[row - 1], **changes)
    if "value" in changes:
        changed = replace(changed, parsed=parse_value(changes["value"]))
    indicators[row - 1] = changed
    projects[project - 1] = replace(target, indicators=indicators)
    return replace(document, projects=projects), project


CHANGED_ROWS = [  # rule, the row, what is changed, the field the finding is about
    ("CMP-04", "002", 1, 1, {"value": ""}, "value"),
    ("CMP-04", "002", 1, 1, {"name": "XX"}, "name"),
    ("CMP-04", "002", 1, 1, {"description": "待定"}, "description"),
    ("VAL-07", "002", 1, 2, {"value": "≥120%"}, "value"),
    ("VAL-06", "002", 1, 4, {"value": "≥47.43万元"}, "value"),
    ("COST-03", "000", 5, 4, {"value": "≤12万元"}, "value"),
    ("COST-08", "000", 5, 4, {"value": "≤100000万元"}, "value"),
    ("CMP-03", "002", 1, 7, {"level1": "满意度指标"}, "level2"),
]
# Rules no real row of the labelled set triggers: they fire on a real row changed so that it
# should (CHANGED_ROWS above, COST-04 / COST-05 on changed tables below).
CONSTRUCTED_ONLY = {"VAL-07", "COST-03", "COST-08", "CMP-03", "COST-04", "COST-05"}


@pytest.mark.parametrize("code,seed,project,row,changes,field", CHANGED_ROWS)
def test_rule_on_a_changed_real_row(code, seed, project, row, changes, field, seeds):
    rule = rules.BY_CODE[code]
    assert not _fired(rule, seeds[seed], project, row)
    document, project = _one_row_document(seeds, seed, project, row, **changes)
    found = _found(rule, document, project, row)
    assert found and {f.field for f in found} == {field}


def _changed_table(seeds, seed: str, project: int, **changes) -> Document:
    """A seed with one real table's header changed."""
    document = seeds[seed]
    projects = list(document.projects)
    projects[project - 1] = replace(projects[project - 1], **changes)
    return replace(document, projects=projects)


def _narrative_in_explanation(seeds) -> dict:
    """000#4's 资金用途 (amounts that contradict its budget) moved to 项目说明."""
    return {"purpose": None, "explanation": seeds["000"].projects[3].purpose}


CHANGED_TABLES = [  # rule, the table (and row), the change, the field the finding is about
    # 000#4: <120元/件 × >200件 = its 2.4万元 budget; not 24万元
    ("COST-04", "000", 4, 4, lambda seeds: {"budget_wan": 24.0}, "value"),
    ("COST-05", "001", 1, None, lambda seeds: {"fiscal_wan": 10.0}, "budget_wan"),
    # 项目说明 is no header line of the report: its amounts are about 预算数
    ("COST-07", "000", 4, None, _narrative_in_explanation, "budget_wan"),
]


@pytest.mark.parametrize("code,seed,project,row,changes,field", CHANGED_TABLES,
                         ids=[case[0] for case in CHANGED_TABLES])
def test_rule_on_a_changed_real_table(code, seed, project, row, changes, field, seeds):
    rule = rules.BY_CODE[code]
    if code != "COST-07":  # 000#4 holds the narrative in 资金用途, where COST-07 flags it
        assert not _fired(rule, seeds[seed], project, row)
    found = _found(rule, _changed_table(seeds, seed, project, **changes(seeds)), project, row)
    assert found and {f.field for f in found} == {field}


def test_withheld_table_is_reported_not_judged(seeds):
    found = rules.run(Context(seeds["000"]))
    on_secret = {f.rule for f in found if f.project == 3}
    assert on_secret == {"CMP-06"}


@pytest.mark.parametrize("selector,expected", [
    ("ECHO", {"TXT-01", "TXT-02"}),
    ("txt-0", {"TXT-01", "TXT-02", "TXT-03", "TXT-04", "TXT-05", "TXT-06", "TXT-07", "TXT-08"}),
    ("COST-05", {"COST-05"}),
])
def test_select_by_category_prefix_or_code(selector, expected):
    assert {rule.code for rule in rules.select([selector])[0]} == expected


def test_select_rejects_unknown_codes():
    with pytest.raises(ValueError, match="NOPE"):
        rules.select(["NOPE"])


def test_fund_flow_moved_under_benefit_is_miscategorised(seeds):
    rule = rules.BY_CODE["TXT-06"]
    assert not _fired(rule, seeds["000"], 24, 7)
    document, project = _one_row_document(seeds, "000", 24, 7, level1="效益指标", level2="社会效益指标")
    assert _fired(rule, document, project, 7)


CASE_LIST = [(code, source, fires, why) for code, lines in CASES.items() for source, fires, why in lines]


@pytest.mark.parametrize("code,source,fires,why", CASE_LIST,
                         ids=[f"{code}-{source}" for code, source, _, _ in CASE_LIST])
def test_rule_on_real_rows(code, source, fires, why, seeds):
    where = SOURCE.match(source)
    row = int(where["row"]) if where["row"] else None
    assert _fired(rules.BY_CODE[code], seeds[where["seed"]], int(where["project"]), row) is fires, why


def test_every_rule_fires_and_passes_on_real_rows():
    """Each rule has a real row it fires on and one it passes, from its documented examples
    or cases.toml; every documented example with a source is one of them."""
    for rule in RULES:
        outcomes = {fires for _, fires, _ in CASES.get(rule.code, [])}
        for label in ("bad", "good"):
            if SOURCE.match(getattr(rule, label).source):
                outcomes.add(label == "bad")
        assert outcomes == {True, False} or rule.code in CONSTRUCTED_ONLY, rule.code


def test_every_case_document_is_stored():
    keys = {SOURCE.match(source)["seed"] for _, source, _, _ in CASE_LIST}
    keys |= {SOURCE.match(getattr(rule, label).source)["seed"] for rule in RULES
             for label in ("bad", "good") if SOURCE.match(getattr(rule, label).source)}
    assert all((FIXTURES / "documents" / f"{key}.json.gz").exists() for key in keys)



@pytest.mark.parametrize("seed,project,row,expected", [
    # money that runs a service: the message names the service, not a programme area
    ("000", 7, 1, "「退休人数」衡量的是养老金领取，而本项目资金用于机关运转"),
    # another programme: the message names what the project's use covers
    ("001", 5, 1, "「案件受理率」属于劳动争议与监察，而本项目资金用途只涉及信息化"),
])
def test_unrelated_message_says_why(seed, project, row, expected, seeds):
    document = seeds[seed]
    indicator = document.projects[project - 1].indicators[row - 1]
    message = rules.BY_CODE["TXT-10"].check(indicator, document.projects[project - 1], Context(document))
    assert message is not None and message.startswith(expected)


# The field each rule's findings are about. CMP-04 (the empty cell), TXT-04 (the cell holding
# the slogan) and COST-07 (资金用途, or 预算数 for 项目说明) depend on the case: the field of
# their usual case is here, the others in CASE_FIELDS (and CHANGED_ROWS / CHANGED_TABLES).
FIELDS = {
    "CMP-04": "name", "CMP-06": "value",
    "VAL-01": "value", "VAL-02": "value", "VAL-03": "value", "VAL-04": "value", "VAL-06": "value",
    "VAL-07": "value", "VAL-10": "value", "VAL-13": "value",
    "TXT-01": "value", "TXT-02": "description",
    "TXT-03": "name", "TXT-04": "name", "TXT-08": "name", "DUP-03": "name", "TXT-10": "name",
    "TXT-05": "level2", "TXT-06": "level2", "TXT-07": "level2", "CMP-03": "level2",
    "VAL-11": "basis", "VAL-12": "basis",
    "COST-03": "value", "COST-04": "value", "COST-08": "value",
    "COST-05": "budget_wan", "COST-06": "spending_plan", "COST-07": "purpose",
    "CMP-01": "title", "CMP-02": "title", "COST-01": "title", "DUP-02": "title", "CMP-05": "goal",
}
CASE_FIELDS = {("TXT-04", "000#2 row 2"): "value", ("CMP-04", "02#1 row 8"): "value"}
FLAGGED = sorted({(rule.code, rule.bad.source) for rule in RULES if SOURCE.match(rule.bad.source)}
                 | {(code, source) for code, source, fires, _ in CASE_LIST if fires})


def test_every_rule_has_its_field():
    assert set(FIELDS) == {rule.code for rule in RULES}
    assert set(CASE_FIELDS) <= set(FLAGGED)


@pytest.mark.parametrize("code,source", FLAGGED, ids=[f"{code}-{source}" for code, source in FLAGGED])
def test_finding_is_about_its_field(code, source, seeds):
    where = SOURCE.match(source)
    row = int(where["row"]) if where["row"] else None
    found = _found(rules.BY_CODE[code], seeds[where["seed"]], int(where["project"]), row)
    assert found
    for finding in found:
        assert finding.field in (TABLE_FIELDS if finding.row is None else ROW_FIELDS)
        assert finding.field == CASE_FIELDS.get((code, source), FIELDS[code]), finding.message


def test_a_finding_about_no_such_field_is_refused():
    with pytest.raises(ValueError, match="goal"):
        Finding("TXT-01", "ECHO", rules.BY_CODE["TXT-01"].severity, "m", "s", 1, 2, field="goal")


# What may stay Latin in Chinese text: rule codes (TXT-01, ML-ECHO), category codes and units;
# cell text is quoted in 「…」 and stays as printed.
_QUOTED = re.compile(r"「[^」]*」")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_KEPT = sorted({rule.code for rule in RULES} | set(categories())
               | {f"ML-{category}" for category in categories()}
               | {unit for unit in lexicon.words("units.txt") if _LATIN_WORD.search(unit)},
               key=len, reverse=True)


def _english(text: str) -> list[str]:
    """Runs of two or more Latin letters outside quoted cells, codes and units."""
    text = _QUOTED.sub(" ", text)
    for kept in _KEPT:
        text = text.replace(kept, " ")
    return _LATIN_WORD.findall(text)


def test_the_english_scan_finds_english():
    assert _english("建议：Define the indicator: what is counted") == [
        "Define", "the", "indicator", "what", "is", "counted"]
    assert _english("指标值「≥90 XX」重复了 TXT-01 的 ECHO、ML-ECHO，≥95%") == []
    assert _english("Category ECHO") == ["Category"]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_texts_are_chinese(rule: Rule):
    for text in (*(getattr(rule, key) for key in TEXTS), rule.bad.text, rule.good.text):
        assert _english(text) == [], text


def _flagged_documents(seeds) -> list[Document]:
    """Every fixture document, and the changed rows and tables of the rules no real row
    triggers."""
    documents = [seeds[path.name.removesuffix(".json.gz")]
                 for path in sorted((FIXTURES / "documents").glob("*.json.gz"))]
    documents += [_one_row_document(seeds, seed, project, row, **changes)[0]
                  for _, seed, project, row, changes, _ in CHANGED_ROWS]
    documents += [_changed_table(seeds, seed, project, **changes(seeds))
                  for _, seed, project, _, changes, _ in CHANGED_TABLES]
    return documents


def test_messages_and_suggestions_are_chinese(seeds):
    found = [f for document in _flagged_documents(seeds) for f in rules.run(Context(document))]
    assert {f.rule for f in found} == {rule.code for rule in RULES}  # every rule spoke
    english = {(f.rule, text) for f in found for text in (f.message, f.suggestion) if _english(text)}
    assert not english


def test_model_suggestions_are_chinese():
    fixes = lexicon.table("classifier.toml")["fix"]
    assert set(fixes) == set(lexicon.table("classifier.toml")["categories"])
    assert {category: fix for category, fix in fixes.items() if _english(fix)} == {}


runner = CliRunner()


@pytest.mark.parametrize("selector,codes", [
    (None, {rule.code for rule in RULES}),
    ("TXT", {rule.code for rule in RULES if rule.code.startswith("TXT")}),
    ("ECHO", {"TXT-01", "TXT-02"}),
])
def test_rules_command_lists_the_selected_rules(selector, codes):
    result = runner.invoke(app, ["rules", *filter(None, [selector])], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    header = result.stdout.splitlines()[2]
    assert all(column in header for column in ("代码", "类别", "严重度", "名称"))
    listed = set(re.findall(r"\b[A-Z]+-\d{2}\b", result.stdout))
    assert listed == codes
    assert "ECHO 描述或指标值照抄名称" in result.stdout and "高" in result.stdout


def test_rules_command_explains_one_rule():
    result = runner.invoke(app, ["rules", "txt-01"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    rule = rules.BY_CODE["TXT-01"]
    for part in ("TXT-01", rule.title, "ECHO", "描述或指标值照抄名称", "严重度：高", "它检查什么", "为什么",
                 "如何修改", "反例（样本 001#1 第1行）", "正例（样本 002#1 第2行）", rule.fix):
        assert part in result.stdout


def test_rules_command_names_an_unknown_selector_in_one_line():
    result = runner.invoke(app, ["rules", "XYZ-99"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "kpiscore: 未知的规则代码或类别「XYZ-99」（运行 kpiscore rules 查看全部规则）"]


@pytest.mark.parametrize("category", sorted(categories()))
def test_category_texts_are_chinese(category: str):
    entry = categories()[category]
    assert _english(entry["title"]) == [] and _english(entry["meaning"]) == []
