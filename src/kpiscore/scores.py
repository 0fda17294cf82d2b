"""Roll findings up into scores: each indicator 0-100, each project 0-100 with a grade
优 / 良 / 中 / 差, and a document summary. Weights in lexicons/scoring.toml; the formula
is explained in docs/scores.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kpiscore import lexicon
from kpiscore.findings import Finding
from kpiscore.model import Document, Project

WITHHELD = "涉密"  # grade of a table withheld as 涉密: reported, not scored


def _points_lost(findings: Iterable[Finding]) -> int:
    """Penalty of the worst severity per category, summed over categories."""
    penalty = lexicon.table("scoring.toml")["penalty"]
    worst: dict[str, int] = {}
    for finding in findings:
        worst[finding.category] = max(worst.get(finding.category, 0), penalty[finding.severity.name])
    return sum(worst.values())


def indicator_score(findings: Iterable[Finding]) -> int:
    return max(0, 100 - _points_lost(findings))


def grade(score: float, findings: Iterable[Finding]) -> tuple[str, str | None]:
    """The grade of a score, and why it is lower than the score alone gives (a finding of
    a severity that caps it), or None."""
    table = lexicon.table("scoring.toml")
    order = list(table["grades"])
    earned = next(name for name, floor in table["grades"].items() if score >= floor)
    worst = max((f.severity for f in findings), default=None)
    cap = table["caps"].get(worst.name) if worst else None
    if cap and order.index(cap) > order.index(earned):
        return cap, table["cap_reasons"][worst.name]
    return earned, None


@dataclass
class ProjectScore:
    score: float | None  # None when withheld
    grade: str
    indicator_scores: list[int | None] = field(default_factory=list)
    grade_reason: str | None = None  # why the grade is capped below what the score gives

    @property
    def grade_text(self) -> str:
        """The grade as printed: `中（有高严重度问题，等级封顶）` when capped."""
        return f"{self.grade}（{self.grade_reason}）" if self.grade_reason else self.grade

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "grade": self.grade, "grade_reason": self.grade_reason}


def project_score(project: Project, findings: list[Finding], withheld: bool) -> ProjectScore:
    """The project's indicators' mean score and its own table score, weighted."""
    if withheld:
        return ProjectScore(None, WITHHELD, [None] * len(project.indicators))
    rows = [indicator_score(f for f in findings if f.row == row)
            for row in range(1, len(project.indicators) + 1)]
    table_score = 100 - _points_lost(f for f in findings if f.row is None)
    weight = lexicon.table("scoring.toml")["indicator_weight"]
    mean = sum(rows) / len(rows) if rows else 0
    score = round(max(0.0, weight * mean + (1 - weight) * table_score), 1)
    name, reason = grade(score, findings)
    return ProjectScore(score, name, rows, reason)


def score_document(document: Document, findings: list[Finding],
                   withheld: set[int]) -> dict[int, ProjectScore]:
    by_project: dict[int, list[Finding]] = {}
    for finding in findings:
        by_project.setdefault(finding.project, []).append(finding)
    return {p.index: project_score(p, by_project.get(p.index, []), p.index in withheld)
            for p in document.projects}


def summary(document: Document, findings: list[Finding],
            project_scores: dict[int, ProjectScore]) -> dict[str, Any]:
    """The document summary: counts, mean score and grades, findings by category."""
    scored = [s.score for s in project_scores.values() if s.score is not None]
    return {
        "projects": len(document.projects),
        "indicators": document.indicator_count,
        "withheld_projects": sum(s.grade == WITHHELD for s in project_scores.values()),
        "score": round(sum(scored) / len(scored), 1) if scored else None,
        "grades": dict(Counter(s.grade for s in project_scores.values())),
        "findings": len(findings),
        "by_category": dict(Counter(f.category for f in findings).most_common()),
        "by_severity": dict(Counter(f.severity.name for f in findings).most_common()),
    }


def score_text(score: float | None) -> str:
    """A score as printed: one decimal, or 不评分 for a withheld (涉密) table."""
    from kpiscore.messages import text

    return text("scores", "not_scored") if score is None else f"{score:.1f}"
