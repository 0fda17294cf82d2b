"""Read the reviewed word lists and patterns in lexicons/ (see lexicons/README.md)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from functools import cache, wraps
from typing import Any, TypeVar

from kpiscore.memo import nfkc
from kpiscore.resources import data_dir

_LABEL_NOISE = re.compile(r"[\s:：]")


def normalize_label(text: str) -> str:
    """Fold a printed label for comparison: NFKC, no spaces, no colons."""
    return _LABEL_NOISE.sub("", nfkc(text or ""))


@cache
def words(name: str) -> tuple[str, ...]:
    """Entries of a one-per-line list, without comments and blank lines."""
    text = (data_dir("lexicons") / name).read_text(encoding="utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def table(name: str) -> dict[str, Any]:
    """A TOML lexicon as a dict."""
    with (data_dir("lexicons") / name).open("rb") as handle:
        return tomllib.load(handle)


@cache
def pattern(file: str, section: str, key: str) -> re.Pattern[str]:
    """A compiled regular expression stored in a TOML lexicon."""
    return re.compile(table(file)[section][key])


Entry = TypeVar("Entry")
Made = TypeVar("Made")
_PER_ENTRY_LIMIT = 512  # lexicon lists are a few dozen; more means a caller builds one per call


def per_entry(function: Callable[[Entry], Made]) -> Callable[[Entry], Made]:
    """Memoise what is made from one lexicon entry (a list or dict of the cached tables) by
    the entry's identity: keying on its contents would hash a hundred words on every call,
    which cost as much as the work saved. The entry is kept with its result, so its
    identity is never reused while remembered."""
    memo: dict[int, tuple[Entry, Made]] = {}

    @wraps(function)
    def made(entry: Entry) -> Made:
        found = memo.get(id(entry))
        if found is None or found[0] is not entry:
            if len(memo) >= _PER_ENTRY_LIMIT:
                memo.clear()
            found = memo[id(entry)] = (entry, function(entry))
        return found[1]
    return made


@per_entry
def longest_first(words: list[str] | tuple[str, ...] | dict[str, Any]) -> tuple[str, ...]:
    """A lexicon list (or a table's keys) longest first, as replacing words one after
    another and matching the longest prefix need them; sorted once per list."""
    return tuple(sorted(words, key=len, reverse=True))


@per_entry
def _alternatives(patterns: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns) or r"(?!)")


def any_match(patterns: list[str] | tuple[str, ...], text: str) -> bool:
    """Whether any of a lexicon's list of regular expressions occurs in `text`: the list is
    compiled once into one alternation, searched in one pass."""
    return _alternatives(patterns).search(text) is not None
