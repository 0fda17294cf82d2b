"""`kpiscore serve`: the upload gives the .html report's page and the same .docx / .xlsx
downloads as `kpiscore report`; oversized uploads are cut off at the limit; bad files get
the CLI's one line; file names never become paths; nothing outlives the server; and the
page works in a real browser (chromium, headless, through selenium)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import anyio
import docx
import httpx
import openpyxl
import pytest
import uvicorn
from conftest import REPO
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kpiscore.cli import app as cli
from kpiscore.serve import ServeSettings, create_app
from kpiscore.serve.server import bind, is_loopback, url_of

SAMPLE = REPO / "samples" / "sample.docx"
runner = CliRunner()
_ERROR = re.compile(r'<div id="error" role="alert">(.*?)</div>', re.S)
_BANNER = re.compile(r'<div id="kpiscore-serve".*?\n</div>', re.S)


@pytest.fixture(autouse=True)
def quiet_folders(tmp_path, monkeypatch):
    """Work in an empty folder (no pyproject.toml of the repository's picked up) with the
    system's temporary folder redirected, so the test sees every folder the server makes."""
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return work, temporary


@pytest.fixture(scope="module")
def app():
    return create_app()


def upload(client: TestClient, name: str, content: bytes):
    return client.post("/review", files={"file": (name, content)})


def error_of(page: str) -> str:
    return _ERROR.search(page).group(1).strip()


def cli_report(source: Path, out: str) -> Path:
    """`kpiscore report` run in the source's folder on its bare name, so the reports
    name the document as the server names an upload: by its file name."""
    result = runner.invoke(cli, ["report", source.name, "-o", out])
    assert result.exit_code == 0, result.output
    return Path(out)


def comments_of_docx(path: Path) -> list[tuple[str, str]]:
    return sorted((c.author, c.text) for c in docx.Document(str(path)).comments)


def comments_of_xlsx(path: Path) -> list[tuple[str, str, str]]:
    book = openpyxl.load_workbook(path)
    return sorted((sheet.title, cell.coordinate, cell.comment.text) for sheet in book.worksheets
                  for row in sheet.iter_rows() for cell in row if cell.comment)


def test_the_sample_gives_the_report_page_and_the_reports_downloads(app, quiet_folders):
    work, _ = quiet_folders
    shutil.copy(SAMPLE, work / "sample.docx")
    with TestClient(app) as client:
        answer = upload(client, "sample.docx", SAMPLE.read_bytes())
        assert answer.status_code == 200
        page = answer.text
        links = dict(re.findall(r'<a id="download-(\w+)" href="([^"]+)"', page))
        downloads = {kind: client.get(f"/{href}") for kind, href in links.items()}
    # the page is `kpiscore report OUT.html`'s, with the banner of downloads on top
    expected = cli_report(work / "sample.docx", "expected.html").read_text(encoding="utf-8")
    assert _BANNER.sub("", page, count=1) == expected
    assert page.count('<td class="marked sev-') > 0
    assert set(downloads) == {"docx", "xlsx"}
    for kind, response in downloads.items():
        assert response.status_code == 200
        disposition = response.headers["content-disposition"]
        saved = unquote(disposition.split("filename*=utf-8''", 1)[1])
        assert saved == {"docx": "sample（审查批注）.docx", "xlsx": "sample（审查表）.xlsx"}[kind]
        (work / f"downloaded.{kind}").write_bytes(response.content)
    # the department's own document with the same comments as `kpiscore report -o .docx`
    expected_docx = comments_of_docx(cli_report(work / "sample.docx", "expected.docx"))
    assert expected_docx and comments_of_docx(work / "downloaded.docx") == expected_docx
    assert all(author == "kpiscore" for author, _ in expected_docx)
    expected_xlsx = comments_of_xlsx(cli_report(work / "sample.docx", "expected.xlsx"))
    assert expected_xlsx and comments_of_xlsx(work / "downloaded.xlsx") == expected_xlsx


def test_a_file_with_no_table_gets_the_clis_line(app, quiet_folders):
    work, _ = quiet_folders
    (work / "notes.txt").write_text("会议纪要：本年度工作安排如下。\n", encoding="utf-8")
    line = runner.invoke(cli, ["check", "notes.txt"]).stderr.strip()
    assert line.startswith("kpiscore: notes.txt: ")
    with TestClient(app) as client:
        answer = upload(client, "notes.txt", (work / "notes.txt").read_bytes())
    assert answer.status_code == 400
    assert error_of(answer.text) == "无法审查这个文件：" + line.removeprefix("kpiscore: ")
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken"], ids=["empty", "truncated"])
def test_a_damaged_file_is_refused_with_one_line_naming_it(app, content):
    with TestClient(app) as client:
        answer = upload(client, "绩效文本.docx", content)
    assert answer.status_code == 400
    message = error_of(answer.text)
    assert message.startswith("无法审查这个文件：绩效文本.docx: ") and "\n" not in message
    assert tempfile.gettempdir() not in message  # the stored path is never shown


def test_a_bug_is_one_line_on_the_page_not_a_traceback(monkeypatch, quiet_folders):
    _, temporary = quiet_folders
    from kpiscore.serve import app as serve_app

    def broken(*_):
        raise RuntimeError("a bug")

    monkeypatch.setattr(serve_app, "_write_docx", broken)
    with TestClient(create_app()) as client:
        answer = upload(client, "sample.docx", SAMPLE.read_bytes())
        assert list(temporary.iterdir()) == []
    assert answer.status_code == 500 and "Traceback" not in answer.text
    assert error_of(answer.text) == "审查时出现程序错误（RuntimeError），请把这个文件报告给 kpiscore 的维护者。"


def test_a_request_without_a_file(app):
    with TestClient(app) as client:
        empty_input = client.post("/review", files={"file": ("", b"")})
        not_a_form = client.post("/review", content=b"x", headers={"content-type": "text/plain"})
    assert empty_input.status_code == 400 and error_of(empty_input.text) == "没有收到文件，请先选择一个文件。"
    assert not_a_form.status_code == 400 and "multipart/form-data" in error_of(not_a_form.text)


def test_an_oversized_upload_is_413_and_leaves_nothing(quiet_folders):
    _, temporary = quiet_folders
    small = create_app(ServeSettings(max_upload_bytes=10_000))
    with TestClient(small) as client:
        answer = upload(client, "sample.docx", SAMPLE.read_bytes())
        assert answer.status_code == 413
        assert error_of(answer.text) == f"文件超过 {10_000 / 2**20:g} MB 的上限，未予审查。"
        assert list(temporary.iterdir()) == []


def _post_in_chunks(app, body: list[bytes], headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """POST /review straight through ASGI, the body in the given chunks; the status and
    how many chunks the app read."""
    read, statuses = [0], []

    async def receive() -> dict:
        read[0] += 1
        if read[0] > len(body):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": body[read[0] - 1], "more_body": read[0] < len(body)}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/review", "raw_path": b"/review", "query_string": b"",
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    anyio.run(app, scope, receive, send)
    return statuses[0], read[0]


def test_reading_stops_at_the_limit():
    limit, chunk = 100_000, 64 * 1024
    small = create_app(ServeSettings(max_upload_bytes=limit))
    boundary = b"kpiscoreboundary"
    head = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="big.docx"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n")
    body = [head] + [b"\0" * chunk] * 160  # 10 MB, sent without a Content-Length
    content_type = [(b"content-type", b"multipart/form-data; boundary=" + boundary)]
    status, read = _post_in_chunks(small, body, content_type)
    assert status == 413
    assert read <= 2 + limit // chunk + 1  # the head, the chunks up to the limit, one past it
    # a declared length past the limit is refused before any of the body is read
    declared = content_type + [(b"content-length", str(160 * chunk).encode())]
    assert _post_in_chunks(small, body, declared) == (413, 0)


@pytest.mark.parametrize("name", ["../../x.docx", "[/]审查.docx", "..\\..\\evil.docx",
                                  "/etc/passwd", "<img src=x onerror=alert(1)>.docx", "审查\r\n.docx"])
def test_a_hostile_file_name_is_only_a_name(app, quiet_folders, name):
    work, temporary = quiet_folders
    before = sorted(work.parent.rglob("*"))
    with TestClient(app) as client:
        answer = upload(client, name, SAMPLE.read_bytes())
        assert answer.status_code == 200
        href = re.search(r'<a id="download-docx" href="([^"]+)"', answer.text).group(1)
        saved = client.get(f"/{href}").headers["content-disposition"]
        [folder] = temporary.iterdir()
        assert sorted(p.name for p in folder.iterdir()) == ["review.docx", "review.xlsx", "upload"]
    assert "/" not in unquote(saved.split("''", 1)[1]) and "\\" not in unquote(saved.split("''", 1)[1])
    assert "<img" not in answer.text
    assert sorted(work.parent.rglob("*")) == before  # nothing beside the temporary folders


def test_nothing_is_written_outside_the_temporary_folder(app, quiet_folders):
    work, temporary = quiet_folders
    repository = {p: p.stat().st_mtime_ns for p in REPO.rglob("*") if ".git" not in p.parts}
    with TestClient(app) as client:
        assert upload(client, "sample.docx", SAMPLE.read_bytes()).status_code == 200
        assert upload(client, "notes.txt", b"no table here").status_code == 400
        assert len(list(temporary.iterdir())) == 1  # the review kept for download; the refusal gone
    assert list(work.iterdir()) == [] and list(temporary.iterdir()) == []  # deleted at shutdown
    assert {p: p.stat().st_mtime_ns for p in REPO.rglob("*") if ".git" not in p.parts} == repository


def test_only_the_newest_reviews_are_kept(quiet_folders):
    _, temporary = quiet_folders
    one = create_app(ServeSettings(kept_reviews=1))
    with TestClient(one) as client:
        pages = [upload(client, "sample.docx", SAMPLE.read_bytes()).text for _ in range(2)]
        first, second = (re.search(r'href="(download/[^"]+/xlsx)"', page).group(1) for page in pages)
        assert client.get(f"/{second}").status_code == 200
        gone = client.get(f"/{first}")
        assert gone.status_code == 404 and "已过期" in error_of(gone.text)
        assert len(list(temporary.iterdir())) == 1
        assert client.get(f"/{second.replace('xlsx', 'pdf')}").status_code == 404


def test_the_upload_page_is_chinese_and_self_contained(app):
    with TestClient(app) as client:
        page = client.get("/").text
    assert "绩效目标表审查" in page and 'type="file"' in page and "20 MB" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # no external asset


def test_a_host_off_this_machine_is_refused():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--no-browser"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("kpiscore: --host: 0.0.0.0 不是本机地址") and "\n" not in result.stderr.strip()


def test_a_port_in_use_is_one_line():
    taken = bind("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port), "--no-browser"])
    finally:
        taken.close()
    assert result.exit_code == 2
    assert result.stderr.strip() == f"kpiscore: 127.0.0.1:{port}: Address already in use"


def test_the_command_prints_its_url_serves_and_stops_cleanly_on_ctrl_c(quiet_folders):
    """`kpiscore serve` in its own process: the URL printed, an upload reviewed, Ctrl-C
    (SIGINT) ends it with status 0 and its temporary folders deleted."""
    work, temporary = quiet_folders
    environment = {**os.environ, "TMPDIR": str(temporary),
                   "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", "from kpiscore.cli import app; app()", "serve",
                                "--no-browser", "--no-model"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=environment, cwd=work)
    try:
        line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert line.startswith("kpiscore 审查网页：") and "Ctrl-C" in line
        answer = httpx.post(url + "review", files={"file": ("sample.docx", SAMPLE.read_bytes())}, timeout=60)
        assert answer.status_code == 200 and len(list(temporary.iterdir())) == 1
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "已停止" in out and "Traceback" not in err
    assert list(temporary.iterdir()) == []


# -- in a real browser ------------------------------------------------------------------


@pytest.fixture
def server(app):
    """The app served by uvicorn on a free port of 127.0.0.1, in a thread."""
    sock = bind("127.0.0.1", 0)
    running = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    yield url_of(sock)
    running.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.mark.skipif(not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()),
                    reason="chromium or chromedriver not installed")
def test_a_reviewer_uploads_sees_the_marked_cells_and_downloads_in_chromium(server, quiet_folders):
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    work, _ = quiet_folders
    downloads = work.parent / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", f"--user-data-dir={work.parent / 'profile'}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        browser.get(server)
        browser.find_element(By.ID, "submit").click()  # nothing chosen: told so, in Chinese, on the page
        assert browser.find_element(By.ID, "error").text == "请先选择一个文件。"
        # a file dropped on the area is the one chosen
        browser.execute_script("""
            const files = new DataTransfer();
            files.items.add(new File(["x"], "拖入.docx"));
            document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: files}));""")
        assert browser.find_element(By.ID, "chosen").text == "已选择：拖入.docx"
        browser.find_element(By.ID, "file").send_keys(str(SAMPLE))
        browser.find_element(By.ID, "submit").click()
        # the submitted form replaces the page: a body found before that goes stale
        wait = WebDriverWait(browser, 60, ignored_exceptions=(StaleElementReferenceException,))
        wait.until(lambda b: b.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
        body = browser.find_element(By.TAG_NAME, "body")
        marked = browser.find_elements(By.CSS_SELECTOR, "td.marked.sev-high, td.marked.sev-medium, td.marked.sev-low")
        assert marked and body.get_attribute("data-highlighted-cells") == str(len(marked))
        shown = [cell for cell in marked if cell.is_displayed()]
        assert shown and all(cell.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
                             for cell in shown)
        browser.find_element(By.ID, "download-docx").click()
        saved = downloads / "sample（审查批注）.docx"
        wait.until(lambda _: saved.exists() and not list(downloads.glob("*.crdownload")))
    finally:
        browser.quit()
    comments = docx.Document(str(saved)).comments
    assert len(comments) > 0 and all(c.author == "kpiscore" for c in comments)
