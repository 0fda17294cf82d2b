"""A checked document: its records, the findings of the rules, and the scores, as data
(the JSON contract, a frame of findings); kpiscore.streams writes reviews out and
kpiscore.terminal prints them for people."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from kpiscore import rules as rule_set
from kpiscore.findings import Finding, Severity
from kpiscore.memo import fresh_document
from kpiscore.model import Document, Indicator, Project
from kpiscore.rules.base import Context
from kpiscore.scores import ProjectScore, score_document, summary

if TYPE_CHECKING:  # pandas and the classifier (jieba, scikit-learn) load when used
    import pandas as pd

    from kpiscore.baseline import Comparison
    from kpiscore.classifier.store import TrainedModel

FINDING_COLUMNS = ["source", "project", "project_title", "row", "location", "name", "rule",
                   "category", "severity", "message", "suggestion", "probability"]


@dataclass
class Review:
    document: Document
    findings: list[Finding]
    scores: dict[int, ProjectScore]
    # each finding's status against a previous review (check --baseline), if one was given
    baseline: Comparison | None = None

    def at_least(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= severity]

    @property
    def open_findings(self) -> list[Finding]:
        """The findings that are listed and count for the exit code: all but those the
        baseline accepted."""
        return self.baseline.listed(self.findings) if self.baseline else self.findings

    @property
    def worst(self) -> Severity | None:
        """The highest severity of an open finding (the exit code's), None if there is none."""
        return max((finding.severity for finding in self.open_findings), default=None)

    def summary(self) -> dict[str, Any]:
        return summary(self.document, self.findings, self.scores)

    def to_dict(self) -> dict[str, Any]:
        """The parse contract, with findings and scores on every indicator and project."""
        payload = self.document.to_dict()
        for project, entry in zip(self.document.projects, payload["projects"]):
            own = [f for f in self.findings if f.project == project.index]
            score = self.scores[project.index]
            entry.update(score.to_dict())
            entry["findings"] = [self._finding(f) for f in own if f.row is None]
            for row, indicator in enumerate(entry["indicators"], start=1):
                indicator["score"] = score.indicator_scores[row - 1]
                indicator["findings"] = [self._finding(f) for f in own if f.row == row]
        payload["summary"] = self.summary()
        return payload

    def _finding(self, finding: Finding) -> dict[str, Any]:
        entry = finding.to_dict()
        if self.baseline is not None:
            entry["baseline"] = self.baseline.status[finding]
        return entry

    @cached_property
    def _projects(self) -> dict[int, Project]:
        return {project.index: project for project in self.document.projects}

    def where(self, finding: Finding) -> tuple[Project, Indicator | None]:
        """The project of a finding, and its indicator row (None for a project finding)."""
        project = self._projects[finding.project]
        return project, project.indicators[finding.row - 1] if finding.row else None

    def to_frame(self, severity: Severity = Severity.low) -> pd.DataFrame:
        """One row per finding at or above `severity`."""
        import pandas as pd

        rows = []
        for finding in self.at_least(severity):
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
