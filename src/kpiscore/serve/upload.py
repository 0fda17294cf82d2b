"""Receiving one uploaded file: the multipart body streamed into a given folder, never
more than the size limit read, the browser's file name kept only as a display name.

python-multipart's streaming parser is fed the body chunk by chunk as it arrives, so an
oversized upload is refused as soon as it passes the limit (or at once, when its declared
Content-Length already does) instead of being spooled whole first, as Starlette's own
form parsing would.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

# Room for the multipart boundaries and part headers around the file itself.
_ENVELOPE = 64 * 1024
# The longest display name kept; a longer one is cut (file systems allow 255 bytes).
_NAME_LENGTH = 120
# The upload's file inside its folder: a fixed name, so the browser's never becomes a path.
# No extension: kpiscore tells the format by content.
STORED_NAME = "upload"


class UploadRefused(Exception):
    """The request carries no usable file; `key` names the message in lexicons/serve.toml
    [errors]."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class TooLarge(UploadRefused):
    def __init__(self) -> None:
        super().__init__("too_large")


@dataclass(frozen=True)
class Upload:
    path: Path
    display_name: str  # the file's own name as the reviewer's browser sent it, for showing
    size: int


def display_name(sent: str, unnamed: str) -> str:
    """The last component of the browser's file name (some send a whole Windows path),
    without control characters; `unnamed` when nothing is left."""
    name = sent.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:_NAME_LENGTH] or unnamed


class _FilePart:
    """Callbacks of the multipart parser that write the first part named `file` to
    `target` and count its bytes against `limit`; other parts are read past."""

    def __init__(self, target: Path, limit: int) -> None:
        self.target, self.limit = target, limit
        self.sent_name: str | None = None
        self.size = 0
        self._headers: dict[bytes, bytes] = {}
        self._field = self._value = b""
        self._handle: BinaryIO | None = None
        self._done = False

    def callbacks(self) -> dict:
        return {"on_part_begin": self._part_begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished, "on_part_data": self._data,
                "on_part_end": self._part_end}

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if self._done or options.get(b"name") != b"file" or not options.get(b"filename"):
            return  # another field, or a file input left empty (filename="")
        self.sent_name = options[b"filename"].decode("utf-8", errors="replace")
        self._handle = self.target.open("wb")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._handle is None:
            return
        self.size += end - start
        if self.size > self.limit:
            raise TooLarge
        self._handle.write(data[start:end])

    def _part_end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle, self._done = None, True

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


async def receive(headers: Mapping[str, str], body: AsyncIterator[bytes], folder: Path,
                  limit: int, unnamed: str) -> Upload:
    """Stream the multipart body into `folder`/upload. Raises TooLarge past `limit` bytes
    of file (reading stops there) and UploadRefused for a request without a file."""
    content_type, options = parse_options_header(headers.get("content-type"))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise UploadRefused("not_form")
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + _ENVELOPE:
        raise TooLarge
    part = _FilePart(folder / STORED_NAME, limit)
    received = 0
    try:
        parser = MultipartParser(options[b"boundary"], part.callbacks())
        async for chunk in body:
            received += len(chunk)
            if received > limit + _ENVELOPE:  # a body that lied about its length, or other fields
                raise TooLarge
            parser.write(chunk)
        parser.finalize()
    except FormParserError:  # a broken body, or a boundary longer than allowed
        raise UploadRefused("damaged_form") from None
    finally:
        part.close()
    if part.sent_name is None:
        raise UploadRefused("no_file")
    return Upload(folder / STORED_NAME, display_name(part.sent_name, unnamed), part.size)
