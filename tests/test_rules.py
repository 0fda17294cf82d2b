"""Every rule: documented, and right on its own bad and good examples and on the cases of
fixtures/rules/cases.toml — real rows of the seeds and the corpus, stored parsed in
fixtures/rules/documents (make_documents.py), so these tests need no ../shared."""

from __future__ import annotations

import gzip
import json
import re
import tomllib
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from kpiscore import rules
from kpiscore.findings import categories
from kpiscore.model import Document, Indicator
from kpiscore.rules import RULES, Context, Rule
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


def _fired(rule: Rule, document: Document, project: int, row: int | None) -> bool:
    return any(f.project == project and (row is None or f.row == row)
               for f in rule.findings(Context(document)))


def _row_text(indicator: Indicator) -> str:
    return " | ".join((indicator.level1, indicator.level2, indicator.name, indicator.description,
                       indicator.value, indicator.basis))


def _folded(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_category_has_a_rule_and_every_rule_a_known_category():
    assert {rule.category for rule in RULES} == set(categories())
    assert len({rule.code for rule in RULES}) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule: Rule):
    for text in (rule.title, rule.flags, rule.why, rule.fix, rule.bad.text, rule.good.text):
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


CHANGED_ROWS = [
    ("CMP-04", "002", 1, 1, {"value": ""}),
    ("CMP-04", "002", 1, 1, {"name": "XX"}),
    ("VAL-07", "002", 1, 2, {"value": "≥120%"}),
    ("VAL-06", "002", 1, 4, {"value": "≥47.43万元"}),
    ("COST-03", "000", 5, 4, {"value": "≤12万元"}),
    ("COST-08", "000", 5, 4, {"value": "≤100000万元"}),
    ("CMP-03", "002", 1, 7, {"level1": "满意度指标"}),
]
# Rules no real row of the labelled set triggers: they fire on a real row changed so that it
# should (CHANGED_ROWS above, COST-04 / COST-05 on changed tables below).
CONSTRUCTED_ONLY = {"VAL-07", "COST-03", "COST-08", "CMP-03", "COST-04", "COST-05"}


@pytest.mark.parametrize("code,seed,project,row,changes", CHANGED_ROWS)
def test_rule_on_a_changed_real_row(code, seed, project, row, changes, seeds):
    rule = rules.BY_CODE[code]
    assert not _fired(rule, seeds[seed], project, row)
    document, project = _one_row_document(seeds, seed, project, row, **changes)
    assert _fired(rule, document, project, row)


def test_unit_cost_times_quantity_on_a_changed_real_table(seeds):
    rule = rules.BY_CODE["COST-04"]
    document = seeds["000"]  # #4: <120元/件 × >200件 = its 2.4万元 budget; not 24万元
    assert not _fired(rule, document, 4, 4)
    projects = list(document.projects)
    projects[3] = replace(projects[3], budget_wan=24.0)
    assert _fired(rule, replace(document, projects=projects), 4, 4)


def test_funding_split_on_a_changed_real_table(seeds):
    rule = rules.BY_CODE["COST-05"]
    document = seeds["001"]
    assert not _fired(rule, document, 1, None)
    broken = list(document.projects)
    broken[0] = replace(broken[0], fiscal_wan=10.0)
    assert _fired(rule, replace(document, projects=broken), 1, None)


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
