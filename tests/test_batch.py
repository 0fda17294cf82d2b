"""Batches: inputs (folders, patterns, stdin), streamed outputs equal to per-file checks,
failures in the middle, the result cache, an interrupted run resumed, the API on a
process pool and on a Dask cluster."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from batchdocs import SMALL, cache_entries, environment, interrupted, small_documents
from conftest import REPO
from typer.testing import CliRunner

import kpiscore
from kpiscore import batch, inputs
from kpiscore.cache import Cache
from kpiscore.cli import app
from kpiscore.read.failures import says

runner = CliRunner()
SAMPLE = REPO / "samples" / "sample.docx"
INTERRUPTED = 130


@pytest.fixture(autouse=True)
def in_empty_folder(tmp_path, monkeypatch):
    """No pyproject.toml of the repository picked up; the cache is per test."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KPISCORE_CACHE_DIR", str(tmp_path / "cache"))


def check(*arguments, **keywords):
    return runner.invoke(app, ["check", *map(str, arguments)], **keywords)


def alone(path: Path) -> dict:
    """The document as `check --format json` gives it on its own."""
    result = check(path, "-f", "json", "--no-cache")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# inputs ---------------------------------------------------------------------------------

def test_a_folder_is_walked_and_stray_files_are_skipped(tmp_path):
    documents = small_documents(tmp_path / "in" / "a", 2) + small_documents(tmp_path / "in" / "b", 1, start=5)
    (tmp_path / "in" / "README.md").write_text("说明：这些是预算文件。\n", encoding="utf-8")
    (tmp_path / "in" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp_path / "in" / ".hidden").mkdir()
    (tmp_path / "in" / ".hidden" / "copy.txt").write_text(SMALL.read_text("utf-8"), encoding="utf-8")
    broken = tmp_path / "in" / "broken.docx"
    broken.write_bytes(b"PK\x03\x04" + bytes(40))  # a damaged document is reported, not skipped
    found, problems = inputs.expand([tmp_path / "in"])
    assert found == [broken, *documents]  # name order, a folder's own files first
    assert problems == []
    assert inputs.expand([tmp_path / "in" / "b", tmp_path / "in"]) == ([documents[2], broken, *documents[:2]], [])
    assert inputs.expand([tmp_path / "in" / ".hidden"])[0] == [tmp_path / "in" / ".hidden" / "copy.txt"]  # named
    (tmp_path / "empty").mkdir()
    assert inputs.expand([tmp_path / "empty"]) == ([], [f"{tmp_path / 'empty'}: 文件夹中没有可读取的文档"])


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="a POSIX device")
@pytest.mark.parametrize("output_format", ["text", "jsonl", "csv"])
def test_a_device_is_written_in_place(output_format):
    """-o /dev/null: no partial file renamed over the device, no failures file beside it."""
    import stat

    result = runner.invoke(app, ["check", str(SMALL), "-o", "/dev/null", "-f", output_format, "--no-cache"])
    assert result.exit_code == 1, result.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith("null.")]


def test_the_output_is_never_an_input(tmp_path):
    documents = small_documents(tmp_path / "in", 2)
    assert check(tmp_path / "in", "-o", tmp_path / "in" / "out.jsonl").exit_code == 1
    again = check(tmp_path / "in", "-o", tmp_path / "in" / "out.jsonl", "-f", "jsonl")
    assert again.exit_code == 1 and again.stderr == ""  # its own output is not read back
    assert len((tmp_path / "in" / "out.jsonl").read_text("utf-8").splitlines()) == 2
    refused = check(documents[0], "-o", documents[0], "-f", "jsonl")
    assert refused.exit_code == 2 and "不会覆盖输入文件" in refused.stderr
    assert documents[0].read_text("utf-8") == SMALL.read_text("utf-8").replace(
        "日常综合管理事务", "日常综合管理事务0").replace("表册证书印刷费", "表册证书印刷费0").replace(
        "13032424P0044", "0000024P0044")


def test_patterns_stdin_and_missing_paths(tmp_path):
    documents = small_documents(tmp_path / "in", 3)
    found, problems = inputs.expand([str(tmp_path / "in" / "doc0000[01].txt"), str(tmp_path / "**" / "*.nothing")])
    assert found == documents[:2]
    assert problems == [f"{tmp_path / '**' / '*.nothing'}: 没有与此模式匹配的文件"]
    missing = tmp_path / "gone.docx"
    result = check("-", "-f", "jsonl", input=f"{documents[2]}\n\n{missing}\n")
    assert result.exit_code == 2
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [str(documents[2])]
    assert result.stderr.splitlines() == [f"kpiscore: {missing}: {says('file_not_found')}"]


# outputs --------------------------------------------------------------------------------

@pytest.fixture
def corpus(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    paths = small_documents(folder, 4)
    sample = folder / "sample.docx"
    sample.write_bytes(SAMPLE.read_bytes())
    return [*paths, sample]


def test_jsonl_and_json_equal_the_documents_checked_alone(tmp_path, corpus):
    result = check(tmp_path / "in", "-o", tmp_path / "out.jsonl", "-j", "2")
    assert result.exit_code == 1 and result.stdout == ""
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert sorted(line["source"] for line in lines) == sorted(map(str, corpus))
    assert {line["source"]: line for line in lines} == {str(path): alone(path) for path in corpus}
    assert not (tmp_path / "out.jsonl.partial").exists()

    listed = check(tmp_path / "in", "-f", "json", "-j", "2")
    assert {d["source"]: d for d in json.loads(listed.stdout)} == {line["source"]: line for line in lines}


def rows(frame: pd.DataFrame) -> list[tuple]:
    """A frame's rows with missing values and numbers compared as values, whatever the
    file format stored them as (CSV reads an empty text back as missing)."""
    return [tuple(None if pd.isna(value) or value == "" else float(value) if isinstance(value, (int, float)) else str(value)
                  for value in row) for row in frame.itertuples(index=False)]


def test_csv_and_parquet_hold_the_rows_of_each_document(tmp_path, corpus):
    assert check(tmp_path / "in", "-o", tmp_path / "out.csv", "-j", "2").exit_code == 1
    assert check(tmp_path / "in", "-o", tmp_path / "out.parquet").exit_code == 1
    streamed = pd.read_csv(tmp_path / "out.csv", encoding="utf-8-sig")
    stored = pd.read_parquet(tmp_path / "out.parquet")
    assert list(streamed.columns) == list(stored.columns)
    for path in corpus:
        assert check(path, "-o", tmp_path / "own.csv", "--no-cache").exit_code == 1
        own = rows(pd.read_csv(tmp_path / "own.csv", encoding="utf-8-sig"))
        assert own
        for frame in (streamed, stored):
            assert rows(frame[frame["source"] == str(path)]) == own


def test_one_file_per_document_under_a_folder(tmp_path, corpus):
    (tmp_path / "in" / "sub").mkdir()
    twin = tmp_path / "in" / "sub" / corpus[0].name  # same name, another folder: no collision
    twin.write_bytes(corpus[1].read_bytes())
    result = check(tmp_path / "in", "-o", f"{tmp_path / 'out'}/", "-j", "2")
    assert result.exit_code == 1
    written = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.json"))
    assert written == sorted(Path(p.relative_to(tmp_path / "in")).with_name(p.name + ".json")
                             for p in [*corpus, twin])
    for path in [*corpus, twin]:
        saved = tmp_path / "out" / path.relative_to(tmp_path / "in")
        assert json.loads(saved.with_name(path.name + ".json").read_text("utf-8")) == alone(path)


def test_a_failure_in_the_middle_is_listed_and_the_rest_written(tmp_path):
    paths = small_documents(tmp_path / "in", 4)
    paths[1].write_bytes(b"")  # empty: one line, the other three checked
    result = check(tmp_path / "in" / "*.txt", paths[1], "-o", tmp_path / "out.jsonl", "-j", "2")
    assert result.exit_code == 2
    line = f"{paths[1]}: {says('empty_file')}"
    assert f"kpiscore: {line}" in result.stderr.splitlines() and "Traceback" not in result.stderr
    assert (tmp_path / "out.failures.txt").read_text("utf-8") == line + "\n"
    sources = [json.loads(x)["source"] for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert sorted(sources) == sorted(str(p) for p in paths if p != paths[1])
    paths[1].unlink()
    assert check(tmp_path / "in", "-o", tmp_path / "out.jsonl").exit_code == 1
    assert not (tmp_path / "out.failures.txt").exists()  # no stale list after a clean run



@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_documents_unreadable_table_warns_and_strict_fails_it_in_a_pool_too(tmp_path, jobs):
    """In a pool the workers send back the written text, not the review: the warnings,
    --strict and the exit code must still come from it as in one process."""
    paths = small_documents(tmp_path / "in", 3)
    good, bad = SMALL.read_text("utf-8").split("2、")  # a second table with no 指标值 column
    paths[2].write_text(good + "2、" + bad.replace("指标值\t", "本年预期\t", 1), encoding="utf-8")
    plain = check(tmp_path / "in", "-o", tmp_path / "out.jsonl", "-j", jobs, "--no-cache")
    assert plain.exit_code == 1
    [warning] = [line for line in plain.stderr.splitlines() if str(paths[2]) in line]
    assert "本年预期" in warning
    strict = check(tmp_path / "in", "-o", tmp_path / "out.jsonl", "-j", jobs, "--no-cache", "--strict")
    assert strict.exit_code == 2 and warning in strict.stderr.splitlines()
    assert (tmp_path / "out.failures.txt").read_text("utf-8").startswith(f"{paths[2]}")
    sources = [json.loads(x)["source"] for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert sorted(sources) == sorted(map(str, paths))  # refused, but its review still written


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                    reason="the patched reader reaches the workers by fork")
def test_a_worker_that_dies_loses_no_document_silently(tmp_path, monkeypatch):
    """Workers take several documents at a time: when one dies, each document it held (or
    that was waiting) is one line, and the documents already done are kept."""
    paths = small_documents(tmp_path / "in", 20)
    read = kpiscore.parse

    def dying(path, *arguments):
        if Path(path).name == paths[12].name:
            os._exit(1)  # as the kernel's out-of-memory killer leaves a worker
        return read(path, *arguments)

    monkeypatch.setattr(kpiscore, "parse", dying)
    outcomes = list(batch.run(paths, batch.options(model=False), jobs=2))
    assert sorted(o.path for o in outcomes) == sorted(paths)  # each once
    failed = [o for o in outcomes if o.review is None]
    assert paths[12] in {o.path for o in failed}
    assert all(o.error.startswith(f"{o.path}: ") and "BrokenProcessPool" in o.error for o in failed)
    assert all(o.error is None for o in outcomes if o.review is not None)

# cache and resume -----------------------------------------------------------------------

def test_a_rerun_takes_every_document_from_the_cache(tmp_path):
    paths = small_documents(tmp_path / "in", 4)
    options = batch.options(model=False)
    store = Cache.open(tmp_path / "cache", options.fingerprint())
    first = list(batch.run(paths, options, jobs=2, cache=store))
    again = list(batch.run(paths, options, jobs=2, cache=store))
    assert [o.cached for o in first] == [False] * 4
    assert [o.cached for o in again] == [True] * 4  # processed: 0
    assert {o.path: o.review.to_dict() for o in again} == {o.path: o.review.to_dict() for o in first}
    grown = paths + small_documents(tmp_path / "in", 2, start=10)
    assert sum(not o.cached for o in batch.run(grown, options, jobs=2, cache=store)) == 2
    # other settings are other results
    selected = batch.options(select=["VAL"], model=False)
    other = Cache.open(tmp_path / "cache", selected.fingerprint())
    assert other != store
    assert not any(o.cached for o in batch.run(paths[:1], selected, jobs=1, cache=other))
    # the same bytes under another folder: from the cache, under its own path
    moved = tmp_path / "elsewhere" / paths[0].name
    moved.parent.mkdir()
    moved.write_bytes(paths[0].read_bytes())
    [outcome] = batch.run([moved], options, jobs=1, cache=store)
    assert outcome.cached and outcome.review.document.source == str(moved)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_an_interrupted_run_resumes_without_redoing_finished_documents(tmp_path):
    total = 100
    small_documents(tmp_path / "in", total)
    cache, target = tmp_path / "cache", tmp_path / "out.jsonl"
    arguments = ["check", str(tmp_path / "in"), "-o", str(target), "-j", "2", "--no-model"]
    stopped = interrupted(arguments, cache)
    assert stopped.returncode == INTERRUPTED, stopped.stderr
    assert "Traceback" not in stopped.stderr and "已中断" in stopped.stderr
    assert not target.exists()  # never a half output under the real name
    finished = cache_entries(cache)
    kept = (tmp_path / "out.jsonl.partial").read_text("utf-8").splitlines()
    assert 5 <= len(finished) < total and len(kept) <= len(finished)

    rerun = subprocess.run([*stopped.args], capture_output=True, text=True, env=environment(),
                           timeout=120, check=False)
    assert rerun.returncode == 1, rerun.stderr
    after = cache_entries(cache)
    assert {entry: after[entry] for entry in finished} == finished  # none of them redone
    assert len(after) == total
    sources = [json.loads(line)["source"] for line in target.read_text("utf-8").splitlines()]
    assert sorted(sources) == sorted(str(p) for p in (tmp_path / "in").iterdir())
    assert not (tmp_path / "out.jsonl.partial").exists()


# the Python API -------------------------------------------------------------------------

def test_check_and_scan_give_what_the_command_gives(tmp_path, corpus):
    review = kpiscore.check(SAMPLE)
    assert review.to_dict() == alone(SAMPLE)
    with pytest.raises(kpiscore.InputError, match=f"gone.docx: {says('file_not_found')}"):
        kpiscore.check(tmp_path / "gone.docx")
    frame = kpiscore.scan(tmp_path / "in", jobs=2)
    assert list(frame["source"].unique()) == [str(p) for p in sorted(corpus)]
    assert len(frame) == sum(kpiscore.parse(p).indicator_count for p in corpus)
    for path in corpus:
        payload = alone(path)
        rows = frame[frame["source"] == str(path)]
        expected = [([f["rule"] for f in indicator["findings"]], indicator["score"], project["grade"])
                    for project in payload["projects"] for indicator in project["indicators"]]
        assert list(zip(rows["findings"], rows["score"], rows["project_grade"])) == expected


def test_scan_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    paths = small_documents(tmp_path / "in", 3)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        frame = kpiscore.scan(paths, executor=client.get_executor(), model=False)
    pd.testing.assert_frame_equal(frame, kpiscore.scan(paths, jobs=1, model=False))
    assert frame["source"].nunique() == 3
