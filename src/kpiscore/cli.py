"""The `kpiscore` command.

Exit codes: 0 all files read; 2 a usage error, or at least one file could not be read
(each such file gets one line on stderr; the other files are still written).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console

import kpiscore
from kpiscore.errors import InputError
from kpiscore.model import Document

if TYPE_CHECKING:
    from kpiscore.config import Settings
    from kpiscore.templates import Templates

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


def read_all(files: list[Path], templates: Templates | None = None,
             strict: bool = False) -> tuple[list[Document], list[str]]:
    """Parse every file; a file that fails is reported on stderr and the rest go on. A
    table that could not be read is one warning line; under `strict` it fails its file
    too (the file's other tables are still written). Each file is read under the limits
    of the settings (kpiscore.limits)."""
    from kpiscore import config

    try:
        bounds = config.load().limits
    except InputError as error:
        typer.echo(f"kpiscore: {error.line}", err=True)
        return [], [error.line]
    documents, failures = [], []
    for path in files:
        try:
            document = kpiscore.parse(path, templates, bounds)
        except InputError as error:
            failures.append(error.line)
            typer.echo(f"kpiscore: {failures[-1]}", err=True)
            continue
        except Exception as error:  # a bug must not lose the other files of a batch
            failures.append(f"{path}: unexpected {type(error).__name__}: {error} (please report this)")
            typer.echo(f"kpiscore: {failures[-1]}", err=True)
            continue
        documents.append(document)
        for warning in document.warnings:
            typer.echo(f"kpiscore: {path}: warning: {warning}", err=True)
        if strict and document.warnings:
            failures.append(f"{path}: {len(document.warnings)} table(s) could not be read (--strict)")
    return documents, failures


def _templates(settings: Settings, files: list[Path] | None) -> Templates | None:
    """The template profiles of the config and of --template FILE (these win), or None."""
    from kpiscore import templates

    profiles: dict = {}
    for path in files or []:
        profiles.update(templates.read_profile_file(path))
    profiles.update({name: profile for name, profile in settings.templates.items() if name not in profiles})
    source = str(files[0]) if files else str(settings.source)
    return templates.with_profiles(profiles, source) if profiles else None


TemplateOption = Annotated[list[Path] | None, typer.Option(
    "--template", help="A template profile (TOML: [columns] / [header] labels) for a layout "
                       "kpiscore does not know; repeatable. See README, 'Your own template'.",
    show_default=False)]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Exit 2 when a table that looks like a performance table cannot be read.")]


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Documents to read: .docx, .pdf, .xlsx, .html, .xls, .doc / .wps / .et or text.",
                                                show_default=False)],
    output_format: Annotated[ParseFormat, typer.Option("--format", "-f",
                                                       help="json (the contract), csv / parquet "
                                                            "(one row per indicator) or table.")
                             ] = ParseFormat.json,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of the terminal.")] = None,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    """Extract every performance table into indicator records."""
    from kpiscore import config

    if output_format is ParseFormat.parquet and output is None:
        raise typer.BadParameter("--format parquet needs -o FILE", param_hint="--format")
    try:
        settings = config.load()
        templates = _templates(settings, template)
    except InputError as error:
        typer.echo(f"kpiscore: {error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    documents, failures = read_all(files, templates, strict or settings.strict)
    if documents:
        from kpiscore.errors import OutputError
        from kpiscore.output import write

        try:
            write(documents, output_format.value, output, Console(file=sys.stdout), inputs=files)
        except OutputError as error:
            typer.echo(f"kpiscore: {error.line}", err=True)
            raise typer.Exit(INPUT_ERROR) from None
    if failures:
        raise typer.Exit(INPUT_ERROR)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    csv = "csv"


class Level(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


FINDINGS = 1

NoModelOption = Annotated[bool, typer.Option(
    "--no-model", help="Rules alone, without the classifier (models/README.md).")]


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Documents to check: .docx, .pdf, .xlsx, .html, .xls, .doc / .wps / .et or text.",
                                                show_default=False)],
    output_format: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="text (linter lines and summaries), json (the parse contract with "
                               "findings and scores) or csv (one row per finding).")] = CheckFormat.text,
    select: Annotated[list[str] | None, typer.Option(
        help="Only these rules: codes (TXT-01), code prefixes (TXT) or categories (ECHO). "
             "Repeat or separate with commas.", show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Leave out these rules (same forms as --select).", show_default=False)] = None,
    severity: Annotated[Level | None, typer.Option(
        help="Exit 1 only for findings at or above this severity [default: low, or the config].",
        show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of the terminal.")] = None,
    no_model: NoModelOption = False,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    """Flag defective indicators and score every project, like a linter.

    Exit codes: 0 no findings at or above --severity; 1 some; 2 usage or input error.
    Settings may also come from the tool.kpiscore table of pyproject.toml or from kpiscore.toml.
    """
    from kpiscore import config
    from kpiscore.findings import Severity

    try:
        settings = config.load()
        review = _reviewer(settings, select, ignore, no_model)
        threshold = Severity[(severity.value if severity else settings.severity)]
        templates = _templates(settings, template)
    except (InputError, ValueError) as error:
        typer.echo(f"kpiscore: {error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    documents, failures = read_all(files, templates, strict or settings.strict)
    reviews = []
    for document in documents:
        try:
            reviews.append(review(document))
        except Exception as error:  # a bug must not lose the other files of a batch
            failures.append(f"{document.source}: unexpected {type(error).__name__} while checking: "
                            f"{error} (please report this)")
            typer.echo(f"kpiscore: {failures[-1]}", err=True)
    if reviews and output is None:
        _write_reviews(reviews, output_format, sys.stdout)
    elif reviews and output is not None:
        encoding = "utf-8-sig" if output_format is CheckFormat.csv else "utf-8"  # for Excel
        with output.open("w", encoding=encoding) as handle:
            _write_reviews(reviews, output_format, handle, width=160)
    if failures:
        raise typer.Exit(INPUT_ERROR)
    if any(r.at_least(threshold) for r in reviews):
        raise typer.Exit(FINDINGS)


def _write_reviews(reviews: list, output_format: CheckFormat, handle: TextIO,
                   width: int | None = None) -> None:
    from kpiscore.review import print_text, to_csv, to_json

    if output_format is CheckFormat.text:
        print_text(reviews, Console(file=handle, width=width))
    elif output_format is CheckFormat.json:
        handle.write(to_json(reviews) + "\n")
    else:
        handle.write(to_csv(reviews))


def _model():
    from kpiscore.classifier.store import default

    return default()


def _reviewer(settings, select: list[str] | None, ignore: list[str] | None, no_model: bool):
    """review() with the chosen rules and, unless --no-model, the classifier; raises
    InputError / ValueError for a bad selection or model."""
    from functools import partial

    from kpiscore import rules
    from kpiscore.review import review

    model = None if no_model else _model()
    model_codes = [(f"ML-{c}", c) for c in model.categories] if model else []
    chosen, learnt = rules.select(_listed(select) or settings.select,
                                  _listed(ignore) or settings.ignore, model_codes)
    return partial(review, rules=chosen, model=model, learnt=learnt)


def _listed(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@app.command()
def report(
    file: Annotated[Path, typer.Argument(help="The document to review: .docx, .pdf, .xlsx, .html, .xls, .doc / .wps / .et or text.",
                                         show_default=False)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Where to write; the extension picks the format: .xlsx, .docx or .html.",
        show_default=False)],
    select: Annotated[list[str] | None, typer.Option(
        help="Only these rules (as for check).", show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Leave out these rules (as for check).", show_default=False)] = None,
    no_model: NoModelOption = False,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    """Write the review for people to read: an annotated workbook, Word document or web page.

    .xlsx: a sheet per project table, offending cells filled and commented;
    a summary sheet with charts; a filterable table of all findings.
    .docx: for a .docx input, a copy with Word comments on the offending cells;
    for any other input, a review document.
    .html: one self-contained page with highlighted cells, a chart and filters.

    Exit codes: 0 the report was written, whatever it found; 2 usage or input
    error. Use `check` to fail a build on findings.
    """
    from kpiscore import config
    from kpiscore.report import writer_for, write

    try:
        writer_for(output)
        if output.resolve() == file.resolve():
            raise ValueError(f"{output}: the report would overwrite its input")
        settings = config.load()
        review = _reviewer(settings, select, ignore, no_model)
        templates = _templates(settings, template)
    except (InputError, ValueError) as error:
        typer.echo(f"kpiscore: {error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    documents, failures = read_all([file], templates, strict or settings.strict)
    if failures:
        raise typer.Exit(INPUT_ERROR)
    try:
        write(review(documents[0]), output)
    except OSError as error:  # e.g. a folder that does not exist, a file open in Excel
        typer.echo(f"kpiscore: {output}: cannot write the report: {error.strerror or error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    except Exception as error:  # as in check: one line, not a traceback
        typer.echo(f"kpiscore: {file}: unexpected {type(error).__name__} while writing the report: "
                   f"{error} (please report this)", err=True)
        raise typer.Exit(INPUT_ERROR) from None


@app.command("rules")
def list_rules(
    code: Annotated[str | None, typer.Argument(help="A rule code (TXT-01) to explain in full.",
                                               show_default=False)] = None,
) -> None:
    """List the rules, or explain one: what it flags, why, how to fix it, bad and good rows."""
    from kpiscore.rule_docs import explain, print_catalogue
    from kpiscore.rules import BY_CODE

    console = Console()
    if code is None:
        print_catalogue(console)
    elif code.upper() in BY_CODE:
        explain(BY_CODE[code.upper()], console)
    else:
        typer.echo(f"kpiscore: unknown rule {code!r} (run `kpiscore rules` for the list)", err=True)
        raise typer.Exit(INPUT_ERROR)


LabelsOption = Annotated[Path, typer.Option(help="Folder of label sheets (see docs/labelling.md).")]
SeedsOption = Annotated[Path | None, typer.Option(
    help="Folder of the seed documents [default: $KPISCORE_SEEDS or ../shared/seeds].",
    show_default=False)]
CorpusOption = Annotated[Path | None, typer.Option(
    help="The corpus folder, whose native/ holds the labelled corpus tables "
         "[default: $KPISCORE_CORPUS or ../shared/corpus].", show_default=False)]
SeedsOnlyOption = Annotated[bool, typer.Option("--seeds-only", help="Leave the corpus tables out.")]


def _labelled(labels: Path, seeds: Path | None, corpus: Path | None, seeds_only: bool = False) -> list:
    """The labelled seeds and corpus tables, or a one-line error and exit 2."""
    import os

    from kpiscore import evaluate as measure

    seeds = seeds or Path(os.environ.get("KPISCORE_SEEDS", "../shared/seeds"))
    corpus = corpus or Path(os.environ.get("KPISCORE_CORPUS", seeds.parent / "corpus"))
    if not seeds_only and not corpus.is_dir():
        typer.echo(f"kpiscore: {corpus}: no corpus here; measuring on the seeds only", err=True)
    try:
        return measure.load(labels, seeds, None if seeds_only or not corpus.is_dir() else corpus)
    except (FileNotFoundError, ValueError, InputError) as error:
        typer.echo(f"kpiscore: {error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None


@app.command("eval")
def evaluate(
    labels: LabelsOption = Path("labels"),
    seeds: SeedsOption = None,
    corpus: CorpusOption = None,
    seeds_only: SeedsOnlyOption = False,
    folds: Annotated[bool, typer.Option(help="Also print the score of each held-out publisher.")
                     ] = False,
    no_model: Annotated[bool, typer.Option("--no-model", help="Rules alone: skip the classifier "
                                                               "comparison.")] = False,
) -> None:
    """Precision, recall and F1 per category, in-sample and leave-one-publisher-out (the
    documents of one publisher are held out together): the rules, then rules alone vs the
    classifier alone vs both combined (retrained in every fold)."""
    from kpiscore import evaluate as measure

    documents = _labelled(labels, seeds, corpus, seeds_only)
    console = Console()
    console.print(f"{len(documents)} documents of {len(measure.folds(documents))} publishers")
    console = Console()
    in_sample = measure.scores(documents, measure.predictions(documents))
    pooled, per_fold, held_out = measure.leave_one_out(documents)
    measure.print_scores(in_sample, pooled, console)
    console.print(measure.against_the_bar(pooled))
    for source, title in (("seeds", "the four seeds (Hebei 人社)"), ("corpus", "the corpus tables")):
        part = [d for d in documents if d.source == source]
        if part and len(part) < len(documents):
            measure.print_scores(measure.scores(part, measure.predictions(part)),
                                 measure.scores(part, held_out), console,
                                 title=f"rules on {title} only ({len(part)} documents)")
    if folds:
        for measure_name in ("precision", "recall", "support"):
            table = per_fold.reset_index().pivot(index="category", columns="held_out",
                                                 values=measure_name)
            console.print(f"\n{measure_name} on each held-out publisher\n"
                          + table.reindex(per_fold.index.unique()).round(2).to_string())
    if not no_model:
        from kpiscore.classifier import training

        comparison, _ = training.held_out(documents)
        training.print_comparison(comparison, console)


@app.command()
def phrases(
    paths: Annotated[list[Path], typer.Argument(help="Documents, or folders of documents, to index.",
                                                show_default=False)],
    publishers: Annotated[Path | None, typer.Option(
        help="CSV with columns document (file name without extension) and publisher "
             "[default: labels/publishers.csv when it exists].", show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the index.")
                      ] = Path("lexicons/phrases.json"),
) -> None:
    """Rebuild the phrase-frequency index: which 三级 names recur across publishers (the
    evidence TXT-08 uses for BOILERPLATE)."""
    import csv
    import json

    from kpiscore import phrases as index

    owners_file = publishers or Path("labels/publishers.csv")
    owners: dict[str, str] = {}
    if owners_file.exists():
        with owners_file.open(encoding="utf-8") as handle:
            owners = {line["document"]: line["publisher"] for line in csv.DictReader(handle)}
    elif publishers is not None:
        typer.echo(f"kpiscore: {publishers}: file not found", err=True)
        raise typer.Exit(INPUT_ERROR)
    missing = [path for path in paths if not path.exists()]
    if missing:
        typer.echo(f"kpiscore: {missing[0]}: file or folder not found", err=True)
        raise typer.Exit(INPUT_ERROR)
    files = sorted(f for path in paths for f in ([path] if path.is_file() else path.rglob("*"))
                   if f.is_file())
    documents, failures = read_all(files)
    if not documents:
        typer.echo("kpiscore: no readable document among the paths given; the index is unchanged", err=True)
        raise typer.Exit(INPUT_ERROR)
    built = index.build(documents, owners)
    partial = output.with_name(f".{output.name}.partial")  # the old index stays until this one is whole
    partial.write_text(json.dumps(built, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    partial.replace(output)
    typer.echo(f"wrote {output}: {len(built['names'])} names printed by more than one document, "
               f"{len(built['publishers'])} documents of {len(set(built['publishers'].values()))} publishers")
    if failures:
        raise typer.Exit(INPUT_ERROR)


@app.command()
def train(
    labels: LabelsOption = Path("labels"),
    seeds: SeedsOption = None,
    corpus: CorpusOption = None,
    seeds_only: SeedsOnlyOption = False,
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the model and its card.")
                      ] = Path("models"),
) -> None:
    """Train the classifier on the labelled set (seeded, reproducible), measure it
    leave-one-publisher-out, and write the model (skops) and its card to OUTPUT."""
    from kpiscore.classifier import card, training

    documents = _labelled(labels, seeds, corpus, seeds_only)
    model, comparison = training.train(documents)
    model.save(output)
    card.write(model, comparison, output / "README.md")
    training.print_comparison(comparison, Console())
    typer.echo(f"wrote {output}/indicators.skops, indicators.json and README.md")
