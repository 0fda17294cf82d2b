"""`kpiscore check`, `kpiscore rules` and `kpiscore eval` end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import REPO, SEEDS, seed_path
from typer.testing import CliRunner

from kpiscore.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_project_config(tmp_path, monkeypatch):
    """Run in an empty folder so the repository's own pyproject.toml is not picked up."""
    monkeypatch.chdir(tmp_path)


def test_check_json_is_the_contract_with_findings_and_scores():
    result = runner.invoke(app, ["check", str(seed_path("001")), "-f", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    first = payload["projects"][0]
    assert {"score", "grade", "findings"} <= set(first)
    row = first["indicators"][0]
    assert row["name"] == "办公取暖费支付的比例"
    # DOMAIN.md: a number glued to prose on a rate row is VAGUE_VALUE only, not UNIT_MISMATCH
    assert {f["category"] for f in row["findings"]} >= {"ECHO", "VAGUE_VALUE"}
    assert "UNIT_MISMATCH" not in {f["category"] for f in row["findings"]}
    assert set(row["findings"][0]) >= {"rule", "category", "severity", "message", "suggestion"}
    assert payload["summary"]["indicators"] == 180
    project_findings = {f["category"] for f in payload["projects"][22]["findings"]}
    assert "BUDGET_INCONSISTENT" in project_findings  # 001#23: plan 30 / 50 / 20


def test_check_text_names_file_location_project_row_and_code():
    result = runner.invoke(app, ["check", str(seed_path("000")), "--no-model"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{seed_path('000')}：第559行：")
    assert "项目1 第1行 [中] VAL-11 WEAK_BASIS（确定依据薄弱）" in lines[0]
    table_line = next(i for i, line in enumerate(lines) if "项目2 [中] CMP-01 MISSING_CATEGORY" in line)
    assert "项目2 第1行 " in lines[table_line + 1]  # a table's own findings before its rows'
    assert "按类别统计" in result.stdout


def test_check_csv_has_one_row_per_finding(tmp_path):
    out = tmp_path / "findings.csv"
    result = runner.invoke(app, ["check", str(seed_path("004")), "-f", "csv", "-o", str(out)])
    assert result.exit_code == 1
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert {"project", "row", "rule", "category", "severity", "message", "suggestion"} <= set(frame.columns)
    assert (frame["category"] == "MISSING_CATEGORY").sum() == 18


def test_select_ignore_and_severity_decide_the_exit_code():
    seed = str(seed_path("002"))
    only_direction = runner.invoke(app, ["check", seed, "-f", "json", "--select", "DIRECTION"])
    found = {f["rule"] for p in json.loads(only_direction.stdout)["projects"]
             for i in p["indicators"] for f in i["findings"]}
    assert found == {"VAL-06"}
    clean = runner.invoke(app, ["check", seed, "--select", "COST-05,VAL-07"])
    assert clean.exit_code == 0
    low_only = runner.invoke(app, ["check", seed, "--select", "TXT-02", "--severity", "medium"])
    assert low_only.exit_code == 0
    assert runner.invoke(app, ["check", seed, "--select", "TXT-02"]).exit_code == 1


def test_settings_come_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.kpiscore]\nselect = ["COST-05"]\n', encoding="utf-8")
    assert runner.invoke(app, ["check", str(seed_path("002"))]).exit_code == 0
    (tmp_path / "kpiscore.toml").write_text('ignore = ["ECHO"]\nselect = ["TXT"]\n', encoding="utf-8")
    result = runner.invoke(app, ["check", str(seed_path("002")), "-f", "json"])
    rules_found = {f["rule"] for p in json.loads(result.stdout)["projects"]
                   for i in p["indicators"] for f in i["findings"]}
    assert rules_found and all(r.startswith("TXT") for r in rules_found) and "TXT-01" not in rules_found


@pytest.mark.parametrize("arguments,message", [
    (["--select", "NOPE"], "kpiscore: --select: 未知的规则代码或类别「NOPE」（运行 kpiscore rules 查看全部规则）"),
    (["--severity", "extreme"], "extreme"),
])
def test_usage_errors_exit_2(arguments, message):
    result = runner.invoke(app, ["check", str(seed_path("004")), *arguments])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("setting,message", [
    ("colour = 'red'", "未知的 kpiscore 设置 colour（可用：ignore、limits、select、severity、strict、templates）"),
    ("select = 'TXT'", "设置 select 应为规则代码或类别的列表，如 [\"TXT-01\", \"ECHO\"]"),
    ("severity = 'extreme'", "设置 severity 应为 low / medium / high 之一"),
    ("strict = 1", "设置 strict 应为 true 或 false"),
    ("templates = 1", "设置 templates 应为模板的表，每个模板一个 [templates.名称]"),
    ("limits = 1", "设置 limits 应为上限的表，如 pdf_pages = 3000"),
    ("select = [", "设置文件不是有效的 TOML："),
])
def test_bad_config_is_a_one_line_error(tmp_path, setting, message):
    (tmp_path / "kpiscore.toml").write_text(setting + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(seed_path("004"))])
    assert result.exit_code == 2
    line = result.output.strip()
    assert "\n" not in line and line.startswith(f"kpiscore: {tmp_path / 'kpiscore.toml'}: {message}"), line


def test_unreadable_file_is_listed_and_the_rest_is_checked(tmp_path):
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["check", str(empty), str(seed_path("004")), "-f", "json"])
    assert result.exit_code == 2
    reviews = json.loads(result.stdout)  # two inputs: a list, even with one of them read
    assert len(reviews) == 1 and reviews[0]["summary"]["projects"] == 18
    assert "empty.docx" in result.stderr and "Traceback" not in result.output


def test_rules_lists_and_explains():
    listing = runner.invoke(app, ["rules"])
    assert listing.exit_code == 0 and "TXT-01" in listing.stdout and "COST-07" in listing.stdout
    one = runner.invoke(app, ["rules", "txt-01"])
    assert one.exit_code == 0
    for part in ("它检查什么", "为什么", "如何修改", "反例", "正例", "001#1 第1行"):
        assert part in one.stdout
    assert runner.invoke(app, ["rules", "XYZ-99"]).exit_code == 2


def test_eval_prints_in_sample_and_held_out_scores():
    if not SEEDS.exists():
        pytest.skip("seeds not available")
    result = runner.invoke(app, ["eval", "--labels", str(REPO / "labels"), "--seeds", str(SEEDS),
                                 "--no-model"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "held-out" in result.stdout and "ECHO" in result.stdout
