"""The reviews a running `kpiscore serve` keeps for download: each in its own temporary
folder, the oldest dropped past a number or an age, every one deleted at shutdown.

Nothing of an upload lives anywhere but its folder: the uploaded file, its .docx and
.xlsx reports. Ids are random (secrets), so one reviewer cannot guess another's link.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

_PREFIX = "kpiscore-serve-"


@dataclass
class Kept:
    """One upload's folder and the report files in it, by kind (docx, xlsx) with the file
    name the browser saves each under."""

    folder: tempfile.TemporaryDirectory
    created: float = field(default_factory=time.monotonic)
    files: dict[str, tuple[Path, str]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return Path(self.folder.name)


class Store:
    def __init__(self, most: int, seconds: float) -> None:
        self.most, self.seconds = most, seconds
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()  # uploads are handled on several threads

    def open(self) -> tuple[str, Kept]:
        """A new folder for an upload, under a fresh id; not listed until `keep`."""
        return secrets.token_urlsafe(16), Kept(tempfile.TemporaryDirectory(prefix=_PREFIX))

    def keep(self, upload_id: str, kept: Kept) -> None:
        """List a finished upload for download, dropping what is now too old or too many."""
        with self._lock:
            self._kept[upload_id] = kept
            self._expire()

    def get(self, upload_id: str) -> Kept | None:
        with self._lock:
            self._expire()
            return self._kept.get(upload_id)

    def clear(self) -> None:
        with self._lock:
            while self._kept:
                self._kept.popitem(last=False)[1].folder.cleanup()

    def _expire(self) -> None:
        now = time.monotonic()
        while self._kept:
            oldest = next(iter(self._kept.values()))
            if len(self._kept) <= self.most and now - oldest.created <= self.seconds:
                break
            self._kept.popitem(last=False)[1].folder.cleanup()
