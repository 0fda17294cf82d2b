"""The researcher's dataset (kpiscore.dataset, `kpiscore corpus`): the documented schema,
keys that join, one row per indicator, streaming in row groups, a folder written whole
or not at all, and DuckDB over the Parquet files."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from batchdocs import cache_entries, environment, interrupted, small_documents
from typer.testing import CliRunner

from kpiscore import dataset
from kpiscore.cli import app
from kpiscore.errors import OutputError
from kpiscore.model import Document
from kpiscore.review import Review, review

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = REPO / "tests" / "fixtures" / "rules" / "documents"


def _reviews() -> list[Review]:
    """The fixture documents (seeds and corpus, parsed) reviewed by the rules alone."""
    reviews = []
    for path in sorted(DOCUMENTS.glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            document = Document.from_dict(json.load(handle))
        reviews.append(review(replace(document, source=f"fixtures/{path.name[:-8]}.txt")))
    return reviews


@pytest.fixture(scope="module")
def reviews() -> list[Review]:
    return _reviews()


@pytest.fixture(scope="module")
def written(reviews, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("data") / "dataset"
    dataset.write(reviews, folder)
    return folder


def _read(folder: Path, name: str):
    return pq.read_table(folder / f"{name}.parquet")


def test_every_table_has_its_documented_schema(written):
    assert sorted(p.name for p in written.iterdir()) == sorted(f"{n}.parquet" for n in dataset.SCHEMAS)
    for name, schema in dataset.SCHEMAS.items():
        assert _read(written, name).schema.remove_metadata().equals(schema), name


def test_one_row_per_document_project_and_indicator(reviews, written):
    documents, projects = _read(written, "documents"), _read(written, "projects")
    indicators = _read(written, "indicators").to_pandas()
    assert documents.num_rows == len(reviews)
    assert projects.num_rows == sum(len(r.document.projects) for r in reviews)
    assert len(indicators) == sum(r.document.indicator_count for r in reviews)
    assert not indicators.duplicated(["document_id", "project", "row"]).any()
    first = reviews[0].document.projects[0].indicators[0]
    row = indicators.iloc[0]
    assert (row["name"], row["value"], row["value_kind"], row["level2_kind"]) == (
        first.name, first.value, first.parsed.kind, first.level2_kind)
    assert _read(written, "findings").num_rows == sum(len(r.findings) for r in reviews)


def test_keys_join(written):
    with duckdb.connect() as connection:
        for name in dataset.SCHEMAS:
            connection.execute(f"create view {name} as select * from "
                               f"read_parquet('{written / (name + '.parquet')}')")
        orphans = {
            "projects": "select count(*) from projects left join documents using (document_id) "
                        "where documents.document_id is null",
            "indicators": "select count(*) from indicators i left join projects p "
                          "using (document_id, project) where p.title is null",
            "row findings": "select count(*) from findings f left join indicators i "
                            "using (document_id, project, row) where f.row is not null and i.name is null",
            "scores": "select count(*) from scores s left join projects p "
                      "using (document_id, project) where p.title is null",
            "reuse": "select count(*) from reuse_indicators r left join indicators i "
                     "using (document_id, project, row) where i.phrase_hash <> r.phrase_hash "
                     "or i.name is null",
        }
        for name, query in orphans.items():
            assert connection.execute(query).fetchone() == (0,), name
        grades = connection.execute("select count(*) from scores join projects "
                                    "using (document_id, project)").fetchone()[0]
        assert grades == connection.execute("select count(*) from projects").fetchone()[0]


def test_reuse_clusters_name_documents_units_and_years(written):
    clusters = _read(written, "reuse_clusters").to_pandas()
    members = _read(written, "reuse_indicators").to_pandas()
    assert len(clusters) and (clusters["documents"] >= 2).all()
    spread = members.groupby("cluster")["document_id"].nunique()
    indicator = clusters[clusters["level"] == "indicator"].set_index("cluster")
    assert (indicator["documents"] == spread.loc[indicator.index]).all()
    # the seeds are four 人社 documents of four counties: 满意度 wording is shared
    assert indicator["example"].str.contains("满意").any()
    assert any(len(units) >= 2 and len(years) >= 2
               for units, years in zip(indicator["units"], indicator["years"]))


def test_reviews_are_streamed_in_row_groups(reviews, tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "BATCH_ROWS", 100)
    sizes = []

    def many():  # 30 documents, each made distinct by its source name
        for copy in range(10):
            for item in reviews[:3]:
                yield replace(item, document=replace(item.document, source=f"d{copy}/{item.document.source}"))
            # what is on disk while the reviews are still coming
            sizes.append(sum(p.stat().st_size for p in tmp_path.glob(".many.*/indicators.parquet")))

    written = dataset.write(many(), tmp_path / "many")
    indicators = pq.ParquetFile(tmp_path / "many" / "indicators.parquet")
    assert written.documents == 30 and indicators.metadata.num_rows == written.indicators
    assert indicators.metadata.num_row_groups >= written.indicators // 100
    assert 0 < sizes[1] < sizes[5] < sizes[-1]  # row groups written as the reviews came


def test_a_copy_of_a_file_is_one_document(tmp_path):
    sample = REPO / "samples" / "sample.docx"
    shutil.copy(sample, tmp_path / "copy.docx")
    result = CliRunner().invoke(app, ["corpus", str(sample), str(tmp_path / "copy.docx"),
                                      "-o", str(tmp_path / "out"), "--no-model"])
    assert result.exit_code == 0, result.output
    assert _read(tmp_path / "out", "documents").num_rows == 1
    assert "内容相同" in result.output


def test_a_failed_run_leaves_the_previous_dataset(reviews, written, tmp_path):
    target = tmp_path / "dataset"
    shutil.copytree(written, target)
    before = (target / "documents.parquet").read_bytes()

    def broken():
        yield reviews[0]
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        dataset.write(broken(), target)
    assert (target / "documents.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset"]  # no partial folder


def test_refuses_a_folder_that_is_not_a_dataset(reviews, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="不是 kpiscore 数据集"):
        dataset.write(reviews[:1], tmp_path)


def test_corpus_command_writes_dataset_and_duckdb(tmp_path):
    bad = tmp_path / "inputs" / "notes.txt"
    bad.parent.mkdir()
    bad.write_text("绩效指标说明：见附件", encoding="utf-8")  # speaks of 指标, holds no table
    shutil.copy(REPO / "samples" / "sample.docx", bad.parent / "sample.docx")
    result = CliRunner().invoke(app, ["corpus", str(bad.parent), "-o", str(tmp_path / "ds"),
                                      "--duckdb", str(tmp_path / "c.duckdb"), "--no-model"])
    assert result.exit_code == 2  # one file had no table: listed, the rest written
    assert "notes.txt" in result.output
    with duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select d.name, count(*) from indicators join documents d using (document_id) "
            "group by d.name").fetchall()
    assert rows == [("sample.docx", _read(tmp_path / "ds", "indicators").num_rows)]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_an_interrupted_corpus_keeps_the_old_dataset_and_resumes(tmp_path):
    """The corpus runs on kpiscore.batch: Ctrl-C leaves the previous dataset as it was
    (no half dataset, no partial folder) and the rerun takes the finished documents from
    the cache."""
    total = 60
    small_documents(tmp_path / "in", total)
    cache, target = tmp_path / "cache", tmp_path / "ds"
    first = subprocess.run([str(Path(sys.executable).with_name("kpiscore")), "corpus",
                            str(tmp_path / "in" / "doc00000.txt"), "-o", str(target), "--no-model",
                            "--no-cache"], capture_output=True, text=True, env=environment(), timeout=120)
    assert first.returncode == 0, first.stderr
    before = (target / "documents.parquet").read_bytes()
    stopped = interrupted(["corpus", str(tmp_path / "in"), "-o", str(target), "-j", "2", "--no-model"],
                          cache)
    assert stopped.returncode == 130, stopped.stderr
    assert "Traceback" not in stopped.stderr and "已中断" in stopped.stderr
    assert (target / "documents.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "ds", "in"]
    finished = cache_entries(cache)
    assert 5 <= len(finished) < total

    rerun = subprocess.run(stopped.args, capture_output=True, text=True, env=environment(), timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    after = cache_entries(cache)
    assert {entry: after[entry] for entry in finished} == finished  # none of them redone
    assert _read(target, "documents").num_rows == total


def test_a_failed_write_during_a_corpus_leaves_no_partial_folder(tmp_path, monkeypatch):
    def full_disk(self, review):
        raise OutputError(str(self.target), "无法写入：No space left on device")

    monkeypatch.setattr(dataset.DatasetWriter, "write", full_disk)
    result = CliRunner().invoke(app, ["corpus", str(REPO / "samples" / "sample.docx"),
                                      "-o", str(tmp_path / "ds"), "--no-model", "--no-cache"])
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_corpus_of_only_bad_paths_leaves_the_previous_dataset(written, tmp_path):
    target = tmp_path / "dataset"
    shutil.copytree(written, target)
    before = (target / "documents.parquet").read_bytes()
    result = CliRunner().invoke(app, ["corpus", str(tmp_path / "gone.docx"), "-o", str(target),
                                      "--no-model", "--no-cache"])
    assert result.exit_code == 2 and "gone.docx" in result.output
    assert (target / "documents.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset", "dataset.failures.txt"]
