"""Web pages, legacy .xls, and .doc / .wps / .et through LibreOffice read into the same
grid as .docx and .xlsx: merged cells are `None`, and the extractor finds the same table.

The committed fixtures are in tests/fixtures/more_formats/ (target_table.html by hand, the
rest made by its make_fixtures.py); the odd cases are built here. Everything runs offline;
the tests that need LibreOffice skip without it (.ci/run installs it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kpiscore
from kpiscore.grid import Paragraph, Row
from kpiscore.model import Location
from kpiscore.read import libreoffice, ole, read

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "more_formats"
LEGACY_DOC = Path(__file__).resolve().parent / "fixtures" / "bad" / "legacy.doc"
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                                       reason="LibreOffice (soffice) is not installed")

# The indicator block of every target_table.* fixture: (一级, 二级, 三级); the merged 一级 /
# 二级 cells are inherited by the rows they cover.
INDICATORS = [
    ("产出指标", "数量指标", "培训人数"),
    ("产出指标", "数量指标", "补贴发放户数"),
    ("产出指标", "质量指标", "培训合格率"),
    ("效益指标", "社会效益指标", "城镇新增就业人数"),
    ("效益指标", "可持续影响指标", "服务长效机制"),
    ("满意度指标", "服务对象满意度指标", "培训对象满意度"),
]


def rows(items) -> list[tuple]:
    return [item.cells for item in items if isinstance(item, Row)]


def paragraphs(items) -> list[str]:
    return [item.text for item in items if isinstance(item, Paragraph)]


def indicators(path: Path) -> list[tuple[str, str, str, str]]:
    document = kpiscore.parse(path)
    assert len(document.projects) == 1
    return [(i.level1, i.level2, i.name, i.value) for i in document.projects[0].indicators]


def without_libreoffice(monkeypatch) -> None:
    real = shutil.which

    def which(name, *args, **kwargs):
        return None if name in ("soffice", "libreoffice") else real(name, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", which)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# --- HTML -------------------------------------------------------------------------------

def test_html_spans_become_the_merged_grid():
    """rowspan / colspan cover cells with None exactly where docx_file puts them; <br> is
    a newline, &nbsp; a space; <title>, <style>, <script> and comments are no text."""
    kind, items = read(FIXTURES / "target_table.html")
    assert kind == "html"
    assert rows(items) == [
        ("项目名称", "就业创业服务补助", None, None),
        ("年度资金总额", "120.5", None, None),
        ("绩效目标", "目标1：开展职业技能培训\n目标2：按时发放创业补贴", None, None),
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出指标", "数量指标", "培训人数", "≥500人"),
        (None, None, "补贴发放户数", "≥120户"),
        (None, "质量指标", "培训合格率", "≥95%"),
        ("效益指标", "社会效益指标", "城镇新增 就业 人数", "≥300人"),
        (None, "可持续影响指标", "服务长效机制", "长期"),
        ("满意度指标", "服务对象满意度指标", "培训对象满意度", "≥90%"),
    ]
    assert items[0] == Paragraph("项目支出绩效目标表", Location(paragraph=1))
    assert paragraphs(items) == ["项目支出绩效目标表", "（ 2024 年度 ）", "单位：万元",
                                 "注：指标值由项目单位填报。"]
    assert isinstance(items[-1], Paragraph)  # the note after the table stays after it
    table_rows = [item for item in items if isinstance(item, Row)]
    assert {row.table for row in table_rows} == {1}
    assert [row.location for row in table_rows] == [Location(table=1, row=n) for n in range(1, 11)]


def test_html_parses_to_the_project():
    document = kpiscore.parse(FIXTURES / "target_table.html")
    assert document.format == "html"
    assert document.projects[0].title == "就业创业服务补助"
    assert indicators(FIXTURES / "target_table.html") == [
        (*names, value) for names, value in
        zip(INDICATORS, ["≥500人", "≥120户", "≥95%", "≥300人", "长期", "≥90%"])]


def test_gbk_page_labelled_gb2312():
    """Saved as GBK, labelled GB2312, with characters only GBK has (喆, 堃)."""
    data = (FIXTURES / "gbk_page.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    kind, items = read(FIXTURES / "gbk_page.html")
    assert kind == "html"
    assert paragraphs(items) == ["2、喆堃社区服务项目绩效目标表"]
    assert rows(items) == [
        ("项目名称", "喆堃社区服务", None),
        ("一级指标", "三级指标", "指标值"),
        ("产出指标", "服务人次", "≥1000人次"),
        (None, "服务覆盖率", "100%"),
    ]
    assert indicators(FIXTURES / "gbk_page.html") == [
        ("产出指标", "", "服务人次", "≥1000人次"), ("产出指标", "", "服务覆盖率", "100%")]


@pytest.mark.parametrize("name, data", [
    # what sites serve as a Word file: a page under a .doc name
    ("download.doc", (FIXTURES / "gbk_page.html").read_bytes()),
    # no <meta charset> at all: GB18030 after UTF-8 fails
    ("no_label.htm", (FIXTURES / "gbk_page.html").read_bytes().replace(b"charset=gb2312", b"")),
    # labelled GB2312 but saved as UTF-8: the label loses to a clean UTF-8 decode
    ("mislabelled.html", (FIXTURES / "gbk_page.html").read_bytes().decode("gbk").encode("utf-8")),
    # UTF-8 with BOM, and blank lines before the tag
    ("bom.html", "\ufeff\n\n".encode() + (FIXTURES / "gbk_page.html").read_bytes().decode("gbk")
     .replace("charset=gb2312", "charset=utf-8").encode("utf-8")),
])
def test_html_is_found_by_content_and_decoded(tmp_path, name, data):
    kind, items = read(write(tmp_path, name, data))
    assert kind == "html"
    assert paragraphs(items) == ["2、喆堃社区服务项目绩效目标表"]
    assert rows(items)[0] == ("项目名称", "喆堃社区服务", None)


def test_html_layout_table_is_read_through(tmp_path):
    """A page wrapped in a layout table: the data table inside is the only table, and the
    text around it comes out as paragraphs in order."""
    page = """<html><body><table width="100%"><tr><td>
      <h3>1、培训补助绩效目标表</h3>
      <table><tr><td>一级指标</td><td>三级指标</td><td>指标值</td></tr>
             <tr><td>产出指标</td><td>培训人数</td><td>≥500人</td></tr></table>
      <p>说明：无</p>
    </td><td>右栏</td></tr></table></body></html>"""
    _, items = read(write(tmp_path, "layout.html", page))
    assert [type(item).__name__ for item in items] == ["Paragraph", "Row", "Row", "Paragraph", "Paragraph"]
    assert paragraphs(items) == ["1、培训补助绩效目标表", "说明：无", "右栏"]
    assert rows(items) == [("一级指标", "三级指标", "指标值"), ("产出指标", "培训人数", "≥500人")]
    assert {item.table for item in items if isinstance(item, Row)} == {1}


def test_html_spans_are_bounded_and_lenient(tmp_path):
    """colspan is capped at 1000 columns, rowspan at the table's last row; junk spans are
    1, "2px" is 2 (as browsers read them); block elements inside a cell start new lines."""
    page = """<table>
      <tr><td rowspan="999">甲</td><td colspan="100000">乙</td></tr>
      <tr><td colspan="abc">丙</td><td colspan="0">丁</td><td colspan="2px">戊</td></tr>
      <tr><td>一<br>二<p>三</p><div>  四&nbsp;五 </div></td></tr>
    </table>"""
    _, items = read(write(tmp_path, "spans.html", page))
    grid = rows(items)
    assert len(grid) == 3 and {len(row) for row in grid} == {1000}
    assert grid[0][:3] == ("甲", "乙", None) and set(grid[0][2:]) == {None}
    assert grid[1][:6] == (None, "丙", "丁", "戊", None, "")
    assert grid[2][:2] == (None, "一\n二\n三\n四 五")


@pytest.mark.parametrize("name, data, problem", [
    ("broken.html", b"<html><body><table>\x00\x01\x02" + bytes(range(256)), "损坏的网页：文字中夹有二进制数据"),
    ("latin.html", "<html><body><p>café au lait</p></body></html>".encode("latin-1"),
     "网页编码无法识别（应为 UTF-8 或 GB18030 / GBK）"),
    # libxml2 stops at depth 256 and keeps what it read: refused rather than cut short
    ("deep.html", ("<html><body>" + "<div>" * 300 + "<table><tr><td>深</td></tr></table>").encode(),
     "网页嵌套过深（超过 256 层）"),
    # one span over 100,000 empty rows would build 100 million cells
    ("bomb.html", b"<table><tr><td colspan=1000 rowspan=100000>x</td></tr>" + b"<tr>" * 100_000,
     "网页表格过大，无法读取（100001 行 × 1000 列）"),
])
def test_html_that_cannot_be_read_is_an_input_error(tmp_path, name, data, problem):
    path = write(tmp_path, name, data)
    with pytest.raises(kpiscore.InputError) as caught:
        kpiscore.parse(path)
    assert caught.value.source == str(path)
    assert caught.value.problem.startswith(problem), caught.value.problem


# --- .xls -------------------------------------------------------------------------------

def test_xls_merges_numbers_and_paragraphs():
    """Merged ranges keep the top-left text and None elsewhere; a row with text only in
    column A (the merged title too) is a paragraph; 100.0 reads "100", 0.95 with a percent
    format "95%"; every sheet is read, each its own table."""
    kind, items = read(FIXTURES / "target_table.xls")
    assert kind == "xls"
    sheet = "项目支出"
    assert items[:2] == [Paragraph("项目支出绩效目标表", Location(sheet=sheet, row=1)),
                         Paragraph("单位：万元", Location(sheet=sheet, row=2))]
    assert rows(items) == [
        ("项目名称", "就业创业服务补助", None, None),
        ("年度资金总额", "120.5", None, None),
        ("财政资金", "100", "其他资金", "20.5"),
        ("绩效目标", "目标1：开展职业技能培训\n目标2：按时发放创业补贴", None, None),
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出指标", "数量指标", "培训人数", "≥500人"),
        (None, None, "补贴发放户数", "120"),
        (None, "质量指标", "培训合格率", "95%"),
        ("效益指标", "社会效益指标", "城镇新增就业人数", "≥300人"),
        (None, "可持续影响指标", "服务长效机制", "长期"),
        ("满意度指标", "服务对象满意度指标", "培训对象满意度", "≥90%"),
    ]
    assert items[2].location == Location(sheet=sheet, row=3) and items[2].table == 1
    assert items[-1] == Paragraph("本表由项目单位填报。", Location(sheet="说明", row=1))


def test_xls_parses_to_the_project():
    document = kpiscore.parse(FIXTURES / "target_table.xls")
    assert document.format == "xls"
    assert document.projects[0].title == "就业创业服务补助"
    assert indicators(FIXTURES / "target_table.xls") == [
        (*names, value) for names, value in
        zip(INDICATORS, ["≥500人", "120", "95%", "≥300人", "长期", "≥90%"])]


def test_wps_et_workbook_is_read_by_content(tmp_path):
    """A WPS .et keeps the BIFF "Workbook" stream: the name does not matter."""
    path = tmp_path / "绩效目标.et"
    shutil.copyfile(FIXTURES / "target_table.xls", path)
    assert read(path) == ("xls", read(FIXTURES / "target_table.xls")[1])


def garbled_workbook() -> bytes:
    """The fixture with its OLE directory intact but the BIFF records overwritten."""
    data = bytearray((FIXTURES / "target_table.xls").read_bytes())
    start, size = ole.root_streams(bytes(data))["Workbook"]
    offset = (start + 1) * 512
    data[offset:offset + 1024] = bytes((i * 37 + 11) % 256 for i in range(1024))
    return bytes(data)


@pytest.mark.parametrize("libreoffice_present", [
    pytest.param(True, marks=needs_libreoffice, id="xlrd-then-libreoffice"),
    pytest.param(False, id="xlrd-only"),
])
@pytest.mark.parametrize("make, problem", [
    (lambda: (FIXTURES / "target_table.xls").read_bytes()[:2500], "损坏的旧版 Office 文件：文件不完整或 OLE2 目录已损坏"),
    (garbled_workbook, "损坏的 .xls：文件不完整或已损坏（"),
])
def test_corrupt_xls_is_an_input_error(tmp_path, monkeypatch, libreoffice_present, make, problem):
    """xlrd's reason is reported, also when LibreOffice was tried after it and failed."""
    if not libreoffice_present:
        without_libreoffice(monkeypatch)
    path = write(tmp_path, "broken.xls", make())
    with pytest.raises(kpiscore.InputError) as caught:
        kpiscore.parse(path)
    assert caught.value.source == str(path)
    assert caught.value.problem.startswith(problem), caught.value.problem


# --- .doc / .wps through LibreOffice ---------------------------------------------------------

@needs_libreoffice
def test_doc_is_converted_by_libreoffice(tmp_path):
    """A Word 97 .doc comes back with its merges; a WPS .wps (same streams) too."""
    kind, items = read(FIXTURES / "target_table.doc")
    assert kind == "doc"
    assert paragraphs(items) == ["1、就业创业服务补助绩效目标表"]
    assert rows(items) == [
        ("项目名称", "就业创业服务补助", None, None),
        ("一级指标", "二级指标", "三级指标", "指标值"),
        ("产出指标", "数量指标", "培训人数", "≥500人"),
        (None, None, "补贴发放户数", "120"),
        (None, "质量指标", "培训合格率", "≥95%"),
        ("效益指标", "社会效益指标", "城镇新增就业人数", "≥300人"),
        (None, "可持续影响指标", "服务长效机制", "长期"),
        ("满意度指标", "服务对象满意度指标", "培训对象满意度", "≥90%"),
    ]
    assert indicators(FIXTURES / "target_table.doc") == [
        (*names, value) for names, value in
        zip(INDICATORS, ["≥500人", "120", "≥95%", "≥300人", "长期", "≥90%"])]
    wps = tmp_path / "文件 (1).wps"  # spaces and brackets in the name reach no command line
    shutil.copyfile(FIXTURES / "target_table.doc", wps)
    assert read(wps) == (kind, items)


@needs_libreoffice
def test_doc_libreoffice_cannot_convert_names_the_original(tmp_path):
    data = bytearray((FIXTURES / "target_table.doc").read_bytes())
    start, _ = ole.root_streams(bytes(data))["WordDocument"]
    offset = (start + 1) * 512
    data[offset:offset + 4096] = bytes((i * 37 + 11) % 256 for i in range(4096))
    data[offset + 10:offset + 12] = b"\0\0"  # not "encrypted": let LibreOffice try
    path = write(tmp_path, "broken.doc", bytes(data))
    with pytest.raises(kpiscore.InputError, match="LibreOffice 无法转换此旧版 Office 文件") as caught:
        kpiscore.parse(path)
    assert caught.value.source == str(path)


def test_doc_without_libreoffice_says_what_to_install(monkeypatch):
    without_libreoffice(monkeypatch)
    with pytest.raises(kpiscore.InputError) as caught:
        kpiscore.parse(FIXTURES / "target_table.doc")
    assert caught.value.source == str(FIXTURES / "target_table.doc")
    assert caught.value.problem == ("旧版 Office 文件（.doc / .wps / .et）：请安装 LibreOffice 后再读，"
                                    "或另存为 .docx / .xlsx")


def test_encrypted_doc_is_refused_before_libreoffice(tmp_path, monkeypatch):
    """The FIB's fEncrypted flag: refused as password-protected, LibreOffice never asked."""
    monkeypatch.setattr(libreoffice, "read_converted", lambda *args: pytest.fail("converted"))
    data = bytearray(LEGACY_DOC.read_bytes())
    start, _ = ole.root_streams(bytes(data))["WordDocument"]
    data[(start + 1) * 512 + 11] |= 0x01  # bit 0x0100 of the flags word at offset 10
    path = write(tmp_path, "locked.doc", bytes(data))
    with pytest.raises(kpiscore.InputError, match="Office 文件有打开密码"):
        kpiscore.parse(path)


def fake_soffice(tmp_path: Path, body: str, monkeypatch) -> Path:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    real = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name, *args, **kw: str(script) if name == "soffice" else real(name, *args, **kw))
    return script


def test_libreoffice_that_hangs_is_ended(tmp_path, monkeypatch):
    """After the timeout the whole process group goes, not only the launcher script."""
    pid_file = tmp_path / "child.pid"
    fake_soffice(tmp_path, f"sleep 30 & echo $! > {pid_file}\nwait", monkeypatch)
    monkeypatch.setattr(libreoffice, "TIMEOUT_SECONDS", 0.5)
    with pytest.raises(kpiscore.InputError, match="LibreOffice 转换超过 0.5 秒仍未完成"):
        read(FIXTURES / "target_table.doc")
    child = int(pid_file.read_text())
    stat = Path(f"/proc/{child}/stat")
    assert not stat.exists() or stat.read_text().split()[2] == "Z"  # gone, or a zombie of init


def test_libreoffice_that_writes_nothing(tmp_path, monkeypatch):
    fake_soffice(tmp_path, "echo 'Error: source file could not be loaded'", monkeypatch)
    with pytest.raises(kpiscore.InputError, match="LibreOffice 无法转换此旧版 Office 文件") as caught:
        read(FIXTURES / "target_table.doc")
    assert caught.value.source == str(FIXTURES / "target_table.doc")
