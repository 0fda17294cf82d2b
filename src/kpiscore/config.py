"""Settings for `kpiscore check` from `[tool.kpiscore]` in pyproject.toml or from
kpiscore.toml, found in the working directory or the nearest parent that has one.

    [tool.kpiscore]
    select = ["VAGUE_VALUE", "TXT"]   # rule codes, code prefixes or categories
    ignore = ["TXT-02"]
    severity = "medium"               # exit 1 only for findings at or above this
    strict = true                     # exit 2 when a table could not be read

    [tool.kpiscore.templates.my_county]   # a template profile (lexicons/templates.toml shape)
    columns.value = ["本年预期值"]
    header.budget_wan = ["本年预算"]

    [tool.kpiscore.limits]                # bounds on one input (lexicons/limits.toml)
    pdf_pages = 3000
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kpiscore.errors import InputError
from kpiscore.findings import Severity
from kpiscore.limits import Limits
from kpiscore.messages import text

KEYS = {"select", "ignore", "severity", "strict", "templates", "limits"}
LEVELS = tuple(level.name for level in Severity)


@dataclass
class Settings:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: str = "low"
    strict: bool = False
    templates: dict = field(default_factory=dict)  # profile name -> {columns, header}
    limits: Limits = field(default_factory=Limits.default)
    source: Path | None = None


def _section(path: Path) -> dict | None:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), text("errors", "settings_not_toml", detail=error)) from None
    return data if path.name == "kpiscore.toml" else data.get("tool", {}).get("kpiscore")


def _check_types(section: dict, path: Path) -> None:
    for key in ("select", "ignore"):
        value = section.get(key, [])
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            raise InputError(str(path), text("errors", "settings_list", key=key))
    if section.get("severity", "low") not in LEVELS:
        raise InputError(str(path), text("errors", "settings_severity", levels=" / ".join(LEVELS)))
    if not isinstance(section.get("strict", False), bool):
        raise InputError(str(path), text("errors", "settings_strict"))
    if not isinstance(section.get("templates", {}), dict):
        raise InputError(str(path), text("errors", "settings_templates"))
    if not isinstance(section.get("limits", {}), dict):
        raise InputError(str(path), text("errors", "settings_limits"))


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
                raise InputError(str(path), text("errors", "settings_unknown", keys="、".join(sorted(unknown)),
                                                 known="、".join(sorted(KEYS))))
            _check_types(section, path)
            limits = Limits.default().overridden(section.pop("limits", {}), str(path))
            return Settings(**section, limits=limits, source=path)
    return Settings()
