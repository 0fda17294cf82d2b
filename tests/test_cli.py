"""`kpiscore parse`: the JSON contract and the other output formats."""

from __future__ import annotations

import json

import pandas as pd
from conftest import seed_path
from typer.testing import CliRunner

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
