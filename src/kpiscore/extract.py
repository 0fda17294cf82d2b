"""Paragraphs and table rows -> projects and indicator records.

The extractor walks the items in reading order, as a reviewer reads the document:

* a heading "N、…绩效目标表" (possibly broken over two lines), or a row holding 项目编码
  when the current project already has one, starts a project;
* rows before the indicator header fill the project's header block (编码, 预算数, 资金用途,
  资金支出计划, 绩效目标), found by their labels, not by position;
* the indicator header row ("一级指标 … 指标值确定依据", optionally with a 符号 / 值 / 单位
  sub-header) maps columns to fields; empty spacer columns map to nothing;
* indicator rows inherit blank 一级 / 二级 cells from the row above; after a repeated header
  (page break) or at the start of a new table, a fragment row is joined into the row above;
* an indicator header with no project open starts a table of kind "department" when the
  text before it speaks of 部门整体.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from kpiscore import lexicon
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.model import Document, Indicator, Location, Project
from kpiscore.text import clean_cell, clean_code
from kpiscore.values import parse_value

_LABELS = "table_labels.toml"
_CONTENT_FIELDS = ("name", "description", "value", "basis")
_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")
_ENUMERATOR = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）]?\s*[、.．]?\s*")


@cache
def _known_level2() -> frozenset[str]:
    levels = lexicon.table("levels.toml")
    labels = {lexicon.normalize_label(label) for group in levels["level2"].values() for label in group}
    return frozenset(labels | {label.removesuffix("指标") for label in labels})


def _number(text: str) -> float | None:
    match = _NUMBER.search(text or "")
    return float(match.group(0).replace(",", "")) if match else None


def _join(above: str, fragment: str) -> str:
    """Append a page-break fragment to the cell above, once."""
    if not fragment or above.endswith(fragment):
        return above
    return clean_cell(f"{above}\n{fragment}")


@dataclass
class _Columns:
    fields: dict[str, int]
    width: int

    def get(self, texts: list[str | None], name: str) -> str:
        index = self.fields.get(name)
        if index is None or index >= len(texts):
            return ""
        return texts[index] or ""


@dataclass
class _Extractor:
    source: str
    projects: list[Project] = field(default_factory=list)
    current: Project | None = None
    columns: _Columns | None = None
    in_block: bool = False  # inside an indicator block: rows are indicators
    after_break: bool = False  # the next indicator row may be a page-break fragment
    last_table: int | None = None
    held: Row | None = None  # a possibly split row waiting for its other part
    previous_paragraph: str = ""
    department_title: str | None = None  # set while inside a 部门整体 section
    explanation: list[str] | None = None
    header_state: str | None = None  # "purpose" | "spending" | "goal": what the next row continues
    spending_columns: dict[int, str] = field(default_factory=dict)
    goal_parts: list[str] = field(default_factory=list)
    # grid column of each field on every indicator row, for reports that mark cells
    columns_by_row: dict[Location, dict[str, int]] = field(default_factory=dict)

    # -- items -------------------------------------------------------------------------

    def feed(self, item: Item) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            if (isinstance(item, Row) and item.may_be_split and item.table == held.table
                    and self.columns and len(held.cells) + len(item.cells) <= self.columns.width):
                self.feed(Row(held.cells + item.cells, held.location, held.table, True))
                return
            self._row(held)
        if (isinstance(item, Row) and item.may_be_split and self.in_block and self.columns
                and len(item.cells) < self.columns.width):
            self.held = item
            return
        if isinstance(item, Paragraph):
            self._paragraph(item)
        else:
            self._row(item)

    def finish(self) -> list[Project]:
        if self.held is not None:
            held, self.held = self.held, None
            self._row(held)
        return [p for p in self.projects if p.indicators or p.code]

    # -- paragraphs --------------------------------------------------------------------

    def _paragraph(self, paragraph: Paragraph) -> None:
        text = clean_cell(paragraph.text)
        self.in_block = False
        headings = lexicon.table(_LABELS)["headings"]
        title = self._heading(text)
        if title is not None:
            department = re.search(headings["department"], title) is not None
            self._start(title, "department" if department else "project", paragraph.location)
            self.department_title = None
        elif re.search(headings["department"], text):
            self.department_title = _ENUMERATOR.sub("", text).removesuffix("：").removesuffix(":")
            self.department_title = self.department_title.removesuffix("如下表")
        elif self.current is not None and self.current.indicators:
            self._explanation(text)
        self.previous_paragraph = text

    def _heading(self, text: str) -> str | None:
        """The title of a project heading, also when it was broken over two lines."""
        headings = lexicon.table(_LABELS)["headings"]
        if re.search(headings["toc"], text):
            return None
        project = lexicon.pattern(_LABELS, "headings", "project")
        match = project.match(text)
        if not match and re.search(headings["project_tail"], text) and self.previous_paragraph:
            match = project.match(clean_cell(f"{self.previous_paragraph}\n{text}"))
        return match["title"] if match else None

    def _explanation(self, text: str) -> None:
        """Collect the 项目说明 paragraphs that follow a table (2020 layout)."""
        start = lexicon.pattern(_LABELS, "headings", "explanation").match(text)
        part = lexicon.pattern(_LABELS, "headings", "explanation_part").match(text)
        if start:
            self.explanation = [text[start.end():].strip()] if text[start.end():].strip() else []
        elif self.explanation is not None and part:
            self.explanation.append(text)
        else:
            self.explanation = None
            return
        if self.current is not None:
            self.current.explanation = "\n".join(self.explanation) or None

    # -- rows --------------------------------------------------------------------------

    def _row(self, row: Row) -> None:
        texts = [None if cell is None else clean_cell(cell) for cell in row.cells]
        labels = [lexicon.normalize_label(text) if text else "" for text in texts]
        if row.table != self.last_table and self.in_block:
            self.after_break = True  # a table continued on a new page
        self.last_table = row.table
        if "一级指标" in labels and ("三级指标" in labels or "指标值" in labels):
            self._indicator_header(texts, labels, row.location)
        elif self.in_block and "符号" in labels and "值" in labels:
            self._sub_header(labels)
        elif "项目编码" in labels or (not self.in_block and "项目名称" in labels):
            if self.current is None or self.current.code or self.current.indicators:
                self._start("", "project", row.location)
            self._header_row(texts, labels)
        elif self.in_block:
            self._indicator(texts, row.location)
        elif self.current is not None and not self.current.indicators:
            self._header_row(texts, labels)

    def _start(self, title: str, kind: str, location: Location) -> None:
        self.current = Project(index=len(self.projects) + 1, kind=kind, title=title,
                               location=location)
        self.projects.append(self.current)
        self.in_block = self.after_break = False
        self.columns = None
        self.explanation = None
        self.header_state = None
        self.goal_parts = []

    def _indicator_header(self, texts: list[str | None], labels: list[str], location: Location) -> None:
        if self.current is None:
            kind = "department" if self.department_title is not None else "project"
            title = self.department_title or _ENUMERATOR.sub("", self.previous_paragraph)
            self._start(title, kind, location)
        assert self.current is not None
        column_labels = lexicon.table(_LABELS)["columns"]
        fields: dict[str, int] = {}
        for index, label in enumerate(labels):
            name = column_labels.get(label)
            if name and name not in fields:
                fields[name] = index
        self.after_break = bool(self.current.indicators)
        self.columns = _Columns(fields, len(texts))
        self.in_block = True
        self.header_state = None

    def _sub_header(self, labels: list[str]) -> None:
        """符号 / 值 / 单位 under a merged 指标值: later columns shift right in text exports."""
        assert self.columns is not None
        column_labels = lexicon.table(_LABELS)["columns"]
        value_index = self.columns.fields.get("value", 0)
        shift = len(labels) - self.columns.width
        fields = {name: (index + shift if index > value_index else index)
                  for name, index in self.columns.fields.items()}
        for index, label in enumerate(labels):
            if column_labels.get(label) in ("sign", "number", "unit"):
                fields[column_labels[label]] = index
        self.columns = _Columns(fields, max(len(labels), self.columns.width))

    # -- header block ------------------------------------------------------------------

    def _header_row(self, texts: list[str | None], labels: list[str]) -> None:
        assert self.current is not None
        rows = lexicon.table(_LABELS)["header_rows"]
        month = lexicon.pattern(_LABELS, "header_rows", "spending_month")
        continues_above = not labels[0] if labels else False
        if labels and any(labels[0].startswith(label) for label in rows["spending_labels"]):
            self.spending_columns = {i: label for i, label in enumerate(labels) if month.match(label)}
            for label in self.spending_columns.values():
                self.current.spending_plan.setdefault(label, None)
            self.header_state = "spending"
            return
        if continues_above and self.header_state == "spending":
            for index, label in self.spending_columns.items():
                if index < len(texts):
                    self.current.spending_plan[label] = _number(texts[index] or "")
            self.header_state = None
            return
        if labels and month.match(labels[0]):  # "12月底 | 100%" on a row of its own
            filled = [text for text in texts[1:] if text]
            self.current.spending_plan[labels[0]] = _number(filled[0]) if filled else None
            return
        if continues_above and self.header_state == "purpose":
            self.current.purpose = " ".join(text for text in texts if text) or None
            self.header_state = None
            return
        if continues_above and self.header_state == "goal":
            self._goal(texts[1:])
            return
        self.header_state = "purpose" if labels and labels[0] in rows["purpose_row_labels"] else None
        self._labelled_cells(texts, labels)

    def _labelled_cells(self, texts: list[str | None], labels: list[str]) -> None:
        """Assign "label | value" pairs: the value is the next filled cell that is no label."""
        assert self.current is not None
        header = lexicon.table(_LABELS)["header"]
        filled = [(text, label) for text, label in zip(texts, labels) if text]
        for position, (_, label) in enumerate(filled):
            name = header.get(label)
            if name is None:
                continue
            rest = filled[position + 1:]
            if name == "goal":
                self.goal_parts = []
                self._goal([text for text, _ in rest])
                self.header_state = "goal"
                return
            value = next((text for text, other in rest[:1] if other not in header), "")
            if name == "code":
                self.current.code = clean_code(value) or None
            elif name == "name":
                self.current.title = value or self.current.title
            elif name == "purpose":
                self.current.purpose = value or None
            elif name.endswith("_wan"):
                setattr(self.current, name, _number(value))

    def _goal(self, cells: list[str | None]) -> None:
        """绩效目标 text; the 2020 layout splits it into "目标1 | text" rows."""
        assert self.current is not None
        part_label = lexicon.pattern(_LABELS, "header_rows", "goal_part")
        texts = [text for text in cells if text]
        if len(texts) >= 2 and part_label.match(texts[0]):
            texts = [f"{texts[0]}：{' '.join(texts[1:])}"]
        self.goal_parts.extend(texts)
        self.current.goal = "；".join(self.goal_parts) or None

    # -- indicator rows ----------------------------------------------------------------

    def _indicator(self, texts: list[str | None], location: Location) -> None:
        assert self.current is not None and self.columns is not None
        if not any(texts):
            return
        columns = self.columns
        cells = {name: columns.get(texts, name)
                 for name in ("level1", "level2", "name", "description", "basis")}
        cells["value"] = self._value(texts)
        previous = self.current.indicators[-1] if self.current.indicators else None
        if self.after_break and previous is not None and self._is_fragment(cells):
            for name in ("level2", *_CONTENT_FIELDS):
                setattr(previous, name, _join(getattr(previous, name), cells[name]))
            previous.parsed = parse_value(previous.value)
            self.after_break = False
            return
        self.after_break = False
        level1 = cells["level1"] or (previous.level1 if previous else "")
        level2 = cells["level2"] or (previous.level2 if previous and not cells["level1"] else "")
        self.current.indicators.append(Indicator(
            level1=level1, level2=level2, name=cells["name"], description=cells["description"],
            value=cells["value"], basis=cells["basis"], parsed=parse_value(cells["value"]),
            location=location,
        ))
        self.columns_by_row[location] = dict(columns.fields)

    def _value(self, texts: list[str | None]) -> str:
        """指标值 as printed; a 符号 / 值 / 单位 split is joined (">=" "95" "%" -> ">=95%")."""
        assert self.columns is not None
        if "sign" not in self.columns.fields:
            return self.columns.get(texts, "value")
        sign = self.columns.get(texts, "sign")
        if sign in lexicon.table(_LABELS)["columns_text_sign"]["words"]:
            sign = ""
        parts = (sign, self.columns.get(texts, "number"), self.columns.get(texts, "unit"))
        return "".join(part for part in parts if part)

    def _is_fragment(self, cells: dict[str, str]) -> bool:
        """A row cut off by a page break: no 一级, no complete 二级, some content cell empty."""
        level2 = lexicon.normalize_label(cells["level2"])
        return (not cells["level1"]
                and (not level2 or level2 not in _known_level2())
                and any(not cells[name] for name in _CONTENT_FIELDS))


def _year_and_unit(items: list[Item]) -> tuple[int | None, str | None]:
    """Budget year and unit name from the title page, else from the table headers."""
    headings = lexicon.table(_LABELS)["headings"]
    paragraphs = [clean_cell(item.text) for item in items[:400] if isinstance(item, Paragraph)]
    cells = [clean_cell(cell) for item in items[:400] if isinstance(item, Row)
             for cell in item.cells if cell]
    title = re.search(headings["title_year"], re.sub(r"\s+", "", "".join(paragraphs[:6])))
    year = int(title["year"]) if title else None
    unit = (title["unit"] or None) if title else None
    for text in paragraphs + cells:
        if year is None and (stated := re.search(headings["budget_year"], text)):
            year = int(stated["year"])
        if unit is None and (line := re.match(headings["unit_line"], text)):
            unit = line["unit"]
    return year, unit


def indicator_columns(items: list[Item]) -> dict[Location, dict[str, int]]:
    """Where each field sits on every indicator row: location -> field -> grid column.

    For native tables, whose grid is the file's own (kpiscore.report marks cells in a
    copy of a .docx); the extractor's own header tracking decides, so the two agree.
    """
    extractor = _Extractor("")
    for item in items:
        extractor.feed(item)
    extractor.finish()
    return extractor.columns_by_row


def extract(items: list[Item], source: str, layout: str) -> Document:
    extractor = _Extractor(source)
    for item in items:
        extractor.feed(item)
    year, unit = _year_and_unit(items)
    return Document(source=source, format=layout, year=year, unit_name=unit,
                    projects=extractor.finish())
