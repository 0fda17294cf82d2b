"""Native .docx files (python-docx): paragraphs and tables in document order.

Merged cells become `None` in the grid: a horizontal merge (gridSpan) covers the columns
to the right of its first cell, a vertical merge (vMerge continue) the cells below it.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location


def read_docx_file(path: Path) -> list[Item]:
    document = docx.Document(str(path))
    items: list[Item] = []
    table_number = paragraph_number = 0
    for block in document.iter_inner_content():
        if isinstance(block, DocxParagraph):
            paragraph_number += 1
            if block.text.strip():
                items.append(Paragraph(block.text.strip(), Location(paragraph=paragraph_number)))
        elif isinstance(block, Table):
            table_number += 1
            items.extend(_table_rows(block, table_number))
    return items


def _table_rows(table: Table, number: int) -> list[Row]:
    rows = []
    for row_number, row in enumerate(table.rows, start=1):
        tr = row._tr
        cells: list[str | None] = [None] * tr.grid_before
        for tc in tr.tc_lst:
            covered = tc.vMerge == "continue"
            cells.append(None if covered else _Cell(tc, table).text)
            cells.extend([None] * (tc.grid_span - 1))
        rows.append(Row(tuple(cells), Location(table=number, row=row_number), number))
    return rows
