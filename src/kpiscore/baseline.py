"""A previous review to compare a revised draft with (`check --baseline review.json`).

A finding of the new review is *new*, or *open* when the previous review had it too, or
*accepted* when the reviewer marked it `"accepted": true` in the previous review's JSON
(it is then no longer listed). Findings are matched by project, indicator row and rule —
the project by its title (its code, else its number, when it has none) and the row by its
三级指标 name (its number when unnamed) — not by where they were printed, so an inserted
row or a re-paginated document does not turn old findings into new ones.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpiscore.errors import InputError
from kpiscore.findings import Finding
from kpiscore.model import Document

NEW, OPEN, ACCEPTED = "new", "open", "accepted"
Key = tuple[str, str, str]


def _compact(text: str | None) -> str:
    return "".join((text or "").split())


def _project_key(title: str | None, code: str | None, index: int) -> str:
    return _compact(title) or _compact(code) or f"#{index}"


def _row_key(name: str | None, row: int | None) -> str:
    if row is None:
        return ""
    return _compact(name) or f"#{row}"


@dataclass
class Comparison:
    """The baseline status of each finding of one review, and what was fixed."""

    source: str  # the previous review's file name
    status: dict[Finding, str] = field(default_factory=dict)
    fixed: int = 0

    def count(self, status: str) -> int:
        return sum(1 for value in self.status.values() if value == status)

    def listed(self, findings: list[Finding]) -> list[Finding]:
        """The findings still to show: all but the accepted ones."""
        return [f for f in findings if self.status.get(f) != ACCEPTED]


@dataclass
class Baseline:
    source: Path
    # per document name: every finding's key, how often, and the keys marked accepted
    documents: dict[str, tuple[Counter[Key], set[Key]]]

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read the JSON of `kpiscore check --format json` (one document or a list)."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8-sig"))
        except OSError as error:
            raise InputError(str(path), f"无法读取上次审查结果：{error.strerror or error}") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError(str(path), "上次审查结果不是 kpiscore check --format json 输出的 JSON") from None
        entries = payload if isinstance(payload, list) else [payload]
        try:
            documents = {_name(entry["source"]): _keys(entry) for entry in entries}
        except (KeyError, TypeError, AttributeError):
            raise InputError(str(path), "上次审查结果缺少 projects / findings（应为 check --format json 的输出）") from None
        return cls(path, documents)

    def compare(self, document: Document, findings: list[Finding]) -> Comparison:
        """The status of each finding. A document is matched by file name; a baseline of
        one document matches any (a revised draft is often renamed)."""
        known = self.documents.get(document.name)
        if known is None and len(self.documents) == 1:
            known = next(iter(self.documents.values()))
        seen, accepted = known if known else (Counter(), set())
        remaining = Counter(seen)
        projects = {p.index: p for p in document.projects}
        comparison = Comparison(self.source.name)
        for finding in findings:
            project = projects[finding.project]
            name = project.indicators[finding.row - 1].name if finding.row else None
            key = (_project_key(project.title, project.code, project.index),
                   _row_key(name, finding.row), finding.rule)
            if remaining[key] > 0:
                remaining[key] -= 1
                comparison.status[finding] = ACCEPTED if key in accepted else OPEN
            else:
                comparison.status[finding] = NEW
        comparison.fixed = sum(remaining.values())
        return comparison


def _name(source: str) -> str:
    return Document(source=source, format="").name


def _keys(entry: dict[str, Any]) -> tuple[Counter[Key], set[Key]]:
    keys: Counter[Key] = Counter()
    accepted: set[Key] = set()
    for number, project in enumerate(entry["projects"], start=1):
        where = _project_key(project.get("title"), project.get("code"), project.get("index", number))
        rows = [(None, None, project.get("findings", []))]
        rows += [(row, indicator.get("name"), indicator.get("findings", []))
                 for row, indicator in enumerate(project.get("indicators", []), start=1)]
        for row, name, findings in rows:
            for finding in findings:
                key = (where, _row_key(name, row), finding["rule"])
                keys[key] += 1
                if finding.get("accepted") is True:
                    accepted.add(key)
    return keys, accepted
