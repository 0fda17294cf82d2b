"""Writing an output so that nothing is lost: a temporary file in the target's folder,
renamed over the target only when complete; never onto an input.

A failed write (full disk, read-only folder, a bug in a writer) leaves the previous
output as it was and no partial file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kpiscore.errors import OutputError
from kpiscore.messages import text


def refuse_inputs(target: Path, inputs: Iterable[Path]) -> None:
    """OutputError when `target` is one of `inputs` (same file by inode: a symlink or a
    hard link of an input counts)."""
    if not target.exists():
        return
    for source in inputs:
        try:
            same = os.path.samefile(target, source)
        except OSError:
            continue
        if same:
            raise OutputError(str(target), text("output", "is_input", source=source))


def is_device(target: Path) -> bool:
    """/dev/null, a pipe, a terminal: written in place, since there is nothing to keep and
    renaming a file over one would replace the device."""
    return target.exists() and not (target.is_file() or target.is_dir())


@contextmanager
def replacing(target: Path, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path beside `target`; when the block ends without an error it
    replaces `target`, else it is removed and `target` is untouched. OSError becomes
    OutputError naming `target`."""
    target = Path(target)
    refuse_inputs(target, inputs)
    if is_device(target):
        try:
            yield target
        except OSError as error:
            raise OutputError(str(target), text("output", "cannot_write", reason=error.strerror or error)) from None
        return
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(str(target), text("output", "no_folder", folder=folder))
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
        os.close(handle)
    except OSError as error:
        raise OutputError(str(target), text("output", "cannot_create", reason=error.strerror or error)) from None
    partial = Path(name)
    try:
        yield partial
        if target.exists() and not os.access(target, os.W_OK):
            raise OutputError(str(target), text("output", "read_only"))
        os.replace(partial, target)
    except OSError as error:
        raise OutputError(str(target), text("output", "cannot_write", reason=error.strerror or error)) from None
    finally:
        partial.unlink(missing_ok=True)


def write_text(target: Path, text: str, encoding: str = "utf-8", inputs: Iterable[Path] = ()) -> None:
    with replacing(target, inputs) as partial:
        partial.write_text(text, encoding=encoding)


def write_bytes(target: Path, data: bytes, inputs: Iterable[Path] = ()) -> None:
    with replacing(target, inputs) as partial:
        partial.write_bytes(data)
