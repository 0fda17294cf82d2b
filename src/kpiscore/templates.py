"""Template profiles: which printed label names which field (lexicons/templates.toml).

Two lookups serve the extractor: `column` places an indicator column header (三级指标,
指标值及单位, 预期2022年实现值 …) and `label` a header-block label (项目支出名称, 年度资金总额,
本年度绩效目标 …). `map_columns` turns a whole header row into a `ColumnMap`, recording for
each printed header which field it was given and how (a known label, or inferred from its
words). A user's own profiles (kpiscore.toml `[templates.NAME]`, or `--template FILE`) are
merged in front of the shipped one, so their labels win.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kpiscore import lexicon, messages
from kpiscore.errors import InputError
from kpiscore.memo import nfkc, per_document

_FILE = "templates.toml"
# Leading enumerators of printed labels: "(一)", "1、", "一、", "（三）".
_ENUMERATOR = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+\s*[、.．])\s*")
_NOISE = re.compile(r"[\s:：*★]")
# A parenthesised part of a label or name: a note (指标值（含单位）), an annotation
# (产出指标(50分)), a unit it states (受益人数(人)); the group is what stands inside.
NOTE = re.compile(r"[(（]([^)）]*)[)）]")
# Data cells are long; a header is short. Inference only looks at short texts.
_LONGEST_HEADER = 24
# Fields of an indicator record; `sign`, `number`, `unit`, `sign_if_operator` and
# `value_text` are parts of the value, `basis_choice` is read into `basis`, `block` names no
# field.
COLUMN_FIELDS = ("level1", "level2", "name", "description", "value", "basis", "basis_choice",
                 "sign", "sign_if_operator", "number", "unit", "value_text", "block")
HEADER_FIELDS = ("code", "name", "budget_wan", "budget_and_fiscal_wan", "fiscal_wan", "fiscal_parts", "other_wan", "purpose",
                 "goal", "goal_longterm", "template", "unit_name", "none")
# Project fields a wide table prints as columns beside the indicator columns.
PROJECT_COLUMNS = ("name", "budget_wan", "budget_and_fiscal_wan", "fiscal_wan", "goal", "goal_longterm", "code", "unit_name",
                   "purpose")


def fold(text: str | None) -> str:
    """A printed label folded for comparison: NFKC, no spaces, colons, stars or enumerator."""
    folded = _NOISE.sub("", nfkc(text or ""))
    return _ENUMERATOR.sub("", folded)


def money_unit(label: str) -> tuple[str, str | None]:
    """("项目资金", "万元") for "项目资金(万元)": the label without its unit, and the unit."""
    folded = nfkc(label or "")
    found = lexicon.pattern(_FILE, "money", "label_unit").search(folded)
    if not found:
        return fold(label), None
    return fold(folded[:found.start()] + folded[found.end():]), found["unit"]


@dataclass(frozen=True, eq=False)  # hashed by identity: its lookups are memoised per document
class Templates:
    """The merged label tables of the shipped profile and any user profiles."""

    columns: dict[str, str]
    header: dict[str, str]
    inferred: tuple[tuple[str, re.Pattern[str]], ...]

    # every cell of a document is looked up, most of them several times: answers are kept
    # while the document is read (kept longer, they grew with every cell of a corpus)
    @per_document
    def column(self, text: str | None) -> tuple[str, str] | None:
        """(field, how) for an indicator column header; how is "label" or "inferred"."""
        folded = fold(text)
        if not folded or len(folded) > _LONGEST_HEADER:
            return None
        if folded in self.columns:
            return self.columns[folded], "label"
        bare = NOTE.sub("", folded)  # 指标值(数值), 三级指标(名称): a known header with a note
        if bare != folded and bare in self.columns:
            return self.columns[bare], "label"
        for name, pattern in self.inferred:
            if pattern.search(folded):
                return name, "inferred"
        return None

    @per_document
    def label(self, text: str | None) -> str | None:
        """The header field a header-block label names, "none" for a known label of no
        field, None for text that is no label. A label ending with a known one counts
        (年度本级预算金额 is a 预算金额)."""
        folded, _ = money_unit(text)
        if not folded or len(folded) > _LONGEST_HEADER:
            return None
        for candidate in dict.fromkeys((folded, NOTE.sub("", folded))):  # 项目名称(全称)
            for start in range(len(candidate) - 2):  # the whole label, then its longest known ending
                if candidate[start:] in self.header:
                    return self.header[candidate[start:]]
        return None


def _tables(profile: dict[str, Any], source: str) -> tuple[dict[str, str], dict[str, str]]:
    columns: dict[str, str] = {}
    header: dict[str, str] = {}
    for section, known, target in (("columns", COLUMN_FIELDS, columns),
                                   ("header", HEADER_FIELDS, header)):
        for name, labels in profile.get(section, {}).items():
            if name not in known:
                raise InputError(source, messages.text("errors", "template_unknown_field", section=section,
                                                       name=name, known="、".join(known)))
            if not (isinstance(labels, list) and all(isinstance(label, str) for label in labels)):
                raise InputError(source, messages.text("errors", "template_not_labels", section=section, name=name))
            for label in labels:
                folded = money_unit(label)[0] if section == "header" else fold(label)
                target.setdefault(folded, name)
    return columns, header


@cache
def shipped() -> Templates:
    data = lexicon.table(_FILE)
    columns, header = _tables(data, _FILE)
    inferred = tuple((name, re.compile(pattern)) for name, patterns in data["inferred"].items()
                     for pattern in patterns)
    return Templates(columns, header, inferred)


def with_profiles(profiles: dict[str, dict[str, Any]], source: str) -> Templates:
    """The shipped profile with user profiles in front (their labels win)."""
    base = shipped()
    columns: dict[str, str] = {}
    header: dict[str, str] = {}
    for name, profile in profiles.items():
        if not isinstance(profile, dict):
            raise InputError(source, messages.text("errors", "template_not_table", name=name))
        user_columns, user_header = _tables(profile, source)
        columns.update({k: v for k, v in user_columns.items() if k not in columns})
        header.update({k: v for k, v in user_header.items() if k not in header})
    return Templates({**base.columns, **columns}, {**base.header, **header}, base.inferred)


def read_profile_file(path: Path) -> dict[str, dict[str, Any]]:
    """A --template FILE: one profile (`[columns]` / `[header]`), or several (`[templates.X]`)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise InputError(str(path), messages.text("errors", "template_unreadable", reason=error.strerror or error)) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), messages.text("errors", "template_not_toml", detail=error)) from None
    return data["templates"] if "templates" in data else {path.stem: data}


@dataclass
class ColumnMap:
    """How one indicator header row maps columns to fields."""

    fields: dict[str, int]  # level1 … basis, sign, number, unit: one column each
    width: int
    headers: dict[int, str] = field(default_factory=dict)  # column -> header as printed
    signs: list[int] = field(default_factory=list)  # sign_if_operator columns
    alternatives: list[int] = field(default_factory=list)  # value columns not chosen
    extra: list[int] = field(default_factory=list)  # columns of no field, kept per indicator
    project: dict[str, int] = field(default_factory=dict)  # wide tables: project field -> column
    project_extra: list[int] = field(default_factory=list)  # wide tables: other project columns
    how: dict[int, str] = field(default_factory=dict)  # column -> "label" | "inferred"
    basis_is_choice: bool = False

    @property
    def readable(self) -> bool:
        """A name and a value column: enough to read indicators."""
        return "name" in self.fields and bool({"value", "number"} & set(self.fields))

    def record(self) -> list[dict[str, str]]:
        """Every printed header with the field it was given: a record field, a value part,
        `project.<field>` in a wide table, `extra` (kept per indicator) or `block` (none)."""
        placed = {column: name for name, column in self.fields.items()}
        if self.basis_is_choice and "basis" in self.fields:
            placed[self.fields["basis"]] = "basis_choice"
        placed.update({column: "sign_if_operator" for column in self.signs})
        placed.update({column: f"project.{name}" for name, column in self.project.items()})
        placed.update({column: "extra" for column in (*self.extra, *self.alternatives)})
        placed.update({column: "project.header" for column in self.project_extra})
        return [{"header": self.headers[column], "field": placed.get(column, "block"),
                 "how": self.how.get(column, "label")} for column in sorted(self.headers)]

    def refine(self, texts: list[str | None], templates: Templates) -> bool:
        """Apply a sub-header row (符号 / 值 / 单位, or 2021年实际实现值 / 预期2022年实现值)
        printed under a merged header cell; headers it does not know become extra columns.
        False when the row is no sub-header (fewer than two parts of a value named)."""
        value_index = self.fields.get("value", 0)
        if len(texts) < self.width and texts and texts[0] and None not in texts:
            # a text export dropped the empty cells left of the sub-header: put it back under 指标值
            texts = [""] * value_index + list(texts) + [""] * (self.width - value_index - 1)
        found = {index: templates.column(text) for index, text in enumerate(texts) if text}
        parts = {"sign", "number", "unit", "value", "sign_if_operator", "value_text"}
        known = [place[0] for place in found.values() if place is not None]
        if sum(1 for name in known if name in parts) < 2 or any(name not in parts for name in known):
            return False
        shift = len(texts) - self.width  # text exports print the sub-header cells inline
        if shift > 0:
            moved = lambda index: index + shift if index > value_index else index  # noqa: E731
            self.fields = {name: moved(index) for name, index in self.fields.items()}
            self.headers = {moved(index): text for index, text in self.headers.items()}
            self.extra = [moved(index) for index in self.extra]
            self.width = len(texts)
        values: list[int] = []
        for index, place in found.items():
            self.headers[index] = texts[index] or ""
            if place is None:
                self.extra.append(index)
            else:
                self._place(index, *place, values)
        if values:
            self._choose_value(values)
        elif {"sign", "number"} & set(self.fields):
            self.fields.pop("value", None)
        return True

    def _place(self, index: int, name: str, how: str, values: list[int]) -> None:
        """Give column `index` its field: value columns are gathered into `values` (one is
        chosen later), a second column of a field is kept as extra."""
        self.how[index] = how
        if name == "block":
            return
        if name == "value":
            values.append(index)
        elif name == "sign_if_operator":
            self.signs.append(index)
        elif name == "basis_choice" and "basis" not in self.fields:
            self.fields["basis"] = index
            self.basis_is_choice = True
        elif name in self.fields or name == "basis_choice":
            self.extra.append(index)
        else:
            self.fields[name] = index

    def _choose_value(self, candidates: list[int]) -> None:
        chosen = best_value(candidates, self.headers)
        self.fields["value"] = chosen
        self.alternatives = [index for index in candidates if index != chosen]


def _value_rank(index: int, headers: dict[int, str]) -> int:
    """How surely a value header names this year's target: 2 (年度, 预期 …), 1, 0 (实际, 中期 …)."""
    choice = lexicon.table(_FILE)["value_choice"]
    text = fold(headers.get(index, ""))
    return (0 if re.search(choice["avoid"], text) else 1) + (1 if re.search(choice["prefer"], text) else 0)


def best_value(candidates: list[int], headers: dict[int, str]) -> int:
    """The annual target among value columns side by side (`[value_choice]`; the first of ties)."""
    return max(candidates, key=lambda index: (_value_rank(index, headers), -index))


def _other_group(places: dict[int, tuple[str, str]], headers: dict[int, str]) -> list[int]:
    """Columns of the group not read when a header prints two groups side by side (东莞:
    二级 | 三级 | 指标值 for the medium term, then the same for the year): the annual group is
    the one whose value header says so (`[value_choice]`), else the later one, as forms put
    中期 before 年度."""
    fields = {index: name for index, (name, _) in places.items()}
    named = sorted(index for index, name in fields.items() if name == "name")
    if len(named) < 2:
        return []
    level2 = sorted(index for index, name in fields.items() if name == "level2")
    boundary = max([index for index in level2 if named[0] < index <= named[1]] or [named[1]])
    first_start = min(level2[:1] + named[:1])
    first = [index for index in fields if first_start <= index < boundary]
    second = [index for index in fields if index >= boundary]
    values = [[index for index in group if fields[index] == "value"] for group in (first, second)]
    if not all(values):
        return []
    best = [max(_value_rank(index, headers) for index in group) for group in values]
    return first if best[1] >= best[0] else second


def map_columns(texts: list[str | None], templates: Templates) -> ColumnMap | None:
    """The column map of an indicator header row; None when the row is no such header.

    A row is a header when it places a 三级 name together with a value or a level column,
    or both level columns (一级 and 二级), by label or by inference. A header without a
    name or a value column is still returned (`readable` is False) so that the table is
    reported instead of read with empty fields."""
    if sum(1 for text in texts if text and templates.column(text)) < 2:
        return None  # most rows: data, not headers
    columns = ColumnMap({}, len(texts))
    places: dict[int, tuple[str, str]] = {}
    deferred: dict[int, tuple[str, str]] = {}  # project columns, in case this is no wide table
    for index, text in enumerate(texts):
        if not text:
            continue
        columns.headers[index] = text
        place = templates.column(text)
        project_field = templates.label(text) if place is None or place[1] == "inferred" else None
        if project_field in PROJECT_COLUMNS and project_field not in columns.project:
            columns.project[project_field] = index  # 项目名称 | 预算数 | 年度目标 | 一级指标 …
            if place is not None:
                deferred[index] = place
        elif place is None:
            columns.extra.append(index)
        else:
            places[index] = place
    if "name" not in columns.project:  # no wide table: project-like headers are what they infer
        places.update(deferred)
        columns.extra.extend(column for column in columns.project.values() if column not in places)
        columns.project = {}
    for index in _other_group(places, columns.headers):
        del places[index]
        columns.extra.append(index)
    values: list[int] = []
    for index, place in sorted(places.items()):
        columns._place(index, *place, values)
    columns.extra.sort()
    if columns.project and columns.fields:  # columns left of the indicators describe the project
        first = min(columns.fields.values())
        columns.project_extra = [column for column in columns.extra if column < first]
        columns.extra = [column for column in columns.extra if column > first]
    if values:
        columns._choose_value(values)
    placed = set(columns.fields)
    is_header = ("name" in placed and bool({"value", "number", "level1", "level2"} & placed)) or \
        {"level1", "level2"} <= placed
    if not is_header or len(placed) < 2:
        return None
    return columns

