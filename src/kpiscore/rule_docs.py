"""The rules' own documentation, for `kpiscore rules`: the list of rules, and one rule
explained. The texts are the rules' catalogue (lexicons/rule_docs.toml); the headings and
column names are in lexicons/messages.toml [rules]."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from kpiscore.findings import categories
from kpiscore.messages import text
from kpiscore.rules import RULES, Example, Rule

# an example's source: seed file and table ("001#1"), and a row ("001#1 row 1"), or "-"
_SOURCE = re.compile(r"(?P<table>\d+#\d+)(?: row (?P<row>\d+))?")


def _category(rule: Rule) -> str:
    return f"{rule.category} {categories()[rule.category]['title']}"


def print_catalogue(console: Console, rules: Sequence[Rule] = RULES) -> None:
    """The rules as a table, by category in categories.toml order, then by code."""
    table = Table(title=text("rules", "list_title", count=len(rules)))
    for column in ("code", "category", "severity", "title"):
        table.add_column(text("rules", column))
    for rule in sorted(rules, key=lambda r: (list(categories()).index(r.category), r.code)):
        table.add_row(rule.code, _category(rule), rule.severity.label, rule.title)
    console.print(table)


def _where(example: Example) -> str:
    """Where an example comes from, in words: "（样本 001#1 第1行）", or nothing."""
    found = _SOURCE.fullmatch(example.source)
    if found is None:
        return ""
    key = "seed_row" if found["row"] else "seed_table"
    return f"（{text('rules', key, table=found['table'], row=found['row'])}）"


def explain(rule: Rule, console: Console) -> None:
    """A rule's documentation: what it flags, why, how to fix, a bad and a good example.
    Texts go out as rich Text, so cell text such as 「**」 or [2016] prints as it is."""
    console.print(Text(f"{rule.code} {rule.title}", style="bold"))
    console.print(Text(text("rules", "rated", category=rule.category,
                            category_title=categories()[rule.category]["title"],
                            severity=rule.severity.label)))
    for key in ("flags", "why", "fix"):
        console.print()
        console.print(Text(text("rules", key), style="bold"))
        console.print(Text(getattr(rule, key)))
    for key in ("bad", "good"):
        example: Example = getattr(rule, key)
        console.print()
        console.print(Text(text("rules", key) + _where(example), style="bold"))
        console.print(Padding(Text(example.text), (0, 0, 0, 4)))
