"""`kpiscore report`: findings sit on the right cells, with the right text, in the .xlsx,
.docx and .html reports; the annotated .docx is otherwise the original; the web page is
self-contained and its script runs; bad input and unknown formats are one-line errors."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import REPO, seed_path
from docx.oxml.ns import qn
from tablewriter import write_docx
from typer.testing import CliRunner

import kpiscore
from kpiscore.cli import app
from kpiscore.findings import Finding, Severity
from kpiscore.model import Indicator, Location, Project
from kpiscore.report.cells import Cell, colour, label, mark, place
from kpiscore.classifier.store import default
from kpiscore.review import review
from kpiscore.values import parse_value

runner = CliRunner()
SAMPLE = REPO / "samples" / "sample.docx"


@pytest.fixture(autouse=True)
def no_project_config(tmp_path, monkeypatch):
    """Run in an empty folder so the repository's own pyproject.toml is not picked up."""
    monkeypatch.chdir(tmp_path)


def run_report(source: Path, out: Path) -> None:
    result = runner.invoke(app, ["report", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()


@pytest.fixture(scope="module")
def seed_review():
    return review(kpiscore.parse(seed_path("001")), model=default())


def finding_on(result, category: str, project: int | None = None) -> Finding:
    return next(f for f in result.findings
                if f.category == category and f.row and project in (None, f.project))


# -- where a finding sits -----------------------------------------------------------------


def _row(name: str, description: str, value: str) -> Indicator:
    return Indicator("产出指标", "数量指标", name, description, value, "年度计划", parse_value(value),
                     Location())


def _finding(rule: str, category: str, message: str, row: int | None = 1) -> Finding:
    return Finding(rule, category, Severity.medium, message, "fix", 1, row)


@pytest.mark.parametrize("finding,field", [
    (_finding("VAL-11", "WEAK_BASIS", "指标值确定依据「x」过于笼统"), "basis"),
    (_finding("TXT-01", "ECHO", "指标值「≥90 运转」重复了三级指标「运转」"), "value"),
    (_finding("TXT-02", "ECHO", "绩效指标描述「运转」只是重复指标名称"), "description"),
    (_finding("TXT-05", "MISCATEGORIZED", "数量指标下的「比例」是比率"), "level2"),
    (_finding("CMP-04", "PLACEHOLDER", "必填单元缺失：指标值为空"), "name"),  # report.toml [rules]
    (_finding("TXT-04", "BOILERPLATE", "「提高效率」是套话"), "name"),  # its category's cell
])
def test_a_row_finding_sits_on_the_column_it_concerns(finding, field):
    project = Project(1, "project", "社保经费", Location())
    indicator = _row("提高效率", "运转", "保证社保工作顺利开展并持续推进社会保障制度更加公平可持续")
    assert place(finding, project, indicator) == Cell(1, 1, field)


@pytest.mark.parametrize("rule,category,field", [
    ("CMP-05", "EMPTY_GOAL", "goal"),
    ("COST-05", "BUDGET_INCONSISTENT", "budget_wan"),
    ("COST-06", "BUDGET_INCONSISTENT", "spending_plan"),
    ("CMP-01", "MISSING_CATEGORY", "title"),
    ("DUP-02", "DUPLICATE_PROJECT", "title"),
    ("NEW-99", "SOMETHING_NEW", "title"),  # a category the mapping does not know yet
])
def test_a_table_finding_sits_on_its_header_line(rule, category, field):
    project = Project(1, "project", "社保经费", Location())
    assert place(_finding(rule, category, "…", row=None), project, None) == Cell(1, None, field)


# -- .xlsx ----------------------------------------------------------------------------------


def _table_header(sheet) -> int:
    """The sheet row holding the indicator column labels."""
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == label("level1")
                and any(cell.value == label("basis") for cell in row))


def _column(sheet, header: int, name: str) -> int:
    return next(cell.column for cell in sheet[header] if cell.value == label(name))


def test_xlsx_marks_the_cell_of_a_finding_with_fill_and_comment(seed_review, tmp_path):
    out = tmp_path / "report.xlsx"
    run_report(seed_path("001"), out)
    workbook = openpyxl.load_workbook(out)
    finding = finding_on(seed_review, "WEAK_BASIS", project=3)
    sheet = workbook.worksheets[2 + finding.project - 1]  # after 概览 and 问题清单
    assert sheet.title.startswith(f"{finding.project} ")
    header = _table_header(sheet)
    cell = sheet.cell(header + finding.row, _column(sheet, header, "basis"))
    indicator = seed_review.where(finding)[1]
    assert cell.value == indicator.basis
    assert cell.fill.fgColor.rgb.endswith(colour(Severity.medium))
    assert "WEAK_BASIS" in cell.comment.text and finding.message in cell.comment.text
    assert cell.comment.author == "kpiscore"
    # several findings on one cell: one comment listing all of them
    value = sheet.cell(header + finding.row, _column(sheet, header, "value"))
    on_value = [f for f in seed_review.findings if f.project == finding.project
                and f.row == finding.row and f.rule in ("TXT-01", "VAL-02")]
    assert len(on_value) == 2 and all(f.message in value.comment.text for f in on_value)
    assert value.fill.fgColor.rgb.endswith(colour(Severity.high))  # TXT-01 is high
    # a clean cell: no comment, no fill
    marked = mark(seed_review).cells
    row, field = next((row, field) for row in range(1, 8) for field in ("level1", "level2", "name")
                      if Cell(finding.project, row, field) not in marked)
    clean = sheet.cell(header + row, _column(sheet, header, field))
    assert clean.comment is None and clean.fill.fill_type is None
    # a table finding sits on its header line: EMPTY_GOAL on 绩效目标
    goal = next(f for f in seed_review.findings if f.project == finding.project
                and f.category == "EMPTY_GOAL")
    goal_row = next(row for row in sheet.iter_rows(max_col=2) if row[0].value == label("goal"))
    assert goal.message in goal_row[1].comment.text


def test_xlsx_findings_table_and_sheet_names(seed_review, tmp_path):
    out = tmp_path / "report.xlsx"
    run_report(seed_path("001"), out)
    workbook = openpyxl.load_workbook(out)
    findings = workbook[label("findings_sheet")]
    (table,) = findings.tables.values()
    first, last = table.ref.split(":")
    assert int(re.sub(r"\D", "", last)) - int(re.sub(r"\D", "", first)) == len(seed_review.findings)
    assert findings.freeze_panes == "A2"
    names = workbook.sheetnames
    assert len(names) == 2 + len(seed_review.document.projects)
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n) <= 31 and not re.search(r"[\\/?*\[\]:]", n) for n in names)


def test_xlsx_summary_has_a_bar_chart(tmp_path):
    import zipfile

    out = tmp_path / "report.xlsx"
    run_report(SAMPLE, out)
    with zipfile.ZipFile(out) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        for name in charts:
            chart = archive.read(name).decode("utf-8")
            assert re.search(r"<(c:)?barChart>", chart)
            assert f"'{label('summary_sheet')}'!" in chart  # plots the summary sheet's counts
        assert b"drawing" in archive.read("xl/worksheets/_rels/sheet1.xml.rels")  # on 概览


# -- .docx: comments in a copy of the original ----------------------------------------------


def _indicator(level1, level2, name, description, value, basis) -> Indicator:
    return Indicator(level1, level2, name, description, value, basis, parse_value(value), Location())


MERGED = [  # 产出指标 spans five rows, 数量指标 two: row 2's 二级 is a merged cell
    Project(1, "project", "办公设备运维经费", Location(), code="13999925P00000000002B",
            budget_wan=6.5, fiscal_wan=5.0, other_wan=1.0, purpose="用于机关办公设备维修维护。",
            spending_plan={"6月底": 50.0, "12月底": 100.0}, goal="1.全年维护办公设备60台，故障修复率不低于95%。",
            indicators=[
                _indicator("产出指标", "数量指标", "设备维护台数", "全年维护的办公设备台数", "≥60台", "设备台账"),
                _indicator("产出指标", "数量指标", "故障修复率", "修复台数/报修台数×100%", "≥95%", "上年实际96%"),
                _indicator("产出指标", "质量指标", "维修验收合格率", "验收合格台数/维修台数×100%", "≥98%", "运维合同约定"),
                _indicator("产出指标", "时效指标", "报修响应时间", "报修至到场的时间", "≤2天", "运维合同约定"),
                _indicator("产出指标", "成本指标", "单台维护成本", "运维费/台数", "≤1000元/台", "市场询价"),
                _indicator("效益指标", "社会效益指标", "促进就业", "促进就业", "效果明显", "实际工作需要"),
                _indicator("满意度指标", "服务对象满意度指标", "干部职工满意度", "问卷调查满意人数占比", "≥90%", "问卷调查"),
            ]),
]


def _anchored(path: Path) -> dict[int, tuple[str, str]]:
    """comment id -> (text of the table cell holding its whole range, comment text)."""
    document = docx.Document(str(path))
    comments = {c.comment_id: c for c in document.comments}
    body = document.element.body
    ends = {int(e.get(qn("w:id"))): e for e in body.iter(qn("w:commentRangeEnd"))}
    found = {}
    for start in body.iter(qn("w:commentRangeStart")):
        number = int(start.get(qn("w:id")))
        cell = next(start.iterancestors(qn("w:tc")), None)
        assert cell is not None, "a comment outside any table cell"
        assert next(ends[number].iterancestors(qn("w:tc"))) is cell, "range ends in another cell"
        comment = comments[number]
        assert comment.author == "kpiscore"
        text = "\n".join(p.text for p in docx.table._Cell(cell, None).paragraphs)
        found[number] = (text, comment.text)
    assert len(found) == len(comments)
    return found


def _texts(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(str(path))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return [p.text for p in document.paragraphs], tables


@pytest.mark.parametrize("split_value", [False, True], ids=["指标值", "符号-值-单位"])
def test_docx_comments_sit_in_the_offending_cells(tmp_path, split_value):
    source = write_docx(MERGED, tmp_path / "tables.docx", split_value=split_value)
    original = docx.Document(str(source))
    merged = original.tables[0]._tbl.xpath(".//w:vMerge")
    assert merged, "the test table has vertically merged cells"
    result = review(kpiscore.parse(source), model=default())
    out = tmp_path / "report.docx"
    run_report(source, out)
    anchored = list(_anchored(out).values())

    def comment_with(text: str) -> str:
        (cell,) = [cell for cell, comment in anchored if text in comment]
        return cell

    by_category = {f.category: f for f in result.findings}
    assert comment_with(by_category["WEAK_BASIS"].message) == "实际工作需要"
    assert comment_with(by_category["VAGUE_VALUE"].message) == "效果明显"  # the 单位 cell when split
    assert comment_with("TXT-02") == "促进就业"
    # row 2's 二级 is merged into row 1's 数量指标 cell: the comment sits there and names the row
    miscategorised = by_category["MISCATEGORIZED"]
    assert miscategorised.row == 2
    assert comment_with(miscategorised.message) == "数量指标"
    assert comment_with("BUDGET_INCONSISTENT") == "6.50"  # the 预算数 value cell
    # every finding is in exactly one comment
    for finding in result.findings:
        assert sum(finding.message in comment for _, comment in anchored) == 1, finding
    # nothing else changed
    assert _texts(out) == _texts(source)


def test_docx_sample_comments_and_unchanged_text(tmp_path):
    out = tmp_path / "sample.docx"
    run_report(SAMPLE, out)
    result = review(kpiscore.parse(SAMPLE), model=default())
    anchored = _anchored(out)
    assert len(anchored) == len(mark(result).cells)
    for finding in result.findings:
        assert any(finding.message in comment for _, comment in anchored.values())
    assert _texts(out) == _texts(SAMPLE)


def test_docx_review_document_for_a_text_input(seed_review, tmp_path):
    out = tmp_path / "review.docx"
    run_report(seed_path("001"), out)
    document = docx.Document(str(out))
    marks = mark(seed_review)
    assert len(document.comments) == len(marks.cells)
    shaded = document.element.body.xpath(".//w:tcPr/w:shd/@w:fill")
    assert len(shaded) == len(marks.cells)
    finding = finding_on(seed_review, "WEAK_BASIS")
    indicator = seed_review.where(finding)[1]
    comment = next(c for c in document.comments if finding.message in c.text)
    assert comment.author == "kpiscore"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == len(seed_review.document.projects)
    assert any(indicator.basis == cell.text for table in document.tables
               for row in table.rows for cell in row.cells)


# -- .html ----------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """Texts of the highlighted cells: their own text and their explanation."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[dict[str, str]] = []
        self.depth = 0  # inside a marked <td>
        self.in_tip = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "td" and "data-marked" in attributes:
            self.cells.append({"text": "", "tip": "", "class": attributes["class"]})
            self.depth = 1
        elif self.depth and tag == "div" and "tip" in (attributes.get("class") or "").split():
            self.in_tip = True

    def handle_endtag(self, tag):
        if tag == "td" and self.depth:
            self.depth = 0
            self.in_tip = False

    def handle_data(self, data):
        if self.depth:
            self.cells[-1]["tip" if self.in_tip else "text"] += data


def test_html_is_self_contained_and_cells_carry_their_findings(seed_review, tmp_path):
    out = tmp_path / "report.html"
    run_report(seed_path("001"), out)
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://|\bsrc\s*=|<link\b|@import|url\(", page)
    parser = _Cells()
    parser.feed(page)
    marks = mark(seed_review)
    assert len(parser.cells) == len(marks.cells)
    finding = finding_on(seed_review, "WEAK_BASIS", project=3)
    basis = seed_review.where(finding)[1].basis
    cell = next(c for c in parser.cells if finding.message in c["tip"] and "WEAK_BASIS" in c["tip"])
    assert cell["text"].strip() == basis and "sev-medium" in cell["class"]


def test_html_escapes_document_text(tmp_path):
    project = Project(1, "project", "<script>alert(1)</script>", Location(),
                      indicators=[_indicator("产出指标", "数量指标", "a&b", "<b>x</b>", "≥1个", "实际工作需要")])
    source = write_docx([project], tmp_path / "escape.docx")
    out = tmp_path / "escape.html"
    run_report(source, out)
    page = out.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>x</b>" not in page and "a&amp;b" in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_html_renders_and_its_filters_run_in_chromium(seed_review, tmp_path):
    out = tmp_path / "report.html"
    run_report(seed_path("001"), out)
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", out.as_uri()],
        capture_output=True, text=True, timeout=60, check=True).stdout
    body = re.search(r"<body([^>]*)>", dom).group(1)
    attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', body))
    assert attributes["data-ready"] == "1"  # the script ran to the end
    assert attributes["data-shown-findings"] == str(len(seed_review.findings))
    assert attributes["data-highlighted-cells"] == str(len(mark(seed_review).cells))
    summary = seed_review.summary()
    assert f"<b>{summary['findings']}</b>" in dom and f"<b>{summary['indicators']}</b>" in dom
    counter = re.search(r'<output id="shown"[^>]*>([^<]*)</output>', dom).group(1)
    assert f"{len(seed_review.findings)} / {len(seed_review.findings)}" in counter


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.pdf", "report", "report.xls"])
def test_unknown_report_format_is_a_one_line_error(tmp_path, name):
    out = tmp_path / name
    result = runner.invoke(app, ["report", str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"kpiscore: {out}: 不认识的报告格式")
    assert not out.exists()


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken"], ids=["empty", "truncated"])
def test_unreadable_input_is_a_one_line_error(tmp_path, content):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(content)
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"kpiscore: {bad}: ")
    assert "Traceback" not in result.output and not out.exists()


def test_missing_input_and_unwritable_output(tmp_path):
    missing = runner.invoke(app, ["report", str(tmp_path / "nope.docx"), "-o", str(tmp_path / "r.xlsx")])
    assert missing.exit_code == 2 and missing.stderr == f"kpiscore: {tmp_path / 'nope.docx'}: 文件不存在：请检查路径和文件名\n"
    out = tmp_path / "no" / "such" / "folder" / "r.xlsx"
    unwritable = runner.invoke(app, ["report", str(SAMPLE), "-o", str(out)])
    assert unwritable.exit_code == 2 and unwritable.stderr == f"kpiscore: {out}: 文件夹 {out.parent} 不存在\n"


def test_select_limits_the_report_like_check(tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(SAMPLE), "-o", str(out), "--select", "WEAK_BASIS"])
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert 'data-total-findings="4"' in page and page.count('<li class="item"') == 4


# -- LibreOffice opens what we write --------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_converts_the_reports_to_pdf(tmp_path):
    reports = [tmp_path / "sample-xlsx.xlsx", tmp_path / "sample-docx.docx"]
    for out in reports:
        run_report(SAMPLE, out)
    if seed_path("004").exists():  # a seed (text): the review workbook and review document
        reports += [tmp_path / "seed-xlsx.xlsx", tmp_path / "seed-docx.docx"]
        for out in reports[2:]:
            run_report(seed_path("004"), out)
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, reports)],
        capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr
    pdfs = sorted((tmp_path / "pdf").glob("*.pdf"))
    assert [p.stem for p in pdfs] == sorted(p.stem for p in reports)
    assert all(p.stat().st_size > 1000 for p in pdfs)
    import pdfplumber

    for pdf in pdfs:
        with pdfplumber.open(pdf) as document:
            pages = document.pages
            assert 1 <= len(pages) <= 60, (pdf.name, len(pages))
            assert all(page.extract_text().strip() for page in pages)  # no blank page
            if pdf.stem.endswith("-xlsx"):  # A4 landscape, a sheet a page wide
                assert all(page.width > page.height for page in pages)
            # rendered to PNG (pypdfium2, pdfplumber's renderer), as a reviewer would see it
            image = pages[0].to_image(resolution=60)
            image.save(tmp_path / f"{pdf.stem}-1.png")
            assert (tmp_path / f"{pdf.stem}-1.png").stat().st_size > 2000
