"""Write parsed documents as JSON, CSV, Parquet or a terminal table.

A file is written through kpiscore.atomic: complete or not at all, and never over one of
the inputs. Cell text and file names are printed as text, never read as rich markup (a
cell holding "[/]" prints as "[/]").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kpiscore import atomic
from kpiscore.model import FRAME_COLUMNS, Document
from kpiscore.money import wan_text

if TYPE_CHECKING:
    import pandas as pd


def to_json(documents: list[Document]) -> str:
    """One object per file; a list when there are several (the documented contract)."""
    payload = [document.to_dict() for document in documents]
    return json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)


def to_frame(documents: list[Document]) -> pd.DataFrame:
    import pandas as pd  # only for CSV and Parquet: JSON and the table need no pandas

    frames = [document.to_frame() for document in documents]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FRAME_COLUMNS)


def print_summary(documents: list[Document], console: Console) -> None:
    for document in documents:
        table = Table(title=Text(f"{document.source} — {document.unit_name or '?'} {document.year or ''}"
                                 f" ({document.format}, {len(document.projects)} tables, "
                                 f"{document.indicator_count} indicators)"))
        for column, justify in (("#", "right"), ("kind", "left"), ("title", "left"),
                                ("code", "left"), ("预算数(万元)", "right"), ("indicators", "right")):
            table.add_column(column, justify=justify)
        for project in document.projects:
            table.add_row(*(Text(cell) for cell in (
                str(project.index), project.kind, project.title, project.code or "",
                wan_text(project.budget_wan), str(len(project.indicators)))))
        console.print(table)


def write(documents: list[Document], output_format: str, destination: Path | None,
          console: Console, inputs: Iterable[Path] = ()) -> None:
    """Write to `destination`, or to the terminal when it is None. A destination that is
    one of `inputs` (the files read) is refused with OutputError, and a write that fails
    leaves the previous file as it was."""
    if output_format == "parquet" and destination is None:
        raise ValueError("--format parquet needs -o FILE")
    if destination is None:
        if output_format == "table":
            print_summary(documents, console)
        else:
            console.file.write(_text(documents, output_format))
        return
    with atomic.replacing(destination, inputs) as partial:
        if output_format == "table":
            with partial.open("w", encoding="utf-8") as handle:
                print_summary(documents, Console(file=handle, width=200))
        elif output_format == "parquet":
            to_frame(documents).to_parquet(partial, index=False)
        else:
            # utf-8-sig so that Excel opens the CSV with the Chinese text intact
            partial.write_text(_text(documents, output_format),
                               encoding="utf-8-sig" if output_format == "csv" else "utf-8")


def _text(documents: list[Document], output_format: str) -> str:
    return to_json(documents) + "\n" if output_format == "json" else to_frame(documents).to_csv(index=False)
