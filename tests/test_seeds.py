"""The four seeds parse to the tables a person counts by hand, field by field.

Counts were made by reading the seeds (second reader, see tests/expected/README.md).
tests/expected/seed_tables.json holds whole tables, reviewed against the seed text; the
hardest rows are also asserted here explicitly so that a failure reads clearly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXPECTED = json.loads((Path(__file__).parent / "expected" / "seed_tables.json").read_text("utf-8"))

# seed -> indicator rows per table, in document order (hand count)
HAND_COUNT = {
    "000": [6, 5, 6, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 8, 12, 6, 10, 8, 8,
            8, 6, 12, 12, 7],
    "001": [7, 7, 7, 7, 7, 7, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
    "002": [8, 7, 7, 7, 7, 11, 7, 8, 8, 8, 7, 7, 7, 7, 8, 8, 7, 6, 6],
    "004": [9] + [4] * 17,
}


@pytest.mark.parametrize("seed", sorted(HAND_COUNT))
def test_table_and_row_counts_match_the_hand_count(seeds, seed):
    document = seeds[seed]
    assert [len(project.indicators) for project in document.projects] == HAND_COUNT[seed]
    assert [project.index for project in document.projects] == list(range(1, len(HAND_COUNT[seed]) + 1))


def test_totals(seeds):
    totals = {seed: (len(d.projects), d.indicator_count) for seed, d in seeds.items()}
    assert totals == {"000": (33, 230), "001": (26, 180), "002": (19, 141), "004": (18, 77)}


@pytest.mark.parametrize("seed,number", [(seed, number) for seed in EXPECTED for number in EXPECTED[seed]])
def test_whole_tables_field_by_field(seeds, seed, number):
    """Every field; the cells' positions (line numbers) are tested in test_cells.py."""
    record = seeds[seed].projects[int(number) - 1].to_dict()
    del record["cells"]
    for indicator in record["indicators"]:
        del indicator["cells"]
    assert record == EXPECTED[seed][number]


def test_document_year_and_unit(seeds):
    assert {seed: (d.year, d.unit_name, d.format) for seed, d in seeds.items()} == {
        "000": (2024, "卢龙县人力资源和社会保障局", "pdf-text"),
        "001": (2023, "丰宁满族自治县人力资源和社会保障局", "pdf-text"),
        "002": (2023, "承德市双桥区人力资源和社会保障局", "docx-text"),
        "004": (2020, "承德高新区人力资源和社会保障局", "docx-text"),
    }


def test_page_break_fragment_joins_the_cell_above(seeds):
    card_fee = seeds["000"].projects[4]  # 社保卡制卡经费: "…71" + page break + "号文件"
    assert card_fee.indicators[3].basis == "文件规定冀价行费字 (2018) 71 号文件"
    assert card_fee.indicators[4].name == "全民参保制卡率"
    assert seeds["000"].projects[11].indicators[5].basis == "冀财社【2023】188号"
    # the fragment "号" repeats the end of "…55号": joined once
    assert seeds["000"].projects[25].indicators[8].basis == "冀财金【2022】55号"


def test_fragment_with_cut_level2_label(seeds):
    row = seeds["001"].projects[24].indicators[4]  # "社会效益指" + page break + "标"
    assert (row.level2, row.name) == ("社会效益指标", "直接、间接总受益人数")
    assert row.value == "≥90 按照企业社保网上业务机构工作直接、间接总收益人数"
    assert row.basis == "依据县财政预算批复"
    last = seeds["001"].projects[25].indicators[-1]  # "服务对象满" + "意度指标"
    assert (last.level1, last.level2) == ("满意度指标", "服务对象满意度指标")


def test_wrapped_cells_lose_wrap_spaces_but_keep_real_ones(seeds):
    heating = seeds["001"].projects[0]
    assert heating.code == "13082623P00M5MW10003C"
    assert heating.indicators[0].name == "办公取暖费支付的比例"
    assert heating.indicators[0].value == "≥90 用于办公取暖正常运行工作开展的程度"
    assert seeds["000"].projects[0].indicators[0].value == "41 人"


def test_spacer_column_is_ignored(seeds):
    printing = seeds["000"].projects[1]  # header has an empty column before 指标值
    assert printing.indicators[0].value == "100000 张"
    assert printing.indicators[0].basis == "实际工作需要"


def test_classified_rows_are_placeholders(seeds):
    secret = seeds["000"].projects[2]
    assert len(secret.indicators) == 6
    assert {i.parsed.kind for i in secret.indicators} == {"placeholder"}
    assert secret.goal.startswith("1.目标内容：完成工资系统软件建设开发")


def test_sign_value_unit_become_one_value(seeds):
    department = seeds["004"].projects[0]
    assert (department.kind, department.title) == ("department", "部门整体绩效指标")
    values = [i.value for i in department.indicators]
    assert values[:3] == ["合理规范", "=100.00%", ">=6500人"]
    assert department.indicators[2].parsed.number == 6500
    assert department.indicators[5].level2 == "可持续性影响"


def test_blank_paragraphs_inside_docx_cells_do_not_split_rows(seeds):
    jobs = seeds["002"].projects[5]
    assert [i.name for i in jobs.indicators][:2] == ["失业人员再就业人数", "城镇新增就业人数"]
    assert jobs.indicators[-1].value == "≥95%" and jobs.indicators[-1].basis == "工作安排"


def test_header_block_fields(seeds):
    first = seeds["000"].projects[0]
    assert (first.code, first.budget_wan, first.fiscal_wan, first.other_wan) == (
        "13032424P00442810275A", 4.4, 4.4, None)
    assert first.purpose == "用于机关日常办公经费支出。"
    assert first.spending_plan == {"3月底": 25.0, "6月底": 50.0, "10月底": 75.0, "12月底": 100.0}
    assert seeds["001"].projects[22].spending_plan == {"3月底": 30.0, "6月底": 50.0,
                                                      "10月底": 20.0, "12月底": None}
    grant = seeds["004"].projects[1]
    assert grant.goal == "目标1：完善基础养老金和个人帐养老金相结合的待遇支付；目标2：多缴多得，按政策补助"
    assert grant.explanation.startswith("一、项目概况：按照城乡居民养老保险政策")
    assert "10458×10+72×15" in grant.explanation


def test_two_line_headings_give_the_title(seeds):
    assert seeds["001"].projects[22].title == "冀财资【2022】94号-国有企业退休人员社会化管理补助资金"
    assert seeds["002"].projects[0].title == "2023年劳务派遣人员工资、保险项目"


def test_frame_has_one_row_per_indicator(seeds):
    frame = seeds["000"].to_frame()
    assert len(frame) == 230
    assert frame.loc[0, "project_title"] == "日常综合管理事务"
    assert frame.loc[0, "value_unit"] == "人"
