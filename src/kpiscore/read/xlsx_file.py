"""Native .xlsx workbooks (openpyxl): every sheet, rows top to bottom.

Merged ranges keep their text in the top-left cell; the other cells become `None`. A row
whose only text stands in column A (a heading, "单位：万元", a note) is a paragraph, as it
would be in a Word document.

A 28 kB workbook can declare a cell at XFD1048576 or a merged range over the whole sheet,
and openpyxl, asked for the sheet, makes an object for every cell in between. So each
sheet's XML is first scanned as a stream (`_scan`) for its real extent, its `dimension`
and its merged ranges, which must keep within the limits (kpiscore.limits); the cells are
then read with openpyxl's read-only iterator, bounded by the extent found, which keeps
one row in memory at a time.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from lxml import etree
from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

from kpiscore import limits
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location

Cell = ReadOnlyCell | EmptyCell
Merge = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row, as openpyxl gives
_SHEET_ROWS, _SHEET_COLUMNS = 1_048_576, 16_384  # Excel's own bounds


@dataclass
class _Shape:
    """What the scan of a sheet found: the extent of its cells, its merged ranges."""

    rows: int = 0
    columns: int = 0
    merges: list[Merge] = field(default_factory=list)
    formulas: bool = False


def read_xlsx_file(path: Path) -> list[Item]:
    with zipfile.ZipFile(path) as archive:
        shapes = {name: _scan(archive, name) for name in archive.namelist()
                  if name.startswith("xl/worksheets/") and name.endswith(".xml")}
    # Formulas give their cached result; a "formula" with none ("=300天", text a program
    # wrote into the cell) is shown as the text it is. The cached results need a second
    # pass, made only for workbooks that have formulas.
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    formulas = any(shape.formulas for shape in shapes.values())
    cached = openpyxl.load_workbook(path, read_only=True, data_only=True) if formulas else None
    try:
        items: list[Item] = []
        for sheet_number, sheet in enumerate(workbook.worksheets, start=1):
            # the sheet's member in the zip: openpyxl keeps it in a private attribute only
            shape = shapes.get(sheet._worksheet_path.lstrip("/"), _Shape())
            results = cached.worksheets[sheet_number - 1] if cached is not None else None
            items += _sheet_items(sheet, results, shape, sheet_number)
        return items
    finally:
        workbook.close()
        if cached is not None:
            cached.close()


def _sheet_items(sheet, results, shape: _Shape, sheet_number: int) -> list[Item]:
    if not shape.rows:
        return []
    bounds = {"min_row": 1, "max_row": shape.rows, "min_col": 1, "max_col": shape.columns}
    rows = sheet.iter_rows(**bounds)
    result_rows = results.iter_rows(**bounds) if results is not None else None
    items: list[Item] = []
    for row_number, (row, covered) in enumerate(zip(rows, _covered(shape)), start=1):
        limits.tick()
        result_row = next(result_rows) if result_rows is not None else None
        texts = [None if column in covered else
                 _text(cell, result_row[column - 1] if result_row is not None else None)
                 for column, cell in enumerate(row, start=1)]
        filled = [(column, text) for column, text in enumerate(texts, start=1) if text]
        if not filled:
            continue
        location = Location(sheet=sheet.title, row=row_number)
        if len(filled) == 1 and filled[0][0] == 1:
            items.append(Paragraph(filled[0][1].strip(), location))
        else:
            items.append(Row(tuple(texts), location, sheet_number))
    return items


def _covered(shape: _Shape) -> Iterator[set[int]]:
    """For each row, the columns that a merged range covers (all but its top-left cell),
    sweeping down the rows so that no range is ever expanded into all its cells."""
    starting: dict[int, list[Merge]] = {}
    for merge in shape.merges:
        starting.setdefault(merge[1], []).append(merge)
    active: list[Merge] = []
    for row in range(1, shape.rows + 1):
        active = [merge for merge in active if merge[3] >= row] + starting.get(row, [])
        covered: set[int] = set()
        for min_col, min_row, max_col, _ in active:
            covered.update(range(min_col + (row == min_row), max_col + 1))
        yield covered


def _scan(archive: zipfile.ZipFile, name: str) -> _Shape:
    """Stream through a sheet's XML for its extent and merged ranges, stopping at the first
    that passes a limit. Cells and rows without an `r` follow the one before, as in
    openpyxl."""
    shape = _Shape()
    where = name.rsplit("/", 1)[-1]
    row = column = 0
    with archive.open(name) as source:
        for event, element in etree.iterparse(source, events=("start", "end"),
                                              tag=("{*}dimension", "{*}row", "{*}c", "{*}f",
                                                   "{*}mergeCell"),
                                              resolve_entities=False, no_network=True):
            tag = etree.QName(element).localname
            if event == "start":
                if tag == "row":
                    row = int(element.get("r") or row + 1)
                    column = 0
                    limits.check("rows", row, where)
                    limits.tick()
                    shape.rows = max(shape.rows, row)
                elif tag == "c":
                    reference = element.get("r")
                    column = (column_index_from_string(coordinate_from_string(reference)[0])
                              if reference else column + 1)
                    limits.check("columns", column, where)
                    shape.columns = max(shape.columns, column)
                continue
            if tag == "f":
                shape.formulas = True
            elif tag == "dimension":
                _check_extent(element.get("ref"), where)
            elif tag == "mergeCell":
                merge = _check_extent(element.get("ref"), where)
                if merge is not None:
                    shape.merges.append(merge)
            elif tag == "row":
                element.clear()  # keep memory flat: the cells of past rows are done with
                while element.getprevious() is not None:
                    del element.getparent()[0]
    return shape


def _check_extent(reference: str | None, where: str) -> Merge | None:
    """The bounds of a range (a `dimension` or merged range), refused past the limits; a
    whole column ("A:A") reaches the sheet's last row, a whole row its last column."""
    if not reference:
        return None
    min_col, min_row, max_col, max_row = range_boundaries(reference)
    max_row, max_col = max_row or _SHEET_ROWS, max_col or _SHEET_COLUMNS
    limits.check("rows", max_row, where)
    limits.check("columns", max_col, where)
    return min_col or 1, min_row or 1, max_col, max_row


def _text(cell: Cell, result: Cell | None) -> str:
    value = cell.value
    if cell.data_type == "f" and result is not None and result.value is not None:
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
