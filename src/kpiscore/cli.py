"""The `kpiscore` command.

Exit codes: 0 all files read; 2 a usage error, or at least one file could not be read
(each such file gets one line on stderr; the other files are still written).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

import kpiscore
from kpiscore.errors import InputError
from kpiscore.model import Document

app = typer.Typer(
    help="Extract and score the performance-target tables (绩效目标表) of budget documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

INPUT_ERROR = 2


class ParseFormat(str, Enum):
    json = "json"
    csv = "csv"
    table = "table"
    parquet = "parquet"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kpiscore {kpiscore.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """kpiscore: read 绩效文本 (.docx, .pdf, .xlsx or extracted text) and check their indicators."""


def read_all(files: list[Path]) -> tuple[list[Document], list[str]]:
    """Parse every file; a file that fails is reported on stderr and the rest go on."""
    documents, failures = [], []
    for path in files:
        try:
            documents.append(kpiscore.parse(path))
        except InputError as error:
            failures.append(str(error))
        except Exception as error:  # a bug must not lose the other files of a batch
            failures.append(f"{path}: unexpected {type(error).__name__}: {error} (please report this)")
    for failure in failures:
        typer.echo(f"kpiscore: {failure}", err=True)
    return documents, failures


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Documents to read: .docx, .pdf, .xlsx or text.",
                                                show_default=False)],
    output_format: Annotated[ParseFormat, typer.Option("--format", "-f",
                                                       help="json (the contract), csv / parquet "
                                                            "(one row per indicator) or table.")
                             ] = ParseFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of the terminal.")] = None,
) -> None:
    """Extract every performance table into indicator records."""
    if output_format is ParseFormat.parquet and output is None:
        raise typer.BadParameter("--format parquet needs -o FILE", param_hint="--format")
    documents, failures = read_all(files)
    if documents:
        from kpiscore.output import write

        write(documents, output_format.value, output, Console(file=sys.stdout))
    if failures:
        raise typer.Exit(INPUT_ERROR)
