"""How often a 三级 name recurs across publishers: the evidence that a row is a template
pasted into unrelated tables (BOILERPLATE), not written for its project.

The index maps each masked name (folded, numbers and template hints removed) to the
documents it occurs in, and each document to its publisher; it is built from every table
kpiscore has (`kpiscore phrases`, written to lexicons/phrases.json) and read by TXT-08. A
row's count leaves out its own publisher, so a document in the index is judged by the
other publishers only, as a new document would be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from kpiscore.model import Document
from kpiscore.resources import data_dir
from kpiscore.templates import fold

FILE = "phrases.json"
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")
_HINT = re.compile(r"[(（]?[≥≤><=]*[*＊xX]{2,}[^)）]*[)）]?|^指标\d+")
_PUNCTUATION = re.compile(r"[，,、;；。.·:：\"“”'‘’()（）\[\]【】《》<>/\\-]")


def mask(name: str) -> str:
    """A name as it recurs from table to table: folded, hints, numbers and punctuation gone."""
    text = _HINT.sub("", fold(name))
    return _PUNCTUATION.sub("", _NUMBERS.sub("#", text))


def build(documents: Iterable[Document], publishers: dict[str, str]) -> dict:
    """The index of `documents`: masked name -> sorted document stems; stem -> publisher."""
    names: dict[str, set[str]] = {}
    owners: dict[str, str] = {}
    for document in documents:
        stem = Path(document.source).stem
        owners[stem] = publishers.get(stem) or document.unit_name or stem
        for project in document.projects:
            for indicator in project.indicators:
                key = mask(indicator.name)
                if len(key) >= 2:
                    names.setdefault(key, set()).add(stem)
    return {"publishers": owners,
            "names": {key: sorted(stems) for key, stems in sorted(names.items()) if len(stems) > 1}}


@cache
def shipped() -> dict:
    path = data_dir("lexicons") / FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"publishers": {}, "names": {}}


@lru_cache(maxsize=64)  # asked once per row of the same few documents
def _stem(source: str) -> str:
    return Path(source).stem


def other_publishers(name: str, source: str, index: dict | None = None) -> int:
    """How many publishers other than the source document's own print this name."""
    index = index or shipped()
    owners = index["publishers"]
    stem = _stem(source)
    own = owners.get(stem, stem)
    return len({owners.get(other, other) for other in index["names"].get(mask(name), [])} - {own})
