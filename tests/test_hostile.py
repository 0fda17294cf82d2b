"""Hostile files: each is refused with one line naming the file and the limit, exit 2,
within bounded time and memory; outputs never destroy an input or a previous output.

Every hostile file is made here, cheaply (a sheet's XML written by hand, a sparse file, one
PDF page listed 5,000 times), and read by `kpiscore parse` in a fresh process under
RLIMIT_AS 1 GiB and RLIMIT_CPU; the CPU time and peak memory asserted are the ones the
kernel reports for that process (os.wait4, in tests/measured.py), not the test suite's
wall clock.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from kpiscore import output
from kpiscore.cli import app

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "samples" / "sample.docx"
EXECUTABLE = Path(sys.executable).with_name("kpiscore")
MEMORY = 1 << 30
CPU_SECONDS = 30
# What a refusal may cost, start-up and imports included.
MAX_CPU = 10.0
MAX_RSS_MB = 400
TOO_LARGE = "文件过大"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    cpu: float  # user + system seconds of the process
    rss_mb: float  # its peak resident memory


def kpiscore(*arguments: str | Path, folder: Path) -> Run:
    """`kpiscore ARGUMENTS` as a fresh process under the resource limits (tests/measured.py)."""
    out, err, measured = folder / "stdout.txt", folder / "stderr.txt", folder / "measured.json"
    with out.open("w") as stdout, err.open("w") as stderr:
        subprocess.run([sys.executable, str(REPO / "tests" / "measured.py"), str(measured), str(MEMORY),
                        str(CPU_SECONDS), "--", str(EXECUTABLE), *map(str, arguments)],
                       stdout=stdout, stderr=stderr, cwd=folder, check=True,
                       env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    usage = json.loads(measured.read_text(encoding="utf-8"))
    return Run(usage["returncode"], out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8"),
               usage["cpu"], usage["rss_mb"])


def assert_refused(path: Path, *words: str) -> Run:
    """Exit 2, one stderr line naming the file and saying `words`, no traceback, and the
    process kept within the bounds."""
    run = kpiscore("parse", path, folder=path.parent)
    lines = run.stderr.splitlines()
    assert run.returncode == 2, run.stderr
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith(f"kpiscore: {path}: ")
    for word in words:
        assert word in lines[0], lines[0]
    assert run.cpu < MAX_CPU and run.rss_mb < MAX_RSS_MB, (run.cpu, run.rss_mb)
    return run


# --- building hostile files ---------------------------------------------------------------

def xlsx_with_sheet(path: Path, sheet_xml: str) -> Path:
    """A real workbook whose first sheet's XML is replaced by `sheet_xml`."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "项目名称"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    return path


def sheet(rows: str, extra: str = "", dimension: str = "A1") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData>{extra}</worksheet>')


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def docx_with_table(path: Path, edit=None) -> Path:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for row in table.rows:
        for column, item in enumerate(row.cells):
            item.text = f"格{column}"
    if edit:
        edit(table)
    document.save(path)
    return path


def pdf_with_pages(path: Path, kids: int, count: int, distinct: bool = False) -> Path:
    """A PDF whose page tree lists `kids` pages and declares `count`: one page object listed
    again and again, or (`distinct`) as many page objects, since pdfminer reads a page
    object listed twice only once."""
    pages = kids if distinct else 1
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (4 + n % pages) for n in range(kids))
        + b"] /Count %d >>" % count,
        b"<< /Length 0 >>\nstream\n\nendstream",
        *[b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 3 0 R >>"] * pages,
    ]
    return write_pdf(path, objects)


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """A PDF of these objects (numbered from 1, the first the catalog) with its xref."""
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(data))
    return path


# --- the hostile files --------------------------------------------------------------------

def test_merged_range_over_the_whole_sheet(tmp_path):
    rows = f'<row r="1">{cell("A1", "项目名称")}</row>'
    merge = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    assert_refused(xlsx_with_sheet(tmp_path / "merge.xlsx", sheet(rows, merge)), TOO_LARGE, "行数", "1,048,576")


def test_one_cell_at_the_far_corner(tmp_path):
    rows = f'<row r="1">{cell("A1", "项目名称")}</row><row r="1048576">{cell("XFD1048576", "远")}</row>'
    assert_refused(xlsx_with_sheet(tmp_path / "far.xlsx", sheet(rows)), TOO_LARGE, "1,048,576")


def test_a_dimension_that_claims_the_whole_sheet(tmp_path):
    rows = f'<row r="1">{cell("A1", "项目名称")}</row>'
    path = xlsx_with_sheet(tmp_path / "dimension.xlsx", sheet(rows, dimension="A1:XFD1048576"))
    assert_refused(path, TOO_LARGE)


def test_a_million_row_sheet(tmp_path):
    # rows and cells without `r` follow the one before, as Excel allows: 26 MB of XML
    rows = "<row><c><v>1</v></c></row>" * 1_000_000
    assert_refused(xlsx_with_sheet(tmp_path / "million.xlsx", sheet(rows)), TOO_LARGE, "行数", "50,001")


def test_a_huge_grid_span(tmp_path):
    def widen(table) -> None:
        table.rows[0].cells[0]._tc.get_or_add_tcPr().get_or_add_gridSpan().set(
            docx.oxml.ns.qn("w:val"), "100000000")

    path = docx_with_table(tmp_path / "span.docx", widen)
    # the span is bounded by the table's grid: the file reads (it has no performance table)
    assert_refused(path, "没有找到绩效目标表")


def test_a_grid_past_the_column_limit(tmp_path):
    def widen(table) -> None:
        grid = table._tbl.tblGrid
        for _ in range(300):
            grid.append(docx.oxml.OxmlElement("w:gridCol"))

    assert_refused(docx_with_table(tmp_path / "grid.docx", widen), TOO_LARGE, "列数", "303")


def test_a_zip_bomb(tmp_path):
    path = docx_with_table(tmp_path / "bomb.docx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("word/media/bomb.bin", "w") as member:
        zeros = bytes(1 << 20)
        for _ in range(100):
            member.write(zeros)
    assert path.stat().st_size < 1 << 20
    assert_refused(path, TOO_LARGE, "word/media/bomb.bin", "解压后部件大小")


def test_a_zip_directory_that_lies_about_a_size(tmp_path):
    """The directory says 1,000 bytes; the member inflates to 70 MB. zipfile stops at the
    size the directory gives, so the reader sees a damaged file, not 70 MB."""
    path = docx_with_table(tmp_path / "liar.docx")
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["word/document.xml"] += b" " * (70 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    data = bytearray(buffer.getvalue())
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(b"word/document.xml")] != b"word/document.xml":
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert_refused(path, "损坏的 .docx")


def test_a_200_mb_text(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: no 200 MB written
        handle.truncate(200 << 20)
    assert_refused(path, TOO_LARGE, "文件大小", "200")


def test_a_text_past_the_text_limit(tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(("一级指标\t二级指标\t三级指标\t指标值\n" * 700_000).encode())
    assert_refused(path, TOO_LARGE, "文本大小")


def test_a_5000_page_pdf(tmp_path):
    assert_refused(pdf_with_pages(tmp_path / "pages.pdf", 5000, 5000), TOO_LARGE, "页数", "5,000")


def test_a_pdf_that_lies_about_its_page_count(tmp_path):
    """/Count says 1; the tree lists 5,000 pages: no more than one past the limit is read."""
    path = pdf_with_pages(tmp_path / "liar.pdf", 5000, 1, distinct=True)
    assert_refused(path, TOO_LARGE, "页数", "2,001")


def test_a_limit_lowered_in_the_settings(tmp_path):
    (tmp_path / "kpiscore.toml").write_text("[limits]\nrows = 3\n", encoding="utf-8")
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", "行")}{cell(f"B{n}", "列")}</row>' for n in range(1, 5))
    assert_refused(xlsx_with_sheet(tmp_path / "four.xlsx", sheet(rows)), TOO_LARGE, "上限 3 行", "rows")


def test_a_bad_limit_setting_is_one_line(tmp_path):
    (tmp_path / "kpiscore.toml").write_text("[limits]\nrows = -3\nspeed = 1\n", encoding="utf-8")
    run = kpiscore("parse", SAMPLE, folder=tmp_path)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert "[limits]" in run.stderr and "speed" in run.stderr


# --- user text is never markup ------------------------------------------------------------

MARKUP = "[/]"


def text_with_markup(path: Path) -> Path:
    """The sample as a text export, with "[/]" and "[bold]" in its cells."""
    from kpiscore.grid import Paragraph
    from kpiscore.read import read

    _, items = read(SAMPLE)
    lines = [item.text if isinstance(item, Paragraph) else "\t".join(c or "" for c in item.cells)
             for item in items]
    lines = [line.replace("项目名称\t", f"项目名称\t{MARKUP}[bold]", 1) for line in lines]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_markup_in_a_cell_prints_as_is(tmp_path):
    path = text_with_markup(tmp_path / "markup.txt")
    run = kpiscore("parse", path, "-f", "table", folder=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"{MARKUP}[bold]" in run.stdout
    checked = kpiscore("check", "--no-model", path, folder=tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
    assert f"{MARKUP}[bold]" in checked.stdout


def test_markup_in_a_file_name_prints_as_is(tmp_path):
    folder = tmp_path / "["
    folder.mkdir()
    good = text_with_markup(folder / "]表.txt")
    bad = folder / "]空.txt"
    bad.write_text("没有表格。\n", encoding="utf-8")
    assert MARKUP in str(good)
    run = kpiscore("parse", good, bad, "-f", "table", folder=tmp_path)
    assert run.returncode == 2
    assert str(good) in run.stdout
    assert run.stderr.splitlines() == [f"kpiscore: {bad}: 没有找到绩效目标表"
                                       f"（没有含 一级指标 / 三级指标 / 指标值 的表头行）"]


# --- batches survive unreadable files -----------------------------------------------------

def test_a_folder_and_a_device_are_one_line_each(tmp_path):
    run = kpiscore("parse", tmp_path, "/dev/zero", SAMPLE, folder=tmp_path)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"kpiscore: {tmp_path}: 是文件夹，不是文件：请给出文件夹中的文件",
                                       "kpiscore: /dev/zero: 不是普通文件（设备、管道或套接字），无法读取"]
    assert '"projects"' in run.stdout


# --- outputs never destroy an input or a previous output -----------------------------------

@pytest.mark.parametrize("link", ["same", "symlink", "hardlink"])
def test_output_onto_the_input_is_refused(tmp_path, link):
    source = tmp_path / "input.docx"
    source.write_bytes(SAMPLE.read_bytes())
    target = {"same": lambda: source, "symlink": lambda: _symlink(tmp_path / "link.docx", source),
              "hardlink": lambda: _hardlink(tmp_path / "hard.docx", source)}[link]()
    run = kpiscore("parse", source, "-o", target, folder=tmp_path)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
    assert "不会覆盖输入文件" in run.stderr
    assert source.read_bytes() == SAMPLE.read_bytes()


def _symlink(path: Path, source: Path) -> Path:
    path.symlink_to(source)
    return path


def _hardlink(path: Path, source: Path) -> Path:
    path.hardlink_to(source)
    return path


def test_output_into_a_missing_folder_or_a_full_disk_is_one_line(tmp_path):
    for target, problem in ((tmp_path / "missing" / "out.json", f"文件夹 {tmp_path / 'missing'} 不存在"),
                            (Path("/dev/full"), "无法写入：No space left on device")):
        run = kpiscore("parse", SAMPLE, "-o", target, folder=tmp_path)
        assert run.returncode == 2 and len(run.stderr.splitlines()) == 1, run.stderr
        assert run.stderr == f"kpiscore: {target}: {problem}\n"


@pytest.mark.parametrize("output_format", ["json", "csv", "table"])
def test_a_writer_that_fails_midway_leaves_the_previous_output(tmp_path, monkeypatch, output_format):
    import kpiscore

    previous = tmp_path / "out"
    previous.write_text("the previous output\n", encoding="utf-8")
    documents = [kpiscore.parse(SAMPLE)]

    def failing(*arguments, **options):
        for partial in tmp_path.glob(".out.*.partial"):
            partial.write_text("half", encoding="utf-8")
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(output, "print_summary" if output_format == "table" else "_text", failing)
    with pytest.raises(RuntimeError):
        output.write(documents, output_format, previous, console=None, inputs=[SAMPLE])
    assert previous.read_text(encoding="utf-8") == "the previous output\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_successful_write_replaces_the_previous_output(tmp_path):
    previous = tmp_path / "out.json"
    previous.write_text("old", encoding="utf-8")
    result = CliRunner().invoke(app, ["parse", str(SAMPLE), "-o", str(previous)])
    assert result.exit_code == 0
    assert previous.read_text(encoding="utf-8").startswith("{")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# --- a damaged model, a repaired PDF ---------------------------------------------------------

def test_a_truncated_model_file_is_one_line_naming_it(tmp_path):
    import shutil

    from kpiscore.classifier import store
    from kpiscore.errors import ModelError
    from kpiscore.resources import data_dir

    for name in ("indicators.json", "indicators.skops"):
        shutil.copy(data_dir("models") / name, tmp_path / name)
    skops = tmp_path / "indicators.skops"
    skops.write_bytes(skops.read_bytes()[:1000])
    with pytest.raises(ModelError, match="模型文件已损坏") as refused:
        store.load(tmp_path).pipeline
    assert refused.value.line.startswith(f"{skops}: ")
    (tmp_path / "indicators.json").write_text('{"features": ', encoding="utf-8")
    with pytest.raises(ModelError, match="indicators.json"):
        store.load(tmp_path)


def test_what_pdfminer_logs_stays_off_stderr(tmp_path):
    """A page that sets a colour with a bad operand: pdfminer logs a warning and reads on."""
    content = b"/P0 g BT /F1 12 Tf 10 10 Td (abc) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path = write_pdf(tmp_path / "colour.pdf", objects)
    run = kpiscore("parse", path, folder=tmp_path)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"kpiscore: {path}: 没有找到绩效目标表"
                                       f"（没有含 一级指标 / 三级指标 / 指标值 的表头行）"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_one_line_and_the_batch_goes_on(tmp_path):
    locked = tmp_path / "locked.docx"
    locked.write_bytes(SAMPLE.read_bytes())
    locked.chmod(0)
    run = kpiscore("parse", locked, SAMPLE, folder=tmp_path)
    assert run.returncode == 2 and '"projects"' in run.stdout
    assert run.stderr.splitlines() == [f"kpiscore: {locked}: 无法读取：Permission denied"]


def test_an_os_error_while_reading_is_an_input_error(tmp_path):
    from kpiscore.errors import InputError
    from kpiscore.read.failures import translated

    with pytest.raises(InputError, match="无法读取：Permission denied"):
        with translated(tmp_path / "x.docx", None):
            raise PermissionError(13, "Permission denied")
