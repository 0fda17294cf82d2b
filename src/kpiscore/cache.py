"""A folder of finished results, so that a rerun (after Ctrl-C, or on a grown corpus) only
processes what is new.

An entry is the review of one document under one set of settings (failures are not
kept: they may depend on the machine, so a rerun tries them again). Its key is the file's
content (SHA-256) and its name (TXT-08 reads the name: the publisher of a document is
looked up by its file stem); the entries sit in a subfolder per *fingerprint*: the
kpiscore version, the bytes of its code, lexicons and model, and the settings that change
results (rule selection, model on / off, template profiles). Any change to any of these
starts a fresh subfolder, so an entry is never read by a kpiscore that would have found
something else. Entries are pickles written atomically: the folder is the user's own,
like any other cache of their programs.

Default folder: platformdirs' user cache dir (`~/.cache/kpiscore` on Linux,
`%LOCALAPPDATA%\\kpiscore\\Cache` on Windows), or $KPISCORE_CACHE_DIR, or --cache-dir.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore.atomic import write_bytes
from kpiscore.errors import OutputError
from kpiscore.resources import data_dir

if TYPE_CHECKING:
    from kpiscore.review import Review

_CHUNK = 1 << 20
_CODE_SUFFIXES = (".py", ".toml", ".json", ".txt", ".skops", ".html")


@dataclass(frozen=True)
class Cache:
    """The entries of one fingerprint, under `folder`. Picklable: workers write to it."""

    folder: Path

    @classmethod
    def open(cls, root: Path | None, settings: str) -> Cache:
        """The cache for `settings` (a stable text of what changes results:
        batch.Options.fingerprint()) under `root` (default: $KPISCORE_CACHE_DIR, else
        the user cache dir)."""
        if root is None:
            root = Path(os.environ.get("KPISCORE_CACHE_DIR") or _user_cache_dir())
        digest = hashlib.sha256(f"{code_fingerprint()}\n{settings}".encode()).hexdigest()
        return cls(Path(root) / digest[:20])

    @staticmethod
    def key(path: Path) -> str | None:
        """The entry key of a file: hash of its bytes and of its name; None when the file
        cannot be read (the reader will say why)."""
        digest = hashlib.sha256(path.name.encode() + b"\0")
        try:
            with path.open("rb") as handle:
                while block := handle.read(_CHUNK):
                    digest.update(block)
        except OSError:
            return None
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> Review | None:
        """The stored result, or None when there is none (or it is unreadable: an entry
        is only a saving, so a damaged one is simply redone)."""
        try:
            with self._entry(key).open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None

    def put(self, key: str, pickled: bytes) -> None:
        """Store a review, pickled; a cache that cannot be written costs only the saving,
        so it is not an error of the run."""
        entry = self._entry(key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(entry, pickled)
        except (OSError, OutputError):
            pass


def _user_cache_dir() -> str:
    import platformdirs

    return platformdirs.user_cache_dir("kpiscore", appauthor=False)


@cache
def code_fingerprint() -> str:
    """The version and a hash of every file of the code, lexicons and model: a result is
    reused only by the very kpiscore that made it (a developer's edit counts)."""
    import kpiscore

    package = Path(kpiscore.__file__).parent
    digest = hashlib.sha256(kpiscore.__version__.encode())
    for folder in (package, data_dir("lexicons"), data_dir("models")):
        for file in sorted(folder.rglob("*")):
            if file.suffix in _CODE_SUFFIXES and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(folder)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()
