"""Legacy .xls workbooks (xlrd), and WPS .et ones that keep the same BIFF streams.

Read like xlsx_file reads .xlsx: every sheet top to bottom, merged ranges keep their text
in the top-left cell and the other cells become `None`, and a row whose only text stands
in column A is a paragraph.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import xlrd
import xlrd.compdoc
from xlrd.sheet import Cell, Sheet

from kpiscore.errors import InputError
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location
from kpiscore.read.failures import says

_BROKEN = (xlrd.XLRDError, xlrd.compdoc.CompDocError, struct.error, IndexError, KeyError,
           ValueError, AssertionError, EOFError)


def read_xls_file(path: Path) -> list[Item]:
    try:
        # formatting_info: without it xlrd leaves merged_cells empty for .xls.
        # logfile: xlrd prints its warnings to stdout, which is the CLI's output.
        # ignore_workbook_corruption: some exporters leave a sector listed twice in the
        # compound file, and xlrd would refuse the whole workbook ("Workbook corruption")
        # over it instead of reading the cells.
        book = xlrd.open_workbook(file_contents=path.read_bytes(), formatting_info=True,
                                  logfile=io.StringIO(), ignore_workbook_corruption=True)
    except xlrd.XLRDError as error:
        if "encrypted" in str(error).lower():
            raise InputError(str(path), says("locked_office")) from None
        reason = str(error).split(";")[0]  # drop xlrd's dump of the bytes it found
        raise InputError(str(path), says("bad_xls", detail=reason)) from None
    except _BROKEN as error:
        raise InputError(str(path), says("bad_xls", detail=type(error).__name__)) from None
    items: list[Item] = []
    for number, sheet in enumerate(book.sheets(), start=1):
        items.extend(_sheet_items(book, sheet, number))
    return items


def _sheet_items(book: xlrd.Book, sheet: Sheet, number: int) -> list[Item]:
    covered: set[tuple[int, int]] = set()
    for first_row, end_row, first_column, end_column in sheet.merged_cells:  # ends exclusive
        covered |= {(r, c) for r in range(first_row, end_row) for c in range(first_column, end_column)}
        covered.discard((first_row, first_column))
    width = max([sheet.ncols, *(c + 1 for _, c in covered)])
    height = max([sheet.nrows, *(r + 1 for r, _ in covered)])
    items: list[Item] = []
    for r in range(height):
        texts: list[str | None] = []
        for c in range(width):
            inside = r < sheet.nrows and c < sheet.row_len(r)
            texts.append(None if (r, c) in covered else _text(book, sheet.cell(r, c)) if inside else "")
        filled = [(c, text) for c, text in enumerate(texts) if text]
        if not filled:
            continue
        location = Location(sheet=sheet.name, row=r + 1)
        if len(filled) == 1 and filled[0][0] == 0:
            items.append(Paragraph(filled[0][1].strip(), location))
        else:
            items.append(Row(tuple(texts), location, number))
    return items


def _text(book: xlrd.Book, cell: Cell) -> str:
    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return str(bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(value, book.datemode).date().isoformat()
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return _number(value)
    if "%" in _format(book, cell):
        return f"{_number(value * 100)}%"
    return _number(value)


def _number(value: float) -> str:
    """Every .xls number is a float: 12.0 reads "12", and 15 significant digits drop the
    binary noise (0.95 * 100 is 95.00000000000001) without rounding money away."""
    return f"{value:.15g}"


def _format(book: xlrd.Book, cell: Cell) -> str:
    try:
        return book.format_map[book.xf_list[cell.xf_index].format_key].format_str
    except (IndexError, KeyError, TypeError):
        return ""
