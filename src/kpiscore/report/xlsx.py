"""The review as an Excel workbook (openpyxl).

* 概览: the document's projects with 预算数, score, grade and findings by category, a legend
  of the severity colours, and two bar charts (findings by category, score by project);
* 问题清单: every finding as a filterable Excel table, each linked to its cell;
* one sheet per project table, laid out like the source (header block, then 一级指标 …
  指标值确定依据), every cell with findings filled by its worst severity and carrying one
  comment that lists them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.pagebreak import Break
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from kpiscore.findings import Finding, Severity, categories
from kpiscore.model import Project
from kpiscore.report.cells import (HEADER_FIELDS, INDICATOR_FIELDS, Cell, Marks, colour,
                                   field_text, label, note, plain, worst)
from kpiscore.scores import score_text

AUTHOR = "kpiscore"
_COLUMNS = (*INDICATOR_FIELDS, "score")
_WIDTHS = {"level1": 16, "level2": 14, "name": 24, "description": 34, "value": 20, "basis": 26,
           "score": 8}
_HEADER_LINES_MAX = 5  # a long 绩效目标 must not push the table off the screen
_LINE_POINTS = 15  # row height per line of 11-point text
_BOLD = Font(bold=True)
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
# Sheet names: at most 31 characters, none of \ / ? * [ ] :, not starting or ending with '
_SHEET_ILLEGAL = re.compile(r"[\\/?*\[\]:]")
_SHEET_MAX = 31
_FINDING_WIDTHS = {"title": 28, "cell": 22, "category": 20, "message": 48, "suggestion": 48}
_FINDING_WRAPPED = ("title", "message", "suggestion")


def write(marks: Marks, path: Path) -> None:
    workbook = Workbook()
    summary = workbook.active
    summary.title = label("summary_sheet")
    findings = workbook.create_sheet(label("findings_sheet"))
    taken = {summary.title.casefold(), findings.title.casefold()}
    sheets: dict[int, str] = {}
    addresses: dict[Cell, str] = {}  # where each marked cell ended up, for links
    for project in marks.review.document.projects:
        sheet = workbook.create_sheet(sheet_name(f"{project.index} {project.title}", taken))
        sheets[project.index] = sheet.title
        addresses.update(_project_sheet(sheet, project, marks))
    _summary(summary, marks, sheets)
    _findings(findings, marks, sheets, addresses)
    for sheet in workbook.worksheets:
        print_ready(sheet, marks.review.document.name)
    workbook.save(path)


_THIN = Side(style="thin", color="A6A6A6")
_LINE_POINTS = 15  # the height of one wrapped line of 11-point text


def print_ready(sheet: Worksheet, name: str) -> None:
    """A review sheet as a bureau prints it: thin borders on every filled cell, text
    wrapped inside its cell (rows as tall as their longest text, so nothing overprints a
    neighbour), A4 landscape a page wide, the header row repeated on every page, the
    document's name and page numbers in the margins."""
    for row in sheet.iter_rows():
        lines = 1
        filled = [cell for cell in row if cell.value is not None]
        if len(filled) < 2:  # a title or summary line runs across the sheet unbordered
            continue
        for cell in filled:
            cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
            if isinstance(cell.value, str) and not cell.value.startswith("=") \
                    and not cell.alignment.text_rotation:
                cell.alignment = Alignment(wrap_text=True, vertical="top",
                                           horizontal=cell.alignment.horizontal)
                width = sheet.column_dimensions[cell.column_letter].width or 10
                lines = max(lines, _lines(cell.value, max(4, int(width))))
        if lines > 1 and row:
            sheet.row_dimensions[row[0].row].height = lines * _LINE_POINTS
    setup = sheet.page_setup
    setup.orientation, setup.paperSize = "landscape", sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    headings = sheet[sheet.freeze_panes].row - 1 if sheet.freeze_panes else 0
    if headings:  # the rows above the frozen pane are the sheet's headings
        sheet.print_title_rows = f"1:{headings}"
    sheet.oddHeader.center.text = name
    sheet.oddFooter.center.text = "&P / &N"


def sheet_name(text: str, taken: set[str]) -> str:
    """A legal sheet name for `text`, unique (case-insensitively) among `taken`; adds it."""
    base = _SHEET_ILLEGAL.sub("_", " ".join(text.split())).strip("'") or "sheet"
    name, number = base[:_SHEET_MAX], 1
    while name.casefold() in taken:
        number += 1
        suffix = f"~{number}"
        name = base[:_SHEET_MAX - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _width(text: str) -> int:
    """Display width in Excel's character units: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell of this column width needs (openpyxl cannot autofit rows)."""
    return sum(max(1, math.ceil(_width(part) / max(width - 1, 1))) for part in str(text).split("\n"))


def _mark(cell: SheetCell, findings: list[Finding]) -> None:
    """Fill a cell by its worst finding and attach one comment listing all of them."""
    if not findings:
        return
    cell.fill = PatternFill("solid", fgColor=colour(worst(findings)))
    text = note(findings)
    comment = Comment(text, AUTHOR)
    comment.width = 360
    comment.height = min(600, 24 + 16 * _lines(text, 48))
    cell.comment = comment


def _project_sheet(sheet: Worksheet, project: Project, marks: Marks) -> dict[Cell, str]:
    for column, name in enumerate(_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS[name]
    value_width = sum(_WIDTHS[name] for name in _COLUMNS[1:])  # header values span B:G
    addresses: dict[Cell, str] = {}
    score = marks.review.scores[project.index]
    row = 0
    for row, name in enumerate(HEADER_FIELDS, start=1):
        _label(sheet.cell(row, 1, label(name)))
        target = sheet.cell(row, 2)
        if name == "budget_wan":  # numbers, with 财政资金 / 其他资金 beside, as in the source
            target.value = project.budget_wan
            for column, part in ((3, "fiscal_wan"), (5, "other_wan")):
                _label(sheet.cell(row, column, label(part)))
                sheet.cell(row, column + 1, getattr(project, part)).number_format = "#,##0.00"
            target.number_format = "#,##0.00"
        else:
            target.value = field_text(project, None, name) or None
            target.alignment = _WRAP
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(_COLUMNS))
            lines = max(_lines(label(name), _WIDTHS[_COLUMNS[0]]),
                        min(_HEADER_LINES_MAX, _lines(target.value or "", value_width)))
            sheet.row_dimensions[row].height = _LINE_POINTS * lines
        addresses[Cell(project.index, None, name)] = target.coordinate
        _mark(target, marks.on(project.index, None, name))
    row += 1
    _label(sheet.cell(row, 1, label("score")))
    sheet.cell(row, 2, score.score if score.score is not None else score_text(None))
    _label(sheet.cell(row, 3, label("grade")))
    sheet.cell(row, 4, score.grade_text).font = _BOLD
    header = row + 2
    for column, name in enumerate(_COLUMNS, start=1):
        _label(sheet.cell(header, column, label(name)))
    for number, indicator in enumerate(project.indicators, start=1):
        row = header + number
        lines = 1
        for column, name in enumerate(_COLUMNS, start=1):
            target = sheet.cell(row, column)
            target.alignment = _WRAP
            if name == "score":
                target.value = score.indicator_scores[number - 1]
                continue
            target.value = field_text(project, indicator, name) or None
            lines = max(lines, _lines(target.value or "", _WIDTHS[name]))
            addresses[Cell(project.index, number, name)] = target.coordinate
            _mark(target, marks.on(project.index, number, name))
        sheet.row_dimensions[row].height = _LINE_POINTS * lines
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    return addresses


def _label(cell: SheetCell) -> None:
    cell.font = _BOLD
    cell.fill = _LABEL_FILL
    cell.alignment = _WRAP


def _link(cell: SheetCell, sheet: str, coordinate: str = "A1") -> None:
    cell.hyperlink = f"#{quote_sheetname(sheet)}!{coordinate}"
    cell.style = "Hyperlink"


def _summary(sheet: Worksheet, marks: Marks, sheets: dict[int, str]) -> None:
    document, info = marks.review.document, marks.review.summary()
    sheet.cell(1, 1, f"{label('report_title')}：{document.unit_name or ''} {document.year or ''}"
                     ).font = Font(bold=True, size=14)
    sheet.cell(2, 1, document.heading)
    sheet.cell(3, 1, f"{label('projects')} {info['projects']} · {label('indicators')} "
                     f"{info['indicators']} · {label('findings')} {info['findings']} · "
                     f"{label('mean_score')} {score_text(info['score'])}")
    names = list(categories())
    columns = [label(n) for n in ("index", "project", "budget_wan", "score", "grade", "findings")]
    header = 5
    titles = [categories()[n]["title"] for n in names]
    for column, text in enumerate([*columns, *titles], start=1):
        _label(sheet.cell(header, column, text))
        if column > len(columns):  # category titles read upwards, keeping the columns narrow
            sheet.cell(header, column).alignment = Alignment(text_rotation=90, vertical="bottom")
    sheet.row_dimensions[header].height = 13 * max(len(t) for t in titles)
    projects = document.projects
    for row, project in enumerate(projects, start=header + 1):
        score = marks.review.scores[project.index]
        counts = marks.category_counts(project.index)
        values: list[Any] = [project.index, project.title, project.budget_wan, score.score,
                             score.grade_text, sum(counts.values()), *(counts[n] or None for n in names)]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
        sheet.cell(row, 3).number_format = "#,##0.00"
        _link(sheet.cell(row, 2), sheets[project.index])
    total = header + len(projects) + 1
    _label(sheet.cell(total, 2, label("total")))
    for column in range(6, 7 + len(names)):
        letter = get_column_letter(column)
        sheet.cell(total, column, f"=SUM({letter}{header + 1}:{letter}{total - 1})"
                   if projects else 0).font = _BOLD
    for column, width in enumerate((6, 30, 14, 8, 6, 8), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for column in range(7, 7 + len(names)):
        sheet.column_dimensions[get_column_letter(column)].width = 5
    sheet.freeze_panes = sheet.cell(header + 1, 3)
    legend = total + 2
    _label(sheet.cell(legend, 1, label("legend")))
    for column, severity in enumerate(sorted(Severity, reverse=True), start=2):
        sheet.cell(legend, column, severity.label).fill = PatternFill("solid", fgColor=colour(severity))
    # the charts start a page of their own, so that a long table never cuts them in two
    sheet.row_breaks.append(Break(id=legend + 1))
    _charts(sheet, header, total, len(names), legend + 2)


def _bar_chart(title: str) -> BarChart:
    chart = BarChart()
    chart.title = title
    chart.legend = None
    chart.gapWidth = 50
    chart.x_axis.delete = chart.y_axis.delete = False  # recent Excel hides axes otherwise
    return chart


def _charts(sheet: Worksheet, header: int, total: int, categories_count: int, top: int) -> None:
    """Findings by category (the 合计 row) and score by project (the score column)."""
    by_category = _bar_chart(label("by_category"))
    by_category.type = "bar"
    by_category.x_axis.scaling.orientation = "maxMin"  # categories top-down, as in the table
    by_category.add_data(Reference(sheet, min_col=7, max_col=6 + categories_count, min_row=total),
                         from_rows=True, titles_from_data=False)
    by_category.set_categories(Reference(sheet, min_col=7, max_col=6 + categories_count,
                                         min_row=header))
    by_category.y_axis.title = label("findings")
    by_category.height, by_category.width = 4 + 0.6 * categories_count, 16  # room for every label
    sheet.add_chart(by_category, sheet.cell(top, 2).coordinate)
    if total - header < 2:
        return
    scores = _bar_chart(label("project_scores"))
    scores.add_data(Reference(sheet, min_col=4, min_row=header + 1, max_row=total - 1),
                    titles_from_data=False)
    scores.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=total - 1))
    scores.y_axis.scaling.min, scores.y_axis.scaling.max = 0, 100
    scores.height, scores.width = 4 + 0.6 * categories_count, 16
    sheet.add_chart(scores, sheet.cell(top, 11).coordinate)


def _findings(sheet: Worksheet, marks: Marks, sheets: dict[int, str],
              addresses: dict[Cell, str]) -> None:
    """One row per finding; the finding's own fields as columns, whatever they are."""
    keys: list[str] = []
    for finding, _ in marks.placed:
        keys += [key for key in finding.to_dict() if key not in keys and key != "field"]
    titles = {p.index: p.title for p in marks.review.document.projects}
    header = [label(n) for n in ("project", "title", "row", "cell")]
    header += [_key_label(key) for key in keys]
    for column, text in enumerate(header, start=1):
        sheet.cell(1, column, text)
    for row, (finding, cell) in enumerate(marks.placed, start=2):
        values = finding.to_dict()
        address = addresses.get(cell, "")
        sheet.cell(row, 1, cell.project)
        sheet.cell(row, 2, titles[cell.project])
        sheet.cell(row, 3, cell.row)
        target = sheet.cell(row, 4, f"{label(cell.field)} {address}".strip())
        if address:
            _link(target, sheets[cell.project], address)
        for column, key in enumerate(keys, start=5):
            value = _shown(finding, key, values.get(key))
            # numbers stay numbers so that the table filters and sorts them
            sheet.cell(row, column, value if value is None or isinstance(value, (int, float))
                       else plain(value))
            if key == "severity":
                sheet.cell(row, column).fill = PatternFill("solid", fgColor=colour(finding.severity))
    for column, key in enumerate(["project", "title", "row", "cell", *keys], start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = _FINDING_WIDTHS.get(key, 10)
        if key in _FINDING_WRAPPED:
            for (cell,) in sheet[f"{letter}2:{letter}{len(marks.placed) + 1}"] if marks.placed else ():
                cell.alignment = _WRAP
    sheet.freeze_panes = "A2"
    if marks.placed:  # an Excel table needs at least one data row
        table = Table(displayName="findings",
                      ref=f"A1:{get_column_letter(len(header))}{len(marks.placed) + 1}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        sheet.add_table(table)


def _shown(finding: Finding, key: str, value: object) -> object:
    """A finding field as the findings sheet prints it: severity and source in words."""
    if key == "severity":
        return finding.severity.label
    if key == "source":
        return label(f"source_{value}")
    return value


def _key_label(key: str) -> str:
    """A finding field's column heading: the report's label when it has one."""
    try:
        return label(key)
    except KeyError:
        return key
