"""The documents a batch names: files, folders, glob patterns and `-` (paths on stdin).

- a file is taken as given (a missing one is reported by the reader, one line);
- a folder is walked recursively, in name order; hidden files and folders (.git,
  .kpiscore-cache) are left out, and so are stray files that are no document: what the
  readers cannot recognise by content (images, archives of other kinds are still taken
  when they look like an Office container, so that a damaged .docx is reported rather
  than silently passed over), and text files that never mention 指标, the word every
  performance-table header holds;
- a pattern (`*.docx`, `data/**/*.pdf`) is expanded here, since Windows shells do not:
  matched files are taken as in a folder, matched folders walked;
- `-` reads one path per line from stdin (blank lines ignored), each taken as an argument.

A pattern that matches nothing, or a folder with no document, is one problem line.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from kpiscore import messages
from kpiscore.errors import InputError
from kpiscore.read.sniff import decode_text, sniff

STDIN = "-"
# The extractor needs a header row with 一级指标 / 三级指标 / 指标值: text without the word
# cannot hold a performance table.
_TABLE_WORD = "指标"


def expand(arguments: Iterable[str | os.PathLike[str]], stdin: TextIO | None = None,
           exclude: Iterable[Path] = ()) -> tuple[list[Path], list[str]]:
    """The documents named by `arguments`, each once, in the order given, and the problem
    lines (a pattern matching nothing, a folder without documents). `exclude` are files
    and folders never taken (the run's own outputs, when they sit inside an input folder)."""
    left_out = {_identity(path) for path in exclude}
    seen: set[Path] = set()
    documents: list[Path] = []
    problems: list[str] = []
    for argument in _arguments(arguments, stdin):
        found, problem = _one(argument)
        if problem:
            problems.append(problem)
        for path in found:
            identity = _identity(path)
            if identity not in seen and not (left_out & {identity, *identity.parents}):
                seen.add(identity)
                documents.append(path)
    return documents, problems


def _arguments(arguments: Iterable[str | os.PathLike[str]], stdin: TextIO | None) -> Iterator[str]:
    for argument in arguments:
        if os.fspath(argument) == STDIN:
            yield from (line.strip() for line in (stdin or sys.stdin) if line.strip())
        else:
            yield os.fspath(argument)


def _one(argument: str) -> tuple[list[Path], str | None]:
    path = Path(argument)
    if path.is_dir():
        found = list(_walk(path))
        return found, None if found else messages.text("batch", "empty_folder", path=path)
    if path.exists() or not glob.has_magic(argument):
        return [path], None  # a missing file: the reader's "file not found" line
    matches = sorted(glob.glob(argument, recursive=True))
    if not matches:
        return [], messages.text("batch", "no_match", pattern=argument)
    found = [file for match in map(Path, matches)
             for file in (_walk(match) if match.is_dir() else [match] if is_document(match) else [])]
    return found, None if found else messages.text("batch", "no_document_matched", pattern=argument)


def _walk(folder: Path) -> Iterator[Path]:
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if not name.startswith(".") and is_document(path):
                yield path


def is_document(path: Path) -> bool:
    """Whether a file met in a folder is a document to check (see the module's note)."""
    try:
        if sniff(path) != "text":
            return True
        return _TABLE_WORD in decode_text(path)
    except InputError:
        # damaged or locked files of a known container are documents with a problem,
        # worth a line; what is no known container at all (a binary) is not one
        return _looks_like_container(path)
    except OSError:
        return True  # unreadable: the reader reports it


def _looks_like_container(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(8)
    return head.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))


def _identity(path: Path) -> Path:
    return Path(os.path.abspath(path))
