"""The rules' own documentation, for `kpiscore rules` and docs/rules.md."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from kpiscore.findings import categories
from kpiscore.rules import RULES, Rule


def print_catalogue(console: Console) -> None:
    table = Table(title=f"{len(RULES)} rules (kpiscore rules CODE explains one)")
    for column in ("code", "category", "severity", "title"):
        table.add_column(column)
    for rule in sorted(RULES, key=lambda r: (list(categories()).index(r.category), r.code)):
        table.add_row(rule.code, rule.category, rule.severity.name, rule.title)
    console.print(table)


def markdown(rule: Rule) -> str:
    """A rule's documentation: what it flags, why, how to fix, a bad and a good example."""
    def example(label: str, row) -> str:
        where = "" if row.source == "-" else f" (seed {row.source})"
        return f"**{label}**{where}:\n\n    {row.text}\n"

    return "\n".join([
        f"## {rule.code} {rule.title}",
        "",
        f"Category **{rule.category}** ({categories()[rule.category]['title']}) · "
        f"severity **{rule.severity.name}**",
        "",
        f"**What it flags.** {rule.flags}",
        "",
        f"**Why it matters.** {rule.why}",
        "",
        f"**How to fix.** {rule.fix}",
        "",
        example("Bad", rule.bad),
        example("Good", rule.good),
    ])


def explain(rule: Rule, console: Console) -> None:
    from rich.markdown import Markdown

    console.print(Markdown(markdown(rule)))
