"""The bounds one input document must keep (lexicons/limits.toml, overridable in the
settings' [limits] table), and the wall-clock budget of the document being read.

Readers ask `active()` for the limits in force and call `exceed(...)` when a size is over
one; loops that may run long call `tick()`. Both refer to the document that
`reading(source, limits)` opened, so a limit message always names the file. The budget is
a deadline checked in the loops rather than a signal: portable (Windows has no SIGALRM)
and safe in threads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import Any

from kpiscore import lexicon
from kpiscore.errors import InputError

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    file_mb: float
    text_mb: float
    zip_total_mb: float
    zip_member_mb: float
    zip_members: int
    rows: int
    columns: int
    pdf_pages: int
    cell_chars: int
    tables: int
    seconds: float

    @classmethod
    def default(cls) -> Limits:
        return cls(**lexicon.table("limits.toml")["defaults"])

    def overridden(self, settings: Mapping[str, Any], source: str) -> Limits:
        """These limits with the user's [limits] table applied; InputError naming `source`
        for an unknown key or a value that is not a positive number."""
        known = {field.name for field in fields(self)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise InputError(source, _message("unknown_setting", keys=unknown, known=sorted(known)))
        for key, value in settings.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InputError(source, _message("bad_setting", key=key))
        return replace(self, **settings)


def _message(name: str, **values: Any) -> str:
    return lexicon.table("limits.toml")["messages"][name].format(**values)


@dataclass(frozen=True)
class _Reading:
    source: str
    limits: Limits
    deadline: float  # time.monotonic() past which the document is refused


_current: ContextVar[_Reading | None] = ContextVar("kpiscore_reading", default=None)


@contextmanager
def reading(source: str, limits: Limits | None = None) -> Iterator[Limits]:
    """Read `source` under `limits` (default: the shipped ones), its clock started now."""
    limits = limits or Limits.default()
    token = _current.set(_Reading(source, limits, time.monotonic() + limits.seconds))
    try:
        yield limits
    finally:
        _current.reset(token)


def _reading() -> _Reading:
    current = _current.get()
    if current is None:  # a reader called on its own, outside kpiscore.parse
        current = _Reading("", Limits.default(), float("inf"))
    return current


def active() -> Limits:
    return _reading().limits


def exceed(key: str, value: float, where: str = "") -> InputError:
    """The error for `value` over the limit `key` (raise it); `where` says what holds it:
    a sheet, a table, a zip member."""
    current = _reading()
    table = lexicon.table("limits.toml")
    what = f"{where} {table['names'][key]}" if where else table["names"][key]
    return InputError(current.source, _message("too_large", what=what, value=_figure(value),
                                               unit=table["units"][key],
                                               limit=_figure(getattr(current.limits, key)), key=key))


def check(key: str, value: float, where: object = "") -> None:
    """Raise InputError when `value` is over the limit `key`. `where` is made a string
    only then: a Location's text costs more than the comparison, once per cell."""
    if value > getattr(active(), key):
        raise exceed(key, value, str(where))


def check_bytes(key: str, size: int, where: str = "") -> None:
    """As `check`, for a size in bytes against a limit in MB."""
    if size > getattr(active(), key) * MB:
        raise exceed(key, size / MB, where)


def tick() -> None:
    """Raise InputError when the document's time budget is spent."""
    current = _reading()
    if time.monotonic() > current.deadline:
        raise InputError(current.source, _message("too_slow", limit=_figure(current.limits.seconds)))


def _figure(value: float) -> str:
    return f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
