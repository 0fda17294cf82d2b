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
from itertools import takewhile
from pathlib import Path
from typing import TextIO

from kpiscore import messages
from kpiscore.errors import InputError
from kpiscore.read.sniff import decode_text, sniff

STDIN = "-"
# The extractor needs a header row with 一级指标 / 三级指标 / 指标值: text without the word
# cannot hold a performance table.
_TABLE_WORD = "指标"


def documents(arguments: Iterable[str | os.PathLike[str]], problems: list[str],
              stdin: TextIO | None = None, exclude: Iterable[Path] = ()) -> Iterator[Path]:
    """The documents named by `arguments`, each once, in the order given, found as they
    are needed (a batch starts on the first while the folders are still being walked);
    the problem lines (a pattern matching nothing, a folder without documents) are
    appended to `problems` as they are met. `exclude` are files and folders a folder or
    pattern never yields (the run's own outputs, when they sit inside an input folder); a
    file named is yielded anyway, for the writer to refuse."""
    left_out = {_identity(path) for path in exclude}
    seen: set[str] = set()
    for argument in _arguments(arguments, stdin):
        named = 0  # documents the argument names, taken before or not
        searched = Path(argument).is_dir() or _is_pattern(argument)  # a file named is always taken
        for path in _one(argument):
            identity = _identity(path)
            if searched and left_out & {identity, *identity.parents}:
                continue
            named += 1
            if str(identity) not in seen:
                seen.add(str(identity))
                yield path
        if not named and (problem := _nothing_found(argument)):
            problems.append(problem)


def expand(arguments: Iterable[str | os.PathLike[str]], stdin: TextIO | None = None,
           exclude: Iterable[Path] = ()) -> tuple[list[Path], list[str]]:
    """`documents` all at once: the list of documents, and the problem lines."""
    problems: list[str] = []
    return list(documents(arguments, problems, stdin, exclude)), problems


def is_single_file(arguments: list[str | os.PathLike[str]]) -> bool:
    """Whether the arguments name one file (not a folder, pattern or stdin): its JSON is
    then an object, not a list."""
    return (len(arguments) == 1 and os.fspath(arguments[0]) != STDIN
            and not Path(arguments[0]).is_dir() and not _is_pattern(os.fspath(arguments[0])))


def named_files(arguments: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files named as such (not found in a folder or by a pattern): what an output
    may never overwrite."""
    return [Path(a) for a in map(os.fspath, arguments)
            if a != STDIN and not Path(a).is_dir() and not _is_pattern(a)]


def common_folder(arguments: Iterable[str | os.PathLike[str]]) -> Path:
    """The folder all arguments lie in (a pattern by its folder part; stdin's paths by
    the working folder): one file per document is written below it as below this one."""
    bases = []
    for argument in map(os.fspath, arguments):
        if argument == STDIN:
            base = Path.cwd()
        elif Path(argument).is_dir():
            base = Path(argument)
        elif _is_pattern(argument):
            base = Path(*takewhile(lambda part: not glob.has_magic(part), Path(argument).parts[:-1]))
        else:
            base = Path(argument).parent
        bases.append(os.path.abspath(base))
    return Path(os.path.commonpath(bases)) if bases else Path.cwd()


def _arguments(arguments: Iterable[str | os.PathLike[str]], stdin: TextIO | None) -> Iterator[str]:
    for argument in arguments:
        if os.fspath(argument) == STDIN:
            yield from (line.strip() for line in (stdin or sys.stdin) if line.strip())
        else:
            yield os.fspath(argument)


def _is_pattern(argument: str) -> bool:
    return not Path(argument).exists() and glob.has_magic(argument)


def _one(argument: str) -> Iterator[Path]:
    path = Path(argument)
    if path.is_dir():
        yield from _walk(path)
    elif not _is_pattern(argument):
        yield path  # a missing file too: the reader's "file not found" line
    else:
        for match in map(Path, sorted(glob.glob(argument, recursive=True))):
            if match.is_dir():
                yield from _walk(match)
            elif is_document(match):
                yield match


def _nothing_found(argument: str) -> str | None:
    if Path(argument).is_dir():
        return messages.text("batch", "empty_folder", path=argument)
    if not _is_pattern(argument):
        return None  # a file is always taken
    if not glob.glob(argument, recursive=True):
        return messages.text("batch", "no_match", pattern=argument)
    return messages.text("batch", "no_document_matched", pattern=argument)


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
