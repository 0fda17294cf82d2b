"""Everything kpiscore itself writes for a reviewer or a department is Chinese: no English
suggestion, severity, header, legend or summary line in the terminal, the workbook, the
Word document or the web page. What may stay Latin: rule and category codes, units, and
text the document itself printed (its cells are quoted back)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import REPO, SEEDS, seed_path
from lxml import etree, html
from typer.testing import CliRunner

import kpiscore
from kpiscore.cli import app
from kpiscore.findings import categories
from kpiscore.report import write
from kpiscore.review import Review, review

SAMPLE = REPO / "samples" / "sample.docx"
# rule codes (TXT-01, ML-ECHO), units and symbols a Chinese review prints as they are
_ALLOWED = re.compile(r"\b(?:[A-Z]{2,5}-\d{2}|ML-[A-Z_]+)\b|\b(?:km|kg|m²|m³|m2|m3|kW|kWh|GB|TB|"
                      r"Mbps|cm|mm|CPU|PDF|Excel|Word|WPS|LibreOffice|kpiscore|skops|OUTPUT|KPISCORE_\w+)\b|"
                      r"\.(?:docx|xlsx|html|pdf|txt|xls|doc|wps|et|json|csv|toml)\b")
_WORD = re.compile(r"[A-Za-z]{2,}")


def english(texts: list[str], document_texts: set[str]) -> list[str]:
    """The Latin words left in `texts` once codes, units, category names and the
    document's own text are taken out."""
    found = []
    codes = sorted(categories(), key=len, reverse=True)
    printed = sorted((t for t in document_texts if _WORD.search(t)), key=len, reverse=True)
    for text in texts:
        rest = re.sub(r"「[^」]*」", " ", text or "")
        for piece in printed:
            rest = rest.replace(piece, " ")
        for code in codes:
            rest = rest.replace(code, " ")
        rest = _ALLOWED.sub(" ", rest)
        found += [f"{word!r} in {text[:80]!r}" for word in _WORD.findall(rest)]
    return found


def _document_texts(result: Review) -> set[str]:
    document = result.document
    texts = {document.name, Path(document.source).stem, document.unit_name or ""}
    for project in document.projects:
        texts |= {project.title, project.code or "", project.purpose or "", project.goal or "",
                  *project.header.values(), *project.header}
        for indicator in project.indicators:
            texts |= {indicator.level1, indicator.level2, indicator.name, indicator.description,
                      indicator.value, indicator.basis, *indicator.extra.values()}
    return {t for t in texts if t}


def _workbook_texts(path: Path) -> list[str]:
    workbook = openpyxl.load_workbook(path)
    texts = list(workbook.sheetnames)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):  # formulas
                    texts.append(cell.value)
                if cell.comment is not None:
                    texts.append(cell.comment.text)
    with zipfile.ZipFile(path) as archive:  # chart titles, axis titles and legends
        for name in archive.namelist():
            if name.startswith("xl/charts/chart"):
                texts += etree.fromstring(archive.read(name)).xpath(
                    "//*[local-name()='t']/text() | //*[local-name()='v']/text()")
    return texts


def _word_texts(path: Path) -> list[str]:
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    with zipfile.ZipFile(path) as archive:
        if "word/comments.xml" in archive.namelist():
            texts += etree.fromstring(archive.read("word/comments.xml")).xpath(
                "//*[local-name()='t']/text()")
    return texts


def _page_texts(path: Path) -> list[str]:
    tree = html.fromstring(path.read_text(encoding="utf-8"))
    for node in tree.xpath("//script | //style"):
        node.drop_tree()
    texts = [t for t in tree.itertext() if t.strip()]
    return texts + tree.xpath("//@title | //@placeholder | //@aria-label")


@pytest.fixture(scope="module")
def reviews() -> dict[str, tuple[Path, Review]]:
    found = {"sample": (SAMPLE, review(kpiscore.parse(SAMPLE)))}
    if SEEDS.is_dir():
        found["seed"] = (seed_path("000"), review(kpiscore.parse(seed_path("000"))))
    return found


@pytest.mark.parametrize("which", ["sample", "seed"])
@pytest.mark.parametrize("suffix,texts", [(".xlsx", _workbook_texts), (".docx", _word_texts),
                                          (".html", _page_texts)])
def test_reports_hold_no_english(reviews, tmp_path, which, suffix, texts):
    if which not in reviews:
        pytest.skip("the seeds are not beside the repository")
    source, result = reviews[which]
    out = tmp_path / f"review{suffix}"
    write(result, out, inputs=[source])
    assert english(texts(out), _document_texts(result)) == []


def test_capped_grades_carry_their_reason_in_every_report(reviews, tmp_path):
    if "seed" not in reviews:
        pytest.skip("the seeds are not beside the repository")
    source, result = reviews["seed"]
    capped = [s for s in result.scores.values() if s.grade_reason]
    assert capped
    for suffix, texts in ((".xlsx", _workbook_texts), (".docx", _word_texts), (".html", _page_texts)):
        out = tmp_path / f"review{suffix}"
        write(result, out, inputs=[source])
        assert any(capped[0].grade_text in text for text in texts(out)), suffix


def test_the_terminal_and_the_rules_explanations_hold_no_english(reviews):
    runner = CliRunner()
    source, result = reviews["sample"]
    outputs = [runner.invoke(app, ["check", str(source), "--show-fixes"]).stdout,
               runner.invoke(app, ["check", str(source), "--statistics"]).stdout,
               runner.invoke(app, ["rules"]).stdout, runner.invoke(app, ["rules", "TXT-01"]).stdout]
    lines = [line for output in outputs for line in output.splitlines()]
    # the finding lines start with the input's path; the help lists the option names
    lines = [line.replace(str(source), " ") for line in lines]
    lines = [re.sub(r"--[a-z-]+|-[a-zA-Z]\b|\b(?:TEXT|PATH|FILES|OUTPUT|BASELINE|low|medium|high|"
                    r"json|csv|text|table|parquet|toml|TOML|pyproject|ignore|select|true|accepted|"
                    r"columns|header|README|models|tool|Usage|OPTIONS|"
                    r"check|help|rules|root|list|Path|str|path|bool|float|int|text)\b", " ", line) for line in lines]
    assert english(lines, _document_texts(result)) == []


def test_every_command_and_option_has_chinese_help():
    import typer.main

    command = typer.main.get_command(app)
    for name, sub in command.commands.items():
        assert re.search(r"[\u4e00-\u9fff]", sub.help or ""), name
        for parameter in sub.params:
            if parameter.name != "help":  # click's own --help text stays as click writes it
                assert re.search(r"[\u4e00-\u9fff]", getattr(parameter, "help", "") or ""), (name, parameter.name)


def test_the_review_workbook_is_ready_to_print(reviews, tmp_path):
    source, result = reviews["sample"]
    out = tmp_path / "review.xlsx"
    write(result, out, inputs=[source])
    workbook = openpyxl.load_workbook(out)
    for sheet in workbook.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        rows = [[c for c in row if c.value is not None] for row in sheet.iter_rows()]
        filled = [c for row in rows if len(row) > 1 for c in row if isinstance(c.value, str)]
        assert filled and all(c.border.left.style == "thin" for c in filled)
        assert all(c.alignment.wrap_text or c.alignment.text_rotation for c in filled
                   if not c.value.startswith("="))
    findings = workbook[workbook.sheetnames[1]]
    assert findings.print_title_rows == "$1:$1"
    tall = [findings.row_dimensions[r].height for r in range(2, findings.max_row + 1)]
    assert any(height and height > 15 for height in tall)  # long suggestions make rows taller
