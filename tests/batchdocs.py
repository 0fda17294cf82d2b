"""Many distinct small documents for batch tests and benchmarks/bench_batch.py."""

from __future__ import annotations

from pathlib import Path

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
