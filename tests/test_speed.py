"""The speed work keeps results identical: each shortcut agrees with the plain definition it
replaces, the per-document memos never carry one document's answers into another, and
`check` loads only what it uses. (Timings are in benchmarks/bench_speed.py, not here.)"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from kpiscore import lexicon, text
from kpiscore import memo as memos
from kpiscore.model import Location
from kpiscore.review import Review, review
from kpiscore.terminal import TextReport
from kpiscore.values import is_missing, parse_value

from test_rules import _document

REPO = Path(__file__).resolve().parents[1]
FIXTURE_KEYS = ("000", "001", "004", "04", "07")
# cell-like text: Chinese, digits, ASCII and full-width punctuation, every kind of space
CELLS = st.text(st.sampled_from(list("养老保险发放率覆盖人数资金到位及时，。、（）()%≥≤:： \t\n\u3000\u00a0"
                                     "\u200b\u2028\x1c12.5$\\ABab*＊涉密无/-")), max_size=30)
LISTS = [tuple(lexicon.table("boilerplate.toml")["fillers"]),
         (*lexicon.table("boilerplate.toml")["no_object"], *lexicon.table("boilerplate.toml")["policy"]),
         tuple(lexicon.table("relatedness.toml")["generic"])]


def _compact_by_definition(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value)
    return "".join(c for c in folded if not c.isspace() and not unicodedata.category(c).startswith("P"))


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_compact_is_nfkc_without_spaces_and_punctuation(value):
    assert text.compact(value) == _compact_by_definition(value)


def test_compact_agrees_on_every_punctuation_and_space_character():
    special = "".join(chr(c) for c in range(0x3000) if chr(c).isspace()
                      or unicodedata.category(chr(c)).startswith("P"))
    assert text.compact(f"a{special}b") == _compact_by_definition(f"a{special}b")


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_clean_cell_returns_a_clean_cell_as_it_is_and_cleans_the_rest(value):
    assert text.clean_cell(value) == (text._cleaned(value) if value else "")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([w for words in LISTS for w in words] + list("的率数保险人")),
                max_size=6).map("".join), st.sampled_from(range(len(LISTS))), st.sampled_from(["", "|"]))
def test_without_is_the_sequential_replacement_longest_first(value, which, mark):
    expected = text.compact(value)
    for word in sorted(map(text.compact, LISTS[which]), key=len, reverse=True):
        expected = expected.replace(word, mark)
    assert text.without(value, LISTS[which], mark) == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(CELLS, st.sampled_from(lexicon.words("placeholders.txt"))))
def test_is_missing_is_what_parse_value_reads_as_empty_or_placeholder(value):
    assert is_missing(value) == (parse_value(value).kind in ("empty", "placeholder"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["保险", "发放率", "率", "人数", "a", "满意度调查"]), max_size=8))
def test_a_memo_by_identity_answers_each_list_for_itself(words):
    """lexicon.per_entry keys on a list's identity: a list made per call (so that ids are
    reused once memos are emptied) still gets its own answer, sorted as sorted() would."""
    for _ in range(lexicon._PER_ENTRY_LIMIT + 10):
        made = list(words)
        assert lexicon.longest_first(made) == tuple(sorted(words, key=len, reverse=True))


def test_a_cell_in_a_column_is_its_row_with_the_column_set():
    """Location.in_column names every field (for speed): one added later must be copied too."""
    row = Location(**{place.name: number for number, place in enumerate(fields(Location), start=1)})
    assert row.in_column(99) == replace(row, column=99)


def _findings(result: Review) -> list[tuple]:
    return [(f.rule, f.project, f.row, f.message) for f in result.findings]


def test_a_document_is_judged_alike_whatever_was_checked_before():
    """The memos are per document: reviewing others first, in any order, changes nothing,
    and nothing is left in them afterwards."""
    alone = {key: _findings(review(_document(key))) for key in FIXTURE_KEYS}
    for order in (FIXTURE_KEYS, tuple(reversed(FIXTURE_KEYS))):
        for key in order:
            assert _findings(review(_document(key))) == alone[key]
    assert all(memo.cache_info().currsize == 0 for memo in memos._PER_DOCUMENT)


def test_linter_lines_to_a_file_are_what_rich_printed():
    """Plain writes (stdout no terminal) give the characters rich printed (less the colour)."""
    result = review(_document("001"))
    written, reference = io.StringIO(), io.StringIO()
    plain = TextReport(Console(file=written, width=160, force_terminal=False), show_fixes=True)
    rich = TextReport(Console(file=reference, width=160, force_terminal=True), show_fixes=True)
    for report in (plain, rich):
        report.add(result)
        report.close()
    uncoloured = re.sub(r"\x1b\[[0-9;]*m", "", reference.getvalue())
    assert result.findings and written.getvalue() == uncoloured
    assert plain.console.is_terminal is False and rich.console.is_terminal is True


def _modules_after_check(document: Path, *options: str) -> set[str]:
    """The heavy top-level packages a `kpiscore check` process has imported when done."""
    script = ("import sys\nfrom kpiscore.cli import app\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
              "heavy = {'pandas', 'jieba', 'sklearn', 'docx', 'pdfplumber', 'openpyxl', 'skops'}\n"
              "print(' '.join(sorted(heavy & {name.split('.')[0] for name in sys.modules})), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", script, "check", str(document), "-o", os.devnull,
                           "--no-cache", *options], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"})
    return set(done.stderr.split())


def test_check_imports_only_the_reader_it_needs_and_no_model_library():
    """The shipped model leaves every category to the rules, so checking needs neither
    jieba nor scikit-learn; pandas only for CSV; a .docx reader only for a .docx."""
    assert _modules_after_check(REPO / "samples" / "sample.docx") == {"docx"}
    assert _modules_after_check(REPO / "tests" / "fixtures" / "formats" / "tables_000.pdf",
                                "--format", "json") == {"pdfplumber"}
    assert np is not None  # numpy itself is cheap enough, and DUP-02's index needs it
