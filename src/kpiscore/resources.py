"""Locate the data folders (lexicons/, models/) in a checkout and in an installed copy."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder `name`: inside the installed package, else at the repository root."""
    for candidate in (_PACKAGE / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kpiscore data folder {name!r} not found next to {_PACKAGE}")
