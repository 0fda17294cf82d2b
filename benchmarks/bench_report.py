"""How fast `kpiscore report` writes each format: in-process and from process start.

    .venv/bin/python benchmarks/bench_report.py                 # seed 000, -n 5 --runs 3
    .venv/bin/python benchmarks/bench_report.py --seed some.docx -n 10 --runs 5

(a) In-process: the seed is parsed and checked once (`kpiscore.review.review`), then the
    review is written N times to .xlsx, .docx and .html with `kpiscore.report.write`
    (after one warm-up write each, so imports and templates are loaded). Only the writing
    is timed; "parse + check" shows what comes before it.
(b) Fresh process: `kpiscore report SEED -o OUT.EXT` (the `kpiscore` executable next to
    this interpreter), timed from before the process is spawned until it exits: start-up,
    imports, parse, rules, scores and writing. The median (min, max) of --runs runs.
(c) With a text seed, the .docx report is a generated review document; to time the other
    .docx path too (comments in a copy of the original), the seed's tables are also written
    as a native .docx with tests/tablewriter.py and that file is reported to .docx.
(d) `--batch N`: a folder of N documents (the four seeds, the sample and the seeds as
    native .docx, cycled) reported with `kpiscore report FOLDER -o OUTDIR` from process
    start: one report per document and the index.

A plain script, not a test: nothing is asserted, and it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kpiscore
from kpiscore.report import write
from kpiscore.review import review

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))
DEFAULT_SEED = SEEDS / "000_374f52ec377d0399.txt"  # the largest seed: 33 tables
FORMATS = (".xlsx", ".docx", ".html")


def in_process(seed: Path, repeat: int, folder: Path) -> list[tuple[str, float, int]]:
    """(what, seconds per run, output bytes) for parse + check and for each format."""
    start = time.perf_counter()
    result = review(kpiscore.parse(seed))
    rows = [("parse + check", time.perf_counter() - start, 0)]
    for extension in FORMATS:
        out = folder / f"report{extension}"
        write(result, out)  # warm-up
        start = time.perf_counter()
        for _ in range(repeat):
            write(result, out)
        rows.append((f"write {extension}", (time.perf_counter() - start) / repeat, out.stat().st_size))
    return rows


def fresh_process(seed: Path, extension: str, runs: int, folder: Path) -> list[float]:
    executable = Path(sys.executable).with_name("kpiscore")
    if not executable.exists():
        sys.exit(f"bench_report: {executable} not found (install kpiscore into this interpreter's venv)")
    command = [str(executable), "report", str(seed), "-o", str(folder / f"cold{extension}")]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if completed.returncode != 0:
            sys.exit(f"bench_report: {' '.join(command)} exited {completed.returncode}:\n{completed.stderr}")
    return times


def native_docx(seed: Path, folder: Path) -> Path:
    """The seed's tables as a native .docx with merged cells (tests/tablewriter.py)."""
    sys.path.insert(0, str(REPO / "tests"))
    from tablewriter import write_docx

    return write_docx(kpiscore.parse(seed).projects, folder / f"{seed.stem}.docx")


def report(seed: Path, repeat: int, runs: int, folder: Path) -> None:
    document = kpiscore.parse(seed)
    print(f"{seed.name}: {document.format}, {len(document.projects)} tables, "
          f"{document.indicator_count} indicators, {len(review(document).findings)} findings")
    print(f"(a) in-process, mean of {repeat} writes after one warm-up")
    print(f"    {'':<16} {'ms':>8} {'KiB':>8}")
    for what, seconds, size in in_process(seed, repeat, folder):
        print(f"    {what:<16} {seconds * 1000:>8.0f} {size / 1024 if size else 0:>8.0f}")
    print(f"(b) fresh process `kpiscore report {seed.name} -o OUT`, {runs} runs")
    print(f"    {'':<16} {'median s':>8} {'min s':>7} {'max s':>7}")
    for extension in FORMATS:
        times = fresh_process(seed, extension, runs, folder)
        print(f"    {'-o ' + extension:<16} {statistics.median(times):>8.3f} {min(times):>7.3f} "
              f"{max(times):>7.3f}")


def batch(count: int, folder: Path) -> None:
    sources = sorted(SEEDS.glob("*.txt")) + [REPO / "samples" / "sample.docx"]
    sources += [native_docx(seed, folder) for seed in sorted(SEEDS.glob("*.txt"))]
    inputs = folder / "batch"
    inputs.mkdir()
    for number in range(count):
        source = sources[number % len(sources)]
        (inputs / f"{number:03d}_{source.name}").write_bytes(source.read_bytes())
    indicators = sum(kpiscore.parse(path).indicator_count for path in inputs.iterdir())
    command = [str(Path(sys.executable).with_name("kpiscore")), "report", str(inputs),
               "-o", str(folder / "reports")]
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    written = len(list((folder / "reports").iterdir()))
    print(f"(d) `kpiscore report FOLDER -o OUTDIR`: {count} documents, {indicators} indicators: "
          f"{seconds:.1f} s ({seconds / count:.2f} s per document), exit {completed.returncode}, "
          f"{written} files written (reports + 索引.xlsx + 索引.html)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED,
                        help=f"document to report on (default {DEFAULT_SEED.name})")
    parser.add_argument("-n", "--repeat", type=int, default=5, help="in-process writes per format (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per format (default 3)")
    parser.add_argument("--batch", type=int, default=0, metavar="N",
                        help="only (d): report a folder of N documents")
    args = parser.parse_args()
    if not args.seed.exists():
        sys.exit(f"bench_report: {args.seed} not found (use --seed or KPISCORE_SEEDS)")
    print(f"kpiscore {kpiscore.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        if args.batch:
            batch(args.batch, Path(folder))
            return
        report(args.seed, args.repeat, args.runs, Path(folder))
        if kpiscore.parse(args.seed).format != "docx":
            print("(c) the same tables as a native .docx, reported with comments on the original")
            report(native_docx(args.seed, Path(folder)), args.repeat, args.runs, Path(folder))


if __name__ == "__main__":
    main()
