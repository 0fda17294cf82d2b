"""What a rule is: a code, a category, a severity, documentation, and a check.

A rule's texts (title, what it flags, why, the fix shown with every finding, a bad and a
good example) are data, read by code from lexicons/rule_docs.toml; the rule modules hold
only the checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from kpiscore import lexicon
from kpiscore.findings import Finding, Severity
from kpiscore.model import Document, Indicator, Project


@dataclass(frozen=True)
class Example:
    """A real row or table from a seed: `text` as printed, `source` like "001#1 row 1"."""

    text: str
    source: str


_CATALOGUE = "rule_docs.toml"
_Text = TypeVar("_Text", str, Example)
Made = TypeVar("Made")


class _Catalogued(Generic[_Text]):
    """A rule's text from lexicons/rule_docs.toml, looked up by the rule's code on the class
    and on its instances alike (`rule.fix`, `TxtRule.title`)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type[Rule]) -> _Text:
        entry = lexicon.table(_CATALOGUE)[owner.code][self.name]
        return Example(**entry) if isinstance(entry, dict) else entry


def catalogue() -> dict[str, dict[str, Any]]:
    """Every rule's texts by code, as lexicons/rule_docs.toml holds them."""
    return lexicon.table(_CATALOGUE)


class Verdict(NamedTuple):
    """A check's message with the field it is about, for a rule whose field depends on the
    case (the empty cell, the cell holding the slogan); a plain message takes `Rule.field`."""

    message: str
    field: str


@dataclass
class Context:
    """What rules may look at beyond one row: the whole document and the thresholds."""

    document: Document
    params: dict[str, dict[str, Any]] = field(default_factory=lambda: lexicon.table("rules.toml"))
    _shared: dict[tuple, frozenset[str]] = field(default_factory=dict, repr=False)
    _per_project: dict[tuple, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def withheld(self) -> set[int]:
        """Projects whose every value is 涉密: reported, not scored (RULES.md CMP-06)."""
        secret = self.params["CMP-06"]["marker"]
        return {project.index for project in self.document.projects
                if project.indicators and all(secret in indicator.value
                                              for indicator in project.indicators)}

    def shared(self, words: Callable[[Project], frozenset[str]], share_key: str) -> frozenset[str]:
        """The words (of `words(project)`) that at least the share of the document's projects
        given by the parameter `share_key` ("CODE.key") have; none in a short document."""
        key = (words, share_key)
        if key not in self._shared:
            code, name = share_key.split(".")
            projects = list(self.projects())
            counts = Counter(word for project in projects for word in words(project))
            needed = max(3, self.params[code][name] * len(projects))
            self._shared[key] = frozenset(word for word, count in counts.items() if count >= needed)
        return self._shared[key]

    def per_project(self, function: Callable[[Project, Context], Made], project: Project) -> Made:
        """`function(project, context)`, worked out once per project of the document: what
        rules ask of a table for each of its rows."""
        key = (function, project.index)
        if key not in self._per_project:
            self._per_project[key] = function(project, self)
        return self._per_project[key]

    def projects(self) -> Iterator[Project]:
        """The projects rules judge: all but the withheld ones."""
        return (p for p in self.document.projects if p.index not in self.withheld)


class Rule:
    """One check. Subclasses set the class attributes and implement `findings`."""

    code: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[Severity]
    title = _Catalogued[str]()
    flags = _Catalogued[str]()  # what it flags
    why = _Catalogued[str]()  # why it matters: the official basis
    fix = _Catalogued[str]()  # how to fix it, shown with every finding
    bad = _Catalogued[Example]()
    good = _Catalogued[Example]()
    # the field (cell) its findings are about, when always the same; see Finding.field
    field: ClassVar[str | None] = None

    def param(self, context: Context, key: str) -> Any:
        return context.params[self.code][key]

    def findings(self, context: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, message: str | Verdict, project: Project, row: int | None = None,
                field: str | None = None) -> Finding:
        if isinstance(message, Verdict):
            message, field = message
        return Finding(self.code, self.category, self.severity, message, self.fix,
                       project.index, row, field=field or self.field)


class IndicatorRule(Rule):
    """A rule that looks at one row at a time (with its project and document around it)."""

    def check(self, indicator: Indicator, project: Project,
              context: Context) -> str | Verdict | None:
        """The message (with its field, when that depends on the case) when the row is
        flagged, else None."""
        raise NotImplementedError

    def findings(self, context: Context) -> Iterator[Finding]:
        for project in context.projects():
            for row, indicator in enumerate(project.indicators, start=1):
                message = self.check(indicator, project, context)
                if message:
                    yield self.finding(message, project, row)


class ProjectRule(Rule):
    """A rule that looks at a whole table."""

    def check(self, project: Project, context: Context) -> str | Verdict | None:
        raise NotImplementedError

    def findings(self, context: Context) -> Iterator[Finding]:
        for project in context.projects():
            message = self.check(project, context)
            if message:
                yield self.finding(message, project)


def clip(text: str, width: int = 24) -> str:
    """Quote a cell in a one-line message."""
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"
