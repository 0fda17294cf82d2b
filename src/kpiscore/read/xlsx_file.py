"""Native .xlsx workbooks (openpyxl): every sheet, rows top to bottom.

Merged ranges keep their text in the top-left cell; the other cells become `None`. A row
whose only text stands in column A (a heading, "单位：万元", a note) is a paragraph, as it
would be in a Word document.
"""

from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from kpiscore.errors import InputError
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location


def _load(path: Path, data_only: bool) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(path, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InputError(str(path), f"truncated or corrupt .xlsx ({type(error).__name__})") from None


def read_xlsx_file(path: Path) -> list[Item]:
    # Formulas give their cached result; a "formula" with none ("=300天", text a program
    # wrote into the cell) is shown as the text it is. The cached results need a second load,
    # done only for workbooks that have formulas.
    workbook = _load(path, data_only=False)
    formulas = any(cell.data_type == "f" for sheet in workbook.worksheets
                   for row in sheet.iter_rows() for cell in row)
    cached = _load(path, data_only=True) if formulas else None
    items: list[Item] = []
    for sheet_number, sheet in enumerate(workbook.worksheets, start=1):
        results = cached.worksheets[sheet_number - 1] if cached is not None else None
        covered: set[tuple[int, int]] = set()
        for merged in sheet.merged_cells.ranges:
            covered |= {(r, c) for r in range(merged.min_row, merged.max_row + 1)
                        for c in range(merged.min_col, merged.max_col + 1)}
            covered.discard((merged.min_row, merged.min_col))
        for row in sheet.iter_rows():
            texts = [None if (cell.row, cell.column) in covered else _text(cell, results) for cell in row]
            filled = [(cell.column, text) for cell, text in zip(row, texts) if text]
            if not filled:
                continue
            location = Location(sheet=sheet.title, row=row[0].row)
            if len(filled) == 1 and filled[0][0] == 1:
                items.append(Paragraph(filled[0][1].strip(), location))
            else:
                items.append(Row(tuple(texts), location, sheet_number))
    return items


def _text(cell: openpyxl.cell.cell.Cell, results: Worksheet | None) -> str:
    value = cell.value
    if cell.data_type == "f" and results is not None:
        result = results.cell(cell.row, cell.column)
        if result.value is not None:
            return _text(result, None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in (cell.number_format or ""):
            return f"{value * 100:.15g}%"  # 15 digits: 1234567.5 stays 1234567.5, 0.95 * 100 is 95
        return f"{value:.15g}" if isinstance(value, float) else str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.date().isoformat() if isinstance(value, datetime.datetime) else value.isoformat()
    return str(value)
