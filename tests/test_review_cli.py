"""The review a reviewer reads and sends back: triage in the terminal, a baseline of the
previous review, batch reports with an index, a GBK console, awkward paths."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys

import openpyxl
import pytest
from conftest import REPO, SEEDS, seed_path
from tablewriter import write_docx
from typer.testing import CliRunner

import kpiscore
from kpiscore.cli import app

runner = CliRunner()
SAMPLE = REPO / "samples" / "sample.docx"


@pytest.fixture(autouse=True)
def no_project_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _check(*arguments: str):
    return runner.invoke(app, ["check", str(SAMPLE), "--no-model", *arguments])


def _finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(str(SAMPLE))]


def test_each_line_names_its_severity_in_words_and_severity_filters_the_lines():
    every = _finding_lines(_check().stdout)
    high = _check("--severity", "high")
    assert every and all(any(f"[{word}]" in line for word in "高中低") for line in every)
    shown = _finding_lines(high.stdout)
    assert shown and all("[高]" in line for line in shown)
    assert len(shown) == sum("[高]" in line for line in every) < len(every)
    assert f"另有 {len(every) - len(shown)} 项较低的未列出" in high.stdout
    assert high.exit_code == 1


def test_show_fixes_prints_the_suggestion_under_each_line():
    lines = _check("--show-fixes", "--severity", "high").stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(str(SAMPLE)))
    assert lines[first + 1].startswith("    建议：")


def test_statistics_counts_by_rule_instead_of_listing():
    result = _check("--statistics")
    payload = json.loads(_check("-f", "json").stdout)
    rules = [f["rule"] for p in payload["projects"]
             for f in p["findings"] + [g for i in p["indicators"] for g in i["findings"]]]
    assert not _finding_lines(result.stdout) and "按规则统计" in result.stdout
    for rule in set(rules):
        line = next(line for line in result.stdout.splitlines() if f" {rule} " in line)
        assert line.split("│")[1].strip() == str(rules.count(rule))


def test_exit_zero_and_the_scores_table_explains_a_capped_grade():
    if not SEEDS.is_dir():
        pytest.skip("the seeds are not beside the repository")
    result = runner.invoke(app, ["check", str(seed_path("004")), "--no-model", "--exit-zero"])
    assert result.exit_code == 0
    assert "中（有高严重度问题，等级封顶）" in result.stdout
    assert "?" not in result.stdout.split("平均得分")[0].splitlines()[-1]  # year, unit unknown


def test_a_command_line_select_wins_over_a_config_ignore(tmp_path):
    (tmp_path / "kpiscore.toml").write_text('ignore = ["ECHO"]\n', encoding="utf-8")
    result = _check("--select", "TXT-01", "-f", "json")
    rules = {f["rule"] for p in json.loads(result.stdout)["projects"]
             for i in p["indicators"] for f in i["findings"]}
    assert rules == {"TXT-01"}


def _revised_draft(path) -> None:
    """The sample as a department sends it back: one vague value fixed, one row inserted
    at the top of the second table, renamed."""
    document = kpiscore.parse(SAMPLE)
    projects = copy.deepcopy(document.projects)
    second = projects[1]
    fixed = next(i for i in second.indicators if i.value == "及时")
    fixed.value = "≤2个工作日"
    inserted = copy.deepcopy(second.indicators[0])
    inserted.name, inserted.value = "新增培训人次", "模糊"
    second.indicators.insert(0, inserted)
    write_docx(projects, path)


def test_baseline_shows_new_and_still_open_findings_matched_by_project_row_and_rule(tmp_path):
    previous = tmp_path / "上次审查.json"
    previous.write_text(_check("-f", "json").stdout, encoding="utf-8")
    draft = tmp_path / "修改稿.docx"
    _revised_draft(draft)
    result = runner.invoke(app, ["check", str(draft), "--no-model", "--baseline", str(previous)])
    lines = [line for line in result.stdout.splitlines() if line.startswith(("[新增]", "[仍存在]"))]
    new = [line for line in lines if line.startswith("[新增]")]
    assert new and all("项目2 第1行" in line for line in new)  # only the inserted row is new
    assert len(lines) - len(new) > 10  # the rest, shifted by one row, are still open
    before = json.loads(previous.read_text(encoding="utf-8"))
    total = sum(len(p["findings"]) + sum(len(i["findings"]) for i in p["indicators"])
                for p in before["projects"])
    fixed_row = next(i for i in before["projects"][1]["indicators"] if i["value"] == "及时")
    fixed = total - (len(lines) - len(new))
    assert 0 < fixed <= len(fixed_row["findings"])  # only findings of the row fixed are gone
    summary = next(line for line in result.stdout.splitlines() if line.startswith("对照上次审查"))
    assert f"新增 {len(new)} 项" in summary and f"已修改 {fixed} 项" in summary


def test_baseline_accepted_findings_are_not_listed_and_do_not_fail(tmp_path):
    payload = json.loads(_check("-f", "json").stdout)
    for project in payload["projects"]:
        for finding in project["findings"] + [f for i in project["indicators"] for f in i["findings"]]:
            finding["accepted"] = True
    previous = tmp_path / "accepted.json"
    previous.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    result = _check("--baseline", str(previous))
    assert result.exit_code == 0 and not _finding_lines(result.stdout)
    marked = json.loads(_check("--baseline", str(previous), "-f", "json").stdout)
    assert {f["baseline"] for i in marked["projects"][1]["indicators"] for f in i["findings"]} == {"accepted"}


def test_a_bad_baseline_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = _check("--baseline", str(bad))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and str(bad) in result.stderr


def test_report_of_a_folder_writes_one_report_each_and_an_index(tmp_path):
    folder = tmp_path / "送审 文件"
    folder.mkdir()
    (folder / "甲局.docx").write_bytes(SAMPLE.read_bytes())
    (folder / "子目录").mkdir()
    (folder / "子目录" / "乙局.docx").write_bytes(SAMPLE.read_bytes())
    (folder / "说明.txt").write_text("绩效指标说明：见附件", encoding="utf-8")
    (folder / "备注.txt").write_text("请于月底前报送", encoding="utf-8")  # no 指标: no document, skipped
    out = tmp_path / "审查结果"
    result = runner.invoke(app, ["report", str(folder), "-o", str(out), "--no-model"])
    assert result.exit_code == 2  # 说明.txt holds no table: listed, the others written
    assert {p.name for p in out.iterdir()} == {"乙局_审查意见.docx", "索引.html", "索引.xlsx",
                                               "甲局_审查意见.docx"}
    sheet = openpyxl.load_workbook(out / "索引.xlsx").active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert rows["甲局.docx"][0].hyperlink.target == "甲局_审查意见.docx"
    assert rows["甲局.docx"][5].value == 70.7  # 平均得分
    assert "说明.txt" in rows and rows["说明.txt"][-1].value
    page = (out / "索引.html").read_text(encoding="utf-8")
    assert 'href="%E7%94%B2%E5%B1%80_%E5%AE%A1%E6%9F%A5%E6%84%8F%E8%A7%81.docx"' in page
    assert "说明.txt" in result.stderr and "备注.txt" not in rows


def test_gbk_console_and_a_path_with_spaces_and_chinese(tmp_path):
    awkward = tmp_path / "审查 文件 [bold]" / "绩效 文本 [bold].docx"
    awkward.parent.mkdir()
    awkward.write_bytes(SAMPLE.read_bytes())
    environment = dict(os.environ, PYTHONIOENCODING="gbk")
    result = subprocess.run([sys.executable, "-m", "kpiscore", "check", str(awkward), "--no-model"],
                            capture_output=True, env=environment, cwd=tmp_path)
    assert result.returncode == 1, result.stderr.decode("gbk", "replace")
    output = result.stdout.decode("gbk")
    assert f"{awkward}：" in output and "[高]" in output and "Traceback" not in output
