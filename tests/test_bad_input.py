"""Bad input: one line `kpiscore: <path>: <problem>` on stderr per bad file, exit code 2.

Every case goes through the CLI (typer's CliRunner, stdout and stderr kept apart) and checks
both the exit code and a stable part of the problem message. Most bad files are built here
from the project's own dependencies; the few that need other tools (password-protected
files, a legacy .doc) are committed in tests/fixtures/bad/ and made by make_fixtures.py.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image
from typer.testing import CliRunner

import kpiscore
from conftest import seed_path
from fixtures.bad.text_pdf import text_pdf
from kpiscore.cli import app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bad"
INPUT_ERROR = 2

NOT_FOUND = "文件不存在：请检查路径和文件名"
EMPTY = "空文件（0 字节）：请重新导出或重新保存"
BROKEN_ZIP = "损坏的 .docx / .xlsx：文件不完整或压缩容器已损坏"
BROKEN_PDF = "损坏的 PDF"
LOCKED_OFFICE = "Office 文件有打开密码：请去除密码后重新保存"
LOCKED_PDF = "PDF 有打开密码"
NO_TEXT_LAYER = "PDF 没有文字层（可能是扫描件）：请先做文字识别（OCR），或改送 .docx"
NO_TABLE = "没有找到绩效目标表（没有含 一级指标 / 三级指标 / 指标值 的表头行）"
UNKNOWN_BINARY = "未知格式的二进制文件（应为 .docx、.pdf、.xlsx 或文本）"
UNKNOWN_ENCODING = "文本编码无法识别（应为 UTF-8 或 GB18030）：请另存为 UTF-8 文本"
LEGACY_OFFICE = "旧版 Office 文件（.doc / .wps / .et）：请安装 LibreOffice 后再读，或另存为 .docx / .xlsx"
IS_FOLDER = "是文件夹，不是文件：请给出文件夹中的文件"


# --- building bad files -------------------------------------------------------------------

def docx_bytes(text: str = "只有一段文字，没有绩效目标表。") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "项目名称", "预算数"
    sheet["A2"], sheet["B2"] = "日常办公", 4.4
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def image_pdf_bytes() -> bytes:
    """What a scanner produces: a page that is only a picture, no text layer."""
    image = Image.new("RGB", (400, 300), "white")
    for x in range(40, 360):
        image.putpixel((x, 150), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- running the CLI ----------------------------------------------------------------------

def run(*args: str | Path):
    result = CliRunner().invoke(app, ["parse", *map(str, args)])
    # A bad file is reported, not raised: the only exception allowed is the exit itself.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def assert_one_bad_file(path: Path, problem: str) -> None:
    """`kpiscore parse PATH` fails with exit code 2 and one line naming PATH and the problem."""
    result = run(path)
    lines = result.stderr.splitlines()
    assert result.exit_code == INPUT_ERROR, (result.exit_code, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kpiscore: {path}: "), lines[0]
    assert problem in lines[0], f"expected {problem!r} in {lines[0]!r}"
    assert "Traceback" not in result.stderr
    assert "please report this" not in result.stderr  # an unexpected error, not a diagnosis
    assert result.stdout == ""

    with pytest.raises(kpiscore.InputError) as caught:
        kpiscore.parse(path)
    assert caught.value.source == str(path)
    assert problem in caught.value.problem


# --- the cases ----------------------------------------------------------------------------

def test_missing_file(tmp_path):
    assert_one_bad_file(tmp_path / "不存在.docx", NOT_FOUND)


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.pdf", "empty.xlsx"])
def test_empty_file(tmp_path, name):
    assert_one_bad_file(write(tmp_path, name, b""), EMPTY)


def test_truncated_docx(tmp_path):
    assert_one_bad_file(write(tmp_path, "truncated.docx", half(docx_bytes())), BROKEN_ZIP)


def test_truncated_xlsx(tmp_path):
    assert_one_bad_file(write(tmp_path, "truncated.xlsx", half(xlsx_bytes())), BROKEN_ZIP)


@pytest.mark.parametrize("cut", [
    pytest.param(lambda: half(image_pdf_bytes()), id="image-pdf-first-half"),
    pytest.param(lambda: half(text_pdf(["Annual report"])), id="text-pdf-first-half"),
    pytest.param(lambda: text_pdf(["Annual report"])[:-60], id="text-pdf-without-trailer"),
    pytest.param(lambda: b"%PDF-1.7\n", id="header-only"),
])
def test_truncated_pdf(tmp_path, cut):
    assert_one_bad_file(write(tmp_path, "truncated.pdf", cut()), BROKEN_PDF)


@pytest.mark.parametrize("name", ["encrypted.docx", "encrypted.xlsx"])
def test_password_protected_office_file(name):
    assert_one_bad_file(FIXTURES / name, LOCKED_OFFICE)


def test_password_protected_pdf():
    assert_one_bad_file(FIXTURES / "encrypted.pdf", LOCKED_PDF)


def test_scanned_pdf_without_text_layer(tmp_path):
    assert_one_bad_file(write(tmp_path, "scan.pdf", image_pdf_bytes()), NO_TEXT_LAYER)


@pytest.mark.parametrize("name, make", [
    ("paragraph.docx", docx_bytes),
    ("no_table.xlsx", xlsx_bytes),
    ("no_table.pdf", lambda: text_pdf(["Annual report 2024", "No performance table here."])),
    ("no_table.txt", lambda: "卢龙县人力资源和社会保障局\n2024年部门预算说明\n本文没有绩效目标表。\n".encode()),
])
def test_no_performance_table(tmp_path, name, make):
    assert_one_bad_file(write(tmp_path, name, make()), NO_TABLE)


def test_unknown_binary_format(tmp_path):
    noise = bytes(random.Random(20240101).randrange(1, 256) for _ in range(4000))
    data = noise[:1000] + b"\x00" + noise[1000:]
    assert not data.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xef\xbb\xbf",
                                b"\xff\xfe", b"\xfe\xff"))
    assert_one_bad_file(write(tmp_path, "mystery.dat", data), UNKNOWN_BINARY)


def test_text_in_unknown_encoding(tmp_path):
    # Latin-1 "é" (0xE9) followed by a space or letter is an invalid sequence in UTF-8 and
    # in GB18030 alike (0xE9 is a GB18030 lead byte, but neither " " nor "a" may follow it).
    data = "Budget 2024: café au lait, naïve résumé\n".encode("latin-1")
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    assert_one_bad_file(write(tmp_path, "latin1.txt", data), UNKNOWN_ENCODING)


def test_legacy_doc_without_encryption_and_without_libreoffice(monkeypatch):
    import shutil

    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None if name in (
        "soffice", "libreoffice") else real_which(name, *args, **kwargs))
    assert_one_bad_file(FIXTURES / "legacy.doc", LEGACY_OFFICE)


def test_zip_that_is_not_an_office_document(tmp_path):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a document")
    assert_one_bad_file(path, "压缩包既不是 .docx 也不是 .xlsx 文档")


def cut_before_the_directory(data: bytes) -> bytes:
    """A zip with bytes deleted inside its first member: the directory still lists every
    member, at offsets now past where they are, and zipfile puts the first one before
    byte 0 (reading it was a bare OSError, "Invalid argument")."""
    return data[:200] + data[700:]


def test_zip_with_bytes_cut_before_its_directory_names_the_part(tmp_path):
    path = write(tmp_path, "cut.docx", cut_before_the_directory(docx_bytes()))
    assert_one_bad_file(path, "损坏的 .docx：部件 [Content_Types].xml 在压缩包中的位置无效")


def test_invalid_argument_from_a_zip_is_a_damaged_file(tmp_path):
    """EINVAL from inside a .docx / .xlsx reader is zipfile seeking before the file's start."""
    import errno

    from kpiscore.read.failures import translated

    with pytest.raises(kpiscore.InputError) as caught:
        with translated(tmp_path / "x.xlsx", "xlsx"):
            raise OSError(errno.EINVAL, "Invalid argument")
    assert caught.value.problem.startswith("损坏的 .xlsx：压缩容器已损坏")


def test_a_missing_part_is_named_alone(tmp_path):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    del members["word/styles.xml"]
    path = tmp_path / "no_styles.docx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    assert_one_bad_file(path, "损坏的 .docx：缺少部件 word/styles.xml")
    assert "There is no item" not in run(path).stderr


# --- every message is Chinese -----------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")
# Three ASCII words in a row (a sentence), format names such as .docx or PDF aside.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,:;]+[A-Za-z]{2,}){2,}")


def test_every_reader_message_is_chinese():
    from kpiscore import lexicon

    for file, sections in (("read_errors.toml", ["messages"]), ("messages.toml", ["errors", "warnings", "output"]),
                           ("limits.toml", ["messages"])):
        table = lexicon.table(file)
        for section in sections:
            for key, message in table[section].items():
                assert CJK.search(message), f"{file} [{section}] {key} has no Chinese: {message!r}"
                assert not ENGLISH.search(message.replace("kpiscore train", "")), \
                    f"{file} [{section}] {key} reads as English: {message!r}"


@pytest.mark.parametrize("name, make", [
    ("empty.txt", lambda folder: write(folder, "empty.txt", b"")),
    ("folder", lambda folder: (folder / "a folder").mkdir() or folder / "a folder"),
    ("missing", lambda folder: folder / "missing file.docx"),
    ("binary", lambda folder: write(folder, "mystery.dat", b"\x01\x02\x00\x03" * 100)),
    ("encoding", lambda folder: write(folder, "latin1.txt", "café au lait\n".encode("latin-1"))),
    ("zip", lambda folder: write(folder, "truncated.docx", half(docx_bytes()))),
    ("zip-cut", lambda folder: write(folder, "cut.xlsx", cut_before_the_directory(xlsx_bytes()))),
    ("not-office", lambda folder: write(folder, "archive.zip", zip_of({"readme.txt": "x"}))),
    ("scan", lambda folder: write(folder, "scan.pdf", image_pdf_bytes())),
    ("no-table", lambda folder: write(folder, "paragraph.docx", docx_bytes())),
])
def test_the_line_for_a_bad_input_is_chinese(tmp_path, name, make):
    path = make(tmp_path)
    result = run(path)
    assert result.exit_code == INPUT_ERROR
    [line] = result.stderr.splitlines()
    problem = line.removeprefix(f"kpiscore: {path}: ")
    assert problem != line, line
    assert CJK.search(problem), line
    assert not ENGLISH.search(problem), line


def zip_of(members: dict[str, str]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return buffer.getvalue()


# --- encodings of a good seed ---------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_seed_in_other_encodings_parses_the_same(tmp_path, encoding):
    seed = seed_path("000")
    text = seed.read_text(encoding="utf-8")
    copy = tmp_path / f"seed.{encoding}.txt"
    copy.write_bytes(text.encode(encoding))
    assert copy.read_bytes() != seed.read_bytes()

    expected = kpiscore.parse(seed).to_dict()
    actual = kpiscore.parse(copy).to_dict()
    assert expected["projects"], "the seed itself must have records"
    assert actual["projects"] == expected["projects"]
    assert (actual["format"], actual["year"], actual["unit_name"]) == \
        (expected["format"], expected["year"], expected["unit_name"])


# --- batches --------------------------------------------------------------------------------

def documents_in(payload) -> list[dict]:
    """The JSON holds one object per file, or a list of them when there are several."""
    return payload if isinstance(payload, list) else [payload]


def bad_batch(tmp_path: Path) -> tuple[Path, Path, Path]:
    return seed_path("000"), tmp_path / "missing.docx", write(tmp_path, "empty.txt", b"")


def assert_batch_failures(stderr: str, missing: Path, empty: Path) -> None:
    lines = stderr.splitlines()
    assert sorted(lines) == sorted([f"kpiscore: {missing}: {NOT_FOUND}", f"kpiscore: {empty}: {EMPTY}"])
    assert "Traceback" not in stderr


def test_batch_to_stdout_keeps_the_good_file(tmp_path):
    good, missing, empty = bad_batch(tmp_path)
    result = run(missing, good, empty)
    assert result.exit_code == INPUT_ERROR
    assert_batch_failures(result.stderr, missing, empty)
    documents = documents_in(json.loads(result.stdout))
    assert [document["source"] for document in documents] == [str(good)]
    assert documents[0]["projects"] == kpiscore.parse(good).to_dict()["projects"]


def test_batch_to_output_file_keeps_the_good_file(tmp_path):
    good, missing, empty = bad_batch(tmp_path)
    target = tmp_path / "out.json"
    result = run(good, missing, empty, "-o", target)
    assert result.exit_code == INPUT_ERROR
    assert_batch_failures(result.stderr, missing, empty)
    assert result.stdout == ""
    documents = documents_in(json.loads(target.read_text(encoding="utf-8")))
    assert [document["source"] for document in documents] == [str(good)]
    assert documents[0]["projects"]


def test_no_traceback_from_the_real_executable(tmp_path):
    """All the bad files in one batch, as a fresh process: one line each, never a traceback."""
    bad = [
        tmp_path / "missing.txt",
        write(tmp_path, "empty.txt", b""),
        write(tmp_path, "truncated.docx", half(docx_bytes())),
        write(tmp_path, "truncated.xlsx", half(xlsx_bytes())),
        write(tmp_path, "truncated.pdf", half(image_pdf_bytes())),
        FIXTURES / "encrypted.docx",
        FIXTURES / "encrypted.xlsx",
        FIXTURES / "encrypted.pdf",
        write(tmp_path, "scan.pdf", image_pdf_bytes()),
        write(tmp_path, "paragraph.docx", docx_bytes()),
        write(tmp_path, "no_table.txt", "没有表格。\n".encode()),
        write(tmp_path, "mystery.dat", b"\x01\x02\x00\x03" * 100),
        write(tmp_path, "latin1.txt", "café au lait\n".encode("latin-1")),
        FIXTURES / "legacy.doc",
    ]
    executable = Path(sys.executable).with_name("kpiscore")
    result = subprocess.run([str(executable), "parse", *map(str, bad)], capture_output=True, text=True,
                            encoding="utf-8", timeout=120)
    assert result.returncode == INPUT_ERROR
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(bad), result.stderr
    assert [line.split(": ")[1] for line in lines] == [str(path) for path in bad]
    assert result.stdout == ""
