"""The same tables written as native .docx, .xlsx (both with merged cells) and .pdf parse
to the same records as the seed text they came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import seed_path
from tablewriter import write_docx, write_xlsx

import kpiscore
from kpiscore.model import Project

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"

# Hard tables of every seed: page breaks and fragments (000 #5 #26, 001 #13 #25), spacer
# columns (000 #2), wrapped cells (001), blank paragraphs inside cells (002 #6),
# 符号 / 值 / 单位 and the department table (004 #1).
TABLES = {
    "000": ([2, 5, 24, 26], False),
    "001": ([1, 7, 13, 25], False),
    "002": ([1, 6, 17], False),
    "004": ([1, 2, 16], True),
}
# Tables in the committed PDFs (made by fixtures/formats/make_pdf.py). Cells whose text
# has a space where LibreOffice wraps the line are left out: a PDF does not keep a space
# at a line break, so "2000 元" can come back as "2000元".
PDF_TABLES = {
    "tables_000": ("000", [12, 26, 23], False),
    "tables_001": ("001", [7, 8, 25], False),
    "tables_004": ("004", [1, 2, 3], True),
}


def seed_tables(seed: str, numbers: list[int]) -> list[Project]:
    projects = kpiscore.parse(seed_path(seed)).projects
    return [projects[number - 1] for number in numbers]


def records(projects: list[Project]) -> list[dict]:
    """Project records without positions (line numbers differ between formats)."""
    result = []
    for project in projects:
        record = project.to_dict()
        del record["location"], record["index"], record["cells"]
        for indicator in record["indicators"]:
            del indicator["location"], indicator["cells"]
        result.append(record)
    return result


@pytest.mark.parametrize("seed", sorted(TABLES))
@pytest.mark.parametrize("writer", ["docx", "xlsx", "xlsx-sheet-per-table"])
def test_native_office_files_parse_like_the_text(seed, writer, tmp_path):
    numbers, split = TABLES[seed]
    expected = seed_tables(seed, numbers)
    if writer == "docx":
        path = write_docx(expected, tmp_path / "tables.docx", split_value=split, page_break_every=2)
    else:
        path = write_xlsx(expected, tmp_path / "tables.xlsx", split_value=split,
                          sheet_per_project=writer.endswith("table"))
    document = kpiscore.parse(path)
    assert document.format == writer.split("-")[0]
    assert records(document.projects) == records(expected)


def test_docx_keeps_merged_cells_as_merges(tmp_path):
    """The fixture really has merges: 一级 spans rows, 描述 spans two grid columns."""
    import docx

    path = write_docx(seed_tables("000", [24]), tmp_path / "t.docx")
    table = docx.Document(str(path)).tables[0]
    assert table.cell(7, 0)._tc is table.cell(8, 0)._tc  # 产出指标 merged vertically
    assert table.cell(7, 3)._tc is table.cell(7, 4)._tc  # 描述 merged horizontally


@pytest.mark.parametrize("name", sorted(PDF_TABLES))
def test_pdf_parses_like_the_text(name):
    """Known limit: a PDF keeps no paragraph marks, so a 项目说明 paragraph whose line
    ends early (before an unbreakable formula) loses its tail; it is compared apart."""
    seed, numbers, _ = PDF_TABLES[name]
    document = kpiscore.parse(FIXTURES / f"{name}.pdf")
    assert document.format == "pdf"
    got, expected = records(document.projects), records(seed_tables(seed, numbers))
    for pdf_record, text_record in zip(got, expected):
        pdf_explanation, text_explanation = pdf_record.pop("explanation"), text_record.pop("explanation")
        assert (pdf_explanation is None) == (text_explanation is None)
        if text_explanation:
            assert text_explanation.startswith(pdf_explanation.splitlines()[0])
    assert got == expected


def test_pdf_tables_cross_pages():
    """At least one fixture table continues on the next page without a repeated header."""
    import pdfplumber

    with pdfplumber.open(FIXTURES / "tables_000.pdf") as pdf:
        first_rows = [page.find_tables()[0].extract()[0] for page in pdf.pages[1:]
                      if page.find_tables()]
    assert any("一级指标" not in (row[0] or "") and "项目编码" not in (row[0] or "")
               for row in first_rows)
