"""How fast `kpiscore serve` answers: start-up, an upload's review page, the downloads,
and an oversized upload refused.

    .venv/bin/python benchmarks/bench_serve.py                      # samples/sample.docx, -n 5
    .venv/bin/python benchmarks/bench_serve.py --file some.pdf -n 10

(a) Start-up: `kpiscore serve --no-browser --port P` (the `kpiscore` executable next to this
    interpreter) from spawn until GET / answers 200: interpreter, imports, the model loaded.
(b) Against that process over HTTP (httpx): POST /review of FILE, -n times after a warm-up
    upload, until the whole review page is received (stream, parse, rules, scores, .docx
    and .xlsx written, page rendered); then GET of each download.
(c) An upload of --oversized-mb MB, sent chunked (no Content-Length, so the server cannot
    refuse it up front), until the 413: it stops reading at the 20 MB limit.

A plain script, not a test: nothing is asserted, and it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(port: int) -> tuple[subprocess.Popen, float]:
    executable = Path(sys.executable).with_name("kpiscore")
    if not executable.exists():
        sys.exit(f"bench_serve: {executable} not found (install kpiscore into this interpreter's venv)")
    began = time.perf_counter()
    process = subprocess.Popen([str(executable), "serve", "--no-browser", "--port", str(port)],
                               stdout=subprocess.DEVNULL)
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/").status_code == 200:
                return process, time.perf_counter() - began
        except httpx.TransportError:
            time.sleep(0.02)


def timed(action) -> tuple[float, httpx.Response]:
    began = time.perf_counter()
    response = action()
    return time.perf_counter() - began, response


def chunks(megabytes: int) -> Iterator[bytes]:
    boundary_head = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.docx"\r\n\r\n')
    yield boundary_head
    block = b"\0" * (1024 * 1024)
    for _ in range(megabytes):
        yield block
    yield b"\r\n--b--\r\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=REPO / "samples" / "sample.docx")
    parser.add_argument("-n", type=int, default=5)
    parser.add_argument("--oversized-mb", type=int, default=200)
    options = parser.parse_args()
    port = free_port()
    process, startup = start(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            content = options.file.read_bytes()

            def post() -> httpx.Response:
                return client.post("/review", files={"file": (options.file.name, content)})

            post()  # warm-up: the lazily imported writers and templates
            runs = [timed(post) for _ in range(options.n)]
            page = runs[-1][1]
            links = re.findall(r'<a id="download-(\w+)" href="([^"]+)"', page.text)
            downloads = [(kind, *timed(lambda h=href: client.get(f"/{h}"))) for kind, href in links]
            refused, answer = timed(lambda: client.post(
                "/review", content=chunks(options.oversized_mb),
                headers={"content-type": "multipart/form-data; boundary=b"}))
    finally:
        process.terminate()
        process.wait(timeout=30)
    seconds = [run[0] for run in runs]
    marked = page.text.count('<td class="marked')
    print(f"{options.file.name}: {len(content)} bytes; {marked} marked cells")
    print(f"(a) start-up until GET / answers        {startup * 1000:8.0f} ms")
    print(f"(b) POST /review, median of {options.n:<3}        {statistics.median(seconds) * 1000:8.0f} ms"
          f"  (min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f}; status {page.status_code}, "
          f"page {len(page.content)} bytes)")
    for kind, elapsed, response in downloads:
        print(f"    GET download {kind:<24}{elapsed * 1000:8.0f} ms  ({len(response.content)} bytes)")
    print(f"(c) {options.oversized_mb} MB chunked upload refused      {refused * 1000:8.0f} ms  (status {answer.status_code})")


if __name__ == "__main__":
    main()
