"""The common shape every reader produces: paragraphs and table rows in reading order.

A row holds one entry per grid column. `None` marks a cell covered by a merge (the cell to
its left or above owns the text); "" is an empty cell. Text layouts cannot show merges, so
their rows only hold strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpiscore.model import Location


@dataclass(frozen=True)
class Paragraph:
    text: str
    location: Location


@dataclass(frozen=True)
class Row:
    cells: tuple[str | None, ...]
    location: Location
    table: int  # rows of the same table share this number
    # True where the layout may have split one table row at a blank paragraph inside a
    # cell (DOCX text export), so the extractor may rejoin short rows.
    may_be_split: bool = False


Item = Paragraph | Row
