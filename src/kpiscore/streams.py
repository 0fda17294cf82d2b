"""Writers that take one review at a time, so that a batch's memory does not grow with it.

- to a file (`-o FILE`): JSON Lines (a document per line), a JSON list, CSV or Parquet
  (one row per finding, as `check --format csv`; Parquet in row groups of
  PARQUET_GROUP documents) are written to `FILE.partial` as results come and renamed
  to FILE when the run is complete. An interrupted run leaves FILE as it was and the
  finished documents in FILE.partial (and in the cache, from which a rerun rebuilds FILE);
- to a folder (`-o DIR/`): one file per document, each written atomically, named after
  the document (`a/b.docx` -> `DIR/a/b.docx.json`, the folders below the arguments'
  common folder kept, so that equal names in different folders do not collide);
- to stdout: the same streams. The text format (kpiscore.terminal) prints each
  document's lines and scores as it comes, and the totals at the end.

Failures go to a failures file beside the output (`FILE`'s stem + `.failures.txt`, or
`DIR/failures.txt`), one line each; an old one is removed when there are none.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from kpiscore import messages
from kpiscore.atomic import is_device, refuse_inputs, replacing, write_text
from kpiscore.errors import OutputError, UsageError
from kpiscore.findings import Severity

if TYPE_CHECKING:
    import pyarrow as pa

    from kpiscore.review import Review
    from kpiscore.terminal import TextReport

FORMATS = ("text", "json", "jsonl", "csv", "parquet")
SUFFIXES = {"text": ".txt", "json": ".json", "jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}
PARQUET_GROUP = 100  # documents per Parquet row group: a few MiB of rows at most
PARTIAL = ".partial"
FAILURES = ".failures.txt"


@dataclass(frozen=True)
class Listing:
    """Which findings a reader of the output is shown: those at or above `severity` (the
    text lines, the CSV and Parquet rows; JSON keeps them all, as data), with their
    suggestions, or only the counts by rule."""

    severity: Severity = Severity.low
    show_fixes: bool = False
    statistics: bool = False

    def report(self, handle: TextIO, width: int | None) -> TextReport:
        from rich.console import Console

        from kpiscore.terminal import TextReport

        return TextReport(Console(file=handle, width=width), self.severity, self.show_fixes,
                          self.statistics)


class Writer(Protocol):
    own: list[Path]  # the files and folders it writes: never inputs of the run
    # A picklable review -> text that a batch may run where the review is made (a pool
    # worker), handing the text to write_rendered: the parent then neither unpickles the
    # review nor encodes it. None: reviews go to write.
    render: Callable[[Review], str] | None

    def write(self, review: Review) -> None: ...

    def write_rendered(self, text: str) -> None:
        """What `render` made of a review, written as write() would have written it
        (asked only of a writer whose `render` is set)."""

    def finish(self, failures: list[str], complete: bool) -> list[str]:
        """Close the output (renamed into place only when `complete`), write the failures
        file; return the lines worth telling the user (where things were left)."""


def open_writer(output_format: str, target: Path | None, directory: bool = False,
                many: bool = True, inputs: list[Path] = (), root: Path | None = None,
                listing: Listing = Listing()) -> Writer:
    """The writer for `--format` and `-o` (None: stdout; `directory`: one file per
    document, named as below `root`). `many`: JSON is a list (several inputs) rather than
    one object. `inputs`: files the output may not overwrite."""
    if output_format == "parquet" and target is None:
        raise UsageError("--format", messages.text("cli", "parquet_needs_file"))
    if directory:
        return FolderWriter(Path(target), output_format, inputs, root or Path.cwd(), listing)
    return StreamWriter(output_format, target, many, inputs, listing)


def failures_file(target: Path) -> Path:
    return target.with_name(target.stem + FAILURES)


def write_failures(path: Path, failures: list[str], inputs: list[Path]) -> list[str]:
    if failures:
        write_text(path, "".join(line + "\n" for line in failures), inputs=inputs)
        return [messages.text("batch", "failures_file", path=path)]
    path.unlink(missing_ok=True)
    return []


class StreamWriter:
    """One output stream: a file (via FILE.partial) or stdout."""

    def __init__(self, output_format: str, target: Path | None, many: bool, inputs: list[Path],
                 listing: Listing) -> None:
        self.format, self.target, self.many, self.inputs = output_format, target, many, list(inputs)
        self.listing = listing
        self.count = 0
        self.render = partial(_body, output_format=output_format, many=many, severity=listing.severity
                              ) if output_format in ("json", "jsonl", "csv") else None
        self.report: TextReport | None = None  # the text format: lines as they come, totals at the end
        self.parquet: ParquetRows | None = None
        self.handle: TextIO | None = None
        self.own: list[Path] = []
        if target is None:
            self.handle = sys.stdout
            self._start_text()
            return
        # a device (/dev/null) is written in place, with no failures file beside it
        self.partial = target if is_device(target) else target.with_name(target.name + PARTIAL)
        self.own = [target] if self.partial == target else [target, self.partial, failures_file(target)]
        for path in (target, self.partial):
            refuse_inputs(path, self.inputs)
        if not target.parent.is_dir():
            raise OutputError(str(target), messages.text("output", "no_folder", folder=target.parent))
        try:
            if output_format == "parquet":
                self.parquet = ParquetRows(self.partial, listing.severity)
            else:  # utf-8-sig: Excel opens the CSV with the Chinese text intact
                self.handle = self.partial.open(
                    "w", encoding="utf-8-sig" if output_format == "csv" else "utf-8", newline="")
        except OSError as error:
            raise OutputError(str(target), messages.text("output", "cannot_create",
                                                         reason=error.strerror or error)) from None
        self._start_text()

    def _start_text(self) -> None:
        if self.format == "text":
            self.report = self.listing.report(self.handle, None if self.target is None else 160)

    def write(self, review: Review) -> None:
        if self.render is not None:
            self.write_rendered(self.render(review))
            return
        with self._writing():
            if self.parquet is not None:
                self.parquet.add(review)
            else:
                self.report.add(review)
                self.handle.flush()  # on disk as soon as done: what Ctrl-C leaves is readable
        self.count += 1

    def write_rendered(self, text: str) -> None:
        """A document's body with what goes before it in the stream: a JSON list's `[` or
        `,`, the CSV header before the first document."""
        if self.format == "json" and self.many:
            text = ("[\n" if self.count == 0 else ",\n") + text
        elif self.format == "csv" and self.count == 0:
            text = _csv_header() + text
        with self._writing():
            self.handle.write(text)
            self.handle.flush()
        self.count += 1

    def finish(self, failures: list[str], complete: bool) -> list[str]:
        """Also after Ctrl-C the stream is closed whole (a JSON list gets its `]`, Parquet
        its footer), so that FILE.partial is readable."""
        with self._writing():
            if self.parquet is not None:
                self.parquet.close()
            elif self.report is not None and self.count:
                self.report.close()
            elif self.format == "json" and self.many:
                self.handle.write("[]\n" if self.count == 0 else "\n]\n")
            if self.target is None:
                self.handle.flush()
                return []
            if self.handle is not None:
                self.handle.close()
            if self.partial == self.target:
                return []
            notes = write_failures(failures_file(self.target), failures, self.inputs)
            if complete:
                os.replace(self.partial, self.target)
            else:
                notes.append(messages.text("batch", "partial", path=self.partial))
        return notes

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A full disk or a vanished folder is one line naming the output, not a traceback."""
        try:
            yield
        except OSError as error:
            raise OutputError(str(self.target or "stdout"), messages.text(
                "output", "cannot_write", reason=error.strerror or error)) from None


class FolderWriter:
    """One file per document under a folder."""

    def __init__(self, folder: Path, output_format: str, inputs: list[Path], root: Path,
                 listing: Listing) -> None:
        if output_format == "jsonl":
            output_format = "json"  # one document per file: a line is a JSON object
        self.folder, self.format, self.inputs = folder, output_format, list(inputs)
        self.listing = listing
        self.root = Path(os.path.abspath(root))
        self.own = [folder]
        self.render = None  # a file per document: written from the review, here
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(str(folder), messages.text("output", "cannot_create",
                                                         reason=error.strerror or error)) from None

    def path_of(self, review: Review) -> Path:
        source = Path(os.path.abspath(review.document.source))
        try:
            relative = source.relative_to(self.root)
        except ValueError:  # a path from stdin outside the folder: its whole path, no clash
            relative = source.relative_to(source.anchor)
        return self.folder / relative.with_name(relative.name + SUFFIXES[self.format])

    def write(self, review: Review) -> None:
        target = self.path_of(review)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.format == "parquet":
            with replacing(target, self.inputs) as partial:
                rows = ParquetRows(partial, self.listing.severity)
                rows.add(review)
                rows.close()
            return
        if self.format == "text":
            handle = io.StringIO()
            report = self.listing.report(handle, 160)
            report.add(review)
            report.close()
            text = handle.getvalue()
        else:
            text = (_csv_header() if self.format == "csv" else "") + _body(
                review, self.format, many=False, severity=self.listing.severity)
        write_text(target, text, encoding="utf-8-sig" if self.format == "csv" else "utf-8",
                   inputs=self.inputs)

    def finish(self, failures: list[str], complete: bool) -> list[str]:
        return write_failures(self.folder / FAILURES.lstrip("."), failures, self.inputs)


def _body(review: Review, output_format: str, many: bool, severity: Severity) -> str:
    """One document's text: a JSON line, an element of a JSON list (`many`) or the whole
    object, or its CSV rows at or above `severity` (no header)."""
    if output_format == "jsonl":
        return json.dumps(review.to_dict(), ensure_ascii=False) + "\n"
    if output_format == "json":
        text = json.dumps(review.to_dict(), ensure_ascii=False, indent=2)
        return text if many else text + "\n"
    return review.to_frame(severity).to_csv(index=False, header=False)


@cache  # a folder of CSV files asks for it once per document
def _csv_header() -> str:
    """The CSV header line, as pandas writes it above the rows."""
    import pandas as pd

    from kpiscore.review import FINDING_COLUMNS

    return pd.DataFrame(columns=FINDING_COLUMNS).to_csv(index=False)


def finding_schema() -> pa.Schema:
    """The Parquet columns of a finding row (review.FINDING_COLUMNS), typed once, so that
    every row group of a stream has the same schema whatever its documents hold."""
    import pyarrow as pa

    from kpiscore.review import FINDING_COLUMNS

    types = {"project": pa.int64(), "row": pa.int64(), "probability": pa.float64()}
    return pa.schema([(name, types.get(name, pa.string())) for name in FINDING_COLUMNS])


class ParquetRows:
    """Finding rows into a Parquet file, a row group per PARQUET_GROUP documents."""

    def __init__(self, path: Path, severity: Severity = Severity.low) -> None:
        import pyarrow.parquet as pq

        self.severity = severity
        self.schema = finding_schema()
        self.file = pq.ParquetWriter(path, self.schema)
        self.frames: list = []

    def add(self, review: Review) -> None:
        self.frames.append(review.to_frame(self.severity))
        if len(self.frames) >= PARQUET_GROUP:
            self._flush()

    def _flush(self) -> None:
        import pandas as pd
        import pyarrow as pa

        if self.frames:
            frame = pd.concat(self.frames, ignore_index=True)
            frame["row"] = frame["row"].astype("Int64")
            self.file.write_table(pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False))
            self.frames = []

    def close(self) -> None:
        self._flush()
        self.file.close()
