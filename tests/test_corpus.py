"""Every table of ../shared/corpus, in each of its native renderings (.docx, .xlsx, .txt),
reads to the transcription in records/, field by field.

The corpus holds real tables of 15 publishers in 9 provinces, each in its own template
(TEMPLATES.md). Cells are compared without whitespace: the transcription turned line breaks
inside cells into spaces (corpus README), and kpiscore rejoins Chinese text wrapped inside a
cell. Every difference that remains is listed in EXCEPTIONS with its reason; an exception
that no longer occurs fails the test too, so the list stays true.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

import kpiscore

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("KPISCORE_CORPUS", REPO.parent / "shared" / "corpus"))
FORMATS = ("docx", "xlsx", "txt")
PROJECT_FIELDS = ("title", "code", "budget_wan", "fiscal_wan", "goal")
INDICATOR_FIELDS = ("level1", "level2", "name", "description", "value", "basis")

# (document, format or "*", project index, field or "row N") -> why kpiscore cannot match
_NO_BUDGET_LINE = ("the rendering prints no budget line: the transcription took the amount "
                   "from the notice's prose (budget_note)")
_TXT_DROPS_CELLS = ("the .txt rendering drops empty cells inside a row (not only the merged "
                    "leading ones), so the cells after the gap cannot be put on their columns")
EXCEPTIONS: dict[tuple[str, str, int, str], str] = {
    **{("05_tongxin_agri_training_2025", "*", 1, name): _NO_BUDGET_LINE
       for name in ("budget_wan", "fiscal_wan")},
    **{("06_tongxin_xiamaguan_grape_2023", "*", 1, name): _NO_BUDGET_LINE
       for name in ("budget_wan", "fiscal_wan")},
    ("06_tongxin_xiamaguan_grape_2023", "*", 1, "title"):
        "the transcription adds the county (同心县) to the title the page prints",
    **{("17_huangshi_dangxiao_2022", "txt", 1, f"row {row}"):
       _TXT_DROPS_CELLS + " (the empty 2021年实际实现值 cell of every row)" for row in range(1, 14)},
    **{("18_zhalaite_jcy_zhuangbei", "txt", 1, f"row {row}"):
       _TXT_DROPS_CELLS + " (an empty 指标方向 or 计量单位 cell)" for row in (2, 3, 7, 9, 11)},
}


def _documents() -> list[str]:
    records = CORPUS / "records"
    return sorted(path.stem for path in records.glob("*.json")) if records.is_dir() else []


def _same(got: object, want: object) -> bool:
    if isinstance(want, str) or isinstance(got, str):
        return re.sub(r"\s+", "", str(got or "")) == re.sub(r"\s+", "", str(want or ""))
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return abs(got - want) < 1e-6
    return (got or None) == (want or None)


def _differences(document: kpiscore.Document, record: dict) -> dict[tuple[int, str], str]:
    found: dict[tuple[int, str], str] = {}
    if len(document.projects) != len(record["projects"]):
        found[(0, "projects")] = f"{len(document.projects)} projects, want {len(record['projects'])}"
    for got, want in zip(document.projects, record["projects"]):
        for name in PROJECT_FIELDS:
            if not _same(getattr(got, name), want[name]):
                found[(want["index"], name)] = f"{getattr(got, name)!r} != {want[name]!r}"
        if len(got.indicators) != len(want["indicators"]):
            found[(want["index"], "rows")] = f"{len(got.indicators)} rows, want {len(want['indicators'])}"
        for row, (indicator, wanted) in enumerate(zip(got.indicators, want["indicators"]), start=1):
            wrong = [name for name in INDICATOR_FIELDS if not _same(getattr(indicator, name), wanted[name])]
            if wrong:
                found[(want["index"], f"row {row}")] = "; ".join(
                    f"{name}: {getattr(indicator, name)!r} != {wanted[name]!r}" for name in wrong)
    return found


@pytest.mark.skipif(not _documents(), reason=f"corpus {CORPUS} not available (set KPISCORE_CORPUS)")
@pytest.mark.parametrize("stem", _documents() or ["none"])
@pytest.mark.parametrize("layout", FORMATS)
def test_corpus_table_reads_as_transcribed(stem: str, layout: str) -> None:
    record = json.loads((CORPUS / "records" / f"{stem}.json").read_text("utf-8"))
    document = kpiscore.parse(CORPUS / "native" / f"{stem}.{layout}")
    found = _differences(document, record)
    expected = {(project, name) for (doc, fmt, project, name) in EXCEPTIONS
                if doc == stem and fmt in ("*", layout)}
    unexpected = {key: text for key, text in found.items() if key not in expected}
    assert not unexpected, "\n".join(f"{key}: {text}" for key, text in unexpected.items())
    stale = expected - set(found)
    assert not stale, f"listed exceptions that no longer occur: {sorted(stale)}"
    if not expected:
        assert not document.warnings  # (17 .txt is told: its value column is empty on every row)
