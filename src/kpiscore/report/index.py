"""The index of a batch of reports (`kpiscore report FOLDER -o OUTDIR`): one row per
document with its score, grades, findings by category and a link to its report, as a
workbook (索引.xlsx) and a web page (索引.html). Documents that could not be reviewed are
listed with the reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kpiscore.atomic import replacing
from kpiscore.findings import categories
from kpiscore.messages import catalogue
from kpiscore.review import Review
from kpiscore.scores import score_text


@dataclass
class Entry:
    """One document of the batch: its review and report, or why it has none."""

    name: str
    report: str | None = None  # the report's file name, relative to the index
    review: Review | None = None
    problem: str | None = None
    by_category: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, name: str, report: str, review: Review) -> Entry:
        return cls(name, report, review, None, Counter(f.category for f in review.findings))

    def cells(self) -> list[str | int | float | None]:
        """The row's values after the document's name, in the order of `headers()`."""
        if self.review is None:
            return [None] * 7 + [None] * len(categories()) + [self.problem]
        info = self.review.summary()
        document = self.review.document
        grades = "、".join(f"{grade}{count}" for grade, count in info["grades"].items())
        return ([document.unit_name, document.year, info["projects"], info["indicators"],
                 info["score"], grades, info["findings"]]
                + [self.by_category[name] for name in categories()] + [None])


def headers() -> list[str]:
    words = catalogue()["index"]
    return ([words["document"], *words["columns"]]
            + [f"{name}\n{entry['title']}" for name, entry in categories().items()]
            + [words["problem"]])


def write(entries: list[Entry], folder: Path) -> tuple[Path, Path]:
    """Write 索引.xlsx and 索引.html into `folder`; return their paths."""
    words = catalogue()["index"]
    workbook_path, page_path = folder / words["workbook"], folder / words["page"]
    _workbook(entries, workbook_path)
    _page(entries, page_path)
    return workbook_path, page_path


def _workbook(entries: list[Entry], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from kpiscore.report.xlsx import print_ready

    words = catalogue()["index"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = words["sheet"]
    sheet.append(headers())
    for entry in entries:
        sheet.append([entry.name, *entry.cells()])
        if entry.report:
            link = sheet.cell(sheet.max_row, 1)
            link.hyperlink, link.style = entry.report, "Hyperlink"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 30 if column in (1, 2) else 10
    sheet.column_dimensions[get_column_letter(sheet.max_column)].width = 40
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    print_ready(sheet, words["title"])
    with replacing(path) as partial:
        workbook.save(partial)


def _page(entries: list[Entry], path: Path) -> None:
    from jinja2 import Environment, FileSystemLoader

    environment = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True)
    rows = [(entry, ["" if value is None else score_text(value) if isinstance(value, float) else value
                     for value in entry.cells()]) for entry in entries]
    page = environment.get_template("index.html").render(
        words=catalogue()["index"], headers=headers(), rows=rows)
    with replacing(path) as partial:
        partial.write_text(page, encoding="utf-8")
