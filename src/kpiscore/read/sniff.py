"""Decide what a file is from its bytes, not its name, and decode text files."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from kpiscore.errors import InputError

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Password-protected .docx / .xlsx are OLE2 containers holding this stream.
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def sniff(path: Path) -> str:
    """Return "docx", "xlsx", "pdf" or "text"; raise InputError for anything else."""
    source = str(path)
    if not path.exists():
        raise InputError(source, "file not found")
    if path.is_dir():
        raise InputError(source, "is a folder, not a file")
    if path.stat().st_size == 0:
        raise InputError(source, "empty file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    if head.startswith(_OLE2):
        if _ENCRYPTION_INFO in path.read_bytes():
            raise InputError(source, "password-protected Office file: remove the password and save again")
        raise InputError(source, "legacy binary Office file (.doc / .xls): save it as .docx or .xlsx")
    return "text"


def _office_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise InputError(str(path), "truncated or corrupt .docx/.xlsx (the zip container is damaged)") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    raise InputError(str(path), "zip archive that is neither a .docx nor an .xlsx document")


def decode_text(path: Path) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(str(path), "binary file of unknown format (expected .docx, .pdf, .xlsx or text)")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(str(path), "text in an unknown encoding (expected UTF-8 or GB18030)")
