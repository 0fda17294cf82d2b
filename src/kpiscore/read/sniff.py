"""Decide what a file is from its bytes, not its name, and decode text files."""

from __future__ import annotations

import codecs
import errno
import re
import stat
import struct
import zipfile
from pathlib import Path

from kpiscore import limits
from kpiscore.errors import InputError
from kpiscore.read import ole
from kpiscore.read.failures import says

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Password-protected .docx / .xlsx are OLE2 containers holding this stream.
_ENCRYPTION_INFO = "EncryptionInfo"
# Word (and WPS Writer) keep the text in "WordDocument"; Excel (and WPS ET) the sheets in
# "Workbook" (BIFF8) or "Book" (BIFF5).
_WORD_STREAM = "WordDocument"
_WORKBOOK_STREAMS = ("Workbook", "Book")
_FIB_ENCRYPTED = 0x0100  # FibBase flag at offset 10: the document has an open password
# How far into a file an HTML page must show itself; a page saved by Word starts with
# <html xmlns:...>, others with a doctype, an XML declaration or a comment.
_HTML_PROBE = 4096
# what Path.exists() takes for no file: none, a file in the path, a broken or looping link
_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_HTML_START = re.compile(rb"^(?:<\?xml[^>]*>|<!--.*?-->|\s)*<(?:!doctype\s+html|html|head|body|meta|table)\b",
                         re.IGNORECASE | re.DOTALL)
# Servers often label Chinese pages ISO-8859-1 by default; those labels decode anything.
_SINGLE_BYTE = ("iso8859-1", "cp1252")
_ALIASES = {"x-gbk": "gbk", "x-gb18030": "gb18030"}
# The zip end record (signature, then the member count at offset 10) sits in the last 22
# bytes, before a comment of at most 64 kB.
_END_RECORD = b"PK\x05\x06"
_END_RECORD_REACH = 22 + 0xFFFF
_ENCODING_PROBE = 64 * 1024
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([a-z0-9_:.-]+)", re.IGNORECASE)


def sniff(path: Path) -> str:
    """Return "docx", "xlsx", "pdf", "html", "xls", "doc" or "text"; raise InputError for
    anything else. "doc" is any legacy word-processor file (.doc, WPS .wps)."""
    source = str(path)
    try:
        status = path.stat()  # one stat, one open: a batch sniffs every file of a folder
    except OSError as error:
        if error.errno in _MISSING:
            raise InputError(source, says("file_not_found")) from None
        raise
    if stat.S_ISDIR(status.st_mode):
        raise InputError(source, says("is_folder"))
    if not stat.S_ISREG(status.st_mode):  # a device or a pipe: reading it may never end
        raise InputError(source, says("not_a_file"))
    if status.st_size == 0:
        raise InputError(source, says("empty_file"))
    limits.check_bytes("file_mb", status.st_size)
    with path.open("rb") as handle:
        head = handle.read(_HTML_PROBE)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _office_kind(path)
    if head.startswith(_OLE2):
        return _ole_kind(path)
    if _looks_like_html(head):
        return "html"
    return "text"


def _ole_kind(path: Path) -> str:
    data = path.read_bytes()
    streams = ole.root_streams(data)
    if streams is None:
        raise InputError(str(path), says("bad_ole"))
    if _ENCRYPTION_INFO in streams:
        raise InputError(str(path), says("locked_office"))
    if _WORD_STREAM in streams:
        fib = ole.stream_head(data, *streams[_WORD_STREAM], length=12)
        if fib is not None and len(fib) >= 12 and struct.unpack_from("<H", fib, 10)[0] & _FIB_ENCRYPTED:
            raise InputError(str(path), says("locked_office"))
        return "doc"
    if any(name in streams for name in _WORKBOOK_STREAMS):
        return "xls"
    raise InputError(str(path), says("ole_other"))


def _looks_like_html(head: bytes) -> bool:
    """Whether a file's first _HTML_PROBE bytes are a web page's."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(codecs.BOM_UTF8)
    # Tags are ASCII in every encoding a page here uses, so bytes can be matched directly.
    return _HTML_START.match(head) is not None or b"<table" in head.lower()


def _office_kind(path: Path) -> str:
    _check_member_count(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_zip_sizes(members)
    except zipfile.BadZipFile:
        raise InputError(str(path), says("bad_office_zip")) from None
    names = {member.filename for member in members}
    if "word/document.xml" in names:
        kind = "docx"
    elif "xl/workbook.xml" in names:
        kind = "xlsx"
    else:
        raise InputError(str(path), says("zip_other"))
    _check_zip_offsets(path, members, kind)
    return kind


def _check_member_count(path: Path) -> None:
    """Refuse a zip whose directory lists more members than the limit, from the count in
    its end record, before zipfile builds an object for every one of them."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - _END_RECORD_REACH))
        tail = handle.read()
    end = tail.rfind(_END_RECORD)
    if end >= 0 and len(tail) >= end + 12:
        limits.check("zip_members", struct.unpack_from("<H", tail, end + 10)[0])


def _check_zip_offsets(path: Path, members: list[zipfile.ZipInfo], kind: str) -> None:
    """Refuse a zip whose directory puts a member before the start of the file (or past
    its end). zipfile shifts every offset by the gap it finds between where the directory
    says it starts and where it is; in a file with bytes cut out before the directory the
    first members land before byte 0, and reading one fails with a bare OSError (EINVAL:
    a seek to a negative position)."""
    size = path.stat().st_size
    for member in members:
        if not 0 <= member.header_offset < size:
            raise InputError(str(path), says("bad_offset", kind=kind, part=member.filename))


def _check_zip_sizes(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from its directory, before anything is inflated. A directory can
    lie, but zipfile never inflates a member past the size its directory gives (it stops
    there and the CRC check fails), so these sizes bound what any reader gets."""
    limits.check("zip_members", len(members))
    for member in members:
        limits.check_bytes("zip_member_mb", member.file_size, member.filename)
    limits.check_bytes("zip_total_mb", sum(member.file_size for member in members))


def decode_text(path: Path) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 or UTF-32 with BOM, or GB18030; refuse
    Big5 (traditional characters: no template label would match) as such."""
    limits.check_bytes("text_mb", path.stat().st_size)
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    # UTF-32 LE's BOM begins with UTF-16 LE's, so it is asked first
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(str(path), says("unknown_binary"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _is_big5(data):
        raise InputError(str(path), says("big5"))
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError(str(path), says("unknown_encoding")) from None


def _is_big5(data: bytes) -> bool:
    """Whether text that is not UTF-8 reads as Big5 rather than GB18030. Most byte strings
    decode as both; charset_normalizer (installed with pdfminer) tells them apart by which
    reading gives likelier text."""
    import charset_normalizer

    try:
        data.decode("big5")
    except UnicodeDecodeError:
        return False
    best = charset_normalizer.from_bytes(data[:_ENCODING_PROBE], cp_isolation=["big5", "gb18030"]).best()
    return best is not None and best.encoding == "big5"


def decode_html(path: Path) -> str:
    """Decode a web page: a BOM wins, then UTF-8, then the <meta> charset, then GB18030.

    GB2312 and GBK pages are decoded as GB18030, their superset: pages labelled GB2312
    routinely use GBK-only characters. A page whose label is wrong either way (GBK
    labelled UTF-8, UTF-8 labelled GB2312: common slips) is still read.
    """
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise InputError(str(path), says("html_binary"))
    # Strict UTF-8 first: text in any other encoding almost never decodes as UTF-8, while
    # GB18030 decodes most byte strings, UTF-8 ones too, into nonsense.
    candidates = ["utf-8", "gb18030"]
    declared = _declared_charset(data[:_HTML_PROBE * 4])
    if declared in _SINGLE_BYTE:
        candidates.append(declared)  # never fails, so only after the likely ones
    elif declared is not None:
        candidates.insert(1, declared)
    for encoding in dict.fromkeys(candidates):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(str(path), says("html_encoding"))


def _declared_charset(head: bytes) -> str | None:
    match = _CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    try:
        name = codecs.lookup(_ALIASES.get(label, label)).name
    except LookupError:
        return None
    return "gb18030" if name in ("gb2312", "gbk") else name
