"""The catalogue of kpiscore's user-facing words (lexicons/messages.toml)."""

from __future__ import annotations

from functools import cache
from typing import Any

from kpiscore import lexicon


@cache
def catalogue() -> dict[str, Any]:
    return lexicon.table("messages.toml")


def text(section: str, key: str, /, **values: Any) -> str:
    """The entry `key` of `section`, with `{name}` fields filled from `values`."""
    entry = catalogue()[section][key]
    return entry.format(**values) if values else entry
