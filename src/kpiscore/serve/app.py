"""The web app of `kpiscore serve`: an upload page, the review page, the downloads.

A reviewer drops a document on GET /; POST /review streams it into a temporary folder
(kpiscore.serve.upload), reads and checks it exactly as `kpiscore report` does (the same
parse, the same rules and model selection, cli._reviewer), and answers with the .html
report's own page under a strip of download links; GET /download/{id}/{kind} serves the
annotated .docx and the .xlsx review written beside the upload. Errors are the CLI's one
line, on the upload page, in Chinese; never a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

import kpiscore
from kpiscore import lexicon
from kpiscore.errors import InputError
from kpiscore.review import Review
from kpiscore.serve.store import Kept, Store
from kpiscore.serve.upload import TooLarge, Upload, UploadRefused, receive

if TYPE_CHECKING:
    from kpiscore.report.cells import Marks

_LOG = logging.getLogger("kpiscore.serve")
_TEMPLATES = Path(__file__).with_name("templates")
_MB = 1024 * 1024
_BODY_TAG = re.compile(r"<body[^>]*>")


@dataclass(frozen=True)
class ServeSettings:
    """What a running server allows and keeps."""

    max_upload_bytes: int = 20 * _MB  # `--max-upload-mb`; past it HTTP 413
    kept_reviews: int = 20            # the newest reviews whose downloads stay available
    kept_seconds: float = 3600.0      # and for how long
    no_model: bool = False            # `--no-model`: the rules alone


class _Unreadable(Exception):
    """An uploaded file kpiscore cannot read; the message is the CLI's line, in Chinese."""


@cache
def words() -> dict[str, Any]:
    return lexicon.table("serve.toml")


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _megabytes(size: int) -> str:
    return f"{size / _MB:g}"


def _pipeline(no_model: bool) -> tuple[Callable[[kpiscore.Document], Review],
                                       Callable[[Path], kpiscore.Document]]:
    """The review and read functions `kpiscore report` would use here (the settings of the
    working folder's pyproject.toml / kpiscore.toml: rules, model, template profiles and
    limits); InputError or ValueError for a bad selection, model or template."""
    from kpiscore import cli, config

    settings = config.load()
    templates = cli._templates(settings, None)
    return (cli._reviewer(settings, None, None, no_model),
            lambda path: kpiscore.parse(path, templates, settings.limits))


def _write_docx(marks: Marks, upload: Path, target: Path) -> None:
    """The .docx download: a .docx upload is the department's own document with comments
    (read from the upload's stored path, since the review names it by its display name);
    any other upload gets the generated review document."""
    from kpiscore.report import docx

    if marks.review.document.format == "docx":
        docx.annotate(marks, upload, target)
    else:
        docx.write(marks, target)


def create_app(settings: ServeSettings = ServeSettings()) -> FastAPI:
    """The app; the review pipeline is set up at once, so a bad configuration fails here
    rather than at the first upload."""
    review, read = _pipeline(settings.no_model)
    store = Store(settings.kept_reviews, settings.kept_seconds)
    limit = _megabytes(settings.max_upload_bytes)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.clear()  # nothing of any upload outlives the server

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    def upload_page(error: str | None = None, status: int = 200) -> HTMLResponse:
        page = words()["page"]
        script_words = {"chosen": page["chosen"], "none_chosen": page["none_chosen"],
                        "too_large": words()["errors"]["too_large"].format(limit=limit)}
        html = _environment().get_template("upload.html").render(
            page=page, error=error, limit_bytes=settings.max_upload_bytes,
            formats=page["formats"].format(limit=limit), script_words=script_words)
        return HTMLResponse(html, status_code=status)

    def reviewed(upload_id: str, kept: Kept, upload: Upload) -> str:
        """Read, check and write the reports of one upload; the review page's HTML."""
        from kpiscore.report import html, writer_for
        from kpiscore.report.cells import mark

        try:
            document = read(upload.path)
        except InputError as error:  # the CLI's line, naming the file as the reviewer does
            line = error.line.replace(str(upload.path), upload.display_name)
            raise _Unreadable(words()["page"]["error_lead"] + line) from None
        # named as the reviewer named it: in the reports, and for the rules that read the name
        marks = mark(review(replace(document, source=upload.display_name)))
        annotated, workbook = kept.path / "review.docx", kept.path / "review.xlsx"
        _write_docx(marks, upload.path, annotated)
        writer_for(workbook)(marks, workbook)
        stem = PurePosixPath(upload.display_name).stem or upload.display_name
        kept.files = {kind: (path, words()["download"][kind].format(stem=stem))
                      for kind, path in (("docx", annotated), ("xlsx", workbook))}
        banner = _environment().get_template("banner.html").render(
            banner=words()["banner"], name=upload.display_name, warnings=document.warnings,
            annotated=document.format == "docx", home_url="./",
            docx_url=f"download/{upload_id}/docx", xlsx_url=f"download/{upload_id}/xlsx")
        page = html.render(marks)
        return _BODY_TAG.sub(lambda tag: tag.group(0) + banner, page, count=1)

    @app.get("/", response_class=HTMLResponse)
    @app.get("/review", response_class=HTMLResponse)  # a review page reloaded or typed in
    async def home() -> HTMLResponse:
        return upload_page()

    def refusal(error: Exception) -> HTMLResponse:
        """The upload page with the message of why an upload was not reviewed."""
        errors = words()["errors"]
        if isinstance(error, TooLarge):
            return upload_page(errors["too_large"].format(limit=limit), 413)
        if isinstance(error, UploadRefused):
            return upload_page(errors[error.key], 400)
        if isinstance(error, _Unreadable):
            return upload_page(str(error), 400)
        _LOG.exception("unexpected error while reviewing an upload")  # a bug: the trace for the console
        return upload_page(errors["unexpected"].format(kind=type(error).__name__), 500)

    @app.post("/review", response_class=HTMLResponse)
    async def post_review(request: Request) -> HTMLResponse:
        upload_id, kept = store.open()
        try:
            upload = await receive(request.headers, request.stream(), kept.path,
                                   settings.max_upload_bytes, words()["download"]["unnamed"])
            page = await run_in_threadpool(reviewed, upload_id, kept, upload)
        except BaseException as error:
            kept.folder.cleanup()  # nothing of an upload that was not reviewed stays
            if not isinstance(error, Exception) or isinstance(error, ClientDisconnect):
                raise  # cancelled, or the browser went away: no one to answer
            return refusal(error)
        store.keep(upload_id, kept)
        return HTMLResponse(page)

    @app.get("/download/{upload_id}/{kind}", response_model=None)
    async def download(upload_id: str, kind: str) -> FileResponse | HTMLResponse:
        kept = store.get(upload_id)
        if kept is None or kind not in kept.files:
            return upload_page(words()["errors"]["expired"], 404)
        path, name = kept.files[kind]
        return FileResponse(path, filename=name)

    @app.exception_handler(404)
    async def not_found(_: Request, __: Exception) -> HTMLResponse:
        return upload_page(words()["errors"]["not_found"], 404)

    return app
