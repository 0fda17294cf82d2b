"""A fast sample of the mutation fuzzer (benchmarks/fuzz.py): 40 mutants across the four
formats, each parsed in a worker under RLIMIT_AS 1 GiB with a 20 s timeout, must give
only documents and InputErrors. The long run is on demand:
`python benchmarks/fuzz.py --count 10000 --jobs 2`."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _fuzz():
    spec = importlib.util.spec_from_file_location("fuzz", REPO / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz"] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_forty_mutants_keep_the_contract():
    fuzz = _fuzz()
    tally = fuzz.run(count=40, jobs=2, seed=16)
    assert tally.failures() == 0, tally.distinct
    assert all(sum(counts.values()) == 10 for counts in tally.counts.values())
    assert sum(counts["ok"] + counts["input_error"] for counts in tally.counts.values()) == 40


def test_mutants_are_reproducible_and_differ_from_their_source(tmp_path, monkeypatch):
    fuzz = _fuzz()
    fixtures = fuzz.corpus(tmp_path)
    first = [fuzz.mutant(fixtures, index, 7, tmp_path)[1].read_bytes() for index in range(8)]
    later = time.time() + 3600  # the same mutants made an hour later (a zip stamps its members)
    monkeypatch.setattr(time, "time", lambda: later)
    again = [fuzz.mutant(fixtures, index, 7, tmp_path)[1].read_bytes() for index in range(8)]
    assert first == again
    sources = {path.read_bytes() for paths in fixtures.values() for path in paths}
    assert sum(data not in sources for data in first) >= 7
