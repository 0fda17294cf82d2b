"""Many distinct small documents for batch tests and benchmarks/bench_batch.py, and a
batch command interrupted as by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Two real tables of seed 000 (日常综合管理事务, 表册证书印刷费) under a title line.
SMALL = Path(__file__).resolve().parent / "fixtures" / "batch" / "small.txt"


def small_documents(folder: Path, count: int, start: int = 0) -> list[Path]:
    """`count` distinct documents: the fixture with its project names and codes numbered,
    so that neither the cache nor the duplicate rules see copies."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SMALL.read_text(encoding="utf-8")
    paths = []
    for number in range(start, start + count):
        path = folder / f"doc{number:05d}.txt"
        path.write_text(text.replace("日常综合管理事务", f"日常综合管理事务{number}")
                            .replace("表册证书印刷费", f"表册证书印刷费{number}")
                            .replace("13032424P0044", f"{number:05d}24P0044"), encoding="utf-8")
        paths.append(path)
    return paths


def cache_entries(cache: Path) -> dict[Path, tuple[int, int]]:
    """Each stored result with its inode and mtime: what tells a result redone."""
    return {entry: (entry.stat().st_ino, entry.stat().st_mtime_ns) for entry in cache.rglob("*.pickle")}


def _ctrl_c_on() -> None:
    """Ctrl-C as on a terminal, even under a runner started in the background (whose
    shell ignores SIGINT, which children inherit)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted(arguments: list[str], cache: Path, after: int = 5) -> subprocess.CompletedProcess:
    """`kpiscore ARGUMENTS --cache-dir CACHE` sent SIGINT once `after` results are cached."""
    command = [str(Path(sys.executable).with_name("kpiscore")), *arguments, "--cache-dir", str(cache)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment(), preexec_fn=_ctrl_c_on)
    deadline = time.monotonic() + 60
    while len(cache_entries(cache)) < after and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}
