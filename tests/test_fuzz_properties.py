"""Property tests (hypothesis): the value and money parsers and the readers take any input
and either answer or raise kpiscore's InputError, never anything else."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpiscore import limits, money
from kpiscore.errors import InputError
from kpiscore.grid import Paragraph, Row
from kpiscore.read import read
from kpiscore.read.docx_text import read_docx_text
from kpiscore.read.pdf_text import read_pdf_text
from kpiscore.read.sniff import decode_text
from kpiscore.values import parse_value

KINDS = {"empty", "placeholder", "tier", "qualitative", "quantitative"}
# Characters budget cells are made of, and ones that break parsers.
CELL_TOKENS = st.sampled_from(list("0123456789.,%/≥≤<>=~-—－+×万亿元人次个天月日年前后以上下内不低于高"
                                   "一二三四五六七八九十百千零〇两分之０４９．，％\t \n\x00\u202e") + ["[/]"])


def tokens(alphabet: st.SearchStrategy[str], most: int) -> st.SearchStrategy[str]:
    return st.lists(alphabet, max_size=most).map("".join)


CELLS = tokens(CELL_TOKENS, 60) | st.text(max_size=60)
FULL_WIDTH = str.maketrans("0123456789.%", "０１２３４５６７８９．％")
WITHOUT_DEADLINE = settings(max_examples=200, deadline=None,
                            suppress_health_check=[HealthCheck.function_scoped_fixture])


@WITHOUT_DEADLINE
@given(CELLS)
def test_parse_value_answers_any_text(text):
    parsed = parse_value(text)
    assert parsed.kind in KINDS
    if parsed.kind == "quantitative":
        assert isinstance(parsed.number, float)


@WITHOUT_DEADLINE
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
       st.sampled_from(["", "%", "万元", "人次", "个", "天"]), st.sampled_from(["", "≥", "≤", "不低于"]))
def test_full_width_digits_parse_as_their_ascii(number, unit, operator):
    ascii_text = f"{operator}{number}{unit}"
    assert parse_value(ascii_text.translate(FULL_WIDTH)) == parse_value(ascii_text)


@WITHOUT_DEADLINE
@given(st.decimals(min_value=0, max_value=10**7, places=1, allow_nan=False))
def test_full_width_amounts_are_read_whole(number):
    text = f"项目资金{number}万元"
    assert money.stated_total(text.translate(FULL_WIDTH)).wan == pytest.approx(float(number))
    assert [a.wan for a in money.amounts(text.translate(FULL_WIDTH))] == [a.wan for a in money.amounts(text)]


def test_full_width_point_in_a_budget():
    assert money.amounts("资金４．４万元")[0].wan == pytest.approx(4.4)
    assert parse_value("≤４．４万元").number == pytest.approx(4.4)


@WITHOUT_DEADLINE
@given(CELLS)
def test_money_parsers_answer_any_text(text):
    money.amounts(text)
    money.stated_total(text)
    money.formula_errors(text)
    money.header_amount(text, "万元")


def test_numerals_too_long_to_convert_stay_text():
    assert parse_value("四" * 5000 + "%").kind == "qualitative"
    assert parse_value("一" * 3000 + "分之" + "二" * 3000).kind == "qualitative"
    assert parse_value("十二月三十一日前").kind == "quantitative" or parse_value("十二月三十一日前").deadline


@WITHOUT_DEADLINE
@given(tokens(st.sampled_from(list("\t\n 　#[]:ab一级指标值") + ["[bookmark: x]"]), 300) | st.text(max_size=300))
def test_text_readers_answer_any_text(text):
    for items in (read_pdf_text(text), read_docx_text(text)):
        for item in items:
            assert isinstance(item, (Paragraph, Row))
            if isinstance(item, Row):
                assert all(isinstance(cell, str) for cell in item.cells)


@WITHOUT_DEADLINE
@given(st.text(max_size=200).filter(lambda text: "\x00" not in text),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030"]))
def test_text_decodes_in_every_supported_encoding(tmp_path_factory, text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    if not data:
        return
    path = tmp_path_factory.mktemp("text") / "cell.txt"
    path.write_bytes(data)
    try:
        decoded = decode_text(path)
    except InputError:
        return  # refused as such (not UTF-8 and read as Big5, or an unknown encoding)
    if encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-32"):
        assert decoded == text


MAGIC = [b"", b"PK\x03\x04", b"%PDF-1.4\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<html><table>",
         b"\xff\xfe", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MAGIC), st.binary(max_size=400))
def test_readers_raise_only_input_errors_on_any_bytes(tmp_path_factory, magic, data):
    path = tmp_path_factory.mktemp("bytes") / "file.bin"
    path.write_bytes(magic + data)
    with limits.reading(str(path)):
        try:
            read(path)
        except InputError as error:
            assert error.line.startswith(str(path)) and "\n" not in error.line


def test_over_long_cells_are_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("一级指标\t" + "长" * 60_000 + "\n", encoding="utf-8")
    with limits.reading(str(path)), pytest.raises(InputError, match="单元格字数"):
        read(path)


def test_utf32_and_big5_text(tmp_path):
    utf32 = tmp_path / "utf32.txt"
    utf32.write_bytes("一级指标\t二级指标\n".encode("utf-32"))
    assert decode_text(utf32) == "一级指标\t二级指标\n"
    big5 = tmp_path / "big5.txt"
    big5.write_bytes(("項目名稱\t績效目標\n一級指標\t二級指標\t三級指標\t指標值\n" * 5).encode("big5"))
    with pytest.raises(InputError, match="Big5"):
        decode_text(big5)


def test_unicode_normalisation_is_what_the_fix_relies_on():
    assert unicodedata.normalize("NFKC", "４．４") == "4.4"


def test_a_settings_file_overrides_a_limit(tmp_path):
    from kpiscore import config

    (tmp_path / "kpiscore.toml").write_text("[limits]\npdf_pages = 3000\nseconds = 1.5\n", encoding="utf-8")
    settings_ = config.load(tmp_path)
    assert settings_.limits.pdf_pages == 3000 and settings_.limits.seconds == 1.5
    assert settings_.limits.rows == limits.Limits.default().rows


def test_the_time_budget_is_checked_in_the_loops(tmp_path):
    path = Path(tmp_path / "rows.txt")
    path.write_text("一级指标\t二级指标\t三级指标\t指标值\n" * 1000, encoding="utf-8")
    spent = limits.Limits.default().overridden({"seconds": 1e-9}, "test")
    with limits.reading(str(path), spent), pytest.raises(InputError, match="处理超时"):
        read(path)
