"""The top-level streams of an OLE2 compound file (legacy .doc / .xls / .wps / .et).

Only the root storage's own children count: a Word document with an embedded Excel chart
holds a "Workbook" stream too, one storage down, and must still read as a document. The
reader follows the FAT and the directory's sibling tree with loop guards, so a damaged
file gives `None`, never an exception or a hang.
"""

from __future__ import annotations

import struct

_FREE_OR_END = 0xFFFFFFFA  # sector numbers from here up are markers, not sectors
_NO_ENTRY = 0xFFFFFFFF
_ENTRY = 128
_STORAGE, _STREAM = 1, 2


class _Compound:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 30)[0]
        if self.sector not in (512, 4096):
            raise ValueError("sector size")
        fat_count, self.directory_start = struct.unpack_from("<II", data, 44)
        self.mini_cutoff, self.mini_fat_start = struct.unpack_from("<II", data, 56)
        difat_start, difat_count = struct.unpack_from("<II", data, 68)
        fat_sectors = list(struct.unpack_from("<109I", data, 76))
        for sector in self.chain_of_difat(difat_start, difat_count):
            fat_sectors += struct.unpack_from(f"<{self.sector // 4 - 1}I", self.block(sector))
        fat_sectors = [s for s in fat_sectors if s < _FREE_OR_END][:fat_count]
        self.fat = [entry for s in fat_sectors
                    for entry in struct.unpack(f"<{self.sector // 4}I", self.block(s))]

    def block(self, sector: int) -> bytes:
        start = (sector + 1) * self.sector
        if start + self.sector > len(self.data):
            raise ValueError("sector past the end of the file")
        return self.data[start:start + self.sector]

    def chain_of_difat(self, start: int, count: int) -> list[int]:
        sectors: list[int] = []
        while start < _FREE_OR_END and len(sectors) < count:
            sectors.append(start)
            start = struct.unpack_from("<I", self.block(start), self.sector - 4)[0]
        return sectors

    def chain(self, start: int) -> list[int]:
        sectors: list[int] = []
        while start < _FREE_OR_END:
            if start >= len(self.fat) or len(sectors) > len(self.fat):
                raise ValueError("broken sector chain")
            sectors.append(start)
            start = self.fat[start]
        return sectors

    def entries(self) -> list[tuple[str, int, int, int, int, int, int]]:
        """(name, type, left, right, child, start sector, size) of every directory entry."""
        directory = b"".join(self.block(s) for s in self.chain(self.directory_start))
        result = []
        for offset in range(0, len(directory), _ENTRY):
            raw = directory[offset:offset + _ENTRY]
            length = min(struct.unpack_from("<H", raw, 64)[0], 64)
            name = raw[:length].decode("utf-16-le", errors="replace").rstrip("\0")
            kind = raw[66]
            left, right, child = struct.unpack_from("<III", raw, 68)
            start, size = struct.unpack_from("<II", raw, 116)
            result.append((name, kind, left, right, child, start, size))
        return result


def root_streams(data: bytes) -> dict[str, tuple[int, int]] | None:
    """Name -> (start sector, size) of the root storage's children; None when damaged."""
    try:
        compound = _Compound(data)
        entries = compound.entries()
        found: dict[str, tuple[int, int]] = {}
        pending, seen = [entries[0][4]], set()  # entry 0 is the root; walk its child tree
        while pending:
            index = pending.pop()
            if index == _NO_ENTRY or index in seen or index >= len(entries):
                continue
            seen.add(index)
            name, kind, left, right, _child, start, size = entries[index]
            if kind in (_STORAGE, _STREAM):
                found[name] = (start, size)
            pending += [left, right]
        return found
    except (ValueError, IndexError, struct.error):
        return None


def stream_head(data: bytes, start: int, size: int, length: int = 64) -> bytes | None:
    """The first `length` (≤ 64) bytes of a stream, from the FAT or the mini stream."""
    try:
        compound = _Compound(data)
        if size >= compound.mini_cutoff:
            return compound.block(start)[:min(length, size)]
        # Small streams live in 64-byte mini sectors inside the root entry's stream.
        root_start = compound.entries()[0][5]
        root = compound.chain(root_start)
        offset = start * 64
        block = compound.block(root[offset // compound.sector])
        return block[offset % compound.sector:][:min(length, size, 64)]
    except (ValueError, IndexError, struct.error):
        return None
