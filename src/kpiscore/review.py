"""A checked document: its records, the findings of the rules, and the scores — and how
that review is written out (linter text, JSON contract, CSV of findings)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kpiscore import rules as rule_set
from kpiscore.findings import Finding, Severity, categories
from kpiscore.model import Document, Indicator, Project
from kpiscore.money import wan_text
from kpiscore.rules.base import Context
from kpiscore.scores import ProjectScore, score_document, score_text, summary
from kpiscore.text import fresh_document

if TYPE_CHECKING:  # pandas, rich and the classifier (jieba, scikit-learn) load when used
    import pandas as pd
    from rich.console import Console

    from kpiscore.classifier.store import TrainedModel

FINDING_COLUMNS = ["source", "project", "project_title", "row", "location", "name", "rule",
                   "category", "severity", "message", "suggestion", "probability"]
_STYLE = {Severity.high: "bold red", Severity.medium: "yellow", Severity.low: "cyan"}


@dataclass
class Review:
    document: Document
    findings: list[Finding]
    scores: dict[int, ProjectScore]

    def at_least(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= severity]

    def summary(self) -> dict[str, Any]:
        return summary(self.document, self.findings, self.scores)

    def to_dict(self) -> dict[str, Any]:
        """The parse contract, with findings and scores on every indicator and project."""
        payload = self.document.to_dict()
        for project, entry in zip(self.document.projects, payload["projects"]):
            own = [f for f in self.findings if f.project == project.index]
            score = self.scores[project.index]
            entry.update(score.to_dict())
            entry["findings"] = [f.to_dict() for f in own if f.row is None]
            for row, indicator in enumerate(entry["indicators"], start=1):
                indicator["score"] = score.indicator_scores[row - 1]
                indicator["findings"] = [f.to_dict() for f in own if f.row == row]
        payload["summary"] = self.summary()
        return payload

    @cached_property
    def _projects(self) -> dict[int, Project]:
        return {project.index: project for project in self.document.projects}

    def where(self, finding: Finding) -> tuple[Project, Indicator | None]:
        """The project of a finding, and its indicator row (None for a project finding)."""
        project = self._projects[finding.project]
        return project, project.indicators[finding.row - 1] if finding.row else None

    def to_frame(self) -> pd.DataFrame:
        """One row per finding."""
        import pandas as pd

        rows = []
        for finding in self.findings:
            project, indicator = self.where(finding)
            rows.append({
                "source": self.document.source, "project": finding.project,
                "project_title": project.title, "row": finding.row,
                "location": str((indicator or project).location),
                "name": indicator.name if indicator else "", "rule": finding.rule,
                "category": finding.category, "severity": finding.severity.name,
                "message": finding.message, "suggestion": finding.suggestion,
                "probability": finding.probability,
            })
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def review(document: Document, rules: Iterable[rule_set.Rule] = rule_set.RULES,
           model: TrainedModel | None = None, learnt: set[str] | None = None) -> Review:
    """Run the rules (and the classifier, when given, for the categories in `learnt`, by
    default all it knows) on a parsed document and score it."""
    with fresh_document():
        context = Context(document)
        if model is None:
            findings = rule_set.run(context, rules)
        else:  # the model reads every rule's output, whatever the selection
            every = rule_set.run(context)
            codes = {rule.code for rule in rules}
            active = set(model.categories) if learnt is None else learnt
            findings = model.findings(document, [f for f in every if f.rule in codes], active,
                                      context.withheld, every)
        return Review(document, findings, score_document(document, findings, context.withheld))


def to_json(reviews: list[Review]) -> str:
    payload = [r.to_dict() for r in reviews]
    return json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)


def to_csv(reviews: list[Review]) -> str:
    import pandas as pd

    frames = [r.to_frame() for r in reviews]
    return pd.concat(frames, ignore_index=True).to_csv(index=False) if frames else ""


def print_text(reviews: list[Review], console: Console) -> None:
    """Linter-style lines, then a summary per document and by category."""
    from rich.text import Text

    for result in reviews:
        for finding in result.findings:
            project, indicator = result.where(finding)
            where = (indicator or project).location
            row = f" row {finding.row}" if finding.row else ""
            head = f"{result.document.source}:{where}: #{project.index}{row} "
            tail = f" {finding.category} {finding.message}"
            if console.is_terminal:  # the rule code in its severity's colour
                console.print(Text.assemble(head, (finding.rule, _STYLE[finding.severity]), tail),
                              soft_wrap=True)
            else:  # a file or a pipe gets no colour: plain writes, rich costs ~0.2 ms a line
                console.file.write(f"{head}{finding.rule}{tail}\n")
        _print_scores(result, console)
    _print_categories(reviews, console)


def _print_scores(result: Review, console: Console) -> None:
    from rich.table import Table

    info = result.summary()
    table = Table(title=f"{result.document.source} — {result.document.unit_name or '?'} "
                        f"{result.document.year or ''}: score {info['score']}, "
                        f"{info['findings']} findings")
    for column in ("#", "project", "预算数(万元)", "score", "grade", "findings"):
        table.add_column(column, justify="right" if column != "project" else "left")
    counts = Counter(f.project for f in result.findings)
    for project in result.document.projects:
        score = result.scores[project.index]
        table.add_row(str(project.index), project.title,
                      wan_text(project.budget_wan), score_text(score.score), score.grade,
                      str(counts[project.index]))
    console.print(table)


def _print_categories(reviews: list[Review], console: Console) -> None:
    from rich.table import Table

    counts = Counter(f.category for r in reviews for f in r.findings)
    table = Table(title="findings by category")
    for column in ("category", "", "findings"):
        table.add_column(column)
    for name, entry in categories().items():
        table.add_row(name, entry["title"], str(counts[name]))
    console.print(table)
