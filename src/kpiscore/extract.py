"""Paragraphs and table rows -> projects and indicator records.

The extractor walks the items in reading order, as a reviewer reads the document:

* a heading "N、…绩效目标表" (possibly broken over two lines), a row holding 项目编码 when the
  current project already has one, or a header-block name label (项目名称, 项目支出名称,
  专项名称 …) starts a project;
* rows before the indicator header fill the project's header block (编码, 预算数, 资金用途,
  资金支出计划, 绩效目标 …), found by their labels (kpiscore.templates), not by position;
  labels printed above their values (总体目标 | 年度目标 / text) and "资金总额: 250 预算资金:250"
  in one cell are read too; amounts are converted to 万元 from the unit their label, cell
  or table names;
* the indicator header row is found by its content and mapped column by column to fields
  (kpiscore.templates.map_columns); a sub-header (符号 / 值 / 单位, or last year's and this
  year's value) refines it; a header that names no name or no value column is reported,
  and its table skipped, never read with empty fields;
* a wide table, one row per indicator with the project's name, budget and goal in the first
  columns, starts a project wherever the name column holds a new name;
* indicator rows inherit blank 一级 / 二级 cells from the row above; printed blank rows for
  unused categories are skipped; after a repeated header (page break) or at the start of a
  new table, a fragment row is joined into the row above; rows of text exports that dropped
  their leading (merged) cells are put back on their columns;
* an indicator header with no project open starts a table of kind "department" when the
  text before it speaks of 部门整体.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from kpiscore import lexicon, limits, messages, money
from kpiscore.grid import Item, Paragraph, Row
from kpiscore.kinds import level_kinds
from kpiscore.model import Document, Indicator, Location, Project
from kpiscore.templates import NOTE, ColumnMap, Templates, fold, map_columns, money_unit, shipped
from kpiscore.text import clean_cell, clean_code
from kpiscore.values import is_operator, parse_value

_LABELS = "table_labels.toml"
_CONTENT_FIELDS = ("name", "description", "value", "basis")
INDICATOR_FIELDS = ("level1", "level2", *_CONTENT_FIELDS)
_PROJECT_FIELDS = ("code", "name", "purpose", "goal", "budget_wan", "fiscal_wan", "budget_and_fiscal_wan")
_NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")
_ENUMERATOR = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）]?\s*[、.．]?\s*")
# "资金总额: 250  一、预算资金:250" — several label: amount pairs in one cell.
_INLINE_PAIR = re.compile(r"(?P<label>[^\s:：\d][^:：]{1,14}?)\s*[:：]\s*(?P<amount>-?[\d.,]+\s*(?:万元|元|万)?)")
# A unit code printed before a unit's name: "820001-", "[042]", "776001-".
_UNIT_CODE = re.compile(r"^\s*[\[［【]?\d{3,}[\]］】]?\s*[-－—]?\s*|\s+\d{3,}\s*$")
# The header field (Project.cells) a header-block label gives its cell to, and whether it
# only stands in for it (a budget summed from its parts, the long-term goal as a last resort).
_CELL_OF = {"name": ("title", False), "code": ("code", False), "budget_wan": ("budget_wan", False),
            "budget_and_fiscal_wan": ("budget_wan", False), "fiscal_wan": ("budget_wan", True),
            "fiscal_parts": ("budget_wan", True), "other_wan": ("budget_wan", True),
            "purpose": ("purpose", False), "goal": ("goal", False), "goal_longterm": ("goal", True),
            "spending_plan": ("spending_plan", False)}


@cache
def _known_level2() -> frozenset[str]:
    levels = lexicon.table("levels.toml")
    labels = {lexicon.normalize_label(label) for group in levels["level2"].values() for label in group}
    return frozenset(labels | {label.removesuffix("指标") for label in labels})


def _number(text: str) -> float | None:
    match = _NUMBER.search(text or "")
    return float(match.group(0).replace(",", "")) if match else None


def _cell_at(location: Location, column: int | None) -> Location:
    """Where a cell of a row was printed: the row and its grid column; a text line has no
    grid (its cells were split at tabs), the line is the place."""
    return location if location.line is not None or column is None else location.in_column(column)


def _rank(stand_in: bool, is_value: bool) -> int:
    """How surely a recorded cell holds a header field, lower first: the field's value, a
    stand-in's value, the field's label, a stand-in's label."""
    return (0 if is_value else 2) + stand_in


def _join(above: str, fragment: str) -> str:
    """Append a page-break fragment to the cell above, once."""
    if not fragment or above.endswith(fragment):
        return above
    return clean_cell(f"{above}\n{fragment}")


def _category(text: str | None) -> str | None:
    """"level1", "level2" or "either" for a printed category label (产出指标, 数量指标(必填),
    社会效益), None for other text (an indicator's name such as 群众满意度 is none)."""
    folded = NOTE.sub("", fold(text))
    bare = folded.removesuffix("指标").removesuffix("目标")
    if not folded or len(folded) > 16 or (bare == folded and bare not in _known_level2()):
        return None
    if any(group in folded for group in lexicon.table("kinds.toml")["level1_groups"]):
        return "level1"
    first, second = level_kinds(folded, folded)
    if not (first or second):
        return None
    if first and not second:
        return "level1"
    return "either" if first else "level2"


@dataclass
class _Extractor:
    templates: Templates
    projects: list[Project] = field(default_factory=list)
    current: Project | None = None
    columns: ColumnMap | None = None
    in_block: bool = False  # inside an indicator block: rows are indicators
    rows_in_block: int = 0  # rows read since the indicator header (a sub-header comes first)
    skipping: bool = False  # inside a table whose header could not be mapped
    bridged: bool = False  # a category line printed as a paragraph stands between two rows
    after_break: bool = False  # the next indicator row may be a page-break fragment
    last_table: int | None = None
    held: Row | None = None  # a possibly split row waiting for its other part
    previous_paragraph: str = ""
    department_title: str | None = None  # set while inside a 部门整体 section
    table_title: str | None = None  # a title naming the project, printed above its table
    # where those three were printed, for the title's cell
    previous_paragraph_at: Location | None = None
    department_title_at: Location | None = None
    table_title_at: Location | None = None
    cell_ranks: dict[str, int] = field(default_factory=dict)  # Project.cells entry -> _rank
    explanation: list[str] | None = None
    header_state: str | None = None  # "purpose" | "spending" | "goal" | "below": what the next row continues
    spending_columns: dict[int, str] = field(default_factory=dict)
    below: dict[int, str] = field(default_factory=dict)  # labels whose values are in the next row
    goal_parts: list[str] = field(default_factory=list)
    levels: tuple[str, str] = ("", "")  # the last printed 一级 / 二级 of this block
    level_cells: tuple[Location | None, Location | None] = (None, None)  # where they were printed
    money_unit: str | None = None  # a 单位 line in force (元 / 万元)
    label_unit: str | None = None  # the unit a header label of this project names
    parts: dict[str, list[float]] = field(default_factory=dict)  # summed money fields
    long_goal: str | None = None
    units: list[tuple[int, str]] = field(default_factory=list)  # (rank, publishing unit)
    warnings: list[str] = field(default_factory=list)

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
        if isinstance(item, Paragraph) and self.in_block and _category(item.text) is not None:
            # a text export prints a row holding only a category label without a tab; the
            # table goes on after it (the next row's new table number is no page break)
            self._row(Row((item.text,), item.location, self.last_table or 0))
            self.bridged = True
        elif isinstance(item, Paragraph):
            self._paragraph(item)
        else:
            self._row(item)

    def finish(self) -> list[Project]:
        if self.held is not None:
            held, self.held = self.held, None
            self._row(held)
        self._close()
        kept = [p for p in self.projects if p.indicators or p.code]
        for index, project in enumerate(kept, start=1):
            project.index = index
        return kept

    # -- paragraphs --------------------------------------------------------------------

    def _paragraph(self, paragraph: Paragraph) -> None:
        text = clean_cell(paragraph.text)
        if self.in_block:
            self.money_unit = None  # a 单位 line holds for the tables after it, up to a block's end
        self.in_block = False
        self._unit_line([text])
        if self.header_state == "below" and self.current is not None and "goal" in self.below.values():
            self._goal([text])  # a goal printed below its label row, outside the table
            self._locate("goal", paragraph.location)
            self.header_state, self.below = None, {}
            return
        headings = lexicon.table(_LABELS)["headings"]
        title = self._heading(text)
        if title is not None:
            department = re.search(headings["department"], title) is not None
            self._start(title, "department" if department else "project", paragraph.location)
            self.department_title = None
        elif re.search(headings["department"], text):
            self.department_title = _ENUMERATOR.sub("", text).removesuffix("：").removesuffix(":")
            self.department_title = self.department_title.removesuffix("如下表")
            self.department_title_at = paragraph.location
        elif self._table_title(text, paragraph.location):
            pass
        elif self.current is not None and self.current.indicators:
            self._explanation(text)
        self.previous_paragraph, self.previous_paragraph_at = text, paragraph.location

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

    def _table_title(self, text: str, at: Location) -> bool:
        """A title such as "…项目绩效目标设定" names the project of the table that follows."""
        found = lexicon.pattern(_LABELS, "headings", "table_title").match(re.sub(r"\s+", "", text))
        if not found or lexicon.pattern(_LABELS, "headings", "generic_title").match(found["title"]):
            return False
        self.table_title, self.table_title_at = found["title"], at
        return True

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

    def _unit_line(self, texts: list[str | None]) -> None:
        unit_line = lexicon.pattern("templates.toml", "money", "unit_line")
        if not unit_line.search("\x00".join(text or "" for text in texts)):
            return  # no cell has one: one search (the pattern has no anchors, so a cell's match is the row's)
        for text in texts:
            found = unit_line.search(text or "")
            if found:
                self.money_unit = found["unit"]

    # -- rows --------------------------------------------------------------------------

    def _row(self, row: Row) -> None:
        texts = [None if cell is None else clean_cell(cell) for cell in row.cells]
        if row.table != self.last_table and not self.bridged:
            self.after_break = self.in_block  # a table continued on a new page
            self.skipping = False
        self.last_table, self.bridged = row.table, False
        if not self.in_block:
            self._unit_line(texts)
        header = map_columns(texts, self.templates)
        if header is not None:
            self._indicator_header(header, row.location)
            return
        if self.skipping:
            return
        if self.in_block and self.columns is not None and self.rows_in_block == 0 \
                and self.columns.refine(texts, self.templates):
            self._record_columns()
            return
        filled = [text for text in texts if text]
        if len(filled) == 1 and self._table_title(filled[0], _cell_at(row.location, texts.index(filled[0]))):
            return
        places = {self.templates.label(text) for text in filled} if not self.in_block or \
            len(filled) < 4 else set()  # an indicator row holds no 项目编码 label
        if "code" in places or (not self.in_block and "name" in places):
            if self.current is None or self.current.code or self.current.indicators:
                self._start("", "project", row.location)
            self._header_row(texts, row.location)
        elif self.current is None and self.department_title is None and \
                (self.table_title or "goal" in places) and places - {None, "none", "unit_name"}:
            self._start("", "project", row.location)  # a header block that prints no name
            self._header_row(texts, row.location)
        elif self.in_block:
            self.rows_in_block += 1
            self._indicator(*self._aligned(texts, row), row.location)
        elif self.current is not None and not self.current.indicators:
            self._header_row(texts, row.location)

    def _start(self, title: str, kind: str, location: Location, title_at: Location | None = None) -> None:
        """Open a project; `title_at` is where its title was printed (default `location`,
        a heading)."""
        self._close()
        if self.current is not None and self.current.indicators:
            self.money_unit = None
        self.current = Project(index=len(self.projects) + 1, kind=kind,
                               title=title or self.table_title or "", location=location)
        self.projects.append(self.current)
        self.cell_ranks = {}
        if title or self.table_title:
            self._locate("name", (title_at or location) if title else self.table_title_at)
        self.table_title = None
        self.in_block = self.after_break = False
        self.columns = None
        self.explanation = None
        self.header_state = None
        self.below = {}
        self.goal_parts = []
        self.levels, self.level_cells = ("", ""), (None, None)
        self.label_unit = None
        self.parts = {}
        self.long_goal = None

    def _close(self) -> None:
        """Finish the current project: summed money parts, the long-term goal as a last resort."""
        project = self.current
        if project is None:
            return
        if project.fiscal_wan is None and self.parts.get("fiscal_parts"):
            project.fiscal_wan = round(sum(self.parts["fiscal_parts"]), 6)
        if self.parts.get("other_wan"):
            project.other_wan = round(sum(self.parts["other_wan"]), 6)
        if project.budget_wan is None and project.fiscal_wan is not None and project.other_wan is not None:
            project.budget_wan = round(project.fiscal_wan + project.other_wan, 6)  # printed parts
        project.goal = project.goal or self.long_goal
        if project.column_map and not project.indicators:
            self.warnings.append(messages.text("warnings", "no_rows", where=_where(project.location)))
        if len(project.indicators) >= 3 and not any(i.value for i in project.indicators):
            value_header = next((entry["header"] for entry in project.column_map
                                 if entry["field"] == "value"), "?")
            title = f"「{project.title}」" if project.title else ""
            self.warnings.append(messages.text("warnings", "empty_values", where=_where(project.location),
                                               title=title, header=value_header))
        self.parts = {}

    def _locate(self, name: str, at: Location | None, is_value: bool = True) -> None:
        """Record the cell of a header field (or of a label standing for it) when it holds
        the field more surely than the one recorded; of equals, the first printed stays."""
        if name not in _CELL_OF or at is None or self.current is None:
            return
        key, stand_in = _CELL_OF[name]
        rank = _rank(stand_in, is_value)
        if rank < self.cell_ranks.get(key, len(_CELL_OF)):
            self.cell_ranks[key] = rank
            self.current.cells[key] = at

    def _indicator_header(self, header: ColumnMap, location: Location) -> None:
        if not header.readable:
            missing = messages.text("warnings", "name_column" if "name" not in header.fields else "value_column")
            printed = " | ".join(header.headers.values())
            self.warnings.append(messages.text("warnings", "no_column", where=_where(location),
                                               missing=missing, headers=printed))
            self.in_block, self.skipping, self.columns = False, True, None
            return
        wide = "name" in header.project
        if self.current is None and not wide:
            kind = "department" if self.department_title is not None else "project"
            title, title_at = next(((text, at) for text, at in (
                (self.department_title, self.department_title_at),
                (self.table_title, self.table_title_at)) if text),
                (_ENUMERATOR.sub("", self.previous_paragraph), self.previous_paragraph_at))
            self._start(title, kind, location, title_at)
        self.after_break = bool(self.current and self.current.indicators and not wide)
        self.columns = header
        self.in_block = True
        self.rows_in_block = 0
        self.header_state = None
        self._record_columns()

    def _record_columns(self) -> None:
        if self.current is not None and self.columns is not None:
            self.current.column_map = self.columns.record()
            self.current.columns = [entry["header"] for entry in self.current.column_map
                                    if entry["field"] != "block"]

    # -- header block ------------------------------------------------------------------

    def _header_row(self, texts: list[str | None], location: Location) -> None:
        assert self.current is not None
        labels = [lexicon.normalize_label(text) if text else "" for text in texts]
        rows = lexicon.table(_LABELS)["header_rows"]
        month = lexicon.pattern(_LABELS, "header_rows", "spending_month")
        continues_above = not labels[0] if labels else False
        if labels and any(labels[0].startswith(label) for label in rows["spending_labels"]):
            self.spending_columns = {i: label for i, label in enumerate(labels) if month.match(label)}
            for label in self.spending_columns.values():
                self.current.spending_plan.setdefault(label, None)
            first_month = min(self.spending_columns, default=None)  # the plan's first entry
            self._locate("spending_plan", _cell_at(location, first_month if first_month is not None else 0),
                         is_value=first_month is not None)
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
            self._locate("spending_plan", _cell_at(location, 0))
            return
        if continues_above and self.header_state == "purpose":
            self.current.purpose = " ".join(text for text in texts if text) or None
            first = next((index for index, text in enumerate(texts) if text), None)
            self._locate("purpose", _cell_at(location, first) if first is not None else None)
            self.header_state = None
            return
        if continues_above and self.header_state == "goal":
            self._goal(texts[1:])
            return
        if self.header_state == "below":
            self._below(texts, continues_above, location)  # then the row's own labels, if it has any
        self.header_state = "purpose" if labels and labels[0] in rows["purpose_row_labels"] else None
        self._labelled_cells(texts, location)

    def _labelled_cells(self, texts: list[str | None], location: Location) -> None:
        """Assign "label | value" pairs: a label's value is the filled cells after it, up to
        the next label; labels with no value whose row holds only labels take theirs from
        the next row (总体目标 | 年度目标 over the goal text)."""
        filled = [(index, text, self.templates.label(text)) for index, text in enumerate(texts) if text]
        pairs = [(index, pair) for index, text, _ in filled for pair in self._inline_pairs(text)]
        if pairs:
            for index, (label, amount) in pairs:
                self._field(self.templates.label(label) or "none", label, [amount], _cell_at(location, index))
            return
        waiting: dict[int, str] = {}
        for position, (index, text, name) in enumerate(filled):
            if name is None:
                continue
            self._locate(name, _cell_at(location, index), is_value=False)
            unit = money_unit(text)[1]
            if unit:
                self.label_unit = unit
            values, first = [], None
            for other_index, other, other_name in filled[position + 1:]:
                if other_name is not None:
                    break
                values.append(other)
                first = other_index if first is None else first
            if values:
                self._field(name, text, values, _cell_at(location, first))
            elif name != "none" or len(filled) > 1:
                waiting[index] = name
        if len(waiting) >= 2 and all(name is not None for _, _, name in filled):
            self.below = {index: name for index, name in waiting.items() if name != "none"}
            self.header_state = "below" if self.below else None

    def _below(self, texts: list[str | None], continues_above: bool, location: Location) -> None:
        """Values under a row of labels: by column (cells that are no labels themselves),
        or, in a text export that dropped the merged cells, the row's cells for the last
        labels in order."""
        below, self.header_state, self.below = self.below, None, {}
        filled = [(index, text) for index, text in enumerate(texts)
                  if text and self.templates.label(text) is None]
        if continues_above:
            values = {index: text for index, text in filled if index in below}
        elif len(filled) == sum(1 for text in texts if text):  # no labels in the row
            values = dict(zip(list(below)[-len(filled):], (text for _, text in filled)))
        else:
            values = {}
        for index, value in values.items():
            self._field(below[index], "", [value], _cell_at(location, index))

    def _inline_pairs(self, text: str) -> list[tuple[str, str]]:
        if ":" not in text and "：" not in text:
            return []  # most cells: no pair can match
        pairs = [(m["label"].strip(), m["amount"]) for m in _INLINE_PAIR.finditer(text)]
        known = [pair for pair in pairs if self.templates.label(pair[0]) not in (None, "none")]
        return pairs if len(known) >= 2 else []

    def _field(self, name: str, label: str, values: list[str], at: Location) -> None:
        """Store one header-block field of the current project, its value printed `at`."""
        assert self.current is not None
        project = self.current
        self._locate(name, at)
        value = values[0]
        if label and name not in _PROJECT_FIELDS:  # kept as printed: no field of the record holds it
            project.header.setdefault(label, " ".join(values))
        unit = money_unit(label)[1] or self.label_unit or self.money_unit or \
            lexicon.table("templates.toml")["money"]["default"]
        if name == "goal":
            self.goal_parts = []
            self._goal(values)
            self.header_state = "goal"
        elif name == "goal_longterm":
            self.long_goal = self.long_goal or " ".join(values)
        elif name == "code":
            project.code = clean_code(value) or None
        elif name == "name":
            project.title = value or project.title
        elif name == "purpose":
            project.purpose = value or None
        elif name == "unit_name":
            ranks = lexicon.table("templates.toml")["header"]["unit_name"]
            rank = next((i for i, known in enumerate(ranks) if fold(label).startswith(known)), len(ranks))
            if _UNIT_CODE.sub("", value):
                self.units.append((rank, _UNIT_CODE.sub("", value)))
        elif name in ("budget_wan", "fiscal_wan", "budget_and_fiscal_wan"):
            for target in ("budget_wan", "fiscal_wan") if name == "budget_and_fiscal_wan" else (name,):
                if getattr(project, target) is None:
                    setattr(project, target, money.header_amount(value, unit))
        elif name in ("fiscal_parts", "other_wan"):
            amount = money.header_amount(value, unit)
            if amount is not None:
                self.parts.setdefault(name, []).append(amount)

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

    def _aligned(self, texts: list[str | None], row: Row) -> tuple[list[str | None], list[int | None]]:
        """A text-export row that dropped its merged leading cells, put back on its columns:
        leading category labels go to the 一级 / 二级 columns, the other cells follow them.
        Also, per column, the row's own column its text came from (None: no cell of the row)."""
        assert self.columns is not None
        columns = self.columns
        same = list(texts), list[int | None](range(len(texts)))
        if len(texts) >= columns.width or row.may_be_split or None in texts or not texts[0]:
            return same
        level1, level2 = columns.fields.get("level1"), columns.fields.get("level2")
        levels = [column for column in (level1, level2) if column is not None]
        if not levels:
            return same
        aligned: list[str | None] = [""] * columns.width
        origin: list[int | None] = [None] * columns.width
        cells = list(enumerate(texts))
        role = _category(cells[0][1])
        if role is not None and level1 is not None:
            followed = len(cells) > 1 and _category(cells[1][1]) is not None
            if role == "level1" or (role == "either" and followed) or level2 is None:
                origin[level1], aligned[level1] = cells.pop(0)
                role = _category(cells[0][1]) if cells else None
        if role is not None and level2 is not None and cells:
            origin[level2], aligned[level2] = cells.pop(0)
        start = max(levels) + 1
        for offset, (column, text) in enumerate(cells):
            if start + offset < columns.width:
                origin[start + offset], aligned[start + offset] = column, text
        return aligned, origin

    def _places(self, texts: list[str | None], origin: list[int | None],
                location: Location) -> dict[str, Location]:
        """Where each field of an indicator row was printed in the row (its grid column)."""
        assert self.columns is not None
        columns = {**self.columns.fields, "value": self._value_column(texts)}
        return {name: _cell_at(location, origin[column]) for name, column in columns.items()
                if name in INDICATOR_FIELDS and column is not None and column < len(origin)
                and origin[column] is not None}

    def _indicator(self, texts: list[str | None], origin: list[int | None], location: Location) -> None:
        assert self.columns is not None
        if not any(texts):
            return
        columns = self.columns
        first_cell = next((text for text in texts if text), "")
        if lexicon.pattern(_LABELS, "headings", "block_end").search(first_cell):
            self.in_block = False  # review and signature lines after the indicators
            return
        if "name" in columns.project and not self._wide_project(texts, location):
            return
        filled = [text for text in texts if text]
        if len(filled) == 1 and not {"level1", "level2"} & set(columns.fields) and (role := _category(filled[0])):
            # a table with no category columns prints a category as a line of its own
            line = _cell_at(location, origin[texts.index(filled[0])])
            if role != "level2":
                self.levels, self.level_cells = (filled[0], ""), (line, None)
            else:
                self.levels, self.level_cells = (self.levels[0], filled[0]), (self.level_cells[0], line)
            return
        assert self.current is not None
        cells = {name: self._cell(texts, name) for name in ("level1", "level2", "name", "description", "basis")}
        cells["value"] = self._value(texts)
        places = self._places(texts, origin, location)
        previous = self.current.indicators[-1] if self.current.indicators else None
        if not any(cells[name] for name in _CONTENT_FIELDS):
            # a printed blank row for an unused category: no indicator, but it sets the 一级
            self._levels(cells, places)
            return
        if self.after_break and previous is not None and self._is_fragment(cells):
            for name in ("level2", *_CONTENT_FIELDS):
                setattr(previous, name, _join(getattr(previous, name), cells[name]))
            previous.parsed = parse_value(previous.value)
            self.after_break = False
            return
        self.after_break = False
        level1, level2 = self._levels(cells, places)
        self.current.indicators.append(Indicator(
            level1=level1, level2=level2, name=cells["name"], description=cells["description"],
            value=cells["value"], basis=cells["basis"], parsed=parse_value(cells["value"]),
            location=location, extra=self._extra(texts), cells=places,
        ))

    def _levels(self, cells: dict[str, str], places: dict[str, Location]) -> tuple[str, str]:
        """一级 / 二级 of a row: blank cells inherit from the row above (merged cells), and
        so does where they were printed (`places` is updated)."""
        above1, above2 = self.levels
        at1, at2 = self.level_cells
        inherits1 = not cells["level1"] and bool(above1)
        inherits2 = not cells["level2"] and not cells["level1"] and bool(above2)
        level1 = cells["level1"] or above1
        level2 = cells["level2"] or (above2 if not cells["level1"] else "")
        for name, inherits, above in (("level1", inherits1, at1), ("level2", inherits2, at2)):
            if inherits and above is not None:
                places[name] = above
            elif inherits:
                places.pop(name, None)
        self.levels = (level1, level2)
        self.level_cells = (places.get("level1"), places.get("level2"))
        return level1, level2

    def _wide_project(self, texts: list[str | None], location: Location) -> bool:
        """In a wide table, a new name in the project column starts a project (its budget and
        goal in the cells beside it); False for rows before the first project (a
        department's total line)."""
        assert self.columns is not None
        project_columns = self.columns.project
        title = self._cell(texts, "name", project_columns)
        if title and (self.current is None or title != self.current.title):
            columns = self.columns
            self._start(title, "project", location, _cell_at(location, project_columns["name"]))
            self.columns, self.in_block = columns, True
            self._record_columns()
            for name, column in project_columns.items():
                if name != "name" and column < len(texts) and texts[column]:
                    self._field(name, columns.headers.get(column, ""), [texts[column] or ""],
                                _cell_at(location, column))
            for column in columns.project_extra:
                if column < len(texts) and texts[column]:
                    self.current.header[columns.headers[column]] = texts[column] or ""
            self.header_state = None
        return self.current is not None

    def _cell(self, texts: list[str | None], name: str, fields: dict[str, int] | None = None) -> str:
        assert self.columns is not None
        index = (self.columns.fields if fields is None else fields).get(name)
        if index is None or index >= len(texts):
            return ""
        return texts[index] or ""

    def _value(self, texts: list[str | None]) -> str:
        """指标值 as printed; a value split over cells is joined (">=" "95" "%" -> ">=95%",
        "大于等于" "98" "%" -> "大于等于98%")."""
        assert self.columns is not None
        sign = self._cell(texts, "sign")
        if sign in lexicon.table("templates.toml")["columns_text_sign"]["words"]:
            sign = ""
        if not sign:
            sign = next((texts[index] or "" for index in self.columns.signs
                         if index < len(texts) and is_operator(texts[index])), "")
        number = self._cell(texts, "value") or self._cell(texts, "number")
        unit = self._cell(texts, "unit")
        if unit and number.endswith(unit):
            unit = ""
        # a qualitative target printed in its own column (指标值内容) when there is no number
        return "".join(part for part in (sign, number, unit) if part) or self._cell(texts, "value_text")

    def _value_column(self, texts: list[str | None]) -> int | None:
        """The column of a value's main part, as `_value` joins them: the number (the value
        column), else the unit, else the sign, else the text column; the value's (empty)
        column when none holds text."""
        assert self.columns is not None
        fields = self.columns.fields
        numbers = (fields.get("value"), fields.get("number"))
        signs = [fields.get("sign"), *(index for index in self.columns.signs
                                       if index < len(texts) and is_operator(texts[index]))]
        for column in (*numbers, fields.get("unit"), *signs, fields.get("value_text")):
            if column is not None and column < len(texts) and texts[column]:
                return column
        return next((column for column in numbers if column is not None), None)

    def _extra(self, texts: list[str | None]) -> dict[str, str]:
        """Cells of columns that map to no field, by their printed header."""
        assert self.columns is not None
        columns = self.columns
        indexes = [*columns.extra, *columns.alternatives,
                   *(index for index in columns.signs if index < len(texts) and not is_operator(texts[index]))]
        text_column = columns.fields.get("value_text")
        if text_column is not None and (self._cell(texts, "value") or self._cell(texts, "number")):
            indexes.append(text_column)  # beside a number, the text column is a note on it
        return {columns.headers.get(index, f"column {index + 1}"): texts[index] or ""
                for index in sorted(indexes) if index < len(texts) and texts[index]}

    def _is_fragment(self, cells: dict[str, str]) -> bool:
        """A row cut off by a page break: no 一级, no complete 二级, some content cell empty."""
        return (not cells["level1"]
                and (not cells["level2"] or _category(cells["level2"]) is None)
                and any(not cells[name] for name in _CONTENT_FIELDS))


def _where(location: Location) -> str:
    """Where a table is, as a reviewer finds it: its number, page, sheet or line."""
    if location.table is not None:
        if location.page:
            return messages.text("warnings", "table_page", table=location.table, page=location.page)
        return messages.text("warnings", "table", table=location.table)
    if location.sheet is not None:
        return messages.text("warnings", "sheet", sheet=location.sheet, row=location.row)
    if location.line:
        return messages.text("warnings", "line", line=location.line)
    return messages.text("warnings", "somewhere")


@dataclass(frozen=True)
class _Front:
    """The first items of a document, where titles, years and units stand."""

    paragraphs: list[str]
    cells: list[str]
    title: re.Match[str] | None  # the Hebei title line: "…人力资源和社会保障局 2023 年部门预算…"

    @classmethod
    def of(cls, items: list[Item]) -> _Front:
        paragraphs = [clean_cell(item.text) for item in items[:400] if isinstance(item, Paragraph)]
        cells = [clean_cell(cell) for item in items[:400] if isinstance(item, Row)
                 for cell in item.cells if cell]
        title_year = lexicon.table(_LABELS)["headings"]["title_year"]
        return cls(paragraphs, cells, re.search(title_year, re.sub(r"\s+", "", "".join(paragraphs[:6]))))


def _year(front: _Front, projects: list[Project]) -> int | None:
    """Budget year: the title page, a table title ("(2023年度)", "2024年项目绩效目标表"),
    预算年度, else the year in a Hebei project code."""
    headings = lexicon.table(_LABELS)["headings"]
    if front.title:
        return int(front.title["year"])
    paragraphs, cells = front.paragraphs, front.cells
    for text in paragraphs + cells:
        if stated := re.search(headings["budget_year"], text):
            return int(stated["year"])
    for text in paragraphs + cells[:200]:
        if printed := re.search(headings["table_year"], re.sub(r"\s+", "", text)):
            return int(printed["year"] or printed["title_year"])
    for project in projects:
        if project.code and (coded := re.match(headings["code_year"], project.code)):
            return 2000 + int(coded["year"])
    return None


def _unit_name(front: _Front, ranked: list[tuple[int, str]]) -> str | None:
    """The publishing unit: the Hebei title or unit line above the tables, else the
    best-ranked header-block label (填报单位, 预算单位, 单位名称, 主管部门 …)."""
    if front.title and front.title["unit"]:
        return front.title["unit"]
    unit_line = lexicon.table(_LABELS)["headings"]["unit_line"]
    for text in front.paragraphs + front.cells:
        if line := re.match(unit_line, text):
            return line["unit"]
    return min(ranked)[1] if ranked else None


def _walk(items: list[Item], templates: Templates | None) -> _Extractor:
    extractor = _Extractor(templates or shipped())
    for item in items:
        limits.tick()  # the document's time budget (kpiscore.limits) covers extraction too
        extractor.feed(item)
    extractor.projects = extractor.finish()
    return extractor


def extract(items: list[Item], source: str, layout: str, templates: Templates | None = None) -> Document:
    extractor = _walk(items, templates)
    front = _Front.of(items)
    return Document(source=source, format=layout, year=_year(front, extractor.projects),
                    unit_name=_unit_name(front, extractor.units),
                    projects=extractor.projects, warnings=extractor.warnings)
