"""Whether an indicator row is about what its project's money is for (TXT-10).

A text names programme areas (养老保险; parts of one, such as 养老金领取 within 养老保险;
kinds of spending: office running, payments to people) and populations (城乡居民, 企业).
Areas and populations are read separately, each longest word first: 城乡居民低保 names the
area 社会救助 (not 养老保险) and the population 城乡居民. Data: lexicons/relatedness.toml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from kpiscore import lexicon
from kpiscore.memo import per_document
from kpiscore.text import compact, may_occur


def _table() -> dict[str, Any]:
    return lexicon.table("relatedness.toml")


@cache
def _words(section: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each word of a section with the areas it names (公共服务平台 names two), longest first."""
    areas: dict[str, set[str]] = {}
    for area, words in _table()[section].items():
        for word in words:
            areas.setdefault(compact(word), set()).add(area)
    return tuple(sorted(((word, frozenset(named)) for word, named in areas.items()),
                        key=lambda pair: len(pair[0]), reverse=True))


@cache
def _areas_by_word(section: str) -> tuple[tuple[str, ...], dict[str, frozenset[str]]]:
    """The words of a section, longest first, and the areas each names."""
    pairs = _words(section)
    return tuple(word for word, _ in pairs), dict(pairs)


@per_document  # TXT-10 reads the same project header for each of its rows
def _named(text: str, section: str) -> frozenset[str]:
    folded, found = compact(text), set()
    words, areas = _areas_by_word(section)
    for word in may_occur(words, folded + "|"):  # replacing with "|" adds no other character
        if word in folded:
            found |= areas[word]
            folded = folded.replace(word, "|")
    return frozenset(found)


@cache
def _ancestors(area: str) -> tuple[str, ...]:
    """The areas `area` is part of, nearest first."""
    wider = {part: whole for whole, parts in _table()["parts"].items() for part in parts}
    chain: list[str] = []
    while area in wider:
        area = wider[area]
        chain.append(area)
    return tuple(chain)


@dataclass(frozen=True)
class Topics:
    """The programme areas and populations a text names."""

    areas: frozenset[str]
    populations: frozenset[str]

    @classmethod
    def of(cls, text: str, row: bool = False) -> Topics:
        """A row's topics leave out the areas that only describe projects (office running):
        a row about office running is generic, not another programme's."""
        return _topics(text, row)

    def __bool__(self) -> bool:
        return bool(self.areas or self.populations)


@per_document  # TXT-10 asks it of each row's project header
def _topics(text: str, row: bool) -> Topics:
    areas = _named(text, "areas")
    if row:
        areas -= _project_only()
    return Topics(areas, _named(text, "populations"))


@cache
def _project_only() -> frozenset[str]:
    return frozenset(_table()["project_only"])


def _other_part(whole: str, area: str, project: frozenset[str]) -> bool:
    """Whether the project names a part of `whole` off `area`'s own branch. (Only asked once
    the project names nothing within `area`, so parts of `area` need no exclusion.)"""
    branch = {area, *_ancestors(area)}
    return any(whole in _ancestors(other) and other not in branch for other in project)


def covered(area: str, project: frozenset[str]) -> bool:
    """Whether a project naming `project` covers a row about `area`: it names the area or a
    part of it, or a wider area without naming another part of that (a pension project
    covers retirees; a contribution subsidy, which names the contribution part, does not)."""
    if area in project or any(area in _ancestors(other) for other in project):
        return True
    return any(whole in project and not _other_part(whole, area, project) for whole in _ancestors(area))


def contradicted(area: str, project: frozenset[str]) -> bool:
    """Whether the project names another part of a wider area that `area` is part of: the
    retirees of a contribution subsidy."""
    return not covered(area, project) and any(_other_part(whole, area, project)
                                              for whole in _ancestors(area))


@dataclass(frozen=True)
class Mismatch:
    """What of a row its project does not cover, and why: "running" (payments or people paid as
    the output of money that runs a service), "part" (another part of the project's programme)
    or "area" (another programme or population)."""

    what: list[str]
    why: str


def foreign(row: Topics, project: Topics, outcome: bool) -> Mismatch | None:
    """What of the row its project does not cover; None when the row is related or cannot be
    judged. `outcome`: a 效益 or 满意度 row, also related when it names a population the
    project serves; an output must be in an area the money buys."""
    table = _table()
    if not outcome and project.areas & set(table["running"]):
        unpaid = sorted(area for area in row.areas & set(table["paid"]) if area not in project.areas)
        if unpaid:
            return Mismatch(unpaid, "running")
    contradictions = sorted(area for area in row.areas if contradicted(area, project.areas))
    if contradictions:
        return Mismatch(contradictions, "part")
    programmes, scope = row.areas - set(table["payments"]), project.areas - set(table["payments"])
    if programmes and scope:
        if any(covered(area, scope) for area in programmes) \
                or (outcome and row.populations & project.populations):
            return None
        return Mismatch(sorted(programmes), "area")
    if not programmes and row.populations and project.populations \
            and not row.populations & project.populations:
        return Mismatch(sorted(row.populations), "area")
    return None
