"""Golden check: the output of `kpiscore check` on every real document at hand, written
once and compared after a change that must not alter it (a speed change, a refactor).

    python benchmarks/golden_check.py write /tmp/golden      # before the change
    python benchmarks/golden_check.py compare /tmp/golden    # after: exit 1 on any difference

The documents: the seeds (../shared/seeds or $KPISCORE_SEEDS), samples/sample.docx, the
corpus renderings (../shared/corpus/native or $KPISCORE_CORPUS/native: .docx, .xlsx, .txt)
and the PDF fixtures of tests/fixtures/formats. Each is checked through the CLI in-process,
in JSON and in text, with the default settings (the shipped model) and with --no-model.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typer.testing import CliRunner

from kpiscore.cli import app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MODES = {"json": ["--format", "json"], "text": ["--format", "text"],
         "json-no-model": ["--format", "json", "--no-model"]}


def documents() -> list[Path]:
    seeds = Path(os.environ.get("KPISCORE_SEEDS", SHARED / "seeds"))
    corpus = Path(os.environ.get("KPISCORE_CORPUS", SHARED / "corpus"))
    found = sorted(seeds.glob("*.txt")) + [REPO / "samples" / "sample.docx"]
    found += sorted(p for p in (corpus / "native").glob("*") if p.suffix in {".docx", ".xlsx", ".txt"})
    found += sorted((REPO / "tests" / "fixtures" / "formats").glob("*.pdf"))
    return found


def outputs() -> dict[str, str]:
    """File name -> what `check` printed (and its exit code), per document and mode."""
    runner, result = CliRunner(), {}
    for path in documents():
        for mode, options in MODES.items():
            run = runner.invoke(app, ["check", str(path), *options])
            result[f"{path.parent.name}__{path.name}.{mode}"] = f"exit {run.exit_code}\n{run.stdout}"
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["write", "compare"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    current = outputs()
    if args.action == "write":
        args.folder.mkdir(parents=True, exist_ok=True)
        for name, text in current.items():
            (args.folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {len(current)} outputs to {args.folder}")
        return 0
    differ = [name for name, text in current.items()
              if not (args.folder / name).exists()
              or (args.folder / name).read_text(encoding="utf-8") != text]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(current) - len(differ)} of {len(current)} outputs identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
