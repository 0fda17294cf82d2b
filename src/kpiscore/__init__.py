"""kpiscore: extract and score performance-target tables (绩效目标表) of budget documents.

    >>> import kpiscore
    >>> document = kpiscore.parse("绩效文本.docx")
    >>> document.to_frame()          # one row per indicator, project columns beside it
    >>> review = kpiscore.check("绩效文本.docx")   # findings and scores; review.to_frame()
    >>> frame = kpiscore.scan("文件夹/", jobs=2)   # many documents: a row per indicator
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore.errors import InputError
from kpiscore.limits import Limits
from kpiscore.model import Document, Indicator, Location, ParsedValue, Project
from kpiscore.values import parse_value

if TYPE_CHECKING:
    from kpiscore.templates import Templates

__version__ = "0.1.0"
__all__ = ["Document", "Indicator", "InputError", "Limits", "Location", "ParsedValue", "Project",
           "check", "parse", "parse_value", "scan"]


def __getattr__(name: str):
    """check and scan (kpiscore.api) load the review pipeline only when first used."""
    if name in ("check", "scan"):
        from kpiscore import api

        return getattr(api, name)
    raise AttributeError(f"module 'kpiscore' has no attribute {name!r}")


def parse(path: str | Path, templates: Templates | None = None, limits: Limits | None = None
          ) -> Document:
    """Read a document (.docx, .pdf, .xlsx, .html, .xls, .doc / .wps / .et with LibreOffice,
    or extracted text) into a Document.

    `templates` adds a user's own template profiles (kpiscore.templates.with_profiles) to
    the shipped ones. Raises InputError (one-line message naming the file) when the file
    cannot be read or holds no readable performance-target table; tables that look like
    one but could not be read are listed in `Document.warnings`.

    `limits` bounds what the file may take (size, rows, pages, seconds …; default
    `Limits.default()`, lexicons/limits.toml); past one, InputError says which.
    """
    from kpiscore import limits as bounds
    from kpiscore.extract import extract
    from kpiscore.memo import fresh_document
    from kpiscore.read import read
    from kpiscore.read.failures import says

    path = Path(path)
    with bounds.reading(str(path), limits), fresh_document():
        layout, items = read(path)
        document = extract(items, str(path), layout, templates)
    if not document.projects:
        if document.warnings:
            raise InputError(str(path), says("no_readable_table", warning=document.warnings[0]))
        raise InputError(str(path), says("no_table"))
    return document
