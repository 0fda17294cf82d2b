"""Template profiles: every layout case of the reader, on a real corpus row or on a table
built here, and the report of a table kpiscore cannot read.

The built tables are tab-separated text, as a PDF text export prints them; the real rows
come from ../shared/corpus (skipped where it is not beside the repository).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_corpus import CORPUS
from typer.testing import CliRunner

import kpiscore
from kpiscore.cli import app
from kpiscore.templates import map_columns, shipped, with_profiles

runner = CliRunner()

HEADER_BLOCK = "项目名称\t乡村道路养护\n年度资金总额(万元)\t12.5\n年度绩效目标\t养护村道20公里，年底前完成\n"
ROWS = ("产出指标\t数量指标\t养护村道长度\t≥20公里\n"
        "\t时效指标\t完成时间\t12月底前\n"
        "满意度指标\t服务对象满意度指标\t村民满意度\t≥90%\n")


def table(tmp_path: Path, header: str, rows: str = ROWS, name: str = "t.txt") -> Path:
    path = tmp_path / name
    path.write_text(f"项目支出绩效目标表\n{HEADER_BLOCK}{header}\n{rows}", encoding="utf-8")
    return path


def corpus(stem: str, layout: str = "docx") -> kpiscore.Document:
    path = CORPUS / "native" / f"{stem}.{layout}"
    if not path.exists():
        pytest.skip(f"corpus {CORPUS} not available (set KPISCORE_CORPUS)")
    return kpiscore.parse(path)


# -- columns found by content, unknown headers ----------------------------------------------

@pytest.mark.parametrize("value_header", ["指标值", "指标值及单位", "年度指标值", "目标值", "当年预期实现值"])
def test_value_headers_of_other_templates(tmp_path, value_header):
    document = kpiscore.parse(table(tmp_path, f"一级指标\t二级指标\t三级指标\t{value_header}"))
    assert [i.value for i in document.projects[0].indicators] == ["≥20公里", "12月底前", "≥90%"]


def test_a_header_never_seen_is_placed_by_its_words_and_the_choice_recorded(tmp_path):
    document = kpiscore.parse(table(tmp_path, "一级指标\t二级指标\t三级指标\t2025年度目标值"))
    project = document.projects[0]
    assert project.indicators[0].value == "≥20公里"
    assert {"header": "2025年度目标值", "field": "value", "how": "inferred"} in project.column_map


def test_a_known_header_with_a_note_in_parentheses(tmp_path):
    document = kpiscore.parse(table(tmp_path, "一级指标\t二级指标\t三级指标（名称）\t指标值（含单位）"))
    assert [i.value for i in document.projects[0].indicators] == ["≥20公里", "12月底前", "≥90%"]


def test_unknown_value_header_is_reported_never_read_as_empty_values(tmp_path):
    path = table(tmp_path, "一级指标\t二级指标\t三级指标\t本年预期")
    with pytest.raises(kpiscore.InputError, match="中没有指标值列"):
        kpiscore.parse(path)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"kpiscore: {path}: 没有可读的绩效目标表（第5行的表：无法读取指标列："
        f"表头「一级指标 | 二级指标 | 三级指标 | 本年预期」中没有指标值列）"]


def test_a_readable_table_beside_an_unreadable_one_warns_and_strict_fails(tmp_path):
    path = tmp_path / "two.txt"
    good = table(tmp_path, "一级指标\t二级指标\t三级指标\t指标值", name="good.txt").read_text("utf-8")
    bad = table(tmp_path, "一级指标\t二级指标\t三级指标\t本年预期", name="bad.txt").read_text("utf-8")
    path.write_text(good + "\n" + bad, encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"kpiscore: {path}：警告：第14行的表：无法读取指标列：表头「一级指标 | 二级指标 | 三级指标 | 本年预期」中没有指标值列"]
    assert len(json.loads(result.stdout)["warnings"]) == 1
    assert len(json.loads(result.stdout)["projects"]) == 1
    assert runner.invoke(app, ["parse", "--strict", str(path)]).exit_code == 2


def test_a_users_template_file_makes_the_table_readable(tmp_path):
    path = table(tmp_path, "一级指标\t二级指标\t三级指标\t本年预期")
    profile = tmp_path / "my_county.toml"
    profile.write_text('[columns]\nvalue = ["本年预期"]\n', encoding="utf-8")
    result = runner.invoke(app, ["parse", "--template", str(profile), str(path)])
    assert result.exit_code == 0, result.stderr
    values = [i["value"] for i in json.loads(result.stdout)["projects"][0]["indicators"]]
    assert values == ["≥20公里", "12月底前", "≥90%"]


def test_a_users_template_in_kpiscore_toml(tmp_path, monkeypatch):
    path = table(tmp_path, "一级指标\t二级指标\t三级指标\t本年预期")
    (tmp_path / "kpiscore.toml").write_text(
        '[templates.my_county]\ncolumns.value = ["本年预期"]\nheader.budget_wan = ["年度资金总额"]\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["projects"][0]["budget_wan"] == 12.5


def test_a_template_naming_an_unknown_field_is_one_line(tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text('[columns]\nvalu = ["本年预期"]\n', encoding="utf-8")
    result = runner.invoke(app, ["parse", "--template", str(profile), str(table(tmp_path, "三级指标\t指标值"))])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kpiscore: {profile}: 未知的模板字段 columns.valu（可用：")


@pytest.mark.parametrize("content, problem", [
    ("[columns\n", "模板文件不是有效的 TOML："),
    ('[columns]\nvalue = "本年预期"\n', "模板字段 columns.value 应为标签的列表，如 [\"指标值\"]"),
    ('[templates]\nmine = 1\n', "模板 mine 应为含 [columns] / [header] 的表"),
])
def test_a_bad_template_file_is_one_line_in_chinese(tmp_path, content, problem):
    profile = tmp_path / "bad.toml"
    profile.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["parse", "--template", str(profile), str(table(tmp_path, "三级指标\t指标值"))])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kpiscore: {profile}: {problem}"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_user_labels_win_over_the_shipped_ones():
    templates = with_profiles({"mine": {"columns": {"description": ["指标值说明"]}}}, "kpiscore.toml")
    assert templates.column("指标值说明") == ("description", "label")
    assert shipped().column("指标值说明") == ("basis", "label")


def test_data_rows_are_not_headers():
    assert map_columns(["产出指标", "数量指标", "养护村道长度", "≥20公里"], shipped()) is None
    assert map_columns(["项目名称", "乡村道路养护", "预算数", "12.5"], shipped()) is None


# -- layouts ---------------------------------------------------------------------------------

def test_table_without_level_columns_keeps_unmapped_columns_in_extra(tmp_path):
    rows = "养护村道长度\t≥20公里\t30\t核心指标\n村民满意度\t≥90%\t10\t\n"
    project = kpiscore.parse(table(tmp_path, "指标名称\t指标值\t权重\t备注", rows)).projects[0]
    assert [(i.level1, i.name, i.value) for i in project.indicators] == [
        ("", "养护村道长度", "≥20公里"), ("", "村民满意度", "≥90%")]
    assert project.indicators[0].extra == {"权重": "30", "备注": "核心指标"}
    assert project.indicators[1].extra == {"权重": "10"}
    assert project.columns == ["指标名称", "指标值", "权重", "备注"]
    assert "level1" not in project.fields and "basis" not in project.fields


def test_value_split_over_sign_value_unit_cells(tmp_path):
    rows = "产出指标\t数量指标\t养护村道长度\t大于等于\t20\t公里\n满意度指标\t服务对象满意度指标\t村民满意度\t≥\t90\t%\n"
    project = kpiscore.parse(table(tmp_path, "一级指标\t二级指标\t三级指标\t计算符号\t指标值\t度量单位", rows)).projects[0]
    assert [i.value for i in project.indicators] == ["大于等于20公里", "≥90%"]
    assert [(i.parsed.operator, i.parsed.number) for i in project.indicators] == [("≥", 20.0), ("≥", 90.0)]


def test_long_term_and_annual_columns_take_the_annual_target(tmp_path):
    rows = "产出指标\t数量指标\t养护村道长度\t≥60公里\t≥20公里\n"
    project = kpiscore.parse(table(tmp_path, "一级指标\t二级指标\t三级指标\t实施期指标值\t年度指标值", rows)).projects[0]
    assert project.indicators[0].value == "≥20公里"
    assert project.indicators[0].extra == {"实施期指标值": "≥60公里"}


def test_budget_in_yuan_is_converted_to_wan(tmp_path):
    path = tmp_path / "yuan.txt"
    path.write_text("金额单位:元\n项目名称\t村道养护\n预算数\t125,000.00\n一级指标\t二级指标\t三级指标\t指标值\n"
                    + ROWS, encoding="utf-8")
    assert kpiscore.parse(path).projects[0].budget_wan == 12.5


def test_category_kinds_from_labels_however_printed():
    from kpiscore.kinds import level_kinds

    assert level_kinds("产出指标(50分)", "数量指标(必填硬性指标)") == ("产出", "数量")
    assert level_kinds("一、产出指标", "(三)时效指标") == ("产出", "时效")
    assert level_kinds("项目完成指标", "质量指标") == ("产出", "质量")
    assert level_kinds("项目效益指标", "可持续影响") == ("效益", "可持续影响")
    assert level_kinds("实施效果指标", "产出指标") == ("产出", None)
    assert level_kinds("实施效果指标", "满意度指标") == ("满意度", "满意度")
    assert level_kinds("过程管理指标", "资金管理指标") == (None, None)
    assert level_kinds("效益指标(30分)", "社会效益") == ("效益", "社会效益")


# -- real rows -------------------------------------------------------------------------------

def test_wide_table_in_yuan_with_split_value_and_extra_columns():
    project, = corpus("14_jingyan_mata_2023").projects  # one row per indicator; a total line first
    assert (project.title, project.budget_wan, project.goal) == ("村组干部报酬", 330.984, "按时发放村组干部报酬")
    first = project.indicators[0]
    assert (first.name, first.value, first.extra) == ("维护社会稳定", "≥95%", {"权重": "10", "指标方向性": "正向指标"})


def test_wide_table_with_comparison_in_words_and_score_annotations():
    project, = corpus("18_zhalaite_jcy_zhuangbei", "xlsx").projects
    satisfaction = project.indicators[0]
    assert (satisfaction.level1, satisfaction.level1_kind, satisfaction.level2_kind) == \
        ("满意度指标(10分)", "满意度", "满意度")
    assert satisfaction.value == "大于等于98%" and satisfaction.parsed.operator == "≥"
    assert satisfaction.extra == {"指标性质": "正向", "分值": "10"}
    assert project.budget_wan == 103.07
    assert project.header == {"项目单位": "776001-扎赉特旗人民检察院", "项目类别": "32-专项资金项目"}


def test_printed_blank_category_rows_are_skipped_and_a_missing_field_is_null():
    project, = corpus("07_xiangtan_wupaoche_2023").projects
    assert len(project.indicators) == 7  # 10 rows printed; 3 are empty categories
    assert project.indicators[5].level1 == "效益指标"  # inherited through the blank 经济效益 row
    assert project.fiscal_wan is None  # no 财政资金 line is printed
    assert project.budget_wan == 250.0  # "250万"
    assert "basis_choice" in project.fields  # 绩效标准 is a choice column, not a free-text basis


def test_last_years_value_beside_this_years():
    project, = corpus("17_huangshi_dangxiao_2022").projects
    assert project.indicators[0].value == "280人次"
    assert {"header": "2021年实际实现值", "field": "extra", "how": "inferred"} in project.column_map


def test_category_names_of_other_templates():
    first, = corpus("13_zhaohua_mafeng_2021").projects
    assert {(i.level1, i.level1_kind) for i in first.indicators} == {
        ("项目完成指标", "产出"), ("项目效益指标", "效益"), ("满意度指标", "满意度")}
    ndrc, = corpus("01_shucheng_ygdz_2023").projects
    assert [(i.level1_kind, i.level2_kind) for i in ndrc.indicators[:4]] == [
        ("产出", None), ("效益", None), ("满意度", "满意度"), (None, None)]


def test_budget_year_and_unit_in_other_layouts():
    assert corpus("01_shucheng_ygdz_2023").year == 2023  # "(2023年度)"
    assert corpus("08_xiangtan_wupaoche_2024").year == 2024  # "2024年项目绩效目标表"
    assert corpus("18_zhalaite_jcy_zhuangbei").year is None  # printed nowhere
    assert corpus("13_zhaohua_mafeng_2021").unit_name == "区疾控中心"  # 预算单位
    assert corpus("10_jinan_tennis_2025").unit_name == "六安市金安区体育局"  # [042] code removed
    assert corpus("18_zhalaite_jcy_zhuangbei").unit_name == "扎赉特旗人民检察院"  # 776001- removed
    assert corpus("14_jingyan_mata_2023").unit_name == "井研县马踏镇人民政府"  # a wide table's 单位名称
    assert corpus("01_shucheng_ygdz_2023").unit_name == "舒城县发展改革委"  # 下达地方或单位


# -- layouts seen only in truncated excerpts (corpus TEMPLATES.md), built here -----------------

def _text_table(tmp_path: Path, text: str) -> kpiscore.Project:
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    project, = kpiscore.parse(path).projects
    return project


def test_qualitative_target_in_its_own_column(tmp_path):
    """湖南 南县: 指标值类型 (≤ or 定性) | 目标值 | 度量单位 | 指标值内容."""
    project = _text_table(tmp_path, "项目名称\t疾控经费\n年度资金总额\t30\n"
                          "一级指标\t二级指标\t三级指标\t指标值类型\t目标值\t度量单位\t指标值内容\t备注\n"
                          "成本指标\t经济成本指标\t检测成本\t≤\t30\t万元\t不超预算\t\n"
                          "产出指标\t质量指标\t检测规范性\t定性\t\t\t符合规范\t\n")
    cost, quality = project.indicators
    assert (cost.value, cost.extra) == ("≤30万元", {"指标值内容": "不超预算"})
    assert (quality.value, quality.extra) == ("符合规范", {"指标值类型": "定性"})
    assert (cost.level1_kind, cost.level2_kind) == ("成本", "成本")


def test_budget_under_a_row_of_labels_and_score_columns(tmp_path):
    """内蒙古 乌海: 投入目标(万元) | 资金来源 | 年初安排金额 over the amounts; 指标性质 正向 / 反向
    beside an operator column; 分值."""
    project = _text_table(tmp_path, "项目名称\t草原防火\n投入目标(万元)\t资金来源\t年初安排金额\n\t财政拨款\t12.5\n"
                          "一级指标\t二级指标\t三级指标\t指标性质\t指标方向\t目标值\t计量单位\t分值\t备注\n"
                          "产出指标\t数量指标\t巡查次数\t正向\t≥\t20\t次\t20\t\n")
    assert (project.budget_wan, project.fiscal_wan) == (12.5, 12.5)
    row, = project.indicators
    assert (row.value, row.extra) == ("≥20次", {"指标性质": "正向", "分值": "20"})


def test_score_ranges_on_the_first_level(tmp_path):
    """重庆 奉节: 成本指标(0-20)分 first, 指标值 | 分值 | 指标解释."""
    project = _text_table(tmp_path, "项目名称\t道路维护\n一级指标\t二级指标\t三级指标\t指标值\t分值\t指标解释\n"
                          "成本指标(0-20)分\t经济成本指标\t维护成本\t≤50万元\t20\t全年维护费用上限\n")
    row, = project.indicators
    assert (row.level1_kind, row.description, row.extra) == ("成本", "全年维护费用上限", {"分值": "20"})


def test_a_category_line_in_a_table_without_category_columns(tmp_path):
    project = _text_table(tmp_path, "项目名称\t村道养护\n指标名称\t指标值\n养护村道长度\t≥20公里\n满意度指标\n"
                          "村民满意度\t≥90%\n")
    assert [(i.level1, i.name, i.value) for i in project.indicators] == [
        ("", "养护村道长度", "≥20公里"), ("满意度指标", "村民满意度", "≥90%")]


def test_a_sub_header_with_a_header_never_seen(tmp_path):
    project = _text_table(tmp_path, "项目名称\t村道养护\n一级指标\t二级指标\t三级指标\t指标值\n"
                          "\t\t\t符号\t值\t单位\t核定口径\n产出指标\t数量指标\t养护村道长度\t≥\t20\t公里\t交通局台账\n")
    row, = project.indicators
    assert (row.value, row.extra) == ("≥20公里", {"核定口径": "交通局台账"})


def test_an_indicator_header_with_no_rows_is_reported(tmp_path):
    path = table(tmp_path, "一级指标\t二级指标\t三级指标\t指标值", rows="")
    with pytest.raises(kpiscore.InputError, match="第2行的表：有指标表头，但没有指标行"):
        kpiscore.parse(path)


def test_a_value_column_empty_on_every_row_is_a_chinese_warning(tmp_path):
    rows = "".join(f"产出指标\t数量指标\t指标{n}\t\n" for n in range(1, 4))
    document = kpiscore.parse(table(tmp_path, "一级指标\t二级指标\t三级指标\t指标值", rows=rows))
    assert document.warnings == ["第2行的表「乡村道路养护」：指标值列「指标值」每一行都是空的"]


def test_where_a_warned_table_is_told_in_chinese():
    from kpiscore.extract import _where
    from kpiscore.model import Location

    assert [_where(location) for location in (Location(table=3, page=2), Location(table=3),
                                              Location(sheet="表一", row=4), Location(line=7), Location())] == \
        ["表3（第2页）", "表3", "工作表「表一」第4行的表", "第7行的表", "一张表"]


@pytest.mark.parametrize("first,second,kept", [
    ("指标值(或计划水平)", "计划指标值(或计划水平)", "年度里程"),  # 东莞: a tie goes to the later, annual group
    ("年度指标值", "中期指标值", "年度里程"),  # the header says which group is the year's
])
def test_two_groups_side_by_side_read_the_annual_one(tmp_path, first, second, kept):
    annual_first = first.startswith("年度")
    cells = ("年度里程", "≥30公里", "中期里程", "≥100公里") if annual_first else ("中期里程", "≥100公里", "年度里程", "≥30公里")
    project = _text_table(tmp_path, f"项目名称\t道路\n一级指标\t二级指标\t三级指标\t{first}\t二级指标\t三级指标\t{second}\n"
                          f"产出指标\t数量指标\t{cells[0]}\t{cells[1]}\t数量指标\t{cells[2]}\t{cells[3]}\n")
    row, = project.indicators
    assert (row.name, row.value) == (kept, "≥30公里")
