"""Every way a reader can fail on a damaged file, told as one InputError.

The libraries kpiscore reads with (python-docx and lxml, openpyxl, pdfplumber and pdfminer,
xlrd, zipfile, zlib) each raise their own exceptions on a damaged file, and many raise
plain ValueError, IndexError or KeyError from deep inside. Rather than try/except in every
reader, `translated` maps an exception (by its class and base classes) and the file's
format to a message from lexicons/read_errors.toml. Classes are named, not imported, so
that reading a .docx never imports pdfminer.
"""

from __future__ import annotations

import errno
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kpiscore import lexicon
from kpiscore.errors import InputError, KpiscoreError

# Exception class (module.qualname, base classes included) -> message in read_errors.toml.
# The first class of an exception's MRO found here wins, so a subclass listed before its
# base (UnicodeError before ValueError) gets the more precise message.
_MESSAGES = {
    "lxml.etree.XMLSyntaxError": "not_xml",
    "xml.etree.ElementTree.ParseError": "not_xml",
    "xml.parsers.expat.ExpatError": "not_xml",
    "defusedxml.common.DefusedXmlException": "unsupported",  # entities, DTDs: refused by openpyxl
    "zipfile.BadZipFile": "bad_zip",
    "zipfile.LargeZipFile": "bad_zip",
    "zlib.error": "bad_zip",
    "docx.exceptions.PythonDocxError": "malformed",  # a required element missing, say
    "openpyxl.utils.exceptions.InvalidFileException": "malformed",
    "openpyxl.utils.exceptions.CellCoordinatesException": "malformed",
    "builtins.KeyError": "missing_part",
    "builtins.NotImplementedError": "unsupported",
    "pdfminer.pdfdocument.PDFPasswordIncorrect": "locked_pdf",
    "pdfminer.psexceptions.PSException": "bad_pdf",
    "pdfplumber.utils.exceptions.PdfminerException": "bad_pdf",
    "pdfplumber.utils.exceptions.MalformedPDFException": "bad_pdf",
    "builtins.UnicodeError": "bad_encoding",
    "builtins.RecursionError": "too_deep",
    "builtins.MemoryError": "out_of_memory",
    "builtins.OSError": "unreadable",
    "builtins.EOFError": "malformed",
    "builtins.ValueError": "malformed",
    "builtins.TypeError": "malformed",
    "builtins.IndexError": "malformed",
    "builtins.AttributeError": "malformed",
    "builtins.RuntimeError": "malformed",
    "builtins.AssertionError": "malformed",
    "builtins.ArithmeticError": "malformed",
    "struct.error": "malformed",
}
_DETAIL_CHARS = 160
_ZIPPED = ("docx", "xlsx")
_XML_PARTS = (".xml", ".rels", ".vml")
# zipfile's KeyError for a member the directory does not list: only the name is told.
_NO_ITEM = re.compile(r"There is no item named '(.+)' in the archive")


@contextmanager
def translated(path: Path, kind: str | None) -> Iterator[None]:
    """Turn any reader failure inside the block into InputError naming `path`; `kind` is
    the sniffed format (None before it is known)."""
    try:
        yield
    except KpiscoreError:
        raise
    except Exception as error:
        cause = _cause(error)
        key = _message_key(cause)
        if key is None:
            raise
        raise InputError(str(path), _message(key, cause, path, kind or "unknown")) from None


def _cause(error: BaseException) -> BaseException:
    """pdfplumber wraps each pdfminer error in its own, the pdfminer one as first argument."""
    wrapped = error.args[0] if error.args else None
    return wrapped if isinstance(wrapped, BaseException) else error


def _message_key(error: BaseException) -> str | None:
    for cls in type(error).__mro__:
        key = _MESSAGES.get(f"{cls.__module__}.{cls.__qualname__}")
        if key is not None:
            return key
    return None


def says(key: str, **fields: object) -> str:
    """The message `key` of lexicons/read_errors.toml with its fields filled; a `kind`
    field (a sniffed format) fills {format} with the format's name."""
    table = lexicon.table("read_errors.toml")
    kind = fields.pop("kind", None)
    if kind is not None:
        fields["format"] = table["formats"].get(kind, kind)
    message = table["messages"][key]
    return message.format(**fields) if fields else message


def _message(key: str, error: BaseException, path: Path, kind: str) -> str:
    detail = _detail(error)
    part = None
    if key == "not_xml" and kind in _ZIPPED:
        part = _broken_part(path)
        if part is None:
            key = "not_xml_somewhere"
    elif key == "missing_part":
        named = _NO_ITEM.fullmatch(detail)
        detail = named.group(1) if named else detail
    elif key == "unreadable" and kind in _ZIPPED and getattr(error, "errno", None) == errno.EINVAL:
        key = "bad_zip"  # zipfile seeking before the start of a member: a damaged directory
    return says(key, kind=kind, part=part, detail=detail)


def _detail(error: BaseException) -> str:
    """The library's words, on one line."""
    if isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    text = " ".join(text.split()) or type(error).__name__
    return text if len(text) <= _DETAIL_CHARS else text[:_DETAIL_CHARS] + "…"


def _broken_part(path: Path) -> str | None:
    """The first XML member of an Office zip that does not parse (only asked after a parse
    failed; the members' sizes were bounded when the format was sniffed)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(_XML_PARTS):
                    continue
                try:
                    etree.fromstring(archive.read(info), parser)
                except etree.XMLSyntaxError:
                    return info.filename
    except Exception:  # a zip too damaged to list: the message then names no part
        return None
    return None
