"""Instructions per indicator row of in-process parse + check, counted by valgrind: the
same figure on every run, where this machine's wall and CPU time vary by a quarter from
one run to the next, so a change of a few per cent shows.

    python benchmarks/bench_instructions.py [--before OTHER_CHECKOUT] [--mode default|no-model|parse]

A child process reads and checks every seed (*.txt of ../shared/seeds or $KPISCORE_SEEDS)
once and then three times (with PYTHONHASHSEED=0), under `valgrind --tool=callgrind`; the difference of the two
counts over two passes is one pass without start-up, imports and warm-up, divided by the
seeds' indicator rows. What valgrind counts is machine instructions (every thread's), not
time: it ranks changes, it is no rows-per-second figure (that is bench_speed.py --only rows).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))


def passes(source: Path, mode: str, count: int) -> None:
    """The measured child: `count` passes over the seeds with `source`'s kpiscore."""
    sys.path.insert(0, str(source))
    import kpiscore
    from kpiscore import config
    from kpiscore.cli import _reviewer

    review = (lambda document: None) if mode == "parse" else \
        _reviewer(config.load(), None, None, mode == "no-model")
    for _ in range(count):
        for seed in sorted(SEEDS.glob("*.txt")):
            review(kpiscore.parse(seed))


def instructions(source: Path, mode: str, count: int) -> int:
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
               __file__, "--child", str(source), "--mode", mode, "--count", str(count)]
    # a fixed hash seed: set and dict orders, and so the count, the same on every run
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=environment)
    return int(re.search(r"Collected : (\d+)", result.stderr)[1])


def rows_per_pass(source: Path) -> int:
    code = ("import sys, pathlib; sys.path.insert(0, sys.argv[1]); import kpiscore; "
            "print(sum(kpiscore.parse(p).indicator_count for p in sorted(pathlib.Path(sys.argv[2]).glob('*.txt'))))")
    return int(subprocess.run([sys.executable, "-c", code, str(source), str(SEEDS)],
                              capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout, counted alongside")
    parser.add_argument("--mode", choices=["default", "no-model", "parse"], default="no-model")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return passes(args.child, args.mode, args.count)
    if not shutil.which("valgrind"):
        sys.exit("bench_instructions: valgrind is not installed")
    if not any(SEEDS.glob("*.txt")):
        sys.exit(f"bench_instructions: no *.txt seeds in {SEEDS} (set KPISCORE_SEEDS)")
    for label, checkout in (("before", args.before), ("now", REPO)):
        if checkout is None:
            continue
        source = checkout / "src"
        one, three = instructions(source, args.mode, 1), instructions(source, args.mode, 3)
        per_row = (three - one) / 2 / rows_per_pass(source)
        print(f"{label:<7} {args.mode:<9} {per_row:>12,.0f} instructions per indicator row")


if __name__ == "__main__":
    main()
