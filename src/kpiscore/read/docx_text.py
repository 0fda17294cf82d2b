"""Text extracted from a DOCX (seeds 002 and 004).

Each table cell is a line that starts with a tab; a line without a leading tab right after
a cell is a further paragraph of that cell; a blank line ends a row, two or more end the
table. A cell may itself hold a blank paragraph, which looks like a row end, so rows are
marked `may_be_split` and the extractor rejoins them by the table's width.
`[bookmark: …]` markers are export noise.
"""

from __future__ import annotations

import re

from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def read_docx_text(text: str) -> list[Item]:
    items: list[Item] = []
    cells: list[str] = []
    row_line = 0
    table = 0
    blank_run = 2  # the document starts outside any table
    last_was_cell = False

    def end_row() -> None:
        nonlocal cells
        if cells:
            items.append(Row(tuple(cells), Location(line=row_line), table, may_be_split=True))
            cells = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = _BOOKMARK.sub("", raw)
        if "\t" not in line and not line.strip():  # "\t　" is a cell holding a full-width space
            end_row()
            blank_run += 1
            last_was_cell = False
            continue
        if line.startswith("\t"):
            if blank_run >= 2 and not cells:
                table += 1
            if not cells:
                row_line = number
            cells.append(line[1:].replace("\t", " "))
            last_was_cell = True
        elif last_was_cell:
            cells[-1] += "\n" + line
        else:
            end_row()
            items.append(Paragraph(line.strip(), Location(line=number)))
        blank_run = 0
    end_row()
    return items
