"""Text extracted from a PDF: one table row per line, cells separated by tabs.

Seeds 000 and 001 have this layout; 001 also wraps long cells with spaces and marks
headings with markdown '#'. A line without a tab is a paragraph.
"""

from __future__ import annotations

import re

from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location

_MARKDOWN_HEADING = re.compile(r"^\s*#+\s*")


def read_pdf_text(text: str) -> list[Item]:
    items: list[Item] = []
    table = 0
    previous_was_row = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        location = Location(line=number)
        if "\t" in line:
            if not previous_was_row:
                table += 1
            items.append(Row(tuple(line.split("\t")), location, table))
            previous_was_row = True
        else:
            items.append(Paragraph(_MARKDOWN_HEADING.sub("", line).strip(), location))
            previous_was_row = False
    return items
