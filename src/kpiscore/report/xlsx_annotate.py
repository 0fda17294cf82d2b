"""The department's own workbook, annotated: `kpiscore report 绩效目标表.xlsx -o 审查.xlsx`.

A copy of the input, loaded with its formulas (not their cached results), styles, column
widths and every sheet, in which each cell that has findings is filled with the colour of
its worst severity and carries one comment listing them. The cell is where the records
say the field's text was printed (`Indicator.cells`, `Project.cells`: sheet, row and grid
column as kpiscore.read.xlsx_file reads them; inside a merged range, its top-left cell).
Two sheets are added after the original ones: 审查概览 (per project its score, its grade
with the reason when capped, findings by category) and 问题清单 (every finding, linked to
its cell). Nothing else of the original changes.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from rich.cells import cell_len

from kpiscore.findings import Finding, categories
from kpiscore.model import Location
from kpiscore.report.cells import Cell, Marks, colour, label, worst
from kpiscore.report.xlsx import sheet_name
from kpiscore.scores import score_text

AUTHOR = "kpiscore"
# Comment boxes: Excel draws them at a fixed size, so they are sized to their text, in
# pixels of the default 9-point comment font (a half-width character about 6 wide).
_CHARACTER_PX, _LINE_PX, _PADDING_PX = 6, 15, 16
_COMMENT_UNITS = (24, 64)  # narrowest and widest box, in half-width characters
_COMMENT_LINES_MAX = 40
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_LISTING = ("project", "row", "cell", "severity", "category", "rule", "message", "suggestion")
_LISTING_WIDTHS = {"project": 28, "row": 6, "cell": 26, "severity": 10, "category": 24,
                   "rule": 10, "message": 50, "suggestion": 40}
_SUMMARY = ("index", "project", "score", "grade", "findings")
_SUMMARY_WIDTHS = {"index": 6, "project": 32, "score": 8, "grade": 30, "findings": 8}


def write(marks: Marks, path: Path) -> None:
    # formulas stay formulas; a file object, as the input's extension may be any (.bin)
    with open(marks.review.document.source, "rb") as handle:
        workbook = openpyxl.load_workbook(handle)
    addresses = _annotate(workbook, marks)
    taken = {sheet.title.casefold() for sheet in workbook.worksheets}
    summary = workbook.create_sheet(sheet_name(label("review_sheet"), taken))
    listing = workbook.create_sheet(sheet_name(label("findings_sheet"), taken))
    _summary(summary, marks)
    _listing(listing, marks, addresses)
    workbook.save(path)


def _target(workbook: Workbook, location: Location) -> SheetCell | None:
    """The cell of the workbook at a record's Location (a row without a column: its first
    cell); inside a merged range, the range's top-left cell, which holds its text."""
    if location.sheet not in workbook.sheetnames or location.row is None:
        return None
    sheet = workbook[location.sheet]
    row, column = location.row, (location.column or 0) + 1
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            row, column = merged.min_row, merged.min_col
            break
    return sheet.cell(row, column)


def _annotate(workbook: Workbook, marks: Marks) -> dict[Cell, str]:
    """Fill and comment every cell with findings; where each report cell ended up
    (`'sheet'!B7`), for the links of 问题清单."""
    places: dict[tuple[str, str], tuple[SheetCell, list[tuple[Cell, list[Finding]]]]] = {}
    for cell, findings in marks.cells.items():
        target = next((found for location in marks.candidates(cell)
                       if (found := _target(workbook, location)) is not None), None)
        if target is not None:
            places.setdefault((target.parent.title, target.coordinate), (target, []))[1].append(
                (cell, findings))
    addresses: dict[Cell, str] = {}
    for (sheet, coordinate), (target, groups) in places.items():
        text = marks.note(groups)
        if target.comment is not None:  # the department's own note stays, ours follows it
            text = f"{target.comment.text}\n\n{text}"
        target.comment = _sized(Comment(text, AUTHOR))
        target.fill = PatternFill("solid", fgColor=colour(worst([f for _, found in groups
                                                                  for f in found])))
        for cell, _ in groups:
            addresses[cell] = f"{quote_sheetname(sheet)}!{coordinate}"
    return addresses


def _sized(comment: Comment) -> Comment:
    """A comment box as wide as its longest line (within bounds) and as tall as its lines
    once wrapped at that width."""
    lines = comment.text.split("\n")
    narrowest, widest = _COMMENT_UNITS
    units = min(widest, max(narrowest, *(cell_len(line) for line in lines)))
    wrapped = sum(max(1, math.ceil(cell_len(line) / units)) for line in lines)
    comment.width = units * _CHARACTER_PX + _PADDING_PX
    comment.height = min(wrapped, _COMMENT_LINES_MAX) * _LINE_PX + _PADDING_PX
    return comment


def _headings(sheet: Worksheet, row: int, names: list[str], widths: dict[str, int]) -> None:
    for column, name in enumerate(names, start=1):
        target = sheet.cell(row, column, label(name) if name in widths else name)
        target.font, target.alignment = _BOLD, _WRAP
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(name, 10)


def _category(code: str) -> str:
    """A category as printed: its code with its title beside it."""
    title = categories().get(code, {}).get("title")
    return f"{code} {title}" if title else code


def _summary(sheet: Worksheet, marks: Marks) -> None:
    """The document's figures, then per project: score, grade (with why it is capped),
    findings, and findings per category."""
    document, info = marks.review.document, marks.review.summary()
    sheet.cell(1, 1, f"{label('report_title')}：{document.heading}").font = Font(bold=True, size=14)
    sheet.cell(2, 1, f"{label('projects')} {info['projects']} · {label('indicators')} "
                     f"{info['indicators']} · {label('findings')} {info['findings']} · "
                     f"{label('mean_score')} {score_text(info['score'])}")
    names = list(categories())
    header = 4
    _headings(sheet, header, [*_SUMMARY, *(_category(name) for name in names)], _SUMMARY_WIDTHS)
    sheet.row_dimensions[header].height = 60  # category titles wrap in their narrow columns
    for row, project in enumerate(document.projects, start=header + 1):
        score = marks.review.scores[project.index]
        counts = marks.category_counts(project.index)
        values = [project.index, project.title, score.score if score.score is not None
                  else score_text(None), score.grade_text, sum(counts.values()),
                  *(counts[name] or None for name in names)]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value).alignment = _WRAP
    sheet.freeze_panes = sheet.cell(header + 1, 3)


def _listing(sheet: Worksheet, marks: Marks, addresses: dict[Cell, str]) -> None:
    """Every finding in document order, its cell linked to where it is marked."""
    _headings(sheet, 1, list(_LISTING), _LISTING_WIDTHS)
    for row, (finding, cell) in enumerate(marks.placed, start=2):
        project = marks.projects[cell.project]
        address = addresses.get(cell)
        values = {"project": f"{project.index} {project.title}", "row": cell.row,
                  "cell": f"{marks.where(cell)} {address or ''}".strip(),
                  "severity": finding.severity.label, "category": _category(finding.category),
                  "rule": finding.rule, "message": finding.message,
                  "suggestion": finding.suggestion}
        for column, name in enumerate(_LISTING, start=1):
            sheet.cell(row, column, values[name]).alignment = _WRAP
        if address:
            link = sheet.cell(row, _LISTING.index("cell") + 1)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=address)  # inside the workbook
            link.style = "Hyperlink"  # a named style: it replaces the alignment too
            link.alignment = _WRAP
        sheet.cell(row, _LISTING.index("severity") + 1).fill = PatternFill(
            "solid", fgColor=colour(finding.severity))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(_LISTING))}{len(marks.placed) + 1}"
