"""A batch of many small documents through `kpiscore check FOLDER -o out.jsonl`: peak
memory, time to the first written result, --jobs 1 against --jobs 2, an interrupted run
resumed, and a rerun from the cache.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_batch.py [--count 5000] [--folder /tmp/kpiscore-bench-batch]

The documents are the two real tables of tests/fixtures/batch/small.txt with numbered
project names and codes (distinct bytes, so the cache does not fold them), written once
under --folder. Each run is a fresh process with a fresh cache folder. Memory is sampled
every 200 ms over the whole process tree (psutil): the sum over kpiscore and its workers
(PSS: shared pages counted once; and RSS, which counts them in every process), and the
largest single process; CPU is the tree's user + system time (getrusage of the
waited children), which a busy machine does not inflate the way it inflates wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from batchdocs import small_documents  # a test helper, as tests/tablewriter.py is

KPISCORE = Path(sys.executable).with_name("kpiscore")
MIB = 1 << 20


def documents(folder: Path, count: int) -> Path:
    docs = folder / "docs"
    if len(list(docs.glob("*.txt"))) != count:
        shutil.rmtree(docs, ignore_errors=True)
        small_documents(docs, count)
    return docs


def tree_memory(process: psutil.Process) -> tuple[int, int, int]:
    """(PSS sum, RSS sum, largest RSS) of a process and its children, in bytes. The
    workers are forked: their RSS counts the pages they share with the parent again, PSS
    counts each shared page once, split between its sharers."""
    pss, rss = [], []
    for member in [process, *process.children(recursive=True)]:
        try:
            info = member.memory_full_info()
        except psutil.Error:
            continue
        pss.append(info.pss)
        rss.append(info.rss)
    return sum(pss), sum(rss), max(rss, default=0)


def ctrl_c_on() -> None:
    """In the child: Ctrl-C as on a terminal, even when this script runs in the
    background (where the shell has SIGINT ignored, which children inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cache_entries(cache: Path) -> dict[Path, tuple[int, int]]:
    return {entry: (entry.stat().st_ino, entry.stat().st_mtime_ns) for entry in cache.rglob("*.pickle")}


def run(docs: Path, out: Path, cache: Path, jobs: int, interrupt_after: int | None = None) -> dict:
    """One `kpiscore check` run, measured; with `interrupt_after`, Ctrl-C once that many
    documents are in the cache."""
    for stale in (out, out.with_name(out.name + ".partial")):
        stale.unlink(missing_ok=True)
    partial = out.with_name(out.name + ".partial")
    command = [str(KPISCORE), "check", str(docs), "-o", str(out), "-j", str(jobs), "--cache-dir", str(cache)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           env={**os.environ, "PYTHONPATH": str(REPO / "src")}, preexec_fn=ctrl_c_on)
    first = None
    peak_pss = peak_sum = peak_one = 0
    interrupted = False
    parent_cpu = 0.0
    while process.poll() is None:
        try:
            times = process.cpu_times()
            parent_cpu = times.user + times.system  # the last sample before it exits
        except psutil.Error:
            pass
        pss, total, largest = tree_memory(process)
        peak_pss, peak_sum, peak_one = max(peak_pss, pss), max(peak_sum, total), max(peak_one, largest)
        if first is None and (partial.exists() and partial.stat().st_size or out.exists()):
            first = time.perf_counter() - start
        if interrupt_after and not interrupted and len(cache_entries(cache)) >= interrupt_after:
            process.send_signal(signal.SIGINT)
            interrupted = True
        time.sleep(0.2)  # reading PSS (smaps) costs CPU: not too often
    wall = time.perf_counter() - start
    stderr = process.stderr.read().decode()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"jobs": jobs, "exit": process.returncode, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "parent_cpu_s": round(parent_cpu, 2),
            "first_result_s": None if first is None else round(first, 2),
            "peak_tree_pss_mib": round(peak_pss / MIB, 1), "peak_tree_rss_mib": round(peak_sum / MIB, 1),
            "peak_process_rss_mib": round(peak_one / MIB, 1),
            "max_rss_any_child_mib": round(after.ru_maxrss / 1024, 1),
            "stderr_tail": stderr.strip().splitlines()[-1:] if stderr.strip() else []}


def lines(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/kpiscore-bench-batch"))
    parser.add_argument("--steps", default="jobs,resume", help="jobs (2 then 1, and a cached rerun), resume")
    arguments = parser.parse_args()
    steps = arguments.steps.split(",")
    folder, count = arguments.folder, arguments.count
    folder.mkdir(parents=True, exist_ok=True)
    docs = documents(folder, count)
    print(f"{count} documents in {docs}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
          flush=True)
    results: dict[str, object] = {}
    if "jobs" in steps:
        measure_jobs(docs, folder, count, results)
    if "resume" in steps:
        measure_resume(docs, folder, count, results)
    print(json.dumps(results, ensure_ascii=False, indent=1))


def measure_jobs(docs: Path, folder: Path, count: int, results: dict) -> None:
    for jobs in (2, 1):
        cache = folder / f"cache-jobs{jobs}"
        shutil.rmtree(cache, ignore_errors=True)
        results[f"jobs{jobs}"] = measured = run(docs, folder / f"out-jobs{jobs}.jsonl", cache, jobs)
        measured["documents_written"] = lines(folder / f"out-jobs{jobs}.jsonl")
        measured["docs_per_s"] = round(count / measured["wall_s"], 1)
        measured["docs_per_cpu_s"] = round(count / measured["cpu_s"], 1)
        print(json.dumps({f"jobs{jobs}": measured}, ensure_ascii=False), flush=True)
    results["speedup_wall_jobs2_over_jobs1"] = round(results["jobs1"]["wall_s"] / results["jobs2"]["wall_s"], 2)
    rerun = run(docs, folder / "out-jobs2.jsonl", folder / "cache-jobs2", 2)
    results["rerun_all_cached"] = rerun


def measure_resume(docs: Path, folder: Path, count: int, results: dict) -> None:
    cache, out = folder / "cache-resume", folder / "out-resume.jsonl"
    shutil.rmtree(cache, ignore_errors=True)
    stopped = run(docs, out, cache, 2, interrupt_after=count // 2)
    finished = cache_entries(cache)
    resumed = run(docs, out, cache, 2)
    after = cache_entries(cache)
    results["resume"] = {
        "interrupted": stopped, "finished_before_resume": len(finished),
        "resumed": resumed,
        "redone": sum(after.get(entry) != stamp for entry, stamp in finished.items()),
        "processed_on_resume": len(after) - len(finished), "documents_written": lines(out)}


if __name__ == "__main__":
    main()
