"""Legacy binary files (.doc, WPS .wps / .et, .xls xlrd cannot read) through LibreOffice.

LibreOffice converts the file headless to .docx / .xlsx in a private temporary folder,
and the existing reader reads the result. Each run gets its own LibreOffice profile, so
parallel runs (and a LibreOffice the user has open) do not block one another.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from kpiscore.errors import InputError
from kpiscore.grid import Item
from kpiscore.read.failures import says

# A first run builds the profile (a few seconds); a table document converts in about one.
TIMEOUT_SECONDS = 60


def executable() -> str | None:
    """LibreOffice's command on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_converted(path: Path, suffix: str, target: str, reader: Callable[[Path], list[Item]]) -> list[Item]:
    """Convert `path` to `target` ("docx" / "xlsx") and read it with `reader`.

    `suffix` (".doc" / ".xls") is what the content is, found by sniffing: the copy that
    LibreOffice opens is named by it, since LibreOffice picks its import filter partly
    by extension, and a plain ASCII name avoids quoting trouble with the original's.
    """
    command = executable()
    if command is None:
        raise InputError(str(path), says("needs_libreoffice"))
    with tempfile.TemporaryDirectory(prefix="kpiscore-") as folder:
        work = Path(folder)
        source = work / f"input{suffix}"
        shutil.copyfile(path, source)
        _run([command, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
              "--norestore", "--nologo", "--nolockcheck", "--convert-to", target,
              "--outdir", str(work / "out"), str(source)], path)
        converted = work / "out" / f"input.{target}"
        if not converted.exists():
            raise InputError(str(path), says("libreoffice_failed"))
        try:
            return reader(converted)
        except InputError as error:  # name the user's file, not the temporary copy
            raise InputError(str(path), error.problem) from None


def _run(command: list[str], path: Path) -> None:
    # A session of its own, so a timeout can end soffice.bin too, not only its launcher.
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # ended on its own in between
            pass
        process.wait()
        raise InputError(str(path), says("libreoffice_slow", seconds=TIMEOUT_SECONDS)) from None
