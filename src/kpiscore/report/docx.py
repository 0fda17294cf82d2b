"""The review as a Word document (python-docx).

For a .docx input: a copy of the original with one Word comment (author "kpiscore") on
each cell that has findings, listing them. Nothing else changes: where a cell has no run
to anchor a comment on, an empty run is added. Cells are where the records say their
text was printed (`Indicator.cells`, `Project.cells`: table, row and grid column as
kpiscore.read.docx_file numbers them); the document is not read again. A vertically
merged cell belongs to its first row, so findings of several rows on one merged cell
share one comment that names each row.

For any other input (.txt, .pdf, .xlsx): a generated review document, per project a
heading, the header facts, the indicator table with offending cells shaded and commented,
and the findings with their suggestions listed below.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from kpiscore.findings import Finding
from kpiscore.model import Location, Project
from kpiscore.money import wan_text
from kpiscore.report.cells import (HEADER_FIELDS, INDICATOR_FIELDS, Cell, Marks, colour,
                                   describe, field_text, heading, label, worst)
from kpiscore.scores import score_text

AUTHOR = "kpiscore"
INITIALS = "KS"
# Column widths (cm) of the generated tables, on a landscape page 22.9 cm wide inside margins
_SUMMARY_WIDTHS = (1.4, 11.0, 3.2, 2.2, 2.0, 2.0)
_FACT_WIDTHS = (4.0, 18.8)
_INDICATOR_WIDTHS = (2.2, 2.6, 4.0, 5.2, 3.4, 4.0, 1.4)


def write(marks: Marks, path: Path) -> None:
    if marks.review.document.format == "docx":
        annotate(marks, Path(marks.review.document.source), path)
    else:
        generate(marks, path)


def _comment(document: WordDocument, runs: list[Run], groups: list[tuple[Cell, list[Finding]]],
             marks: Marks) -> None:
    """One comment on `runs` listing the findings; naming the cell when several share it."""
    document.add_comment(runs, text=marks.note(groups), author=AUTHOR, initials=INITIALS)


def _runs(paragraphs: list[Paragraph]) -> list[Run]:
    """The first and last run of some paragraphs; an empty run when they have none."""
    runs = [run for paragraph in paragraphs for run in paragraph.runs]
    if not runs:
        runs = [paragraphs[0].add_run()]
    return [runs[0], runs[-1]]


# -- annotating the original ---------------------------------------------------------------


def _grid_cell(table: Table, row: int, column: int) -> _Cell | None:
    """The cell at a grid position (1-based row); a merged position gives the merge's cell."""
    if not 1 <= row <= len(table.rows):
        return None
    line = table.rows[row - 1]
    cells = line.cells  # one entry per grid column from grid_cols_before on; merges repeat
    index = column - line.grid_cols_before
    return cells[index] if 0 <= index < len(cells) else None


@dataclass
class _Original:
    """The original document, its paragraphs and tables numbered as the reader numbers
    them (kpiscore.read.docx_file), so that a record's Location finds its cell."""

    document: WordDocument
    paragraphs: list[Paragraph]
    tables: list[Table]

    @classmethod
    def open(cls, path: Path) -> _Original:
        document = docx.Document(str(path))
        paragraphs, tables = [], []
        for block in document.iter_inner_content():  # the reader's order and numbering
            (paragraphs if isinstance(block, Paragraph) else tables).append(block)
        return cls(document, paragraphs, tables)

    def at(self, location: Location) -> tuple[Any, list[Paragraph]] | None:
        """The element at a Location (to group comments) and its paragraphs: a table cell
        (a row without a column: its first cell), or a paragraph; None when there is none."""
        if location.table is not None and location.row is not None \
                and 1 <= location.table <= len(self.tables):
            found = _grid_cell(self.tables[location.table - 1], location.row, location.column or 0)
            return (found._tc, found.paragraphs) if found is not None else None
        if location.paragraph is not None and 1 <= location.paragraph <= len(self.paragraphs):
            paragraph = self.paragraphs[location.paragraph - 1]
            return paragraph._p, [paragraph]
        return None

    def anchor(self, marks: Marks, cell: Cell) -> tuple[Any, list[Paragraph]]:
        """Where a cell's comment goes (`Marks.candidates`), else the first paragraph."""
        for location in marks.candidates(cell):
            found = self.at(location)
            if found is not None:
                return found
        if not self.paragraphs:
            self.paragraphs.append(self.document.add_paragraph())
        return self.paragraphs[0]._p, self.paragraphs[:1]


def annotate(marks: Marks, source: Path, path: Path) -> None:
    """Copy the original .docx with a comment on every cell that has findings."""
    original = _Original.open(source)
    anchors: dict[Any, tuple[list[Paragraph], list[tuple[Cell, list[Finding]]]]] = {}
    for cell, findings in marks.cells.items():
        element, paragraphs = original.anchor(marks, cell)
        anchors.setdefault(element, (paragraphs, []))[1].append((cell, findings))
    for paragraphs, groups in anchors.values():
        _comment(original.document, _runs(paragraphs), groups, marks)
    original.document.save(str(path))


# -- a generated review document -----------------------------------------------------------


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _fill(document: WordDocument, target: _Cell, text: str, marks: Marks, cell: Cell | None,
          bold: bool = False) -> None:
    target.text = text
    if bold:
        for run in target.paragraphs[0].runs:
            run.bold = True
    findings = marks.cells.get(cell, []) if cell is not None else []
    if findings:
        _shade(target, colour(worst(findings)))
        _comment(document, _runs(target.paragraphs), [(cell, findings)], marks)


def _table(document: WordDocument, rows: int, widths: tuple[float, ...]) -> Table:
    """A grid table with column widths in cm: in the grid (LibreOffice) and every cell (Word)."""
    table = document.add_table(rows=rows, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:  # row by row: python-docx walks the whole table for each column
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
    return table


def generate(marks: Marks, path: Path) -> None:
    review = marks.review
    source = review.document
    document = docx.Document()
    section = document.sections[0]
    # landscape: seven indicator columns need the width
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(label("report_title"), 0)
    info = review.summary()
    document.add_paragraph(source.heading)
    document.add_paragraph(
        f"{label('projects')} {info['projects']} · {label('indicators')} {info['indicators']} · "
        f"{label('findings')} {info['findings']} · {label('mean_score')} {score_text(info['score'])}")
    columns = ("index", "project", "budget_wan", "score", "grade", "findings")
    summary = _table(document, len(source.projects) + 1, _SUMMARY_WIDTHS)
    rows = summary.rows
    for target, name in zip(rows[0].cells, columns):
        _fill(document, target, label(name), marks, None, bold=True)
    for row, project in zip(rows[1:], source.projects):
        score = review.scores[project.index]
        values = (str(project.index), project.title, wan_text(project.budget_wan),
                  score_text(score.score), score.grade_text, str(len(marks.of_project(project.index))))
        for target, value in zip(row.cells, values):
            target.text = value
    # python-docx checks a style against the whole style part on every paragraph; set the
    # id on the XML instead (hundreds of findings took half a second)
    bullet = document.styles["List Bullet"].style_id
    for project in source.projects:
        _project(document, project, marks, bullet)
    document.save(str(path))


def _project(document: WordDocument, project: Project, marks: Marks, bullet: str) -> None:
    score = marks.review.scores[project.index]
    document.add_heading(f"{project.index}、{project.title}", 1)
    facts = _table(document, len(HEADER_FIELDS) + 1, _FACT_WIDTHS).rows
    for row, name in zip(facts, HEADER_FIELDS):
        label_cell, value_cell = row.cells
        _fill(document, label_cell, label(name), marks, None, bold=True)
        _fill(document, value_cell, field_text(project, None, name), marks,
              Cell(project.index, None, name))
    label_cell, value_cell = facts[-1].cells
    _fill(document, label_cell, f"{label('score')} / {label('grade')}", marks, None, bold=True)
    value_cell.text = f"{score_text(score.score)} / {score.grade_text}"
    document.add_paragraph()
    rows = _table(document, len(project.indicators) + 1, _INDICATOR_WIDTHS).rows
    for target, name in zip(rows[0].cells, (*INDICATOR_FIELDS, "score")):
        _fill(document, target, label(name), marks, None, bold=True)
    for number, (row, indicator) in enumerate(zip(rows[1:], project.indicators), start=1):
        cells = row.cells
        for target, name in zip(cells, INDICATOR_FIELDS):
            _fill(document, target, field_text(project, indicator, name), marks,
                  Cell(project.index, number, name))
        indicator_score = score.indicator_scores[number - 1]
        cells[-1].text = "" if indicator_score is None else str(indicator_score)
    for finding, cell in marks.of_project(project.index):
        lines = describe(finding)
        item = document.add_paragraph()
        item._p.style = bullet
        item.add_run(f"{marks.where(cell)}：").bold = True
        item.add_run(heading(finding)).bold = True
        for line in lines[1:]:
            item.add_run().add_break()
            item.add_run(line)
