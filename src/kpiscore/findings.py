"""A finding: one thing wrong with an indicator row or a project table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Any

from kpiscore import lexicon

# What a finding may be about (Finding.field): a column of an indicator row (一级指标 二级指标
# 三级指标 绩效指标描述 指标值 指标值确定依据), or a line of a table's header (项目名称 项目编码
# 预算数 资金用途 资金支出计划 绩效目标).
ROW_FIELDS = ("level1", "level2", "name", "description", "value", "basis")
TABLE_FIELDS = ("title", "code", "budget_wan", "purpose", "spending_plan", "goal")


class Severity(IntEnum):
    """H / M / L of RULES.md: the row is wrong, weak, or worth a note."""

    low = 1
    medium = 2
    high = 3

    @property
    def label(self) -> str:
        """The severity as printed: 高 / 中 / 低."""
        from kpiscore.messages import text

        return text("severity", self.name)


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    message: str
    suggestion: str
    project: int
    row: int | None = None  # 1-based indicator row; None for a project-level finding
    source: str = "rule"  # or "model"
    probability: float | None = None  # a model finding: P(category) for the row
    words: tuple[str, ...] = ()  # a model finding: what raised that probability most
    # the field the finding is about: an indicator column (level1 … basis) for a row
    # finding, a header line (title code budget_wan purpose spending_plan goal) for a table
    # finding; None lets the report's defaults (lexicons/report.toml) decide
    field: str | None = None

    def __post_init__(self) -> None:
        # a misspelt field would put the finding on the report's default cell unnoticed
        allowed = TABLE_FIELDS if self.row is None else ROW_FIELDS
        if self.field is not None and self.field not in allowed:
            raise ValueError(f"{self.rule}: a {'table' if self.row is None else 'row'} finding "
                             f"cannot be about {self.field!r} (one of {', '.join(allowed)})")

    def to_dict(self) -> dict[str, Any]:
        entry = {"rule": self.rule, "category": self.category, "severity": self.severity.name,
                 "message": self.message, "suggestion": self.suggestion, "source": self.source,
                 "field": self.field}
        if self.source == "model":
            entry |= {"probability": self.probability, "words": list(self.words)}
        return entry


def in_order(findings: Iterable[Finding]) -> list[Finding]:
    """Document order: by project, then row (project findings first), then rule code."""
    return sorted(findings, key=lambda f: (f.project, f.row or 0, f.rule))


@cache
def categories() -> dict[str, dict[str, str]]:
    """The 14 DOMAIN.md categories: name -> level, title, meaning (lexicons/categories.toml)."""
    return lexicon.table("categories.toml")


def category_names(level: str | None = None) -> list[str]:
    return [name for name, entry in categories().items() if level in (None, entry["level"])]
