"""How fast kpiscore parses (or parses and checks): indicator rows per second in-process,
and CLI wall time.

    .venv/bin/python benchmarks/bench_parse.py                # defaults: -n 200 --runs 5
    .venv/bin/python benchmarks/bench_parse.py -n 50 --runs 3 --seeds /path/to/seeds
    .venv/bin/python benchmarks/bench_parse.py --check -n 50  # parse + rules + scores

(a) Throughput: every seed (*.txt in the seeds folder) is parsed once to warm up, then N
    times in a row with `kpiscore.parse`; rows are indicator records
    (`Document.indicator_count`). Reported per seed and overall.
    With --check, each iteration is `kpiscore.parse` then `kpiscore.review.review` (all
    rules and the scores).
(b) Cold start: `kpiscore parse SEED -o /dev/null` (with --check: `kpiscore check SEED
    -f json -o /dev/null`) as a fresh process (the `kpiscore`
    executable next to this interpreter), timed from before the process is spawned until it
    exits, so interpreter start-up and imports are included; the median of --runs runs.

A plain script, not a test: nothing is asserted, and it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import kpiscore

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SEEDS = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))


def throughput(seeds: list[Path], repeat: int, check: bool) -> list[tuple[str, int, int, float]]:
    """(seed name, rows per parse, parses, seconds) for each seed."""
    from kpiscore.review import review

    results = []
    for seed in seeds:
        rows = kpiscore.parse(seed).indicator_count  # warm-up: imports, lexicons, caches
        review(kpiscore.parse(seed))
        start = time.perf_counter()
        for _ in range(repeat):
            document = kpiscore.parse(seed)
            if check:
                review(document)
        elapsed = time.perf_counter() - start
        assert document.indicator_count == rows
        results.append((seed.name, rows, repeat, elapsed))
    return results


def cold_start(seed: Path, runs: int, check: bool) -> list[float]:
    executable = Path(sys.executable).with_name("kpiscore")
    if not executable.exists():
        sys.exit(f"bench_parse: {executable} not found (install kpiscore into this interpreter's venv)")
    command = [str(executable), "parse", str(seed), "-o", os.devnull]
    if check:
        command = [str(executable), "check", str(seed), "-f", "json", "-o", os.devnull]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - start)
        if completed.returncode not in ((0, 1) if check else (0,)):  # check: 1 = findings
            sys.exit(f"bench_parse: {' '.join(command)} exited {completed.returncode}:\n{completed.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--repeat", type=int, default=200,
                        help="parses of each seed for the throughput figures (default 200, ~15 s)")
    parser.add_argument("--runs", type=int, default=5,
                        help="fresh `kpiscore parse` processes to time (default 5; the median is shown)")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS,
                        help=f"folder of seed documents, *.txt (default {DEFAULT_SEEDS})")
    parser.add_argument("--cold-seed", type=Path, default=None,
                        help="document for the cold-start timing (default: the first seed)")
    parser.add_argument("--check", action="store_true",
                        help="time parse + rules + scores (kpiscore check) instead of parse alone")
    args = parser.parse_args()

    seeds = sorted(args.seeds.glob("*.txt"))
    if not seeds:
        sys.exit(f"bench_parse: no *.txt seeds in {args.seeds} (use --seeds or KPISCORE_SEEDS)")

    print(f"kpiscore {kpiscore.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    print()
    what = "kpiscore.parse + review" if args.check else "kpiscore.parse"
    print(f"(a) in-process {what}, each seed {args.repeat} times after one warm-up")
    header = f"{'seed':<28} {'rows/parse':>10} {'parses':>7} {'seconds':>8} {'ms/parse':>9} {'rows/s':>9}"
    print(header)
    print("-" * len(header))
    results = throughput(seeds, args.repeat, args.check)
    for name, rows, parses, seconds in results:
        print(f"{name:<28} {rows:>10} {parses:>7} {seconds:>8.2f} {seconds / parses * 1000:>9.2f} "
              f"{rows * parses / seconds:>9,.0f}")
    total_rows = sum(rows * parses for _, rows, parses, _ in results)
    total_parses = sum(parses for _, _, parses, _ in results)
    total_seconds = sum(seconds for *_, seconds in results)
    print("-" * len(header))
    print(f"{'overall':<28} {total_rows / total_parses:>10.1f} {total_parses:>7} {total_seconds:>8.2f} "
          f"{total_seconds / total_parses * 1000:>9.2f} {total_rows / total_seconds:>9,.0f}")
    print()

    cold = args.cold_seed or seeds[0]
    times = cold_start(cold, args.runs, args.check)
    command = "check" if args.check else "parse"
    print(f"(b) fresh process: kpiscore {command} {cold.name} -o {os.devnull}  ({args.runs} runs)")
    print(f"{'median s':>9} {'min s':>7} {'max s':>7}")
    print(f"{statistics.median(times):>9.3f} {min(times):>7.3f} {max(times):>7.3f}")


if __name__ == "__main__":
    main()
