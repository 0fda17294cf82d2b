"""Check many documents on every core, streaming each result as soon as it is done.

    run(paths, options, jobs, cache) -> Iterator[Outcome]

is the one pipeline of `kpiscore check`, `kpiscore.check`, `kpiscore.scan` and the corpus
dataset: each path is read, reviewed (rules, and the classifier unless options say not),
and yielded as an Outcome (path, Review or None, error line or None) in the order the
documents finish. Memory stays flat whatever the number of documents: at most a few
chunks of documents per worker are in flight, and nothing is kept once yielded. Workers
take small documents several at a time and send back the written text when the caller
gives `render`, so that this process has little to do and both cores check documents.

With a cache, a document whose bytes, name and settings have a stored result is yielded
from it without being read; every new result is stored by the worker that made it, so
an interrupted run loses nothing finished. `check_files` adds what the command needs
around it: a progress bar, the streaming writer, warnings and the failures list.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore import messages
from kpiscore.cache import Cache
from kpiscore.errors import KpiscoreError

if TYPE_CHECKING:
    from kpiscore.baseline import Baseline
    from kpiscore.findings import Severity
    from kpiscore.limits import Limits
    from kpiscore.review import Review
    from kpiscore.streams import Writer
    from kpiscore.templates import Templates

# Chunks in flight per worker: enough that no worker waits for the next one, few enough
# that the queued futures (and their results) stay a few chunks' worth.
IN_FLIGHT_PER_JOB = 4
# Documents handed to a worker at a time: small ones together, so that handing them over
# (a future, two pickles, the pipe, a wake-up of this process) costs less than checking
# them; one of CHUNK_BYTES or more alone, so that the last ones do not wait behind it.
CHUNK_DOCUMENTS = 8
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True)
class Options:
    """What changes a document's result, resolved (kpiscore.batch.options builds it from
    the command's --select / --ignore / --no-model / --template and the config)."""

    rules: tuple[str, ...] | None = None  # rule codes; None: every rule
    learnt: frozenset[str] | None = None  # categories the classifier may speak for; None: all
    model: bool = True
    templates: Templates | None = None
    # only refuses documents, and refusals are not cached: not in the fingerprint
    limits: Limits | None = None
    model_key: str = ""  # what the model is: its categories and how each combines with the rules

    def fingerprint(self) -> str:
        """What the cache keys these options by: only what changes results, in a stable
        text (a Templates' lookup caches left out)."""
        templates = None if self.templates is None else (
            sorted(self.templates.columns.items()), sorted(self.templates.header.items()),
            [(name, pattern.pattern) for name, pattern in self.templates.inferred])
        learnt = None if self.learnt is None else sorted(self.learnt)
        return repr((self.rules, learnt, self.model, self.model_key, templates))


def options(select: Iterable[str] = (), ignore: Iterable[str] = (), model: bool = True,
            templates: Templates | None = None, limits: Limits | None = None) -> Options:
    """Options from rule selectors (codes, prefixes, categories, ML-… for the classifier);
    raises ValueError for an unknown selector, ModelError / InputError for a bad model."""
    from kpiscore import rules

    trained = _model() if model else None
    model_codes = [(f"ML-{c}", c) for c in trained.categories] if trained else []
    chosen, learnt = rules.select(list(select), list(ignore), model_codes)
    # the shipped model's files are in the code fingerprint; this tells apart another one
    model_key = repr((trained.categories, sorted((c, choice.to_dict()) for c, choice in trained.choices.items()))
                     ) if trained else ""
    return Options(rules=tuple(rule.code for rule in chosen), learnt=frozenset(learnt),
                   model=model, templates=templates, limits=limits, model_key=model_key)


def _model():
    from kpiscore.classifier.store import default

    return default()


@lru_cache(maxsize=4)
def reviewer(options: Options) -> Callable:
    """review() with the options' rules and model; made once per process and options."""
    from functools import partial

    from kpiscore import rules
    from kpiscore.review import review

    chosen = rules.RULES if options.rules is None else [rules.BY_CODE[code] for code in options.rules]
    learnt = None if options.learnt is None else set(options.learnt)
    return partial(review, rules=chosen, model=_model() if options.model else None, learnt=learnt)


@dataclass(frozen=True)
class Rendered:
    """A review made into the writer's text where it was made (run(render=…)), with what
    the batch still needs of it."""

    text: str
    warnings: list[str]
    worst: Severity | None


@dataclass
class Outcome:
    """One document's result: its review (or, from run(render=…)'s workers, its rendered
    text instead), or the one line saying why there is none. A result and an error
    together: read, but `strict` refused its unreadable tables."""

    path: Path
    review: Review | None
    error: str | None
    cached: bool = False  # taken from the cache, not processed
    rendered: Rendered | None = None

    @property
    def warnings(self) -> list[str]:
        """The document's unreadable tables, one line each."""
        if self.rendered is not None:
            return self.rendered.warnings
        return self.review.document.warnings if self.review is not None else []


def run(paths: Iterable[Path], options: Options = Options(), jobs: int | None = None,
        cache: Cache | None = None, executor: Executor | None = None,
        strict: bool = False, render: Callable[[Review], str] | None = None) -> Iterator[Outcome]:
    """Check every path; yield each Outcome as soon as it is done (so not in input order).
    `paths` may be a lazy iterable: it is consumed as workers become free.

    `jobs`: worker processes (default: every core); 1, or a single document, runs in this
    process. `executor`: any concurrent.futures.Executor instead (a Dask client's
    `get_executor()` runs the batch on a cluster; workers must see the files and the
    cache folder); `jobs` is then how many workers it has, which sets how many documents
    are kept in flight. `cache`: reuse and store results (kpiscore.cache). `strict`: a document
    with a table that could not be read is also an error (its review is still given).
    `render` (picklable): pool workers send back render(review) as Outcome.rendered rather
    than the review, so that this process does little more than write it (reviews made
    here, or taken from the cache, are given as they are).
    Closing the iterator (or Ctrl-C while it runs) cancels what has not started.
    """
    jobs = jobs or cores()
    if isinstance(paths, Sized):  # a few documents need no more workers than that
        jobs = max(1, min(jobs, len(paths)))
    lookups = (_lookup(Path(path), cache) for path in paths)
    if executor is None and jobs == 1:
        outcomes: Iterator[Outcome] = (hit or check_one(path, options, cache, key)
                                       for path, key, hit in lookups)
    else:
        outcomes = _pooled(lookups, options, cache, executor, jobs, render)
    for outcome in outcomes:
        if strict and outcome.warnings:
            outcome.error = messages.text("cli", "strict_failed", source=outcome.path,
                                          count=len(outcome.warnings))
        yield outcome


def cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than
    the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _lookup(path: Path, cache: Cache | None) -> tuple[Path, str | None, Outcome | None]:
    """(path, cache key, the cached outcome if there is one)."""
    key = cache.key(path) if cache is not None else None
    stored = cache.get(key) if key is not None else None
    return path, key, None if stored is None else _outcome(path, stored, cached=True)


def _outcome(path: Path, review: Review, cached: bool = False) -> Outcome:
    if review.document.source != str(path):  # the same bytes under another folder
        review = replace(review, document=replace(review.document, source=str(path)))
    return Outcome(path, review, None, cached)


def check_one(path: Path, options: Options, cache: Cache | None = None,
              key: str | None = None) -> Outcome:
    """Read and review one document (in a worker, or here); store the review under `key`.
    Never raises for a document: an unreadable one, or an unexpected error, is its one
    line. Failures are not stored: they may depend on the machine (LibreOffice, its time
    limit), so a rerun tries them again."""
    return _checked(path, options, cache, key)[0]


def _checked(path: Path, options: Options, cache: Cache | None, key: str | None) -> tuple[Outcome, bytes | None]:
    """check_one, and the stored review as pickled for the cache (None if not stored)."""
    import kpiscore

    try:
        review = reviewer(options)(kpiscore.parse(path, options.templates, options.limits))
    except KpiscoreError as error:
        return Outcome(path, None, error.line), None
    except Exception as error:  # a bug must not lose the other documents of a batch
        return Outcome(path, None, _unexpected(path, error)), None
    stored = None
    if cache is not None and key is not None:
        stored = pickle.dumps(review, protocol=pickle.HIGHEST_PROTOCOL)
        cache.put(key, stored)
    return _outcome(path, review), stored


def _unexpected(path: Path, error: BaseException) -> str:
    return f"{path}: " + messages.text("cli", "unexpected_checking", kind=type(error).__name__, error=error)


def _check_in_worker(chunk: list[tuple[Path, str | None]], options: Options, cache: Cache | None,
                     render: Callable[[Review], str] | None) -> list[Outcome | bytes]:
    """check_one in a pool worker, for each (path, cache key) of a chunk. A review goes
    back rendered, or else, when stored, as the bytes pickled for the cache: pickled once,
    not again for the way back."""
    results: list[Outcome | bytes] = []
    for path, key in chunk:
        outcome, stored = _checked(path, options, cache, key)
        review = outcome.review
        if render is not None and review is not None:
            outcome.rendered = Rendered(render(review), review.document.warnings, review.worst)
            outcome.review = None
            results.append(outcome)
        else:
            results.append(outcome if stored is None else stored)
    return results


def _start_worker(options: Options) -> None:
    """Each pool worker: Ctrl-C is the parent's to handle (no traceback per worker), and
    the rules and model are loaded once, before the first document."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    reviewer(options)


def _pooled(lookups: Iterator[tuple[Path, str | None, Outcome | None]], options: Options,
            cache: Cache | None, executor: Executor | None, jobs: int,
            render: Callable[[Review], str] | None) -> Iterator[Outcome]:
    own = executor is None
    if own and multiprocessing.get_start_method() == "fork":
        reviewer(options)  # loaded once, here: the forked workers share it instead of loading it each
    pool = executor or ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(options,))
    limit = IN_FLIGHT_PER_JOB * jobs
    running: dict[Future, list[Path]] = {}
    try:
        for item in _chunks(lookups):
            if isinstance(item, Outcome):
                yield item
                continue
            running[pool.submit(_check_in_worker, item, options, cache, render)] = [path for path, _ in item]
            while len(running) >= limit:
                yield from _finished(running)
        while running:
            yield from _finished(running)
    finally:
        for future in running:
            future.cancel()
        if own:  # on Ctrl-C (or the caller closing early) do not wait for the workers
            pool.shutdown(wait=sys.exc_info()[0] is None, cancel_futures=True)


def _chunks(lookups: Iterator[tuple[Path, str | None, Outcome | None]]
            ) -> Iterator[Outcome | list[tuple[Path, str | None]]]:
    """The cached outcomes as they come, and the documents to check in chunks of up to
    CHUNK_DOCUMENTS and about CHUNK_BYTES."""
    chunk: list[tuple[Path, str | None]] = []
    size = 0
    for path, key, hit in lookups:
        if hit is not None:
            yield hit
            continue
        chunk.append((path, key))
        size += _size(path)
        if len(chunk) >= CHUNK_DOCUMENTS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the reader will say why
        return 0


def _finished(running: dict[Future, list[Path]]) -> Iterator[Outcome]:
    """Wait for at least one running chunk; yield (and forget) the documents of every
    finished one."""
    done, _ = wait(running, return_when=FIRST_COMPLETED)
    for future in done:
        paths = running.pop(future)
        try:
            results = future.result()
        except Exception as error:  # the worker itself died (killed, out of memory)
            yield from (Outcome(path, None, _unexpected(path, error)) for path in paths)
            continue
        for path, result in zip(paths, results):
            yield _outcome(path, pickle.loads(result)) if isinstance(result, bytes) else result


@dataclass
class Summary:
    """What a `check_files` run did, for the exit status and the last lines."""

    done: int = 0
    cached: int = 0  # of done: taken from the cache
    failures: list[str] = field(default_factory=list)
    worst: Severity | None = None  # the highest severity of any open finding (not accepted)
    interrupted: bool = False


def check_files(paths: Iterable[Path], problems: list[str], options: Options, jobs: int | None,
                cache: Cache | None, writer: Writer, strict: bool = False,
                baseline: Baseline | None = None) -> Summary:
    """Run the batch into `writer` with a progress bar on stderr (when it is a terminal);
    warnings go to stderr as they come, failures at the end (and to the writer's failures
    file), after `problems` (which a lazy `paths` may still be filling). Each review is
    compared with `baseline` (check --baseline) before it is written. Ctrl-C stops it
    cleanly: what is finished stays written and cached, and the summary says it was
    interrupted."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    summary = Summary()
    # stderr even in a notebook (a Jupyter console would show the lines as cell output)
    console = Console(stderr=True, highlight=False, force_jupyter=False)
    progress = Progress(f"[bold]{messages.text('batch', 'progress')}", BarColumn(),
                        MofNCompleteColumn(), TimeRemainingColumn(), console=console,
                        transient=True, disable=not console.is_terminal)
    sized = isinstance(paths, Sized)  # a list: run() sees its length (one document, one process)
    task = progress.add_task("", total=len(paths) if sized else None)

    def counted() -> Iterator[Path]:  # the bar's total is known once the folders are walked
        count = 0
        for count, path in enumerate(paths, start=1):
            yield path
        progress.update(task, total=count)

    # a baseline is compared in this process, with the review, before it is written
    render = writer.render if baseline is None else None
    outcomes = run(paths if sized else counted(), options, jobs, cache, strict=strict, render=render)
    try:
        with progress:
            for outcome in outcomes:
                _record(outcome, summary, writer, console, baseline)
                progress.advance(task)
    except KeyboardInterrupt:
        outcomes.close()  # cancels what has not started
        summary.interrupted = True
    summary.failures[:0] = problems
    notes = writer.finish(summary.failures, complete=not summary.interrupted)
    lines = list(summary.failures)
    if summary.interrupted:
        lines.append(messages.text("batch", "interrupted", done=summary.done))
    for line in lines + notes:
        console.print(f"kpiscore: {line}", markup=False, soft_wrap=True)
    return summary


def _record(outcome: Outcome, summary: Summary, writer: Writer, console,
            baseline: Baseline | None) -> None:
    summary.done += 1
    summary.cached += outcome.cached
    for warning in outcome.warnings:
        console.print("kpiscore: " + messages.text("cli", "warning", source=outcome.path,
                                                   warning=warning), markup=False, soft_wrap=True)
    worst, review = None, outcome.review
    if outcome.rendered is not None:
        writer.write_rendered(outcome.rendered.text)
        worst = outcome.rendered.worst
    elif review is not None:
        if baseline is not None:
            review.baseline = baseline.compare(review.document, review.findings)
        writer.write(review)
        worst = review.worst
    if worst is not None and (summary.worst is None or worst > summary.worst):
        summary.worst = worst
    if outcome.error is not None:
        summary.failures.append(outcome.error)
