"""Memos of pure functions of cell text, kept while one document is read and checked.

The extractor and the rules ask the same questions of the same few cells dozens of times
per row (compact alone ~27 times, NFKC of a cell by five different foldings). A memo
made with `per_document` answers each once; `fresh_document` empties every memo, so what
is measured on a repeated document is the work of one document, not a cache hit, and
memory stays bounded (maxsize) whatever the number of documents. Emptying never changes
a result, only what is worked out again: threads checking several documents at once
stay correct.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

Function = TypeVar("Function", bound=Callable)
_PER_DOCUMENT: list = []  # the memos of per_document, emptied together


def per_document(function: Function) -> Function:
    """Memoise a pure function of cell text for the document being read or checked."""
    memo = lru_cache(maxsize=8192)(function)
    _PER_DOCUMENT.append(memo)
    return memo  # type: ignore[return-value]


@contextmanager
def fresh_document() -> Iterator[None]:
    """Read or check a document with empty per-document memos, and empty them after."""
    for memo in _PER_DOCUMENT:
        memo.cache_clear()
    try:
        yield
    finally:
        for memo in _PER_DOCUMENT:
            memo.cache_clear()


@per_document
def nfkc(text: str) -> str:
    """Unicode NFKC (full-width letters, digits and punctuation as ASCII), which every
    folding of a cell starts with: worked out once per cell, not once per folding."""
    return unicodedata.normalize("NFKC", text)
