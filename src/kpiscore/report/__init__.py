"""`kpiscore report`: a review written for people to read, in the format OUT's extension names.

    .xlsx  for an .xlsx input, the department's own workbook with comments and fills on
           the offending cells, a summary and a findings sheet (report.xlsx_annotate), or,
           for any other input, a workbook with a sheet per project table with marked cells
           and comments, a summary sheet with charts, and a filterable table of every
           finding (report.xlsx)
    .docx  the original .docx with Word comments on the offending cells, or, for any other
           input, a generated review document (report.docx)
    .html  one self-contained page with highlighted cells, a chart and filters (report.html)

Which cell a finding sits on is decided once, in report.cells, for all three.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from kpiscore.report.cells import Marks, mark
from kpiscore.review import Review

# extension -> writer module; imported only when used (openpyxl and jinja2 load slowly)
_WRITERS = {".xlsx": "xlsx", ".docx": "docx", ".html": "html", ".htm": "html"}
# (extension, the input's format) -> the module that annotates a copy of the input instead
# (a .docx input: report.docx decides that itself)
_ANNOTATORS = {(".xlsx", "xlsx"): "xlsx_annotate"}
FORMATS = tuple(_WRITERS)


def writer_for(path: Path) -> Callable[[Marks, Path], None]:
    """The writer for OUT's extension; ValueError naming the file when there is none."""
    module = _WRITERS.get(path.suffix.lower())
    if module is None:
        raise ValueError(f"{path}: unknown report format {path.suffix or '(no extension)'!r} "
                         "(use .xlsx, .docx or .html)")
    return import_module(f"kpiscore.report.{module}").write


def write(review: Review, path: Path) -> None:
    """Write the review to `path` in the format its extension names: for an input of
    that format, an annotated copy of it."""
    annotator = _ANNOTATORS.get((path.suffix.lower(), review.document.format))
    writer = import_module(f"kpiscore.report.{annotator}").write if annotator else writer_for(path)
    writer(mark(review), path)
