"""Issue 15's speed figures: `check` from process start beside `python -c "import pandas"`,
and in-process parse + check throughput on one core.

    python benchmarks/bench_speed.py                    # --runs 11 -n 20, about a minute
    python benchmarks/bench_speed.py --runs 5 -n 5      # quicker, noisier
    python benchmarks/bench_speed.py --only start       # or --only model, --only rows
    python benchmarks/bench_speed.py --before /tmp/old  # a checkout of older code beside this one

(a) From process start: `kpiscore check samples/sample.docx` and `kpiscore check
    tests/fixtures/formats/tables_004.pdf` (the sample converted by LibreOffice is not
    read as a table: its PDF text loses the cell boundaries), default settings (the
    shipped model), stdout to /dev/null, and `python -c "import pandas"`, run interleaved --runs
    times (so load drifts hit all three alike), each pinned to CPU 0 with `taskset` when
    it exists. Median and min seconds, and each check's median as a multiple of pandas'.
(b) In-process, on CPU 0: every seed (*.txt of ../shared/seeds or $KPISCORE_SEEDS) parsed
    and checked -n times in a row after a warm-up, with the review `kpiscore check` builds
    (its rules, the shipped model), with --no-model, and parsed only (the floor the rules
    add to). Rows are indicator records; the
    figure is all rows / all seconds, of wall time and of this process's CPU time (the
    latter less sensitive to other load on a shared machine). Output writing is not
    included.

(c) What a model that speaks would add to a start (the shipped one leaves every category to
    the rules, so `check` never loads it): in a fresh process on CPU 0, the seconds to read
    the model's metadata, to load its pipeline (skops, which imports scikit-learn) and to
    build the jieba tokenizer; median of --runs.

--before DIR times a checkout of other code (e.g. `git archive COMMIT | tar -x -C DIR`) in
the same interleaved runs for (a), and runs (b) for it too, so before / after figures come
from the same minutes of a shared machine.

A plain script, not a test: nothing is asserted, and pytest does not collect it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))
SAMPLE = REPO / "samples" / "sample.docx"
PDF = REPO / "tests" / "fixtures" / "formats" / "tables_004.pdf"


def _pinned(command: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *command] if shutil.which("taskset") else command


def _seconds(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(_pinned(command), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, env=environment)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # check: 1 = there are findings
        sys.exit(f"bench_speed: {' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def _kpiscore(checkout: Path) -> list[str]:
    """A command running the kpiscore CLI of a checkout (its src/ first on the path)."""
    return ["env", f"PYTHONPATH={checkout / 'src'}", sys.executable, "-c",
            "import sys; from kpiscore.cli import app; sys.exit(app())"]


def start_times(runs: int, before: Path | None) -> None:
    commands = {'python -c "import pandas"': [sys.executable, "-c", "import pandas"]}
    for label, checkout in (("", REPO), ("before: ", before)):
        if checkout is not None:
            commands[f"{label}kpiscore check {SAMPLE.name}"] = [*_kpiscore(checkout), "check", str(SAMPLE)]
            commands[f"{label}kpiscore check {PDF.name}"] = [*_kpiscore(checkout), "check", str(PDF)]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():  # warm the file cache and .pyc files
        _seconds(command, dict(os.environ))
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_seconds(command, dict(os.environ)))
    base = statistics.median(times['python -c "import pandas"'])
    print(f"(a) from process start, {runs} interleaved runs each")
    print(f"{'command':<40} {'median s':>9} {'min s':>7} {'× pandas':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<40} {median:>9.3f} {min(values):>7.3f} {median / base:>9.2f}")
    print()


_MODEL_LOAD = """
import time
start = time.perf_counter()
from kpiscore.classifier import features, store
model = store.default()
read = time.perf_counter()
model.pipeline
loaded = time.perf_counter()
features.words("养老保险待遇发放率")
print(read - start, loaded - read, time.perf_counter() - loaded)
"""


def model_load(runs: int) -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    parts: list[list[float]] = [[], [], []]
    for _ in range(runs):
        done = subprocess.run(_pinned([sys.executable, "-c", _MODEL_LOAD]), capture_output=True,
                              text=True, env=environment, check=True)
        for values, seconds in zip(parts, map(float, done.stdout.split())):
            values.append(seconds)
    print(f"(c) loading a model that speaks, fresh process, median of {runs}")
    for label, values in zip(("metadata (models/indicators.json)", "pipeline: skops + scikit-learn",
                              "jieba tokenizer and dictionary"), parts):
        print(f"{label:<36} {statistics.median(values):>7.3f} s")
    print()


def rows_per_second(repeat: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    if "PYTHONPATH" not in os.environ:  # this checkout's kpiscore (--before sets another's)
        sys.path.insert(0, str(REPO / "src"))
    import kpiscore
    from kpiscore import config
    from kpiscore.cli import _reviewer

    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        sys.exit(f"bench_speed: no *.txt seeds in {SEEDS} (set KPISCORE_SEEDS)")
    settings = config.load()
    print(f"(b) in-process parse + check on one core, {len(seeds)} seeds × {repeat}")
    print(f"{'review':<12} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'CPU s':>7} {'rows/CPU s':>11}")
    for label, no_model in (("default", False), ("--no-model", True), ("parse only", None)):
        review = (lambda document: None) if no_model is None else _reviewer(settings, None, None, no_model)
        for seed in seeds:  # warm-up: imports, lexicons, the model
            review(kpiscore.parse(seed))
        rows, start, cpu = 0, time.perf_counter(), time.process_time()
        for seed in seeds:
            for _ in range(repeat):
                document = kpiscore.parse(seed)
                review(document)
                rows += document.indicator_count
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"{label:<12} {rows:>8} {elapsed:>8.2f} {rows / elapsed:>9,.0f} {cpu:>7.2f} "
              f"{rows / cpu:>11,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="fresh processes of each command (default 11)")
    parser.add_argument("-n", "--repeat", type=int, default=20,
                        help="parses + checks of each seed in-process (default 20)")
    parser.add_argument("--only", choices=["start", "model", "rows"], help="one of the measurements")
    parser.add_argument("--before", type=Path, help="a checkout of other code to time alongside")
    args = parser.parse_args()
    if args.only in (None, "start"):
        start_times(args.runs, args.before)
    if args.only in (None, "model"):
        model_load(max(3, args.runs // 3))
    if args.only in (None, "rows"):
        if args.before:
            print("before:", flush=True)
            subprocess.run([*_kpiscore(args.before)[:2], sys.executable, __file__, "--only", "rows",
                            "-n", str(args.repeat)], check=True)
            print("now:", flush=True)
        rows_per_second(args.repeat)


if __name__ == "__main__":
    main()
