"""The researcher's dataset: reviews written as tidy Parquet tables, one folder.

    documents.parquet   one row per document      key document_id
    projects.parquet    one row per table         key document_id, project
    indicators.parquet  one row per indicator row key document_id, project, row
    findings.parquet    one row per finding       document_id, project, row (null: the table)
    scores.parquet      one row per table         document_id, project
    reuse_indicators.parquet, reuse_tables.parquet, reuse_clusters.parquet: reuse across
                        documents (kpiscore.reuse), written from indicators.parquet

`document_id` is the SHA-256 of the file's bytes, so the same file under two names is
one document (the second is skipped) and ids stay the same across runs and machines.
The schemas below are the contract (README, "The dataset"); `SCHEMA_VERSION` changes
when a column is renamed or removed.

Reviews are streamed: rows are buffered up to `BATCH_ROWS` per table, then written as
one row group, so memory stays flat whatever the number of documents. The folder is
written beside the target under a temporary name and renamed when complete: a failed
or interrupted run leaves the previous dataset as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import kpiscore
from kpiscore import reuse
from kpiscore.errors import OutputError
from kpiscore.messages import text
from kpiscore.model import Location
from kpiscore.review import Review
from kpiscore.streams import failures_file, write_failures
from kpiscore.text import compact

SCHEMA_VERSION = "1"
BATCH_ROWS = 50_000
# rapidfuzz ratio at which two masked phrases (or tables) are one reused wording: the
# threshold DUP-02 uses within a document (lexicons/rules.toml)
REUSE_SIMILARITY = 0.85

_ID = ("document_id", pa.string())  # SHA-256 of the file, hex
_PROJECT = ("project", pa.int32())  # the table's index in its document (Project.index)
_ROW = ("row", pa.int32())  # 1-based indicator row in its table
# where a table or row was printed (model.Location): null where it does not apply
_LOCATION_FIELDS = ("line", "page", "sheet", "table", "row", "paragraph")
_LOCATION = ("location", pa.struct([(name, pa.string() if name == "sheet" else pa.int32())
                                    for name in _LOCATION_FIELDS]))

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        _ID, ("source", pa.string()), ("name", pa.string()), ("format", pa.string()),
        ("unit_name", pa.string()), ("year", pa.int16()), ("projects", pa.int32()),
        ("indicators", pa.int32()), ("findings", pa.int32()), ("score", pa.float64()),
        ("warnings", pa.list_(pa.string())), ("kpiscore_version", pa.string()),
    ]),
    "projects": pa.schema([
        _ID, _PROJECT, ("kind", pa.string()), ("title", pa.string()), ("code", pa.string()),
        ("budget_wan", pa.float64()), ("fiscal_wan", pa.float64()), ("other_wan", pa.float64()),
        ("purpose", pa.string()), ("goal", pa.string()), ("explanation", pa.string()),
        ("indicators", pa.int32()), _LOCATION,
        # the header block as printed (label -> value: 主管部门, 实施单位 … where stated)
        ("header", pa.map_(pa.string(), pa.string())),
        # the indicator block's column headers as printed: the template, as a researcher
        # groups by it
        ("columns", pa.list_(pa.string())),
    ]),
    "indicators": pa.schema([
        _ID, _PROJECT, _ROW, ("level1", pa.string()), ("level2", pa.string()),
        ("level1_kind", pa.string()), ("level2_kind", pa.string()), ("name", pa.string()),
        ("description", pa.string()), ("value", pa.string()), ("basis", pa.string()),
        # ParsedValue
        ("operator", pa.string()), ("number", pa.float64()), ("upper", pa.float64()),
        ("value_unit", pa.string()), ("value_kind", pa.string()), ("value_text", pa.string()),
        ("deadline", pa.string()),
        ("score", pa.int16()), _LOCATION,
        # reuse keys: name + description + value compacted, numbers masked (phrase) or not
        ("phrase", pa.string()), ("phrase_hash", pa.int64()), ("text_hash", pa.int64()),
    ]),
    "findings": pa.schema([
        _ID, _PROJECT, _ROW, ("rule", pa.string()), ("category", pa.string()),
        ("severity", pa.string()), ("field", pa.string()), ("message", pa.string()),
        ("suggestion", pa.string()), ("source", pa.string()), ("probability", pa.float64()),
    ]),
    "scores": pa.schema([
        _ID, _PROJECT, ("score", pa.float64()), ("grade", pa.string()),
        ("grade_reason", pa.string()), ("findings", pa.int32()), ("withheld", pa.bool_()),
    ]),
    "reuse_indicators": pa.schema([
        ("cluster", pa.int64()), _ID, _PROJECT, _ROW, ("phrase_hash", pa.int64()),
    ]),
    "reuse_tables": pa.schema([
        ("cluster", pa.int64()), _ID, _PROJECT, ("table_hash", pa.int64()),
    ]),
    "reuse_clusters": pa.schema([
        ("level", pa.string()),  # "indicator" or "table"
        ("cluster", pa.int64()),  # the cluster column of reuse_indicators / reuse_tables
        ("example", pa.string()),  # the cluster's most printed wording (masked)
        ("members", pa.int64()), ("variants", pa.int64()),  # rows (tables); distinct wordings
        ("documents", pa.int64()), ("units", pa.list_(pa.string())),
        ("years", pa.list_(pa.int16())),
    ]),
}
REVIEW_TABLES = ("documents", "projects", "indicators", "findings", "scores")


def document_id(review: Review) -> str:
    """The SHA-256 of the reviewed file; of the document's records (their repr) when it
    has no file (a document built in memory)."""
    source = Path(review.document.source)
    if source.is_file():
        with source.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    return hashlib.sha256(repr(review.document).encode()).hexdigest()


@dataclass
class Written:
    """What a dataset holds, and the documents left out as copies of another."""

    folder: Path
    documents: int = 0
    indicators: int = 0
    findings: int = 0
    copies: list[tuple[str, str]] | None = None  # (source left out, source kept)


class _Table:
    """One Parquet file written in row groups of `BATCH_ROWS` rows."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.buffer: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.Table.from_pylist(self.buffer, schema=self.schema))
            self.buffer = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


class DatasetWriter:
    """The dataset folder as a batch writer (kpiscore.streams.Writer): `kpiscore corpus`
    streams kpiscore.batch into it. Reviews go to a temporary folder beside the target;
    `finish` adds the reuse tables and renames it over the target only when the run is
    complete, so an interrupted or failed run leaves the previous dataset as it was."""

    def __init__(self, target: Path, inputs: Iterable[Path] = ()) -> None:
        self.target, self.inputs = Path(target), list(inputs)
        _check_target(self.target)
        self.partial = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".partial",
                                             dir=self.target.parent))
        self.own = [self.target, self.partial, failures_file(self.target)]
        self.render = None  # its rows are made here, from the review (kpiscore.streams.Writer)
        self.tables = {name: _Table(self.partial / f"{name}.parquet", SCHEMAS[name])
                       for name in REVIEW_TABLES}
        self.written, self.seen = Written(self.target, copies=[]), {}

    def write(self, review: Review) -> None:
        key = document_id(review)
        if key in self.seen:  # the same bytes under another name: one document
            self.written.copies.append((review.document.source, self.seen[key]))
            return
        self.seen[key] = review.document.source
        _add(review, key, self.tables)
        self.written.documents += 1
        self.written.indicators += review.document.indicator_count
        self.written.findings += len(review.findings)

    def finish(self, failures: list[str], complete: bool) -> list[str]:
        try:
            for table in self.tables.values():
                table.close()
            if not complete:
                return []
            if not self.written.documents:  # every input failed: an empty set replaces nothing
                return write_failures(failures_file(self.target), failures, self.inputs)
            write_reuse(self.partial)
            self.partial.chmod(0o777 & ~_umask())  # mkdtemp's folder is private; a dataset is not
            _replace(self.partial, self.target)
        finally:
            shutil.rmtree(self.partial, ignore_errors=True)
        written = self.written
        return [text("corpus", "copy", source=source, kept=kept) for source, kept in written.copies] + [
            text("corpus", "written", folder=self.target, documents=written.documents,
                 indicators=written.indicators, findings=written.findings),
            *write_failures(failures_file(self.target), failures, self.inputs)]


def write(reviews: Iterable[Review], target: Path) -> Written:
    """Write the reviews and their reuse clusters as the dataset folder `target`
    (replacing a previous dataset there)."""
    writer = DatasetWriter(target)
    try:
        for review in reviews:
            writer.write(review)
    except BaseException:
        writer.finish([], complete=False)
        raise
    writer.finish([], complete=True)
    return writer.written


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_target(target: Path) -> None:
    if not target.parent.is_dir():
        raise OutputError(str(target), text("output", "no_folder", folder=target.parent))
    if target.exists() and not (target / "documents.parquet").is_file() and (
            not target.is_dir() or any(target.iterdir())):
        raise OutputError(str(target), text("corpus", "not_dataset"))


def _replace(partial: Path, target: Path) -> None:
    """Put the finished folder in place of `target`; the old one is removed after."""
    old = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(partial, target)
    except OSError as error:
        raise OutputError(str(target), text("output", "cannot_write",
                                            reason=error.strerror or error)) from None
    if old:
        shutil.rmtree(old, ignore_errors=True)


def _add(review: Review, key: str, tables: dict[str, _Table]) -> None:
    document, info = review.document, review.summary()
    tables["documents"].add({
        "document_id": key, "source": document.source, "name": document.name,
        "format": document.format, "unit_name": document.unit_name, "year": document.year,
        "projects": len(document.projects), "indicators": document.indicator_count,
        "findings": len(review.findings), "score": info["score"],
        "warnings": document.warnings, "kpiscore_version": kpiscore.__version__,
    })
    counts: dict[int, int] = {}
    for finding in review.findings:
        counts[finding.project] = counts.get(finding.project, 0) + 1
        tables["findings"].add({
            "document_id": key, "project": finding.project, "row": finding.row,
            "rule": finding.rule, "category": finding.category,
            "severity": finding.severity.name, "field": finding.field,
            "message": finding.message, "suggestion": finding.suggestion,
            "source": finding.source, "probability": finding.probability,
        })
    for project in document.projects:
        score = review.scores[project.index]
        ids = {"document_id": key, "project": project.index}
        tables["projects"].add(ids | {
            "kind": project.kind, "title": project.title, "code": project.code,
            "budget_wan": project.budget_wan, "fiscal_wan": project.fiscal_wan,
            "other_wan": project.other_wan, "purpose": project.purpose, "goal": project.goal,
            "explanation": project.explanation, "indicators": len(project.indicators),
            "location": _location(project.location), "header": list(project.header.items()),
            "columns": project.columns,
        })
        tables["scores"].add(ids | {
            "score": score.score, "grade": score.grade, "grade_reason": score.grade_reason,
            "findings": counts.get(project.index, 0), "withheld": score.score is None,
        })
        for row, indicator in enumerate(project.indicators, start=1):
            parsed = indicator.parsed
            wording = compact(" ".join((indicator.name, indicator.description, indicator.value)))
            phrase = reuse.mask_numbers(wording)  # = reuse.masked(name, description, value)
            tables["indicators"].add(ids | {
                "row": row, "level1": indicator.level1, "level2": indicator.level2,
                "level1_kind": indicator.level1_kind, "level2_kind": indicator.level2_kind,
                "name": indicator.name, "description": indicator.description,
                "value": indicator.value, "basis": indicator.basis,
                "operator": parsed.operator, "number": parsed.number, "upper": parsed.upper,
                "value_unit": parsed.unit, "value_kind": parsed.kind, "value_text": parsed.text,
                "deadline": parsed.deadline, "score": score.indicator_scores[row - 1],
                "location": _location(indicator.location), "phrase": phrase,
                "phrase_hash": reuse.text_hash(phrase),
                "text_hash": reuse.text_hash(wording),
            })


def _location(location: Location) -> dict[str, int | str | None]:
    return {name: getattr(location, name) for name in _LOCATION_FIELDS}


def write_reuse(folder: Path) -> None:
    """reuse_indicators, reuse_tables and reuse_clusters from the folder's indicators and
    documents: the phrases and tables printed by at least two documents."""
    import pandas as pd

    rows = pq.read_table(folder / "indicators.parquet",
                         columns=["document_id", "project", "row", "phrase", "phrase_hash"]).to_pandas()
    documents = pq.read_table(folder / "documents.parquet",
                              columns=["document_id", "unit_name", "year"]).to_pandas()
    phrases = reuse.shared_clusters(rows, "phrase", REUSE_SIMILARITY)
    tables = (rows.groupby(["document_id", "project"], sort=False)["phrase"]
              .agg("|".join).rename("table").reset_index())
    tables["table_hash"] = tables["table"].map(reuse.text_hash)
    tables = reuse.shared_clusters(tables, "table", REUSE_SIMILARITY)
    _write_frame(folder, "reuse_indicators", phrases)
    _write_frame(folder, "reuse_tables", tables)
    summary = pd.concat([_summary(phrases, "phrase", "indicator", documents),
                         _summary(tables, "table", "table", documents)], ignore_index=True)
    _write_frame(folder, "reuse_clusters", summary)


def _summary(members, text: str, level: str, documents):
    """One row per cluster: its most printed wording, how many rows, wordings,
    documents, and which units and years print it."""
    import pandas as pd

    if members.empty:
        return pd.DataFrame(columns=SCHEMAS["reuse_clusters"].names)
    members = members.merge(documents, on="document_id", how="left")
    grouped = members.groupby("cluster", sort=True)
    counted = members.groupby(["cluster", text]).size().rename("n").reset_index()
    example = (counted.sort_values(["cluster", "n"], ascending=[True, False], kind="stable")
               .drop_duplicates("cluster").set_index("cluster")[text])

    def distinct(column: str):
        present = members.dropna(subset=[column]).drop_duplicates(["cluster", column])
        lists = present.sort_values(column).groupby("cluster")[column].agg(list)
        return lists.reindex(example.index).map(lambda value: value if isinstance(value, list) else [])

    return pd.DataFrame({
        "level": level, "example": example, "members": grouped.size(),
        "variants": grouped[text].nunique(), "documents": grouped["document_id"].nunique(),
        "units": distinct("unit_name"), "years": distinct("year"),
    }, index=example.index).rename_axis("cluster").reset_index()


def _write_frame(folder: Path, name: str, frame) -> None:
    schema = SCHEMAS[name]
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd")


def write_duckdb(dataset: Path, database: Path) -> None:
    """A DuckDB database with one view per Parquet table of `dataset` (by absolute path:
    the database reads the dataset where it is), written whole or not at all."""
    import duckdb

    from kpiscore.atomic import replacing

    with replacing(database) as partial:
        partial.unlink()  # DuckDB creates its own file
        with duckdb.connect(str(partial)) as connection:
            for name in SCHEMAS:
                path = (Path(dataset) / f"{name}.parquet").resolve()
                connection.execute(f"create view {name} as select * from read_parquet('{_quoted(path)}')")


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
