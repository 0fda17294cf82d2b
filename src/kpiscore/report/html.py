"""The review as one self-contained web page: no network, no external asset.

The markup, CSS and JavaScript live in templates/report.html (Jinja2, autoescaped, so
every text from the document is HTML-escaped); this module only prepares what the
template shows: the summary, the bar chart's geometry (an inline SVG), and every project
table with the findings of each cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kpiscore.findings import Finding, Severity, categories
from kpiscore.model import Indicator, Project
from kpiscore.money import wan_text
from kpiscore.report.cells import (HEADER_FIELDS, INDICATOR_FIELDS, Cell, Marks, colour,
                                   extra_fields, field_text, label, plain,
                                   settings, worst)
from kpiscore.scores import score_text

_TEMPLATES = Path(__file__).with_name("templates")
# bar chart geometry, in SVG user units (pixels)
_LABEL_WIDTH, _BAR_WIDTH, _BAR_HEIGHT, _GAP, _COUNT_WIDTH = 190, 320, 16, 6, 44


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


@dataclass
class FindingView:
    rule: str
    category: str
    category_title: str
    severity: str
    severity_label: str
    message: str
    suggestion: str
    where: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class CellView:
    text: str
    findings: list[FindingView] = field(default_factory=list)
    severity: str = ""  # of the worst finding; "" for a clean cell


def _finding(finding: Finding, where: str) -> FindingView:
    return FindingView(
        rule=finding.rule, category=finding.category,
        category_title=categories().get(finding.category, {}).get("title", ""),
        severity=finding.severity.name, severity_label=finding.severity.label, message=finding.message, suggestion=finding.suggestion,
        where=where, extra={key: plain(value) for key, value in extra_fields(finding).items()})


def _cell(marks: Marks, project: Project, indicator: Indicator | None, cell: Cell) -> CellView:
    findings = marks.cells.get(cell, [])
    return CellView(field_text(project, indicator, cell.field),
                    [_finding(f, marks.where(cell)) for f in findings],
                    worst(findings).name if findings else "")


def _project(marks: Marks, project: Project) -> dict[str, Any]:
    score = marks.review.scores[project.index]
    rows = [[_cell(marks, project, indicator, Cell(project.index, number, name))
             for name in INDICATOR_FIELDS]
            for number, indicator in enumerate(project.indicators, start=1)]
    return {
        "index": project.index, "title": project.title, "kind": project.kind,
        "budget": wan_text(project.budget_wan), "score": score_text(score.score), "grade": score.grade_text,
        "header": [(label(name), _cell(marks, project, None, Cell(project.index, None, name)))
                   for name in HEADER_FIELDS],
        "rows": rows, "indicator_scores": score.indicator_scores,
        "findings": [_finding(f, marks.where(c)) for f, c in marks.of_project(project.index)],
    }


def _chart(counts: dict[str, int]) -> dict[str, Any]:
    """Horizontal bars, one per category, scaled to the largest count."""
    top = max(counts.values(), default=0) or 1
    bars = []
    for number, (name, count) in enumerate(counts.items()):
        bars.append({"y": number * (_BAR_HEIGHT + _GAP), "width": round(_BAR_WIDTH * count / top, 1),
                     "name": name, "title": categories()[name]["title"], "count": count})
    return {"bars": bars, "label_width": _LABEL_WIDTH, "bar_height": _BAR_HEIGHT,
            "width": _LABEL_WIDTH + _BAR_WIDTH + _COUNT_WIDTH,
            "height": len(bars) * (_BAR_HEIGHT + _GAP)}


def render(marks: Marks) -> str:
    review = marks.review
    counts = marks.category_counts()
    by_category = {name: counts[name] for name in categories()}
    by_severity = {severity.name: sum(1 for f in review.findings if f.severity is severity)
                   for severity in sorted(Severity, reverse=True)}
    template = _environment().get_template("report.html")
    return template.render(
        document=review.document, info=review.summary(), labels=settings()["labels"],
        colours={severity.name: f"#{colour(severity)}" for severity in Severity},
        categories=[(name, categories()[name]["title"], count) for name, count in by_category.items()],
        severities=by_severity, chart=_chart(by_category),
        projects=[_project(marks, project) for project in review.document.projects],
        columns=[label(name) for name in INDICATOR_FIELDS], score_label=label("score"),
        total=len(review.findings), score_text=score_text,
        severity_labels={severity.name: severity.label for severity in Severity},
    )


def write(marks: Marks, path: Path) -> None:
    path.write_text(render(marks), encoding="utf-8")
