"""Turn a raw cell or line into the text a person reads.

Extracted text wraps long cells: PDF text puts a space (or a newline) where a line broke
inside a cell, DOCX puts each paragraph of a cell on its own line. A break between two
Chinese characters is never real, so it is removed; a space next to Latin letters or
digits ("41 人", "卢政 [2012] 92 号") is kept as printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from kpiscore import lexicon
from kpiscore.memo import nfkc, per_document

# Ideographs and CJK / full-width punctuation (、。【】《》（），：％ …).
_IDEOGRAPH = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2026"
_WRAP_SPACE = re.compile(
    rf"(?<=[{_IDEOGRAPH}{_CJK_PUNCT}])\s+(?=[{_IDEOGRAPH}{_CJK_PUNCT}])"
    rf"|(?<=[{_CJK_PUNCT}])\s+|\s+(?=[{_CJK_PUNCT}])"
)
_LATEX = {r"\geq": "≥", r"\ge": "≥", r"\leq": "≤", r"\le": "≤", r"\%": "%", r"\times": "×",
          r"\sim": "~", r"\approx": "≈"}
_LATEX_COMMAND = re.compile(r"\\(?:geq|ge|leq|le|%|times|sim|approx)(?![a-zA-Z])")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b]+")
# What clean_cell changes: whitespace (line breaks are whitespace too), \u200b, LaTeX marks.
# Most cells have none of it and are returned as they are.
_TO_CLEAN = re.compile(r"[\s\u200b$\\]")


def _undo_latex(text: str) -> str:
    """PDF-to-markdown converters sometimes emit math: "$\\geq 98\\%$" is "≥98%"."""
    if "$" not in text and "\\" not in text:
        return text
    text = _LATEX_COMMAND.sub(lambda match: _LATEX[match.group(0)] + "\x00", text)
    text = text.replace("$", "")
    return re.sub(r"\x00\s*", "", text)


def clean_cell(raw: str | None) -> str:
    """Rejoin wrapped lines, drop wrap spaces between Chinese characters, trim."""
    if not raw:
        return ""
    return _cleaned(raw) if _TO_CLEAN.search(raw) else raw


def _cleaned(raw: str) -> str:
    text = _undo_latex(raw)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    text = " ".join(line for line in lines if line)
    return _WRAP_SPACE.sub("", text)


def clean_code(raw: str | None) -> str:
    """Project codes never contain spaces; a space in one is a wrap."""
    return re.sub(r"\s+", "", raw or "")


class _Wording(dict):
    """A str.translate table that drops whitespace and punctuation (Unicode categories P*),
    each character judged once, when first met."""

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        kept = None if char.isspace() or unicodedata.category(char).startswith("P") else code
        self[code] = kept
        return kept


_WORDING = _Wording()


@per_document
def compact(text: str | None) -> str:
    """Fold a cell for comparing wording: NFKC, no spaces, no punctuation."""
    return nfkc(text or "").translate(_WORDING)


def without(text: str | None, words: Iterable[str], mark: str = "") -> str:
    """`compact(text)` with every listed word replaced by `mark`, longest words first (so
    正常运转 goes before 运转). `words` is a lexicon list (kept as it is: see lexicon.per_entry)."""
    return _without(text, _folded(words), mark)


@per_document
def _without(text: str | None, words: _Words, mark: str) -> str:
    text = compact(text)
    # replacing only removes characters or adds `mark`: other words can never occur
    for word in may_occur(words, text + mark):
        text = text.replace(word, mark)
    return text


class _Words(tuple):
    """A word list folded and sorted longest first; hashed by identity, as each is made
    once per lexicon list (`_folded`)."""

    __hash__ = object.__hash__
    __eq__ = object.__eq__  # type: ignore[assignment]


@lexicon.per_entry  # the same few lexicon lists, once per row: fold and sort them once
def _folded(words: Iterable[str]) -> _Words:
    return _Words(sorted(map(compact, words), key=len, reverse=True))


@lexicon.per_entry
def _first_characters(words: tuple[str, ...]) -> tuple[dict[str, tuple[int, ...]], re.Pattern[str]]:
    """Where each first character starts words of the list, and a pattern of those characters."""
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word[:1], []).append(position)
    firsts = "".join(re.escape(char) for char in index if char)
    return ({char: tuple(positions) for char, positions in index.items()},
            re.compile(f"[{firsts}]" if firsts else r"(?!)"))


def may_occur(words: tuple[str, ...], text: str) -> list[str]:
    """The words of a list, in its order, whose first character `text` has: the only ones
    that can occur in it (an empty word always can). Lexicon lists run to a hundred words
    or more and a cell has a few dozen characters, so most are skipped without a search."""
    index, firsts = _first_characters(words)
    positions = list(index.get("", ()))
    for char in set(firsts.findall(text)):
        positions.extend(index[char])
    positions.sort()
    return [words[position] for position in positions]


def char_pairs(text: str) -> set[str]:
    """The overlapping character pairs of a text, leaving out pairs across a "|" mark."""
    return {text[i:i + 2] for i in range(len(text) - 1) if "|" not in text[i:i + 2]}


def strip_fillers(text: str | None) -> str:
    """Wording without the fillers that add nothing (情况, 程度, 的 …; boilerplate.toml)."""
    return without(text, lexicon.table("boilerplate.toml")["fillers"])
