"""`kpiscore parse`: the JSON contract and the other output formats."""

from __future__ import annotations

import json

import pandas as pd
from conftest import seed_path
from typer.testing import CliRunner

import kpiscore
from kpiscore.cli import app

runner = CliRunner()

CONTRACT_PROJECT = {"index", "kind", "title", "code", "budget_wan", "fiscal_wan", "goal", "indicators"}
CONTRACT_INDICATOR = {"level1", "level2", "name", "description", "value", "basis", "parsed"}


def test_json_contract_for_one_file():
    result = runner.invoke(app, ["parse", str(seed_path("000"))])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"source", "year", "projects"} <= set(document)
    project = document["projects"][0]
    assert CONTRACT_PROJECT <= set(project)
    assert CONTRACT_INDICATOR <= set(project["indicators"][0])
    assert {"operator", "number", "unit", "kind"} <= set(project["indicators"][0]["parsed"])
    assert project["indicators"][0]["value"] == "41 人"


def test_json_is_a_list_for_several_files():
    result = runner.invoke(app, ["parse", str(seed_path("001")), str(seed_path("004"))])
    assert result.exit_code == 0
    documents = json.loads(result.stdout)
    assert [len(d["projects"]) for d in documents] == [26, 18]


def test_csv_has_one_row_per_indicator(tmp_path):
    out = tmp_path / "rows.csv"
    result = runner.invoke(app, ["parse", str(seed_path("002")), "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert len(frame) == 141
    assert frame.loc[0, "name"] == "聘用人数"


def test_parquet_output(tmp_path):
    out = tmp_path / "rows.parquet"
    result = runner.invoke(app, ["parse", str(seed_path("004")), "-f", "parquet", "-o", str(out)])
    assert result.exit_code == 0
    assert len(pd.read_parquet(out)) == 77


def test_parquet_needs_an_output_file():
    result = runner.invoke(app, ["parse", str(seed_path("004")), "-f", "parquet"])
    assert result.exit_code == 2


def test_table_summary(tmp_path):
    out = tmp_path / "summary.txt"
    result = runner.invoke(app, ["parse", str(seed_path("000")), "-f", "table", "-o", str(out)])
    assert result.exit_code == 0
    text = out.read_text("utf-8")
    assert "33 tables, 230 indicators" in text and "日常综合管理事务" in text


def test_bundled_sample_parses():
    """The README quick start runs on this file."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "sample.docx"
    result = runner.invoke(app, ["parse", str(sample)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert [len(p["indicators"]) for p in document["projects"]] == [6, 6]
    assert document["projects"][1]["indicators"][1]["parsed"]["text"] == "运转保障的程度"


def test_bundled_sample_is_checked():
    """The README quick start: the sample's deliberate defects are found."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "samples" / "sample.docx"
    result = runner.invoke(app, ["check", str(sample), "-f", "json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    second = payload["projects"][1]
    assert {f["rule"] for f in second["findings"]} == {"COST-05"}  # 6.5 ≠ 5 + 1
    assert "VAL-06" in {f["rule"] for f in second["indicators"][3]["findings"]}  # 运维成本 ≥
    assert payload["projects"][0]["findings"] == []


def test_phrases_indexes_names_printed_by_several_publishers(tmp_path):
    table = ("项目名称\t{title}\n一级指标\t二级指标\t三级指标\t指标值\n"
             "产出指标\t数量指标\t{name}\t≥20公里\n满意度指标\t服务对象满意度指标\t村民满意度\t≥90%\n")
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "a.txt").write_text(table.format(title="村道养护", name="养护村道长度"), encoding="utf-8")
    (tables / "b.txt").write_text(table.format(title="河道清淤", name="清淤河道长度"), encoding="utf-8")
    owners = tmp_path / "publishers.csv"
    owners.write_text("document,publisher\na,甲县交通局\nb,乙县水利局\n", encoding="utf-8")
    out = tmp_path / "phrases.json"
    result = runner.invoke(app, ["phrases", str(tables), "--publishers", str(owners), "-o", str(out)])
    assert result.exit_code == 0, result.output
    index = json.loads(out.read_text(encoding="utf-8"))
    assert index["names"] == {"村民满意度": ["a", "b"]}  # only what more than one document prints
    assert index["publishers"] == {"a": "甲县交通局", "b": "乙县水利局"}
    from kpiscore.phrases import other_publishers

    assert other_publishers("村民满意度", "a.txt", index) == 1  # its own publisher left out
    missing = runner.invoke(app, ["phrases", str(tmp_path / "nowhere"), "-o", str(out)])
    assert missing.exit_code == 2 and json.loads(out.read_text(encoding="utf-8")) == index


def test_json_reads_back_into_the_same_document():
    from kpiscore.model import Document

    document = kpiscore.parse(seed_path("004"))
    assert Document.from_dict(json.loads(json.dumps(document.to_dict()))).to_dict() == document.to_dict()
