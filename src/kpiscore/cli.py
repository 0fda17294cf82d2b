"""The `kpiscore` command.

Exit codes: 0 all files read; 2 a usage error, or at least one file could not be read
(each such file gets one line on stderr; the other files are still written).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    too (the file's other tables are still written)."""
    documents, failures = [], []
    for path in files:
        try:
            document = kpiscore.parse(path, templates)
        except InputError as error:
            failures.append(str(error))
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
        from kpiscore.output import write

        write(documents, output_format.value, output, Console(file=sys.stdout))
    if failures:
        raise typer.Exit(INPUT_ERROR)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


class Level(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"


FINDINGS = 1
INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C

NoModelOption = Annotated[bool, typer.Option(
    "--no-model", help="Rules alone, without the classifier (models/README.md).")]


@app.command()
def check(
    files: Annotated[list[str], typer.Argument(
        help="Documents to check (.docx, .pdf, .xlsx, .html, .xls, .doc / .wps / .et or text), "
             "folders (searched recursively), patterns such as 'data/**/*.pdf', or - for a "
             "list of paths on stdin.", show_default=False)],
    output_format: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", help="text (linter lines and summaries), json (the parse contract with "
                               "findings and scores; a list for several documents), jsonl (one "
                               "document per line), csv or parquet (one row per finding) "
                               "[default: by -o's extension, else text].", show_default=False)] = None,
    select: Annotated[list[str] | None, typer.Option(
        help="Only these rules: codes (TXT-01), code prefixes (TXT) or categories (ECHO). "
             "Repeat or separate with commas.", show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option(
        help="Leave out these rules (same forms as --select).", show_default=False)] = None,
    severity: Annotated[Level | None, typer.Option(
        help="Exit 1 only for findings at or above this severity [default: low, or the config].",
        show_default=False)] = None,
    output: Annotated[str | None, typer.Option(
        "--output", "-o", help="Write here instead of the terminal; a folder (DIR/, or one that "
                               "exists) gets one file per document.", show_default=False)] = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Worker processes [default: every core].", show_default=False)] = None,
    no_cache: Annotated[bool, typer.Option(
        "--no-cache", help="Neither reuse nor store results (README, 'Batches and the cache').")] = False,
    cache_dir: Annotated[Path | None, typer.Option(
        help="The result cache [default: $KPISCORE_CACHE_DIR, else the user cache folder].",
        show_default=False)] = None,
    no_model: NoModelOption = False,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    """Flag defective indicators and score every project, like a linter.

    Exit codes: 0 no findings at or above --severity; 1 some; 2 usage or input error;
    130 interrupted (finished documents are kept: run again to resume).
    Settings may also come from the tool.kpiscore table of pyproject.toml or from kpiscore.toml.
    """
    from kpiscore import batch, config, inputs, streams
    from kpiscore.cache import Cache
    from kpiscore.errors import KpiscoreError
    from kpiscore.findings import Severity

    try:
        settings = config.load()
        options = batch.options(_listed(select) or settings.select, _listed(ignore) or settings.ignore,
                                not no_model, _templates(settings, template))
        threshold = Severity[(severity.value if severity else settings.severity)]
        target, folder, chosen = _check_output(output, output_format)
        single = inputs.is_single_file(files)
        writer = streams.open_writer(chosen, target, folder, many=not single,
                                     inputs=inputs.named_files(files), root=inputs.common_folder(files))
        cache = None if no_cache else Cache.open(cache_dir, options.fingerprint())
    except (KpiscoreError, ValueError) as error:
        typer.echo(f"kpiscore: {error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    problems: list[str] = []
    paths = inputs.named_files(files) if single else inputs.documents(files, problems, exclude=writer.own)
    try:
        summary = batch.check_files(paths, problems, options, jobs, cache, writer, strict or settings.strict)
    except KpiscoreError as error:  # the output could not be written
        typer.echo(f"kpiscore: {error.line}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    if summary.interrupted:
        raise typer.Exit(INTERRUPTED)
    if summary.failures:
        raise typer.Exit(INPUT_ERROR)
    if summary.worst is not None and summary.worst >= threshold:
        raise typer.Exit(FINDINGS)


def _check_output(output: str | None, output_format: CheckFormat | None) -> tuple[Path | None, bool, str]:
    """check's -o and --format: (target, whether it is a folder, the format). A folder is
    written DIR/ or already one; without --format the extension decides (a folder: json)."""
    import os

    if output is None:
        return None, False, (output_format or CheckFormat.text).value
    target = Path(output)
    folder = output.endswith(("/", os.sep)) or target.is_dir()
    by_suffix = {f".{kind.value}": kind for kind in CheckFormat if kind is not CheckFormat.text}
    chosen = output_format or (CheckFormat.json if folder else by_suffix.get(target.suffix.lower(),
                                                                               CheckFormat.text))
    return target, folder, chosen.value


def _reviewer(settings, select: list[str] | None, ignore: list[str] | None, no_model: bool):
    """review() with the chosen rules and, unless --no-model, the classifier; raises
    InputError / ValueError for a bad selection or model."""
    from kpiscore import batch

    return batch.reviewer(batch.options(_listed(select) or settings.select,
                                        _listed(ignore) or settings.ignore, not no_model))


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
