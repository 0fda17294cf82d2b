"""Web pages (lxml.html): text blocks and tables in document order, as a browser shows them.

Row and column spans are expanded into the grid the way docx_file expands merges: the
first cell keeps the text, the cells it covers to the right and below are `None`. A table
that holds another table is page layout (many sites wrap their content in one), not data:
its cells are read as blocks of the page, so the tables inside it come out as tables.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html

from kpiscore.errors import InputError
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location
from kpiscore.read.failures import says
from kpiscore.read.sniff import decode_html

# Elements whose start and end break the text flow: a new paragraph, or a new line in a cell.
_BLOCKS = frozenset("""address article aside blockquote body caption center dd div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p
    pre section table tbody td tfoot th thead tr ul""".split())
_DROPPED = frozenset({"script", "style", "noscript", "template", "head", "select", "textarea"})
# HTML collapses runs of ASCII white space; &nbsp; counts as a space here too.
_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")
_SPAN = re.compile(r"\s*(\d+)")
# The HTML standard's own limits: colspan at most 1000, rowspan at most 65534.
_MAX_COLUMNS = 1000
_MAX_ROWSPAN = 65534
# A few empty <tr> under one huge span would otherwise build a grid of millions of cells;
# a budget table has some thousands.
_MAX_CELLS = 2_000_000


class _TooLarge(Exception):
    def __init__(self, rows: int, columns: int) -> None:
        super().__init__(rows, columns)
        self.rows, self.columns = rows, columns


def read_html_file(path: Path) -> list[Item]:
    text = decode_html(path)
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as error:
        raise InputError(str(path), says("html_broken", detail=error)) from None
    # libxml2 stops at 256 nested elements (which also keeps _walk's recursion shallow) and
    # returns what it read so far: a page cut off silently would lose tables, so refuse it.
    limits = [entry for entry in parser.error_log if entry.type_name == "ERR_RESOURCE_LIMIT"]
    if limits:
        raise InputError(str(path), says("html_too_deep"))
    page = _Page()
    try:
        _walk(root, page)
    except _TooLarge as error:
        raise InputError(str(path), says("html_too_large", rows=error.rows, columns=error.columns)) from None
    page.end_paragraph()
    return page.items


def _tag(element: lxml.etree._Element) -> str:
    """Lower-case tag name; "" for comments and processing instructions."""
    return element.tag.lower() if isinstance(element.tag, str) else ""


class _Lines:
    """Inline text gathered into lines; `<br>` and block edges end a line."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, text: str) -> None:
        self.parts.append(_SPACE.sub(" ", text))

    def line_break(self) -> None:
        self.parts.append("\n")

    def block_edge(self) -> None:
        self.parts.append("\n")

    def table(self, table: lxml.etree._Element) -> bool:
        return False  # inside a cell a nested table is just more lines

    def take(self) -> str:
        lines = (line.strip() for line in "".join(self.parts).split("\n"))
        self.parts = []
        return "\n".join(line for line in lines if line)


class _Page(_Lines):
    """The whole page: a block edge ends a paragraph, a data table becomes rows."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []
        self.paragraphs = self.tables = 0

    def block_edge(self) -> None:
        self.end_paragraph()

    def end_paragraph(self) -> None:
        text = self.take()
        if text:
            self.paragraphs += 1
            self.items.append(Paragraph(text, Location(paragraph=self.paragraphs)))

    def table(self, table: lxml.etree._Element) -> bool:
        if table.find(".//table") is not None:
            return False  # layout: walk into it like any block
        self.end_paragraph()
        for caption in (child for child in table if _tag(child) == "caption"):
            _walk(caption, self)
        grid = _grid(table)
        if any(grid):  # rows without a single cell are no table
            self.tables += 1
            self.items.extend(Row(cells, Location(table=self.tables, row=number), self.tables)
                              for number, cells in enumerate(grid, start=1))
        return True


def _walk(element: lxml.etree._Element, sink: _Lines) -> None:
    tag = _tag(element)
    if tag in _DROPPED or not tag:
        return
    if tag == "br":
        sink.line_break()
        return
    if tag == "table" and sink.table(element):
        return
    block = tag in _BLOCKS
    if block:
        sink.block_edge()
    if element.text:
        sink.text(element.text)
    for child in element:
        _walk(child, sink)
        if child.tail:
            sink.text(child.tail)
    if block:
        sink.block_edge()


def _own_rows(table: lxml.etree._Element) -> list[lxml.etree._Element]:
    """The table's rows in source order, not those of tables nested in its cells."""
    return [row for row in table.iter("tr")
            if next(row.iterancestors("table"), None) is table]


def _span(element: lxml.etree._Element, name: str, limit: int) -> int:
    """A span attribute as browsers read it ("2px" is 2); missing, 0 or junk is 1."""
    match = _SPAN.match(element.get(name, ""))
    return min(max(int(match.group(1)), 1), limit) if match else 1


def _grid(table: lxml.etree._Element) -> list[tuple[str | None, ...]]:
    """Rows with spans expanded; every row padded with "" to the table's width."""
    rows = _own_rows(table)
    grid: list[dict[int, str | None]] = [{} for _ in rows]
    for r, row in enumerate(rows):
        column = 0
        for cell in (child for child in row if _tag(child) in ("td", "th")):
            while column in grid[r]:
                column += 1  # taken by a rowspan from above
            if column >= _MAX_COLUMNS:
                break  # a page this wide is no budget table; keep the sane part
            colspan = min(_span(cell, "colspan", _MAX_COLUMNS), _MAX_COLUMNS - column)
            # A rowspan never reaches past the table's last row (browsers clip it too).
            rowspan = min(_span(cell, "rowspan", _MAX_ROWSPAN), len(rows) - r)
            if len(rows) * (column + colspan) > _MAX_CELLS:  # before the grid is built
                raise _TooLarge(len(rows), column + colspan)
            lines = _Lines()
            _walk(cell, lines)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[r + dr].setdefault(column + dc, None)
            grid[r][column] = lines.take()
            column += colspan
    width = max((max(cells) + 1 for cells in grid if cells), default=0)
    return [tuple(cells.get(c, "") for c in range(width)) for cells in grid]
