"""parse_value and clean_cell on values taken from the seeds."""

from __future__ import annotations

import pytest

from kpiscore.text import clean_cell
from kpiscore.values import parse_value


@pytest.mark.parametrize("value,operator,number,unit,kind", [
    ("≥95%", "≥", 95, "%", "quantitative"),
    ("≤4.4 万元", "≤", 4.4, "万元", "quantitative"),
    (">=6500人", "≥", 6500, "人", "quantitative"),
    ("=100.00%", "=", 100, "%", "quantitative"),
    ("≥25人次", "≥", 25, "人次", "quantitative"),
    ("<60工作日", "<", 60, "工作日", "quantitative"),
    ("15个工作日内", "≤", 15, "个工作日", "quantitative"),
    ("98%以上", "≥", 98, "%", "quantitative"),
    ("最高不超每人30万元", "≤", 30, "万元", "quantitative"),
    ("不超过实际缴费的2/3", "≤", pytest.approx(2 / 3), None, "quantitative"),
    ("100000 张", None, 100000, "张", "quantitative"),
    ("≥90 用于办公取暖正常运行工作开展的程度", "≥", 90, None, "quantitative"),
    ("及时保障", None, None, None, "qualitative"),
    ("大于本地区近三年平均发放额", ">", None, None, "qualitative"),
    ("涉密", None, None, None, "placeholder"),
    ("XX", None, None, None, "placeholder"),
    ("/", None, None, None, "placeholder"),
    ("", None, None, None, "empty"),
])
def test_parse_value(value, operator, number, unit, kind):
    parsed = parse_value(value)
    assert (parsed.operator, parsed.number, parsed.unit, parsed.kind) == (operator, number, unit, kind)


def test_prose_after_the_number_is_kept_as_text():
    assert parse_value("≥90 用于办公取暖正常运行工作开展的程度").text == "用于办公取暖正常运行工作开展的程度"


@pytest.mark.parametrize("value,deadline", [
    ("12月31日前完成", "12-31"),
    ("12月31前完成", "12-31"),
    ("2024年12月31日前", "2024-12-31"),
    ("10月底前", "10-end"),
    ("每月10日前", "monthly-10"),
])
def test_deadlines(value, deadline):
    parsed = parse_value(value)
    assert (parsed.operator, parsed.deadline, parsed.kind) == ("≤", deadline, "quantitative")


@pytest.mark.parametrize("raw,clean", [
    ("≥90 用于办 公取暖正常 运行工作开 展的程度", "≥90 用于办公取暖正常运行工作开展的程度"),
    ("冀财社会 【2022】 150号", "冀财社会【2022】150号"),
    ("41 人", "41 人"),
    ("卢政 [2012] 92 号", "卢政 [2012] 92 号"),
    ("$\\geq 98\\%$", "≥98%"),
    ("依据县财政\n预算批复", "依据县财政预算批复"),
    ("\u300095\u3000", "95"),
    (None, ""),
])
def test_clean_cell(raw, clean):
    assert clean_cell(raw) == clean


@pytest.mark.parametrize("value,operator,number,upper,unit,kind", [
    ("不超过实际缴费额的三分之二", "≤", pytest.approx(2 / 3), None, None, "quantitative"),
    ("五个工作日内", "≤", 5, None, "个工作日", "quantitative"),
    ("90%-95%", "range", 90, 95, "%", "quantitative"),
    ("90～95%", "range", 90, 95, "%", "quantitative"),
    ("达成年度指标/部分达成/未达成", None, None, None, None, "tier"),
    ("较好", None, None, None, None, "tier"),
    ("大于本地区近三年平均发放额", ">", None, None, None, "qualitative"),  # 近三年 is no quantity
])
def test_numerals_ranges_and_tiers(value, operator, number, upper, unit, kind):
    parsed = parse_value(value)
    assert (parsed.operator, parsed.number, parsed.upper, parsed.unit, parsed.kind) == (
        operator, number, upper, unit, kind)


def test_chinese_deadline():
    assert parse_value("十二月三十一日前").deadline == "12-31"
