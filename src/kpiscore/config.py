"""Settings for `kpiscore check` from `[tool.kpiscore]` in pyproject.toml or from
kpiscore.toml, found in the working directory or the nearest parent that has one.

    [tool.kpiscore]
    select = ["VAGUE_VALUE", "TXT"]   # rule codes, code prefixes or categories
    ignore = ["TXT-02"]
    severity = "medium"               # exit 1 only for findings at or above this
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kpiscore.errors import InputError

KEYS = {"select", "ignore", "severity"}


@dataclass
class Settings:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: str = "low"
    source: Path | None = None


def _section(path: Path) -> dict | None:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), f"not valid TOML: {error}") from None
    return data if path.name == "kpiscore.toml" else data.get("tool", {}).get("kpiscore")


def load(start: Path | None = None) -> Settings:
    """The first kpiscore.toml, or pyproject.toml with [tool.kpiscore], from `start` upwards."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        for name in ("kpiscore.toml", "pyproject.toml"):
            path = folder / name
            section = _section(path) if path.is_file() else None
            if section is None:
                continue
            unknown = set(section) - KEYS
            if unknown:
                raise InputError(str(path), f"unknown kpiscore settings {sorted(unknown)} "
                                            f"(known: {sorted(KEYS)})")
            return Settings(**section, source=path)
    return Settings()
