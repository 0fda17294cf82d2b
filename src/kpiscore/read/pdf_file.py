"""Native PDF files with a text layer (pdfplumber).

Each page gives its tables (merged cells come back as `None`) and the text lines outside
them, sorted top to bottom, so headings come before their tables. A table that continues
on the next page is the next table; its cells are put back on the columns of the part
above (by their left edges), and the extractor joins it, and any row cut by the page
break, to the project above. Page numbers alone on a line are dropped: they would
otherwise split a table.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pdfplumber
from pdfminer.pdftypes import resolve1
from pdfplumber.table import Table

from kpiscore import limits
from kpiscore.errors import InputError
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location
from kpiscore.read.failures import says

# A line ending this close (in points) to the right margin was wrapped, not ended.
_FULL_LINE_SLACK = 15
_WRAP = re.compile(r"(?<=[A-Za-z])\n(?=[A-Za-z])")
_PAGE_NUMBER = re.compile(r"^[-—\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d+)?[-—\s]*$")


logging.getLogger("pdfminer").addHandler(logging.NullHandler())


def read_pdf_file(path: Path) -> list[Item]:
    """The items of every page; a damaged file's errors are told by kpiscore.read.failures."""
    most = limits.active().pdf_pages
    with pdfplumber.open(path, pages=range(1, most + 2)) as pdf:
        limits.check("pdf_pages", _declared_pages(pdf))
        limits.check("pdf_pages", len(pdf.pages))
        return _read_pages(pdf, str(path))


def _declared_pages(pdf: pdfplumber.PDF) -> int:
    """The page count the page tree declares (0 when it declares none)."""
    count = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
    return count if isinstance(count, int) else 0


def _read_pages(pdf: pdfplumber.PDF, source: str) -> list[Item]:
    items: list[Item] = []
    table_number = 0
    has_text = False
    columns: list[float] = []  # left edges of the grid columns of the last table
    last_was_table = False
    for page_number, page in enumerate(pdf.pages, start=1):
        limits.tick()
        has_text = has_text or bool(page.chars)
        tables = page.find_tables()
        boxes = [table.bbox for table in tables]
        outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
        placed: list[tuple[float, Item | Table]] = [
            (top, Paragraph(text, Location(page=page_number)))
            for top, text in _paragraphs(outside.extract_text_lines(), boxes)
        ]
        placed += [(table.bbox[1], table) for table in tables]
        for _, item in sorted(placed, key=lambda pair: pair[0]):
            if isinstance(item, Paragraph):
                items.append(item)
                last_was_table = False
                continue
            table_number += 1
            edges = _left_edges(item)
            # A table continued on a new page may lose a spacer column; put its cells back
            # on the columns of the part above so that the header's column map still fits.
            regrid = last_was_table and columns and len(edges) != len(columns)
            if not regrid:
                columns = edges
            for row_number, (row, cells) in enumerate(zip(item.rows, item.extract()), start=1):
                if regrid:
                    cells = _onto(columns, row.cells, cells)
                cells = [None if cell is None else _unwrap(cell) for cell in cells]
                location = Location(page=page_number, table=table_number, row=row_number)
                items.append(Row(tuple(cells), location, table_number))
            last_was_table = True
        page.close()  # its laid-out characters are done with: memory stays one page deep
    if not has_text:
        raise InputError(source, says("no_text_layer"))
    return items


def _paragraphs(lines: list[dict], boxes: list) -> list[tuple[float, str]]:
    """Text lines -> paragraphs: a line that runs to the right margin continues below,
    unless a table stands between the two lines."""
    lines = [line for line in lines
             if line["text"].strip() and not _PAGE_NUMBER.match(line["text"].strip())]
    right = max([line["x1"] for line in lines] + [box[2] for box in boxes], default=0)
    paragraphs: list[tuple[float, str]] = []
    previous = None
    for line in lines:
        text = line["text"].strip()
        table_between = previous is not None and any(
            previous["bottom"] <= box[1] <= line["top"] for box in boxes)
        if previous is not None and previous["x1"] >= right - _FULL_LINE_SLACK and not table_between:
            top, above = paragraphs[-1]
            paragraphs[-1] = (top, _unwrap(f"{above}\n{text}"))
        else:
            paragraphs.append((line["top"], text))
        previous = line
    return paragraphs


def _unwrap(cell: str) -> str:
    """pdfplumber marks each wrapped line with a newline; only Latin words need a space."""
    return _WRAP.sub(" ", cell).replace("\n", "")


def _left_edges(table: Table) -> list[float]:
    width = max(len(row.cells) for row in table.rows)
    edges = []
    for index in range(width):
        lefts = [row.cells[index][0] for row in table.rows
                 if index < len(row.cells) and row.cells[index] is not None]
        edges.append(min(lefts) if lefts else edges[-1] if edges else table.bbox[0])
    return edges


def _onto(columns: list[float], boxes: list, cells: list[str | None]) -> list[str | None]:
    placed: list[str | None] = [None] * len(columns)
    for box, text in zip(boxes, cells):
        if box is not None:
            nearest = min(range(len(columns)), key=lambda index: abs(columns[index] - box[0]))
            placed[nearest] = text or ""
    return placed


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x = (obj["x0"] + obj["x1"]) / 2
    middle_y = (obj["top"] + obj["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom
