"""The `kpiscore` command.

Exit codes: 0 all files read; 2 a usage error, or at least one file could not be read
(each such file gets one line on stderr; the other files are still written).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

import kpiscore
from kpiscore.atomic import refuse_inputs, write_text
from kpiscore.errors import InputError, KpiscoreError, UsageError
from kpiscore.messages import catalogue, text
from kpiscore.model import Document

if TYPE_CHECKING:
    from kpiscore import batch
    from kpiscore.baseline import Baseline
    from kpiscore.cache import Cache
    from kpiscore.config import Settings
    from kpiscore.limits import Limits
    from kpiscore.report import Outcome
    from kpiscore.review import Review
    from kpiscore.templates import Templates

def _help(key: str, section: str = "cli") -> str:
    """A help text of the catalogue, printed as written (`[tool.kpiscore]` is no markup)."""
    from rich.markup import escape

    return escape(text(section, key))


def _chinese_help_frame() -> None:
    from typer import rich_utils

    for name, value in catalogue()["help_frame"].items():
        setattr(rich_utils, name, value)


_chinese_help_frame()
app = typer.Typer(
    help=_help("app"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

INPUT_ERROR = 2
FINDINGS = 1
INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C


def _say(line: str) -> None:
    """One line on stderr, never read as markup."""
    typer.echo(f"kpiscore: {line}", err=True)


def _fail(error: KpiscoreError) -> NoReturn:
    _say(error.line)
    raise typer.Exit(INPUT_ERROR)


class ParseFormat(str, Enum):
    json = "json"
    csv = "csv"
    table = "table"
    parquet = "parquet"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kpiscore {kpiscore.__version__}")
        raise typer.Exit()


@app.callback(help=_help("main"))
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=_help("version"))] = False,
) -> None:
    # A Windows console in GBK cannot show every character a document may hold (or rich's
    # table lines): print what it can rather than fail on the first one it cannot.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def read_all(files: list[Path], templates: Templates | None = None, strict: bool = False,
             limits: Limits | None = None) -> tuple[list[Document], list[str]]:
    """Parse every file; a file that fails is reported on stderr and the rest go on. A
    table that could not be read is one warning line; under `strict` it fails its file
    too (the file's other tables are still written). Each file is read under `limits`
    (the settings' [limits]; kpiscore.limits)."""
    documents, failures = [], []
    for path in files:
        try:
            document = kpiscore.parse(path, templates, limits)
        except KpiscoreError as error:
            failures.append(error.line)
            _say(failures[-1])
            continue
        except Exception as error:  # a bug must not lose the other files of a batch
            failures.append(f"{path}: " + text("cli", "unexpected", kind=type(error).__name__, error=error))
            _say(failures[-1])
            continue
        documents.append(document)
        for warning in document.warnings:
            _say(text("cli", "warning", source=path, warning=warning))
        if strict and document.warnings:
            failures.append(text("cli", "strict_failed", source=path, count=len(document.warnings)))
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


@dataclass
class Setup:
    """What every reading command needs: the settings, the template profiles and, for the
    checking commands, the review function with the chosen rules and model."""

    settings: Settings
    templates: Templates | None
    strict: bool
    review: Callable[[Document], Review] | None = None


def _setup(template: list[Path] | None, strict: bool, *, select: list[str] | None = None,
           ignore: list[str] | None = None, no_model: bool = False, checking: bool = False) -> Setup:
    """Load settings, templates and (when `checking`) the reviewer, or exit 2 with one line."""
    from kpiscore import config

    try:
        settings = config.load()
        setup = Setup(settings, _templates(settings, template), strict or settings.strict)
        if checking:
            setup.review = _reviewer(settings, select, ignore, no_model)
    except KpiscoreError as error:
        _fail(error)
    return setup


TemplateOption = Annotated[list[Path] | None, typer.Option(
    "--template", help=_help("template"), show_default=False)]
StrictOption = Annotated[bool, typer.Option("--strict", help=_help("strict"))]
FilesArgument = Annotated[list[Path], typer.Argument(help=_help("files"), show_default=False,
                                                    metavar=text("cli", "files_metavar"))]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help=_help("output"))]


@app.command(help=_help("parse"))
def parse(
    files: FilesArgument,
    output_format: Annotated[ParseFormat, typer.Option("--format", "-f", help=_help("parse_format"))
                             ] = ParseFormat.json,
    output: OutputOption = None,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    if output_format is ParseFormat.parquet and output is None:
        _fail(UsageError("--format", text("cli", "parquet_needs_file")))
    setup = _setup(template, strict)
    if output is not None:
        try:
            refuse_inputs(output, files)
        except KpiscoreError as error:
            _fail(error)
    documents, failures = read_all(files, setup.templates, setup.strict, setup.settings.limits)
    if documents:
        from kpiscore.output import write

        try:
            write(documents, output_format.value, output, Console(file=sys.stdout), inputs=files)
        except KpiscoreError as error:
            _fail(error)
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


NoModelOption = Annotated[bool, typer.Option("--no-model", help=_help("no_model"))]
SelectOption = Annotated[list[str] | None, typer.Option(help=_help("select"), show_default=False)]
IgnoreOption = Annotated[list[str] | None, typer.Option(help=_help("ignore"), show_default=False)]
PathsArgument = Annotated[list[str], typer.Argument(help=_help("check_files"), show_default=False,
                                                    metavar=text("cli", "check_metavar"))]
JobsOption = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help=_help("jobs"),
                                                show_default=False)]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help=_help("no_cache"))]
CacheDirOption = Annotated[Path | None, typer.Option(help=_help("cache_dir"), show_default=False)]


@app.command(help=_help("check"))
def check(
    files: PathsArgument,
    output_format: Annotated[CheckFormat | None, typer.Option(
        "--format", "-f", help=_help("check_format"), show_default=False)] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    severity: Annotated[Level | None, typer.Option(help=_help("severity"), show_default=False)] = None,
    show_fixes: Annotated[bool, typer.Option("--show-fixes", help=_help("show_fixes"))] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help=_help("statistics"))] = False,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help=_help("exit_zero"))] = False,
    baseline: Annotated[Path | None, typer.Option(help=_help("baseline"), show_default=False)] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help=_help("check_output"),
                                               show_default=False)] = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
    no_model: NoModelOption = False,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    from kpiscore import batch, inputs, streams
    from kpiscore.findings import Severity

    setup = _setup(template, strict)
    listing = streams.Listing(Severity[severity.value if severity else setup.settings.severity],
                              show_fixes, statistics)
    try:
        options = _options(setup.settings, select, ignore, no_model, setup.templates)
        previous = _baseline(baseline)
        target, folder, chosen = _check_output(output, output_format)
        single = inputs.is_single_file(files)
        writer = streams.open_writer(chosen, target, folder, many=not single, listing=listing,
                                     inputs=inputs.named_files(files), root=inputs.common_folder(files))
        cache = _cache(no_cache, cache_dir, options)
    except KpiscoreError as error:
        _fail(error)
    problems: list[str] = []
    paths = inputs.named_files(files) if single else inputs.documents(files, problems, exclude=writer.own)
    try:
        summary = batch.check_files(paths, problems, options, jobs, cache, writer, setup.strict, previous)
    except KpiscoreError as error:  # the output could not be written
        _fail(error)
    if summary.interrupted:
        raise typer.Exit(INTERRUPTED)
    if summary.failures:
        raise typer.Exit(INPUT_ERROR)
    if not exit_zero and summary.worst is not None and summary.worst >= listing.severity:
        raise typer.Exit(FINDINGS)


def _cache(no_cache: bool, folder: Path | None, options: batch.Options) -> Cache | None:
    """The result cache for these options, unless --no-cache."""
    from kpiscore.cache import Cache

    return None if no_cache else Cache.open(folder, options.fingerprint())


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


def _outcomes(files: list[Path], setup: Setup) -> Iterator[Outcome]:
    """Each file read and reviewed, or the one line saying why not (already printed)."""
    for path in files:
        documents, failures = read_all([path], setup.templates, setup.strict, setup.settings.limits)
        if failures:
            yield path, None, failures[0]
            continue
        try:
            yield path, setup.review(documents[0]), None
        except Exception as error:  # a bug must not lose the other files of a batch
            problem = f"{path}: " + text("cli", "unexpected_checking", kind=type(error).__name__, error=error)
            _say(problem)
            yield path, None, problem


def _baseline(path: Path | None) -> Baseline | None:
    if path is None:
        return None
    from kpiscore.baseline import Baseline

    return Baseline.load(path)


def _options(settings: Settings, select: list[str] | None, ignore: list[str] | None,
             no_model: bool, templates: Templates | None = None) -> batch.Options:
    """What a review is made with: the chosen rules, the classifier unless --no-model, the
    template profiles and the settings' limits; KpiscoreError for a bad selection or model.
    A --select on the command line wins over the config's ignore, as in ruff: the config's
    lists apply only when it gives none."""
    from kpiscore import batch

    chosen_select, chosen_ignore = _listed(select), _listed(ignore)
    if not chosen_select:
        chosen_select = settings.select
        chosen_ignore = chosen_ignore or settings.ignore
    try:
        return batch.options(chosen_select, chosen_ignore, not no_model, templates, settings.limits)
    except ValueError as error:
        raise UsageError("--select", str(error)) from None


def _reviewer(settings: Settings, select: list[str] | None, ignore: list[str] | None,
              no_model: bool) -> Callable[[Document], Review]:
    """review() with the chosen rules and, unless --no-model, the classifier (_options)."""
    from kpiscore import batch

    return batch.reviewer(_options(settings, select, ignore, no_model))


def _listed(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


class ReportFormat(str, Enum):
    auto = "auto"
    xlsx = "xlsx"
    docx = "docx"
    html = "html"


@app.command(help=_help("report"))
def report(
    paths: Annotated[list[Path], typer.Argument(help=_help("report_files"), show_default=False,
                                                metavar=text("cli", "report_metavar"))],
    output: Annotated[Path, typer.Option("--output", "-o", help=_help("report_output"),
                                         show_default=False)],
    output_format: Annotated[ReportFormat, typer.Option("--format", "-f", help=_help("report_format"))
                             ] = ReportFormat.auto,
    select: Annotated[list[str] | None, typer.Option(help=_help("report_select"), show_default=False)] = None,
    ignore: Annotated[list[str] | None, typer.Option(help=_help("report_ignore"), show_default=False)] = None,
    no_model: NoModelOption = False,
    template: TemplateOption = None,
    strict: StrictOption = False,
) -> None:
    from kpiscore.report import write, write_many, writer_for

    many = len(paths) > 1 or any(path.is_dir() for path in paths)
    try:
        if many and output.exists() and not output.is_dir():
            raise UsageError(str(output), text("cli", "report_exists"))
        if not many:
            writer_for(output)
            refuse_inputs(output, paths)
    except KpiscoreError as error:
        _fail(error)
    setup = _setup(template, strict, select=select, ignore=ignore, no_model=no_model, checking=True)
    if many:
        from kpiscore import inputs

        files, failures = inputs.expand(paths, exclude=[output])
        for problem in failures:
            _say(problem)
        failures += write_many(_outcomes(files, setup), output, output_format.value, _say)
        if failures:
            _say(text("cli", "failed_list", count=len(failures), files="；".join(failures)))
        raise typer.Exit(INPUT_ERROR if failures else 0)
    (source, result, problem), = _outcomes(paths, setup)
    if result is None:
        raise typer.Exit(INPUT_ERROR)
    try:
        write(result, output, inputs=paths)
    except KpiscoreError as error:
        _fail(error)
    except Exception as error:  # as in check: one line, not a traceback
        _say(f"{source}: " + text("cli", "unexpected_writing", kind=type(error).__name__, error=error))
        raise typer.Exit(INPUT_ERROR) from None


@app.command("rules", help=_help("rules"))
def list_rules(
    selector: Annotated[str | None, typer.Argument(help=_help("rules_code"), show_default=False)] = None,
) -> None:
    from kpiscore import rules
    from kpiscore.rule_docs import explain, print_catalogue

    console = Console()
    try:
        chosen = rules.select([selector])[0] if selector else list(rules.RULES)
    except ValueError:
        typer.echo(f"kpiscore: {text('rules', 'unknown', selector=selector)}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
    if len(chosen) == 1:
        explain(chosen[0], console)
    else:
        print_catalogue(console, chosen)


LabelsOption = Annotated[Path, typer.Option(help=_help("labels"))]
SeedsOption = Annotated[Path | None, typer.Option(help=_help("seeds"), show_default=False)]
CorpusOption = Annotated[Path | None, typer.Option(help=_help("corpus"), show_default=False)]
SeedsOnlyOption = Annotated[bool, typer.Option("--seeds-only", help=_help("seeds_only"))]


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


@app.command("eval", help=_help("eval"))
def evaluate(
    labels: LabelsOption = Path("labels"),
    seeds: SeedsOption = None,
    corpus: CorpusOption = None,
    seeds_only: SeedsOnlyOption = False,
    folds: Annotated[bool, typer.Option(help=_help("folds"))] = False,
    no_model: Annotated[bool, typer.Option("--no-model", help=_help("eval_no_model"))] = False,
) -> None:
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


@app.command(help=_help("phrases"))
def phrases(
    paths: Annotated[list[Path], typer.Argument(help=_help("phrases_paths"), show_default=False)],
    publishers: Annotated[Path | None, typer.Option(help=_help("publishers"), show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help=_help("phrases_output"))
                      ] = Path("lexicons/phrases.json"),
) -> None:
    import csv
    import json

    from kpiscore import phrases as index
    from kpiscore.read.failures import says

    owners_file = publishers or Path("labels/publishers.csv")
    owners: dict[str, str] = {}
    if owners_file.exists():
        with owners_file.open(encoding="utf-8") as handle:
            owners = {line["document"]: line["publisher"] for line in csv.DictReader(handle)}
    elif publishers is not None:
        _fail(InputError(str(publishers), says("file_not_found")))
    from kpiscore import inputs

    files, failures = inputs.expand(paths)
    for problem in failures:
        _say(problem)
    documents, unread = read_all(files)
    failures += unread
    if not documents:
        _say(text("cli", "no_documents") + text("cli", "phrases_unchanged"))
        raise typer.Exit(INPUT_ERROR)
    built = index.build(documents, owners)
    try:  # the old index stays until this one is whole
        write_text(output, json.dumps(built, ensure_ascii=False, indent=1) + "\n")
    except KpiscoreError as error:
        _fail(error)
    typer.echo(text("cli", "wrote_phrases", path=output, names=len(built["names"]),
                    documents=len(built["publishers"]), publishers=len(set(built["publishers"].values()))))
    if failures:
        raise typer.Exit(INPUT_ERROR)


@app.command(help=_help("train"))
def train(
    labels: LabelsOption = Path("labels"),
    seeds: SeedsOption = None,
    corpus: CorpusOption = None,
    seeds_only: SeedsOnlyOption = False,
    output: Annotated[Path, typer.Option("--output", "-o", help=_help("train_output"))] = Path("models"),
) -> None:
    from kpiscore.classifier import card, training

    documents = _labelled(labels, seeds, corpus, seeds_only)
    model, comparison = training.train(documents)
    model.save(output)
    card.write(model, comparison, output / "README.md")
    training.print_comparison(comparison, Console())
    typer.echo(f"wrote {output}/indicators.skops, indicators.json and README.md")


@app.command(help=_help("help", "corpus"))
def corpus(
    paths: PathsArgument,
    output: Annotated[Path, typer.Option("--output", "-o", help=_help("output", "corpus"),
                                         show_default=False)],
    duckdb_file: Annotated[Path | None, typer.Option(
        "--duckdb", help=_help("duckdb_file", "corpus"), show_default=False)] = None,
    jobs: JobsOption = None,
    no_cache: NoCacheOption = False,
    cache_dir: CacheDirOption = None,
    no_model: NoModelOption = False,
    template: TemplateOption = None,
) -> None:
    from kpiscore import batch, inputs

    try:
        from kpiscore import dataset
        if duckdb_file is not None:
            import duckdb  # noqa: F401  (checked before the documents are read)
    except ModuleNotFoundError as error:
        _say(text("corpus", "needs", module=error.name))
        raise typer.Exit(INPUT_ERROR) from None
    setup = _setup(template, strict=False)
    try:
        options = _options(setup.settings, None, None, no_model, setup.templates)
        cache = _cache(no_cache, cache_dir, options)
        writer = dataset.DatasetWriter(output, inputs.named_files(paths))  # makes its partial folder
        problems: list[str] = []
        found = inputs.documents(paths, problems, exclude=writer.own)
        try:
            summary = batch.check_files(found, problems, options, jobs, cache, writer)
        except KpiscoreError:  # a write failed: no partial folder is left behind
            writer.finish([], complete=False)
            raise
        if duckdb_file is not None and not summary.interrupted:
            dataset.write_duckdb(output, duckdb_file)
            _say(text("corpus", "duckdb", database=duckdb_file, folder=output))
    except KpiscoreError as error:
        _fail(error)
    if summary.interrupted:
        raise typer.Exit(INTERRUPTED)
    if summary.failures:
        raise typer.Exit(INPUT_ERROR)


def _serve_help(key: str) -> str:
    from kpiscore import lexicon

    return lexicon.table("serve.toml")["command"][key]


@app.command(help=_serve_help("help"))
def serve(
    port: Annotated[int, typer.Option(help=_serve_help("port"), min=0, max=65535)] = 0,
    host: Annotated[str, typer.Option(help=_serve_help("host"))] = "127.0.0.1",
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help=_serve_help("allow_remote"))] = False,
    no_browser: Annotated[bool, typer.Option("--no-browser", help=_serve_help("no_browser"))] = False,
    max_upload_mb: Annotated[float, typer.Option(help=_serve_help("max_upload_mb"), min=0.001)] = 20,
    no_model: Annotated[bool, typer.Option("--no-model", help=_serve_help("no_model"))] = False,
) -> None:
    from kpiscore.errors import KpiscoreError
    from kpiscore.serve import ServeSettings, run

    settings = ServeSettings(max_upload_bytes=int(max_upload_mb * 1024 * 1024), no_model=no_model)
    try:
        run(host, port, open_browser=not no_browser, settings=settings, allow_remote=allow_remote,
            say=typer.echo)
    except (KpiscoreError, ValueError) as error:
        typer.echo(f"kpiscore: {error}", err=True)
        raise typer.Exit(INPUT_ERROR) from None
