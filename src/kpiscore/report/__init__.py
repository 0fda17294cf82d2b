"""`kpiscore report`: a review written for people to read, in the format OUT's extension names.

    .xlsx  for an .xlsx input, the department's own workbook with comments and fills on
           the offending cells, a summary and a findings sheet (report.xlsx_annotate), or,
           for any other input, a workbook with a sheet per project table with marked cells
           and comments, a summary sheet with charts, and a filterable table of every
           finding (report.xlsx)
    .docx  the original .docx with Word comments on the offending cells, or, for any other
           input, a generated review document (report.docx)
    .html  one self-contained page with highlighted cells, a chart and filters (report.html)

Which cell a finding sits on is decided once, in report.cells, for all three. Several
documents get one report each and an index (report.index).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

from kpiscore.atomic import replacing
from kpiscore.errors import KpiscoreError, UsageError
from kpiscore.messages import text
from kpiscore.report.cells import Marks, mark
from kpiscore.review import Review

# (input, its review or None, the one-line reason it has none)
Outcome = tuple[Path, Review | None, str | None]

# extension -> writer module; imported only when used (openpyxl and jinja2 load slowly)
_WRITERS = {".xlsx": "xlsx", ".docx": "docx", ".html": "html", ".htm": "html"}
# (extension, the input's format) -> the module that annotates a copy of the input instead
# (a .docx input: report.docx decides that itself)
_ANNOTATORS = {(".xlsx", "xlsx"): "xlsx_annotate"}
FORMATS = tuple(_WRITERS)


def writer_for(path: Path) -> Callable[[Marks, Path], None]:
    """The writer for OUT's extension; UsageError naming the file when there is none."""
    module = _WRITERS.get(path.suffix.lower())
    if module is None:
        raise UsageError(str(path), f"不认识的报告格式 {path.suffix or '（没有扩展名）'}（请用 .xlsx、.docx 或 .html）")
    return import_module(f"kpiscore.report.{module}").write


def write(review: Review, path: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the review to `path` in the format its extension names: completely or not
    at all (an earlier report stays until the new one is whole), never onto an input.
    For an input of that format, an annotated copy of it."""
    annotator = _ANNOTATORS.get((path.suffix.lower(), review.document.format))
    writer = import_module(f"kpiscore.report.{annotator}").write if annotator else writer_for(path)
    with replacing(path, inputs) as partial:
        writer(mark(review), partial)


def report_suffix(source: Path, chosen: str) -> str:
    """The report format of one document of a batch: `chosen`, or for "auto" the
    document's own format when it is .docx or .xlsx (annotated in place), else .xlsx."""
    if chosen != "auto":
        return f".{chosen}"
    return source.suffix.lower() if source.suffix.lower() in (".docx", ".xlsx") else ".xlsx"


def write_many(outcomes: Iterable[Outcome], folder: Path, chosen: str,
               say: Callable[[str], None]) -> list[str]:
    """One report per reviewed document in `folder`, and the index of them all; return
    the one-line failures (a document that could not be read or written)."""
    from kpiscore.report import index

    folder.mkdir(parents=True, exist_ok=True)
    entries, failures, taken = [], [], set()
    for source, review, problem in outcomes:
        if review is None:
            failures.append(problem)
            entries.append(index.Entry(source.name, problem=problem))
            continue
        name = _free_name(source, report_suffix(source, chosen), taken)
        try:
            write(review, folder / name, inputs=[source])
        except KpiscoreError as error:
            failures.append(error.line)
            say(error.line)
            entries.append(index.Entry(source.name, problem=error.line))
            continue
        entries.append(index.Entry.of(source.name, name, review))
    workbook, _ = index.write(entries, folder)
    say(text("cli", "wrote_reports", count=len(entries) - len(failures), index=workbook))
    return failures


def _free_name(source: Path, suffix: str, taken: set[str]) -> str:
    """The report's file name: the document's stem with 审查意见, numbered if two
    documents of the batch share a stem."""
    stem, number = source.stem, 1
    name = text("index", "report_name", stem=stem, suffix=suffix)
    while name in taken:
        number += 1
        name = text("index", "report_name", stem=f"{stem}_{number}", suffix=suffix)
    taken.add(name)
    return name
