"""The records kpiscore extracts: Document -> Project -> Indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Location:
    """Where something was found: a text line, or a page / table / row, or a sheet row;
    a cell adds its grid column (0-based, as the reader's rows hold it)."""

    line: int | None = None
    page: int | None = None
    sheet: str | None = None
    table: int | None = None
    row: int | None = None
    paragraph: int | None = None
    column: int | None = None

    def in_column(self, column: int) -> Location:
        """The cell of this row in a grid column (dataclasses.replace took three times as
        long, and every indicator cell asks it)."""
        return Location(line=self.line, page=self.page, sheet=self.sheet, table=self.table,
                        row=self.row, paragraph=self.paragraph, column=column)

    def to_dict(self) -> dict[str, Any]:
        # the fields are plain values: no dataclasses.asdict (its deep copy was most of
        # the time of writing a JSON line)
        return {key: value for key, value in vars(self).items() if value is not None}

    def __str__(self) -> str:
        parts = [
            f"{name} {value}" for name, value in self.to_dict().items()
        ]
        return ", ".join(parts) or "unknown"


@dataclass(frozen=True)  # one is shared by every cell printing the same value
class ParsedValue:
    """A 指标值 split the way the budget system stores it: operator, number, unit."""

    operator: str | None = None  # ≥ ≤ > < = ≈, or "range" (number .. upper)
    number: float | None = None
    unit: str | None = None
    kind: str = "empty"  # quantitative | tier | qualitative | placeholder | empty
    text: str = ""  # words left after operator, number and unit
    deadline: str | None = None  # "MM-DD" (or "YYYY-MM-DD") for "12月31日前"
    upper: float | None = None  # upper bound of a range "90%-95%"

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class Indicator:
    level1: str
    level2: str
    name: str
    description: str
    value: str
    basis: str
    parsed: ParsedValue
    location: Location
    # cells of columns that map to no field, header as printed -> text (权重, 指标方向性 …)
    extra: dict[str, str] = field(default_factory=dict)
    # field (level1 … basis) -> where its text was printed: the row's cell, the first row
    # of a merged 一级 / 二级, the 值 cell of a value split over 符号 / 值 / 单位
    cells: dict[str, Location] = field(default_factory=dict)

    # 一级 / 二级 normalised (产出 / 效益 / 满意度 / 成本; 数量 … 满意度), None when unknown
    @property
    def level1_kind(self) -> str | None:
        from kpiscore.kinds import level_kinds  # kinds reads lexicons; the model stays plain

        return level_kinds(self.level1, self.level2)[0]

    @property
    def level2_kind(self) -> str | None:
        from kpiscore.kinds import level_kinds

        return level_kinds(self.level1, self.level2)[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level1": self.level1,
            "level2": self.level2,
            "name": self.name,
            "description": self.description,
            "value": self.value,
            "basis": self.basis,
            "parsed": self.parsed.to_dict(),
            "location": self.location.to_dict(),
            "level1_kind": self.level1_kind,
            "level2_kind": self.level2_kind,
            "extra": self.extra,
            "cells": _cells_dict(self.cells),
        }


@dataclass
class Project:
    index: int
    kind: str  # project | department
    title: str
    location: Location
    code: str | None = None
    budget_wan: float | None = None
    fiscal_wan: float | None = None
    other_wan: float | None = None
    purpose: str | None = None
    spending_plan: dict[str, float | None] = field(default_factory=dict)
    goal: str | None = None
    explanation: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    # the indicator block's headers as printed, and which field each was given (and how)
    columns: list[str] = field(default_factory=list)
    column_map: list[dict[str, str]] = field(default_factory=list)
    # the printed header block, label -> value, in printed order
    header: dict[str, str] = field(default_factory=dict)
    # header field (title code budget_wan purpose spending_plan goal) -> the cell (or
    # heading line) holding its value, else its label
    cells: dict[str, Location] = field(default_factory=dict)

    @property
    def fields(self) -> set[str]:
        """Indicator fields this table's template has a column for ("basis_choice" for a
        绩效标准 choice column); rules judge a field only where the template has it."""
        placed = {entry["field"] for entry in self.column_map}
        if not self.column_map:  # a table read without a header map (older callers)
            return {"level1", "level2", "name", "description", "value", "basis"}
        if "sign" in placed or "number" in placed:
            placed.add("value")
        return placed

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "title": self.title,
            "code": self.code,
            "budget_wan": self.budget_wan,
            "fiscal_wan": self.fiscal_wan,
            "other_wan": self.other_wan,
            "purpose": self.purpose,
            "spending_plan": self.spending_plan,
            "goal": self.goal,
            "explanation": self.explanation,
            "location": self.location.to_dict(),
            "columns": self.columns,
            "column_map": self.column_map,
            "header": self.header,
            "cells": _cells_dict(self.cells),
            "indicators": [indicator.to_dict() for indicator in self.indicators],
        }


def _cells_dict(cells: dict[str, Location]) -> dict[str, dict[str, Any]]:
    return {name: location.to_dict() for name, location in cells.items()}


def _cells_of(data: dict[str, Any]) -> dict[str, Location]:
    return {name: Location(**where) for name, where in data.get("cells", {}).items()}


PROJECT_COLUMNS = ["index", "kind", "title", "code", "budget_wan", "fiscal_wan", "other_wan",
                   "purpose", "goal"]


@dataclass
class Document:
    source: str
    format: str
    year: int | None = None
    unit_name: str | None = None
    projects: list[Project] = field(default_factory=list)
    # tables that look like performance tables but could not be read, one line each
    warnings: list[str] = field(default_factory=list)

    @property
    def indicator_count(self) -> int:
        return sum(len(project.indicators) for project in self.projects)

    @property
    def name(self) -> str:
        """The document's own file name, as a report names it (not a path of the
        reviewer's machine)."""
        return self.source.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def heading(self) -> str:
        """Name, unit and year as a report's header line prints them; what is unknown is
        left out."""
        return " ".join(str(part) for part in (self.name, self.unit_name,
                                               f"{self.year}年度" if self.year else None) if part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "year": self.year,
            "unit_name": self.unit_name,
            "warnings": self.warnings,
            "projects": [project.to_dict() for project in self.projects],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """A document back from its JSON (`to_dict`, `kpiscore parse -f json`)."""
        projects = []
        for item in data["projects"]:
            indicators = [Indicator(
                level1=row["level1"], level2=row["level2"], name=row["name"],
                description=row["description"], value=row["value"], basis=row["basis"],
                parsed=ParsedValue(**row["parsed"]), location=Location(**row.get("location", {})),
                extra=row.get("extra", {}), cells=_cells_of(row)) for row in item["indicators"]]
            fields = {key: item.get(key) for key in ("code", "budget_wan", "fiscal_wan", "other_wan",
                                                     "purpose", "goal", "explanation")}
            projects.append(Project(
                index=item["index"], kind=item["kind"], title=item["title"],
                location=Location(**item.get("location", {})), **fields,
                spending_plan=item.get("spending_plan", {}), indicators=indicators,
                columns=item.get("columns", []), column_map=item.get("column_map", []),
                header=item.get("header", {}), cells=_cells_of(item)))
        return cls(source=data["source"], format=data["format"], year=data.get("year"),
                   unit_name=data.get("unit_name"), projects=projects, warnings=data.get("warnings", []))

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator, with its project's columns beside it."""
        import pandas as pd  # pandas takes a third of a second to import: only for frames

        rows = []
        for project in self.projects:
            project_columns = {f"project_{name}": getattr(project, name) for name in PROJECT_COLUMNS}
            for position, indicator in enumerate(project.indicators, start=1):
                rows.append({
                    "source": self.source,
                    "year": self.year,
                    "unit_name": self.unit_name,
                    **project_columns,
                    "row": position,
                    "level1": indicator.level1,
                    "level2": indicator.level2,
                    "level1_kind": indicator.level1_kind,
                    "level2_kind": indicator.level2_kind,
                    "name": indicator.name,
                    "description": indicator.description,
                    "value": indicator.value,
                    "basis": indicator.basis,
                    "operator": indicator.parsed.operator,
                    "number": indicator.parsed.number,
                    "value_unit": indicator.parsed.unit,
                    "value_kind": indicator.parsed.kind,
                    "location": str(indicator.location),
                })
        return pd.DataFrame(rows, columns=FRAME_COLUMNS)


FRAME_COLUMNS = (
    ["source", "year", "unit_name"]
    + [f"project_{name}" for name in PROJECT_COLUMNS]
    + ["row", "level1", "level2", "level1_kind", "level2_kind", "name", "description", "value", "basis", "operator", "number",
       "value_unit", "value_kind", "location"]
)
