"""Write Project records back out as native .docx and .xlsx tables, laid out like the
Hebei templates, with merged cells, so tests can check that every format parses to the
same records. Also used by scripts/make_sample.py to build the bundled sample.

Grid (7 columns): the 绩效指标描述 cell spans two grid columns, so data rows carry a
merged-away column the way real templates do; 一级 and 二级 cells are merged vertically
over the rows they head. With `split_value` (2020 template) 指标值 becomes 符号 / 值 /
单位（文字描述） under a merged header, and the grid has 8 columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from openpyxl.styles import Alignment

from kpiscore.model import Project

_SPLIT = re.compile(r"^(>=|<=|=|≥|≤|>|<)?(\d+(?:\.\d+)?)(.*)$")


@dataclass
class Cell:
    text: str
    span: int = 1  # grid columns
    merge_up: bool = False  # continues the cell above (vertical merge)


def _split_value(value: str) -> list[str]:
    match = _SPLIT.match(value)
    if match:
        return [match.group(1) or "", match.group(2), match.group(3)]
    return ["文字描述", "", value]


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def layout(project: Project, split_value: bool = False) -> list[list[Cell]]:
    """The rows of one project table as grid cells."""
    rows: list[list[Cell]] = []
    if project.code:
        rows.append([Cell("项目编码"), Cell(project.code, 2), Cell("项目名称"),
                     Cell(project.title, 3 + split_value)])
    if project.budget_wan is not None:
        rows.append([Cell("预算规模及资金用途"), Cell("预算数"), Cell(_money(project.budget_wan)),
                     Cell("其中：财政资金"), Cell(_money(project.fiscal_wan)), Cell("其他资金"),
                     Cell(_money(project.other_wan), 1 + split_value)])
        rows.append([Cell("", merge_up=True), Cell(project.purpose or "", 6 + split_value)])
    elif project.purpose:
        rows.append([Cell("资金用途"), Cell(project.purpose, 6 + split_value)])
    if project.spending_plan:
        months = list(project.spending_plan)
        free = 6 + split_value  # grid columns right of the label
        spans = [free] if len(months) == 1 else [2] + [1] * (len(months) - 2) + [free - len(months)]
        rows.append([Cell("资金支出计划（%）")]
                    + [Cell(month, span) for month, span in zip(months, spans)])
        rows.append([Cell("", merge_up=True)]
                    + [Cell("" if value is None else f"{value:g}%", span)
                       for value, span in zip(project.spending_plan.values(), spans)])
    if project.goal:
        rows.append([Cell("绩效目标"), Cell(project.goal, 6 + split_value)])
    if split_value:
        rows.append([Cell("一级指标"), Cell("二级指标"), Cell("三级指标"), Cell("绩效指标描述"),
                     Cell("指标值", 3), Cell("指标值确定依据")])
        rows.append([Cell("", merge_up=True)] * 4
                    + [Cell("符号"), Cell("值"), Cell("单位（文字描述）"), Cell("", merge_up=True)])
    else:
        rows.append([Cell("一级指标"), Cell("二级指标"), Cell("三级指标"), Cell("绩效指标描述", 2),
                     Cell("指标值"), Cell("指标值确定依据")])
    previous = None
    for indicator in project.indicators:
        same_level1 = previous is not None and previous.level1 == indicator.level1
        same_level2 = same_level1 and previous.level2 == indicator.level2
        row = [Cell(indicator.level1, merge_up=same_level1),
               Cell(indicator.level2, merge_up=same_level2),
               Cell(indicator.name)]
        if split_value:
            row += [Cell(indicator.description)] + [Cell(part) for part in _split_value(indicator.value)]
        else:
            row += [Cell(indicator.description, 2), Cell(indicator.value)]
        rows.append(row + [Cell(indicator.basis)])
        previous = indicator
    return rows


def _heading(project: Project) -> str:
    if project.kind == "department":
        return f"{project.title}如下表："
    return f"{project.index}、{project.title}绩效目标表"


def write_docx(projects: list[Project], path: Path, split_value: bool = False,
               page_break_every: int = 0) -> Path:
    """One heading paragraph and one table per project; optional page breaks between."""
    document = docx.Document()
    for number, project in enumerate(projects, start=1):
        document.add_paragraph(_heading(project))
        document.add_paragraph("单位：万元")
        rows = layout(project, split_value)
        table = document.add_table(rows=len(rows), cols=7 + split_value)
        table.style = "Table Grid"
        for row in table.rows:  # rows stay whole; the table itself may cross a page
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for row_number, row in enumerate(rows):
            column = 0
            for cell in row:
                target = table.cell(row_number, column)
                if cell.span > 1:
                    target = target.merge(table.cell(row_number, column + cell.span - 1))
                if cell.merge_up:
                    target = table.cell(row_number - 1, column).merge(target)
                else:
                    target.text = cell.text
                column += cell.span
        if project.explanation:
            document.add_paragraph("项目说明：")
            for line in project.explanation.splitlines():
                document.add_paragraph(line)
        if page_break_every and number % page_break_every == 0:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.save(path)
    return path


def write_xlsx(projects: list[Project], path: Path, split_value: bool = False,
               sheet_per_project: bool = False) -> Path:
    """Tables stacked down one sheet (a merged heading row above each), or one per sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    width = 7 + split_value
    top = 1
    for number, project in enumerate(projects, start=1):
        if sheet_per_project and number > 1:
            sheet, top = workbook.create_sheet(f"项目{number}"), 1
        sheet.cell(top, 1, _heading(project))
        sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=width)
        top += 1
        rows = layout(project, split_value)
        anchor: dict[int, int] = {}  # column -> row where its current vertical merge starts
        for offset, row in enumerate(rows):
            column = 1
            for cell in row:
                if cell.merge_up:
                    _merge(sheet, anchor[column], column, top + offset, column + cell.span - 1)
                else:
                    anchor[column] = top + offset
                    sheet.cell(top + offset, column, cell.text or None)
                    sheet.cell(top + offset, column).alignment = Alignment(wrap_text=True)
                    _merge(sheet, top + offset, column, top + offset, column + cell.span - 1)
                column += cell.span
        top += len(rows)
        if project.explanation:
            for line in ["项目说明：", *project.explanation.splitlines()]:
                sheet.cell(top, 1, line)
                top += 1
        top += 1
    workbook.save(path)
    return path


def _merge(sheet, first_row: int, first_column: int, last_row: int, last_column: int) -> None:
    """Merge, absorbing any range that already starts in the block (grow a vertical merge)."""
    for existing in list(sheet.merged_cells.ranges):
        if (first_row <= existing.min_row <= last_row and first_column <= existing.min_col <= last_column):
            first_row = min(first_row, existing.min_row)
            sheet.unmerge_cells(str(existing))
    if (first_row, first_column) != (last_row, last_column):
        sheet.merge_cells(start_row=first_row, start_column=first_column,
                          end_row=last_row, end_column=last_column)
