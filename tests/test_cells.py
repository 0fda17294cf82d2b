"""Findings know their cell: records keep where each field was printed, a finding sits on
its field, and the annotated copies of a .docx or .xlsx input carry every comment on the
cell holding that field's text — found from the records, never from a message.

Corpus tables (../shared/corpus, KPISCORE_CORPUS) are real tables in native renderings;
the sample is samples/sample.docx; the HTML page is a fixture.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import REPO
from docx.oxml.ns import qn
from test_corpus import CORPUS

import kpiscore
from kpiscore.classifier.store import default
from kpiscore.findings import Finding, Severity
from kpiscore.grid import Row
from kpiscore.model import Document, Location, Project
from kpiscore.read import read
from kpiscore.report import cells as cells_module
from kpiscore.report import write
from kpiscore.report.cells import HEADER_FIELDS, Cell, colour, field_text, mark, place
from kpiscore.review import review

SAMPLE = REPO / "samples" / "sample.docx"
HTML = REPO / "tests" / "fixtures" / "more_formats" / "target_table.html"
# corpus tables with many kinds of findings: template prompts, merged 一级 / 二级, a
# header block printed label | value
CORPUS_TABLES = ("09_jinzhai_wuye_2021", "13_zhaohua_mafeng_2021", "17_huangshi_dangxiao_2022")


def corpus(stem: str, suffix: str) -> Path:
    path = CORPUS / "native" / f"{stem}.{suffix}"
    if not path.exists():
        pytest.skip(f"corpus {CORPUS} not available (set KPISCORE_CORPUS)")
    return path


def bare(text: str | None) -> str:
    """Cell text compared without white space (readers rejoin wrapped lines)."""
    return re.sub(r"\s+", "", text or "")


def holds(cell_text: str | None, field: str) -> bool:
    """The printed cell holds the field's text: all of it, or the part of a value split
    over 符号 / 值 / 单位 (the number), or the first part of a cell continued after a page
    break."""
    printed, wanted = bare(cell_text), bare(field)
    return printed == wanted if not printed or not wanted else printed in wanted or wanted in printed


# -- records keep each field's position ----------------------------------------------------


def grid_texts(path: Path) -> dict[tuple, tuple[str | None, ...]]:
    """The reader's rows by (table or sheet, row): what a Location with a column points into."""
    _, items = read(path)
    return {(item.location.table or item.location.sheet, item.location.row): item.cells
            for item in items if isinstance(item, Row)}


def printed_at(rows: dict[tuple, tuple[str | None, ...]], location: Location) -> str | None:
    cells = rows[(location.table or location.sheet, location.row)]
    return cells[location.column]


@pytest.mark.parametrize("source", [
    pytest.param(lambda: SAMPLE, id="sample.docx"),
    pytest.param(lambda: HTML, id="html"),
    *(pytest.param(lambda stem=stem, suffix=suffix: corpus(stem, suffix), id=f"{stem}.{suffix}")
      for stem in CORPUS_TABLES for suffix in ("docx", "xlsx")),
])
def test_every_field_of_a_grid_input_points_at_the_cell_holding_its_text(source):
    path = source()
    document = kpiscore.parse(path)
    rows = grid_texts(path)
    checked = 0
    for project in document.projects:
        assert project.indicators
        for indicator in project.indicators:
            assert {"name", "value"} <= set(indicator.cells), indicator.name
            for name, location in indicator.cells.items():
                assert location.column is not None, (name, location)
                assert holds(printed_at(rows, location), getattr(indicator, name)), (name, location)
                checked += 1
        for name in ("title", "code", "purpose", "goal"):
            if getattr(project, name) and name in project.cells:
                location = project.cells[name]
                if location.column is not None:  # else a heading paragraph
                    assert holds(printed_at(rows, location), getattr(project, name)), name
                    checked += 1
    assert checked > 20


def test_merged_levels_point_at_the_first_row_of_the_merge():
    document = kpiscore.parse(SAMPLE)
    first, second = document.projects[0].indicators[:2]
    assert first.level1 == second.level1
    assert second.cells["level1"] == first.cells["level1"]  # the merge's own cell
    assert second.cells["name"].row == first.cells["name"].row + 1


@pytest.mark.parametrize("stem", CORPUS_TABLES)
def test_a_text_input_records_the_line_each_field_was_printed_on(stem):
    path = corpus(stem, "txt")
    lines = path.read_text("utf-8").splitlines()
    document = kpiscore.parse(path)
    for project in document.projects:
        for indicator in project.indicators:
            for name, location in indicator.cells.items():
                assert location.column is None and location.line is not None
                text = bare(getattr(indicator, name))
                assert text[:6] in bare(lines[location.line - 1]), (name, location)
        assert bare(project.title) in bare(lines[project.cells["title"].line - 1])


@pytest.mark.parametrize("source", [
    pytest.param(lambda: SAMPLE, id="docx"),
    pytest.param(lambda: HTML, id="html"),
    pytest.param(lambda: corpus("13_zhaohua_mafeng_2021", "xlsx"), id="xlsx"),
    pytest.param(lambda: corpus("13_zhaohua_mafeng_2021", "txt"), id="txt"),
])
def test_positions_round_trip_through_json(source):
    document = kpiscore.parse(source())
    again = Document.from_dict(json.loads(json.dumps(document.to_dict(), ensure_ascii=False)))
    assert [p.cells for p in again.projects] == [p.cells for p in document.projects]
    assert [i.cells for p in again.projects for i in p.indicators] == \
        [i.cells for p in document.projects for i in p.indicators]
    assert any(p.cells for p in document.projects)


# -- a finding sits on its field ------------------------------------------------------------


def test_a_finding_sits_on_the_field_it_names():
    project = Project(1, "project", "社保经费", Location())
    indicator = kpiscore.parse(SAMPLE).projects[0].indicators[0]
    about_basis = Finding("VAL-01", "VAGUE_VALUE", Severity.medium, "…", "…", 1, 1, field="basis")
    assert place(about_basis, project, indicator) == Cell(1, 1, "basis")
    about_goal = Finding("CMP-05", "EMPTY_GOAL", Severity.medium, "…", "…", 1, None, field="purpose")
    assert place(about_goal, project, None) == Cell(1, None, "purpose")
    with pytest.raises(ValueError, match="weight"):  # a field no report can show
        Finding("X-01", "ECHO", Severity.low, "…", "…", 1, 1, field="weight")


def test_a_cell_is_never_recovered_from_the_message():
    """Two findings of one rule whose messages name and quote different columns sit on
    the same cell; the module reads no message."""
    project = Project(1, "project", "社保经费", Location())
    indicator = kpiscore.parse(SAMPLE).projects[0].indicators[0]
    messages = ["必填单元缺失：指标值为空", f"「{indicator.basis}」是套话，绩效指标描述为空"]
    placed = {place(Finding("CMP-04", "PLACEHOLDER", Severity.high, text, "", 1, 1), project,
                    indicator) for text in messages}
    assert len(placed) == 1
    source = inspect.getsource(cells_module)
    assert "import re" not in source and "「" not in source
    assert ".message" not in inspect.getsource(place)


# -- the annotated .docx ----------------------------------------------------------------------


def docx_comments(path: Path) -> dict[int, tuple[str, str]]:
    """comment id -> (text of the cell or paragraph its range starts in, comment text)."""
    document = docx.Document(str(path))
    comments = {c.comment_id: c.text for c in document.comments}
    found = {}
    for start in document.element.body.iter(qn("w:commentRangeStart")):
        number = int(start.get(qn("w:id")))
        cell = next(start.iterancestors(qn("w:tc")), None)
        holder = cell if cell is not None else next(start.iterancestors(qn("w:p")))
        found[number] = ("".join(t.text or "" for t in holder.iter(qn("w:t"))), comments[number])
    return found


def expected_text(marks, cell: Cell) -> str:
    """The record's text of the cell a finding sits on; a header amount as printed is
    checked by its Location instead, so only text fields are compared."""
    project = marks.projects[cell.project]
    indicator = project.indicators[cell.row - 1] if cell.row else None
    return field_text(project, indicator, cell.field)


def reviewed(path: Path):
    result = review(kpiscore.parse(path), model=default())
    assert result.findings
    return result, mark(result)


@pytest.mark.parametrize("source", [
    pytest.param(lambda: SAMPLE, id="sample"),
    *(pytest.param(lambda stem=stem: corpus(stem, "docx"), id=stem) for stem in CORPUS_TABLES),
])
def test_every_docx_comment_sits_on_the_cell_holding_its_field(source, tmp_path):
    path = source()
    result, marks = reviewed(path)
    out = tmp_path / "review.docx"
    write(result, out)
    comments = list(docx_comments(out).values())
    for finding, cell in marks.placed:
        anchors = [text for text, comment in comments if finding.message in comment]
        assert anchors, finding
        if cell.field not in ("budget_wan", "spending_plan"):  # amounts are printed their own way
            wanted = expected_text(marks, cell)
            assert any(holds(anchor, wanted) or bare(wanted) in bare(anchor) for anchor in anchors), \
                (finding, anchors)


# -- the annotated .xlsx --------------------------------------------------------------------


def workbook_with_extras(source: Path, target: Path) -> Path:
    """A corpus workbook with what a department's own file has: a formula, a sheet of its
    own, a column width and a comment."""
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    sheet.column_dimensions["B"].width = 31
    notes = workbook.create_sheet("填报说明")
    notes["A1"], notes["A2"], notes["A3"] = 2, 3, "=A1+A2"
    workbook.save(target)
    return target


def look(cell) -> tuple:
    """How a cell is drawn: fill, font, alignment, border, number format."""
    return (cell.fill.patternType, cell.fill.fgColor.rgb, cell.font.b, cell.font.sz,
            cell.alignment.horizontal, cell.alignment.wrap_text, cell.border.left.style,
            cell.number_format)


@pytest.mark.parametrize("stem", CORPUS_TABLES)
def test_an_xlsx_input_comes_back_annotated_in_its_own_workbook(stem, tmp_path):
    source = workbook_with_extras(corpus(stem, "xlsx"), tmp_path / f"{stem}.xlsx")
    result, marks = reviewed(source)
    out = tmp_path / "review.xlsx"
    write(result, out)
    original, annotated = openpyxl.load_workbook(source), openpyxl.load_workbook(out)
    assert annotated.sheetnames == [*original.sheetnames, "审查概览", "问题清单"]
    # every finding is on the cell holding its field's text, filled by the worst severity
    commented = {}
    for finding, cell in marks.placed:
        location = marks.location(cell)
        assert location is not None and location.sheet is not None, finding
        sheet = annotated[location.sheet]
        target = sheet.cell(location.row, location.column + 1)
        for merged in sheet.merged_cells.ranges:
            if target.coordinate in merged:
                target = sheet.cell(merged.min_row, merged.min_col)
        assert target.comment is not None and finding.message in target.comment.text, finding
        assert target.comment.author == "kpiscore"
        if cell.field not in ("budget_wan", "spending_plan"):
            assert holds(str(target.value or ""), expected_text(marks, cell)), (finding, target)
        commented.setdefault((sheet.title, target.coordinate), []).append(finding)
    for (title, coordinate), found in commented.items():
        fill = annotated[title][coordinate].fill.fgColor.rgb
        assert fill.endswith(colour(max(f.severity for f in found)))
    # nothing else of the original changed: values, formulas, merges, widths
    for sheet in original.worksheets:
        copy = annotated[sheet.title]
        assert [[c.value for c in row] for row in copy.iter_rows()] == \
            [[c.value for c in row] for row in sheet.iter_rows()]
        assert sorted(map(str, copy.merged_cells.ranges)) == sorted(map(str, sheet.merged_cells.ranges))
        for row in sheet.iter_rows():
            for c in row:
                if (sheet.title, c.coordinate) not in commented:
                    assert copy[c.coordinate].comment is None
                    assert look(copy[c.coordinate]) == look(c)
    assert annotated["填报说明"]["A3"].value == "=A1+A2"
    assert annotated.worksheets[0].column_dimensions["B"].width == 31
    # 问题清单: every finding, in Chinese, linked to its cell
    listing = list(annotated["问题清单"].iter_rows(values_only=True))
    assert listing[0][:4] == ("项目", "行", "单元格", "严重程度")
    assert len(listing) == 1 + len(marks.placed)
    assert {row[3] for row in listing[1:]} <= {"高", "中", "低"}
    for row, (finding, _) in zip(annotated["问题清单"].iter_rows(min_row=2), marks.placed):
        link = row[2].hyperlink
        title, coordinate = link.location.rsplit("!", 1)
        assert finding.message in annotated[title.strip("'")][coordinate].comment.text
        assert row[4].value.startswith(f"{finding.category} ")  # the title beside the code
    # 审查概览: score, grade with its reason, counts by category
    summary = list(annotated["审查概览"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(summary) if row[0] == "序号")
    project = result.document.projects[0]
    line = summary[header + 1]
    assert line[:5] == (1, project.title, result.scores[1].score, result.scores[1].grade_text,
                        len(marks.of_project(1)))
    counts = dict(zip(summary[header][5:], line[5:]))
    for category, count in marks.category_counts(1).items():
        assert next(v for k, v in counts.items() if k.startswith(f"{category} ")) == count


def test_sizes_of_comments_follow_their_text(tmp_path):
    source = corpus("09_jinzhai_wuye_2021", "xlsx")
    result, _ = reviewed(source)
    out = tmp_path / "review.xlsx"
    write(result, out)
    import zipfile

    with zipfile.ZipFile(out) as archive:
        drawing = next(name for name in archive.namelist() if name.endswith(".vml"))
        shapes = re.findall(r"width:(\d+)px;height:(\d+)px", archive.read(drawing).decode())
    sizes = {(int(w), int(h)) for w, h in shapes}
    assert len(sizes) > 1  # not one default box for every comment
    assert all(w >= 24 * 6 and h >= 15 for w, h in sizes)


def test_header_fields_have_a_cell(tmp_path):
    """The sample's header block: each printed header field has its cell (value, else label)."""
    project = kpiscore.parse(SAMPLE).projects[0]
    assert set(project.cells) == set(HEADER_FIELDS)
    rows = grid_texts(SAMPLE)
    assert printed_at(rows, project.cells["code"]) == project.code
    assert float(printed_at(rows, project.cells["budget_wan"]).replace(",", "")) == project.budget_wan
