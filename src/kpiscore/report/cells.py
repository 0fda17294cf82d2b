"""Which cell of a report each finding sits on, and the findings of each cell.

Computed once per review and shared by the three writers, so that a finding is marked on
the same cell in the workbook, the Word document and the web page, with the same note.
A finding's cell is the field its rule says it is about (`Finding.field`); for a finding
that names none, the column its rule or category concerns is data: lexicons/report.toml.
Where that cell was printed in the source is the record's own (`Indicator.cells`,
`Project.cells`): a cell is never recovered from a finding's text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kpiscore import lexicon
from kpiscore.findings import Finding, Severity, categories
from kpiscore.model import Indicator, Location, Project
from kpiscore.money import wan_text
from kpiscore.review import Review

_SETTINGS = "report.toml"
INDICATOR_FIELDS = ("level1", "level2", "name", "description", "value", "basis")
HEADER_FIELDS = ("title", "code", "budget_wan", "purpose", "spending_plan", "goal")
# Finding fields every report shows in their own place; any other field a finding carries
# (a model's probability, the words it saw) is listed generically after them.
_SHOWN = ("rule", "category", "severity", "message", "suggestion", "source", "field")


@dataclass(frozen=True, order=True)
class Cell:
    """A cell of a project table: a column of an indicator row, or a header line (row None)."""

    project: int
    row: int | None
    field: str


def settings() -> dict[str, Any]:
    return lexicon.table(_SETTINGS)


def label(name: str) -> str:
    """The printed label of a field or of one of the report's own headings."""
    return settings()["labels"][name]


def colour(severity: Severity) -> str:
    """RGB hex fill of a cell whose worst finding has this severity."""
    return settings()["colours"][severity.name]


def field_text(project: Project, indicator: Indicator | None, name: str) -> str:
    """The text a reader sees in a cell: an indicator column, or a header line."""
    if indicator is not None and name in INDICATOR_FIELDS:
        return getattr(indicator, name) or ""
    if name == "budget_wan":
        parts = [wan_text(project.budget_wan)]
        for part in ("fiscal_wan", "other_wan"):
            if getattr(project, part) is not None:
                parts.append(f"{label(part)} {wan_text(getattr(project, part))}")
        return "，".join(p for p in parts if p)
    if name == "spending_plan":
        return "，".join(f"{month} {'' if share is None else f'{share:g}%'}".strip()
                        for month, share in project.spending_plan.items())
    return getattr(project, name) or ""


def place(finding: Finding, project: Project, indicator: Indicator | None) -> Cell:
    """The cell a finding sits on: its field, else lexicons/report.toml's for its rule or
    category."""
    table = settings()
    level = "project" if indicator is None else "indicator"
    name = (finding.field or table["rules"].get(finding.rule)
            or table["categories"].get(finding.category) or table["defaults"][level])
    if name not in INDICATOR_FIELDS and name not in HEADER_FIELDS:
        raise ValueError(f"{finding.rule}: a finding about {name!r}, which is no cell "
                         f"(known: {', '.join(INDICATOR_FIELDS + HEADER_FIELDS)})")
    if name in HEADER_FIELDS:
        return Cell(project.index, None, name)
    if indicator is None:  # a table finding cannot sit on a row's column
        return Cell(project.index, None, table["defaults"]["project"])
    return Cell(project.index, finding.row, name)


def worst(findings: list[Finding]) -> Severity:
    return max(f.severity for f in findings)


def extra_fields(finding: Finding) -> dict[str, Any]:
    """Fields of a finding beyond rule, category, severity, message, suggestion and source."""
    return {key: value for key, value in finding.to_dict().items()
            if key not in _SHOWN and value not in (None, "", [], {})}


def plain(value: Any) -> str:
    """A finding field as text: a probability to two places, a list of words joined."""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple, set)):
        return "、".join(map(str, value))
    return str(value)


def heading(finding: Finding) -> str:
    """One line naming a finding: severity, category and its title, rule."""
    title = categories().get(finding.category, {}).get("title")
    category = f"{finding.category} {title}" if title else finding.category
    return f"[{finding.severity.label}] {category} · {finding.rule}"


def describe(finding: Finding) -> list[str]:
    """A finding as lines of text: heading, message, suggestion, any further fields."""
    lines = [heading(finding), finding.message]
    if finding.suggestion:
        lines.append(f"{label('suggestion')}：{finding.suggestion}")
    lines += [f"{key}: {plain(value)}" for key, value in extra_fields(finding).items()]
    return lines


def note(findings: list[Finding]) -> str:
    """The comment of a cell: every finding on it, a blank line between them."""
    return "\n\n".join("\n".join(describe(f)) for f in findings)


@dataclass
class Marks:
    """A review with every finding placed on its cell."""

    review: Review
    placed: list[tuple[Finding, Cell]] = field(default_factory=list)

    @cached_property
    def cells(self) -> dict[Cell, list[Finding]]:
        """Findings per cell, in the review's order."""
        grouped: dict[Cell, list[Finding]] = {}
        for finding, cell in self.placed:
            grouped.setdefault(cell, []).append(finding)
        return grouped

    @cached_property
    def projects(self) -> dict[int, Project]:
        return {project.index: project for project in self.review.document.projects}

    def on(self, project: int, row: int | None, name: str) -> list[Finding]:
        return self.cells.get(Cell(project, row, name), [])

    def of_project(self, project: int) -> list[tuple[Finding, Cell]]:
        return [(f, c) for f, c in self.placed if c.project == project]

    def category_counts(self, project: int | None = None) -> Counter[str]:
        """Findings per category, of one project or of the whole document."""
        return Counter(f.category for f, c in self.placed if project in (None, c.project))

    def location(self, cell: Cell) -> Location | None:
        """Where the cell's text was printed in the source (a table, sheet or text line, with
        its grid column), or None when the source has no such cell (a template without
        that column, a record read back from an older JSON)."""
        project = self.projects[cell.project]
        record = project if cell.row is None else project.indicators[cell.row - 1]
        return record.cells.get(cell.field)

    def candidates(self, cell: Cell) -> list[Location]:
        """Where an annotated copy of the source puts the cell's comment, best first: the
        cell itself, else the project's title, else where the project starts."""
        project = self.projects[cell.project]
        found = (self.location(cell), project.cells.get("title"), project.location)
        return [location for location in found if location is not None]

    def note(self, groups: list[tuple[Cell, list[Finding]]]) -> str:
        """The comment of one place of the source holding the findings of several cells
        (a merged 一级 over rows, a project's fallback): each group named by its cell."""
        if len(groups) == 1:
            return note(groups[0][1])
        return "\n\n".join(f"{self.where(cell)}\n{note(findings)}" for cell, findings in groups)

    def where(self, cell: Cell) -> str:
        """A cell in words: "第3行 指标值", or "绩效目标" for a header line."""
        if cell.row is None:
            return label(cell.field)
        return label("where").format(row=cell.row, field=label(cell.field))


def mark(review: Review) -> Marks:
    """Place every finding of a review on its cell."""
    placed = []
    for finding in review.findings:
        project, indicator = review.where(finding)
        placed.append((finding, place(finding, project, indicator)))
    return Marks(review, placed)
