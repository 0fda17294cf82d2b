"""Native .docx files (python-docx): paragraphs and tables in document order.

Merged cells become `None` in the grid: a horizontal merge (gridSpan) covers the columns
to the right of its first cell, a vertical merge (vMerge continue) the cells below it.
Spans and `gridBefore` are attributes anyone can set to 100000000, so the columns they
cover are bounded by the table's grid (`w:tblGrid`), and the grid and the rows by the
limits (kpiscore.limits).
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from kpiscore import limits
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
            limits.check("tables", table_number)
            items.extend(_table_rows(block, table_number))
    return items


def _table_rows(table: Table, number: int) -> list[Row]:
    where = f"表 {number}"
    tbl = table._tbl
    grid = len(tbl.findall(qn("w:tblGrid") + "/" + qn("w:gridCol")))
    limits.check("columns", grid, where)
    # A table without a grid (some generators write none) is bounded by the limit alone.
    width = grid or limits.active().columns
    rows = []
    for row_number, tr in enumerate(tbl.tr_lst, start=1):
        limits.check("rows", row_number, where)
        limits.tick()
        limits.check("columns", len(tr.tc_lst), where)
        cells: list[str | None] = [None] * min(tr.grid_before, width)
        for tc in tr.tc_lst:
            covered = tc.vMerge == "continue"
            cells.append(None if covered else _Cell(tc, table).text)
            cells.extend([None] * min(tc.grid_span - 1, width - len(cells)))
        rows.append(Row(tuple(cells), Location(table=number, row=row_number), number))
    return rows
