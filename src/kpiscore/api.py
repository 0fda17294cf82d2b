"""The notebook API: `kpiscore.check` and `kpiscore.scan`, through the pipeline of the
command (kpiscore.batch), so that a notebook finds what `kpiscore check` finds."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from concurrent.futures import Executor
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from kpiscore import batch, inputs
from kpiscore.cache import Cache
from kpiscore.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from kpiscore.review import Review
    from kpiscore.templates import Templates

# Columns scan adds to Document.to_frame()'s: the indicator's score and findings, and its
# project's score and grade.
SCAN_COLUMNS = ["score", "findings", "categories", "severity", "project_score", "project_grade"]


def check(path: str | PathLike[str], select: Iterable[str] = (), ignore: Iterable[str] = (),
          model: bool = True, templates: Templates | None = None) -> Review:
    """Read and review one document: `.findings`, `.scores`, `.to_frame()` (a row per
    finding), `.summary()`. `select` / `ignore` take what --select / --ignore take;
    `model=False` is --no-model. Raises InputError (one line naming the file)."""
    path = Path(path)
    outcome = batch.check_one(path, batch.options(select, ignore, model, templates))
    if outcome.review is None:
        raise InputError(str(path), outcome.error.removeprefix(f"{path}: "))
    return outcome.review


def scan(paths: str | PathLike[str] | Iterable[str | PathLike[str]], jobs: int | None = None,
         executor: Executor | None = None, select: Iterable[str] = (), ignore: Iterable[str] = (),
         model: bool = True, templates: Templates | None = None,
         cache: bool | str | PathLike[str] = False) -> pd.DataFrame:
    """Check many documents (files, folders, patterns, as `kpiscore check` takes them) and
    return one row per indicator: Document.to_frame()'s columns, then the indicator's
    score, its findings' rule codes and categories, its worst severity, and its project's
    score and grade. Rows are in input order.

    `jobs`: worker processes (default: every core). `executor`: any
    concurrent.futures.Executor instead, e.g. `distributed.Client(...).get_executor()` to
    run on a Dask cluster. `cache`: True for the default cache folder, or a folder.
    Documents that cannot be read are left out, each with a warning; their lines are in
    `frame.attrs["failures"]`.
    """
    import pandas as pd

    from kpiscore.model import FRAME_COLUMNS

    arguments = [paths] if isinstance(paths, (str, PathLike)) else list(paths)
    documents, failures = inputs.expand(arguments)
    options = batch.options(select, ignore, model, templates)
    folder = None if cache is True or cache is False else Path(cache)
    store = None if cache is False else Cache.open(folder, options.fingerprint())
    order = {path: position for position, path in enumerate(documents)}
    frames: dict[Path, pd.DataFrame] = {}
    for outcome in batch.run(documents, options, jobs, store, executor):
        if outcome.error is not None:
            failures.append(outcome.error)
        if outcome.review is not None:
            frames[outcome.path] = indicator_frame(outcome.review)
    for line in failures:
        warnings.warn(f"kpiscore: {line}", stacklevel=2)
    ordered = [frames[path] for path in sorted(frames, key=order.__getitem__)]
    frame = (pd.concat(ordered, ignore_index=True) if ordered
             else pd.DataFrame(columns=[*FRAME_COLUMNS, *SCAN_COLUMNS]))
    frame.attrs["failures"] = failures
    return frame


def indicator_frame(review: Review) -> pd.DataFrame:
    """One row per indicator of a review, with its findings and scores (SCAN_COLUMNS)."""
    frame = review.document.to_frame()
    own: dict[tuple[int, int], list] = {}
    for finding in review.findings:
        if finding.row is not None:
            own.setdefault((finding.project, finding.row), []).append(finding)
    columns: dict[str, list] = {name: [] for name in SCAN_COLUMNS}
    for project in review.document.projects:
        score = review.scores[project.index]
        for row in range(1, len(project.indicators) + 1):
            found = own.get((project.index, row), [])
            columns["score"].append(score.indicator_scores[row - 1])
            columns["findings"].append([finding.rule for finding in found])
            columns["categories"].append(sorted({finding.category for finding in found}))
            columns["severity"].append(max(found, key=lambda f: f.severity).severity.name if found else None)
            columns["project_score"].append(score.score)
            columns["project_grade"].append(score.grade)
    for name, values in columns.items():
        frame[name] = values
    return frame
