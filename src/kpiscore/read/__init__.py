"""Readers: any supported file -> paragraphs and table rows (see kpiscore.grid).

The format is chosen by content, not by extension: a .txt holding DOCX-exported text and a
.docx renamed to .bin are both read correctly. Web pages, .xls and (through LibreOffice)
.doc / .wps / .et are read into the same items.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from kpiscore import limits
from kpiscore.errors import InputError
from kpiscore.grid import Item, Paragraph
from kpiscore.read.docx_text import read_docx_text
from kpiscore.read.failures import translated
from kpiscore.read.pdf_text import read_pdf_text
from kpiscore.read.sniff import decode_text, sniff

# Each native reader imports its library (python-docx, pdfplumber, openpyxl, lxml, xlrd)
# when a file of its kind is read: together they take longer to import than a text parses.

# A DOCX text export puts one cell per line, so almost every line with a tab starts with
# its only tab; PDF text puts a whole row, several tabs, on one line.
_DOCX_TEXT_SHARE = 0.6


def text_layout(text: str) -> str:
    """"docx-text" or "pdf-text" for a text export, by how its tabs are laid out."""
    tabbed = [line for line in text.splitlines() if "\t" in line]
    if not tabbed:
        return "pdf-text"
    one_leading_tab = sum(1 for line in tabbed if line.startswith("\t") and line.count("\t") == 1)
    return "docx-text" if one_leading_tab / len(tabbed) > _DOCX_TEXT_SHARE else "pdf-text"


def _read_xls(path: Path) -> list[Item]:
    """xlrd first (fast, no outside program); LibreOffice for what xlrd refuses, such as
    a workbook saved by WPS in a way xlrd does not follow, or one with the default
    "VelvetSweatshop" password Excel uses for write protection."""
    from kpiscore.read import libreoffice
    from kpiscore.read.xls_file import read_xls_file
    from kpiscore.read.xlsx_file import read_xlsx_file

    try:
        return read_xls_file(path)
    except InputError as xlrd_error:
        if libreoffice.executable() is None:
            raise
        try:
            return libreoffice.read_converted(path, ".xls", "xlsx", read_xlsx_file)
        except InputError:
            raise xlrd_error from None  # its reason is the more precise one


def read(path: Path) -> tuple[str, list[Item]]:
    """Return the detected format and the document's items in reading order; InputError
    for a file that is damaged (whatever the library reading it raised) or over a limit
    (kpiscore.limits: the readers stop early where a size shows before reading; the items
    are checked here whatever their format)."""
    with translated(path, None):
        kind = sniff(path)
    with translated(path, kind):
        layout, items = _read_as(kind, path)
    _check_sizes(items)
    return layout, items


def _check_sizes(items: list[Item]) -> None:
    """Refuse a document with a cell, a row, a table or a table count over its limit. Most
    documents are far inside them: one quick pass measures the largest of each, and only a
    document over a limit is walked again, to name where (its first cell or table over it)."""
    bound = limits.active()
    rows: Counter[int] = Counter()
    longest = widest = 0
    for item in items:
        if isinstance(item, Paragraph):
            longest = max(longest, len(item.text))
            continue
        rows[item.table] += 1
        widest = max(widest, _width(item.cells))
        longest = max(longest, max(map(len, filter(None, item.cells)), default=0))
    limits.tick()
    if longest > bound.cell_chars or widest > bound.columns:
        _name_the_cell_over(items)
    limits.check("tables", len(rows))
    if rows:
        table, count = rows.most_common(1)[0]
        limits.check("rows", count, f"表 {table}")


def _width(cells: tuple[str | None, ...]) -> int:
    """The last column holding text: a reader may pad rows with empty or covered cells."""
    width = len(cells)
    while width and not cells[width - 1]:
        width -= 1
    return width


def _name_the_cell_over(items: list[Item]) -> None:
    for item in items:
        limits.tick()
        if isinstance(item, Paragraph):
            limits.check("cell_chars", len(item.text), item.location)
            continue
        limits.check("columns", _width(item.cells), f"表 {item.table}")
        limits.check("cell_chars", max((len(cell or "") for cell in item.cells), default=0),
                     item.location)


def _read_as(kind: str, path: Path) -> tuple[str, list[Item]]:
    if kind == "docx":
        from kpiscore.read.docx_file import read_docx_file

        return kind, read_docx_file(path)
    if kind == "xlsx":
        from kpiscore.read.xlsx_file import read_xlsx_file

        return kind, read_xlsx_file(path)
    if kind == "pdf":
        from kpiscore.read.pdf_file import read_pdf_file

        return kind, read_pdf_file(path)
    if kind == "html":
        from kpiscore.read.html_file import read_html_file

        return kind, read_html_file(path)
    if kind == "xls":
        return kind, _read_xls(path)
    if kind == "doc":
        from kpiscore.read import libreoffice
        from kpiscore.read.docx_file import read_docx_file

        return kind, libreoffice.read_converted(path, ".doc", "docx", read_docx_file)
    text = decode_text(path)
    layout = text_layout(text)
    return layout, read_docx_text(text) if layout == "docx-text" else read_pdf_text(text)
