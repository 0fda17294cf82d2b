"""Native PDF files with a text layer (pdfplumber).

Each page gives its tables (merged cells come back as `None`) and the text lines outside
them, sorted top to bottom, so headings come before their tables. A table that continues
on the next page is simply the next table; the extractor joins it to the project above.
Page numbers alone on a line are dropped: they would otherwise split a table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from kpiscore.errors import InputError
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Location

_PAGE_NUMBER = re.compile(r"^[-—\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*/\s*\d+)?[-—\s]*$")


def read_pdf_file(path: Path) -> list[Item]:
    try:
        with pdfplumber.open(path) as pdf:
            return _read_pages(pdf, str(path))
    except PDFPasswordIncorrect:
        raise InputError(str(path), "password-protected PDF: remove the password first") from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as error:
        raise InputError(str(path), f"truncated or corrupt PDF ({type(error).__name__})") from None


def _read_pages(pdf: pdfplumber.PDF, source: str) -> list[Item]:
    items: list[Item] = []
    table_number = 0
    has_text = False
    for page_number, page in enumerate(pdf.pages, start=1):
        has_text = has_text or bool(page.chars)
        placed: list[tuple[float, Item]] = []
        tables = page.find_tables()
        for table in tables:
            table_number += 1
            for row_number, (row, cells) in enumerate(zip(table.rows, table.extract()), start=1):
                location = Location(page=page_number, table=table_number, row=row_number)
                placed.append((row.bbox[1], Row(tuple(cells), location, table_number)))
        boxes = [table.bbox for table in tables]
        outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
        for line in outside.extract_text_lines():
            text = line["text"].strip()
            if text and not _PAGE_NUMBER.match(text):
                placed.append((line["top"], Paragraph(text, Location(page=page_number))))
        items.extend(item for _, item in sorted(placed, key=lambda pair: pair[0]))
    if not has_text:
        raise InputError(source, "PDF has no text layer (a scan?): run OCR first, or send the .docx")
    return items


def _inside(obj: dict, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x = (obj["x0"] + obj["x1"]) / 2
    middle_y = (obj["top"] + obj["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom
