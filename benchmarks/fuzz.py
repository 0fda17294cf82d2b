"""Mutation fuzzer: does kpiscore keep its contract on broken and hostile files?

    .venv/bin/python benchmarks/fuzz.py --count 10000 --jobs 2        # the long run
    .venv/bin/python benchmarks/fuzz.py --count 200 --keep /tmp/found  # keep the bad mutants

The contract: `kpiscore.parse` returns a Document or raises InputError, within 20 s and
1 GiB. Mutants are made from the fixtures, one format in turn (text, .docx, .xlsx, .pdf):
the sample document (samples/sample.docx), a text export of it and the seeds in
../shared/seeds (or $KPISCORE_SEEDS), an .xlsx written from it by tests/tablewriter.py, and
the committed PDF tests/fixtures/formats/tables_000.pdf; at three levels: bytes (flips,
cuts, repeats, hostile numbers), zip members (dropped, cut, garbled, a directory that lies
about sizes) and XML (attributes set to huge or junk values, elements dropped, repeated or
nested deep).

Each worker is a subprocess under `resource.setrlimit(RLIMIT_AS, 1 GiB)` that parses one
mutant after another; a mutant that takes more than 20 s has its worker killed and
replaced, one that runs out of memory ends its worker (MemoryError, or death by signal).
Per format the tally is: ok, InputError, other exception (each distinct one with its
traceback), timeout, out-of-memory. `--report FILE` writes it all as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("text", "docx", "xlsx", "pdf")
OUTCOMES = ("ok", "input_error", "other", "timeout", "oom")
MEMORY = 1 << 30  # RLIMIT_AS of a worker
TIMEOUT = 20.0  # seconds per mutant
BOMB = 80 << 20  # spaces added to a member: past the default per-member limit, 80 kB zipped
# Numbers a hostile file puts where a reader allocates or loops.
HOSTILE_NUMBERS = ("0", "-1", "100000000", "2147483648", "99999999999999999999", "1e308",
                   "NaN", "", "abc", "XFD1048576", "A1:XFD1048576", "[/]")


# --- the corpus ---------------------------------------------------------------------------

def corpus(folder: Path) -> dict[str, list[Path]]:
    """The fixtures each format's mutants are made from, written into `folder`."""
    sys.path[:0] = [str(REPO / "src"), str(REPO / "tests")]
    import kpiscore
    from kpiscore.grid import Paragraph
    from kpiscore.read import read
    from tablewriter import write_xlsx

    sample = REPO / "samples" / "sample.docx"
    text = folder / "sample.txt"
    _, items = read(sample)
    text.write_text("\n".join(item.text if isinstance(item, Paragraph) else
                              "\t".join(cell or "" for cell in item.cells) for item in items) + "\n",
                    encoding="utf-8")
    workbook = folder / "sample.xlsx"
    write_xlsx(kpiscore.parse(sample).projects, workbook)
    seeds = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))
    return {"text": [text, *sorted(seeds.glob("*.txt"))], "docx": [sample],
            "xlsx": [workbook], "pdf": [REPO / "tests" / "fixtures" / "formats" / "tables_000.pdf"]}


# --- mutations ----------------------------------------------------------------------------

def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not data:
            break
        where = rng.randrange(len(data))
        choice = rng.randrange(7)
        if choice == 0:  # flip bits
            data[where] ^= 1 << rng.randrange(8)
        elif choice == 1:  # random bytes
            data[where:where + rng.randint(1, 16)] = rng.randbytes(rng.randint(1, 16))
        elif choice == 2:  # cut the tail
            del data[max(1, where):]
        elif choice == 3:  # delete a chunk
            del data[where:where + rng.randint(1, 512)]
        elif choice == 4:  # repeat a chunk
            chunk = data[where:where + rng.randint(1, 256)]
            data[where:where] = chunk * rng.randint(2, 64)
        elif choice == 5:  # a hostile number over a run of digits
            digits = [m.span() for m in re.finditer(rb"\d+", data[:200_000])]
            if digits:
                start, end = rng.choice(digits)
                data[start:end] = rng.choice(HOSTILE_NUMBERS).encode()
        else:  # swap two bytes far apart
            other = rng.randrange(len(data))
            data[where], data[other] = data[other], data[where]
    return bytes(data)


def mutate_text(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(5)
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if choice == 0 and lines:  # repeat, drop or shuffle lines
        where = rng.randrange(len(lines))
        lines[where:where + 1] = [lines[where]] * rng.randint(0, 50)
        return "\n".join(lines).encode()
    if choice == 1:  # another encoding, with or without its BOM
        encoding = rng.choice(["utf-16", "utf-16-le", "utf-32", "gb18030", "big5", "utf-8-sig"])
        return text.encode(encoding, errors="replace")
    if choice == 2 and lines:  # tabs and junk cells
        where = rng.randrange(len(lines))
        lines[where] += "\t" * rng.randint(1, 400) + rng.choice(HOSTILE_NUMBERS)
        return "\n".join(lines).encode()
    if choice == 3:  # odd characters: full-width digits, numerals, controls, markup
        junk = rng.choice(["４．４万元", "四" * 5000 + "%", "\x00\x01\x1b[31m", "[bold]x[/]", "\ufeff",
                           "≥" * 3000, "\u202e", "一" * 100 + "分之" + "二" * 100])
        where = rng.randrange(len(text) + 1)
        return (text[:where] + junk + text[where:]).encode()
    return mutate_bytes(data, rng)


def mutate_xml(xml: bytes, rng: random.Random) -> bytes:
    from lxml import etree

    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return mutate_bytes(xml, rng)
    elements = list(root.iter())
    for _ in range(rng.randint(1, 4)):
        element = rng.choice(elements)
        choice = rng.randrange(6)
        if choice == 0 and element.attrib:  # a hostile attribute value
            name = rng.choice(list(element.attrib))
            element.set(name, rng.choice(HOSTILE_NUMBERS))
        elif choice == 1 and element.getparent() is not None:  # drop an element
            element.getparent().remove(element)
        elif choice == 2 and element.getparent() is not None:  # repeat an element
            parent = element.getparent()
            for _ in range(rng.randint(2, 200)):
                parent.insert(parent.index(element), etree.fromstring(etree.tostring(element)))
        elif choice == 3:  # nest deep
            inner = element
            for _ in range(rng.randint(50, 3000)):
                inner = etree.SubElement(inner, element.tag)
        elif choice == 4:  # hostile text
            element.text = rng.choice(HOSTILE_NUMBERS + ("x" * 100_000, "四" * 5000))
        else:  # a known span or size attribute, set huge
            tag = element.tag.rsplit("}", 1)[-1]
            namespace = element.tag[1:].split("}")[0] if element.tag.startswith("{") else ""
            attribute = {"tc": "gridSpan", "c": "r", "mergeCell": "ref", "dimension": "ref",
                         "row": "r", "gridCol": "w"}.get(tag)
            if attribute:
                key = attribute if tag in ("c", "mergeCell", "dimension", "row") else f"{{{namespace}}}val"
                element.set(key, rng.choice(["100000000", "XFD1048576", "A1:XFD1048576", "1048576"]))
            else:
                etree.SubElement(element, f"{{{namespace}}}gridSpan" if namespace else "gridSpan").set(
                    f"{{{namespace}}}val" if namespace else "val", "100000000")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def mutate_zip(data: bytes, rng: random.Random) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    names = list(members)
    choice = rng.randrange(6)
    target = rng.choice(_xml_members_of(names) or names)
    if choice == 0:  # a missing member
        del members[target]
    elif choice == 1:  # a cut member
        members[target] = members[target][:rng.randrange(len(members[target]) + 1)]
    elif choice == 2:  # a garbled member
        members[target] = mutate_bytes(members[target], rng)
    elif choice == 3:  # a zip bomb member
        members[target] = members[target] + b" " * rng.choice([1 << 20, BOMB])
    elif choice == 4:  # a directory that lies about a member's size
        return _lying_directory(members, target, rng)
    else:  # structured XML mutations
        members[target] = mutate_xml(members[target], rng)
    return _archive(members)


def _archive(members: dict[str, bytes]) -> bytes:
    """A zip of `members` with a fixed timestamp, so that a mutant is the same whenever it is made."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _xml_members_of(names: list[str]) -> list[str]:
    return [name for name in names if name.endswith((".xml", ".rels"))]


def _lying_directory(members: dict[str, bytes], target: str, rng: random.Random) -> bytes:
    """A zip whose central directory gives `target` a false uncompressed size."""
    data = bytearray(_archive({name: content + (b" " * BOMB if name == target else b"")
                               for name, content in members.items()}))
    # find the target's central directory entry and rewrite its uncompressed size (offset 24)
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = int.from_bytes(data[position + 28:position + 30], "little")
        name = data[position + 46:position + 46 + name_length].decode()
        if name == target:
            data[position + 24:position + 28] = rng.choice([1, 1000, 0xFFFFFFFE]).to_bytes(4, "little")
            break
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def mutate_pdf(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(3)
    if choice == 0:  # a hostile number after a key that sizes something
        keys = [m.end() for m in re.finditer(rb"/(?:Count|Length|Size|W|Columns|N|First|Prev)\s+", data)]
        if keys:
            where = rng.choice(keys)
            end = where + len(re.match(rb"[-\d.]*", data[where:]).group(0))
            return data[:where] + rng.choice(HOSTILE_NUMBERS).encode() + data[end:]
    if choice == 1:  # a page tree that lists one page many times
        match = re.search(rb"/Kids\s*\[\s*(\d+ \d+ R)", data)
        if match:
            kids = b" ".join([match.group(1)] * rng.choice([10, 5000]))
            return (data[:match.start(1)] + kids + data[match.end(1):]).replace(
                b"/Count 3", b"/Count " + str(rng.choice([10, 5000])).encode())
    return mutate_bytes(data, rng)


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "text": mutate_text, "docx": lambda d, r: mutate_zip(d, r) if r.random() < 0.7 else mutate_bytes(d, r),
    "xlsx": lambda d, r: mutate_zip(d, r) if r.random() < 0.7 else mutate_bytes(d, r),
    "pdf": mutate_pdf,
}


def mutant(fixtures: dict[str, list[Path]], index: int, seed: int, folder: Path) -> tuple[str, Path]:
    """The `index`-th mutant: the same for the same seed, whatever the number of workers."""
    rng = random.Random(seed * 1_000_003 + index)
    kind = FORMATS[index % len(FORMATS)]
    source = rng.choice(fixtures[kind])
    try:
        data = MUTATORS[kind](source.read_bytes(), rng)
    except Exception:  # a mutation that does not apply to this file: mutate its bytes
        data = mutate_bytes(source.read_bytes(), rng)
    path = folder / f"{index:06d}{source.suffix}"
    path.write_bytes(data or b"x")
    return kind, path


# --- running ------------------------------------------------------------------------------

def worker() -> None:
    """Parse each path read from stdin; one JSON line per path on stdout."""
    sys.path[:0] = [str(REPO / "src")]
    import kpiscore
    from kpiscore.errors import InputError

    out = sys.stdout
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (the process ends with it)
    for line in sys.stdin:
        result: dict = {}
        try:
            kpiscore.parse(Path(line.strip()))
            result["outcome"] = "ok"
        except InputError as error:
            result = {"outcome": "input_error", "message": error.line}
        except MemoryError:
            out.write(json.dumps({"outcome": "oom"}) + "\n")
            out.flush()
            os._exit(3)  # the heap may be in any state: start afresh
        except BaseException as error:  # noqa: BLE001 (the fuzzer records everything)
            frame = traceback.extract_tb(error.__traceback__)[-1]
            result = {"outcome": "other", "type": type(error).__name__,
                      "where": f"{Path(frame.filename).name}:{frame.lineno}",
                      "message": str(error)[:300], "traceback": traceback.format_exc()}
        result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        out.write(json.dumps(result) + "\n")
        out.flush()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


class Worker:
    """A worker subprocess, restarted after a timeout or a death."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def run(self, path: Path) -> dict:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True, preexec_fn=_limit_memory)
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.process.stdout.readline()))
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        reader.start()
        reader.join(TIMEOUT + _startup_allowance(self.process))
        if reader.is_alive():
            self.stop()
            reader.join()
            return {"outcome": "timeout"}
        if not answer or not answer[0]:
            code = self.process.wait()
            self.process = None
            return {"outcome": "oom", "exit": code}  # died: by RLIMIT_AS, as a rule
        result = json.loads(answer[0])
        if result["outcome"] == "oom":
            self.process.wait()
            self.process = None
        return result

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


_started: set[int] = set()


def _startup_allowance(process: subprocess.Popen) -> float:
    """A fresh worker's first mutant also pays for its imports: a few seconds more."""
    if process.pid in _started:
        return 0.0
    _started.add(process.pid)
    return 10.0


@dataclass
class Tally:
    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in FORMATS})
    distinct: dict[str, dict] = field(default_factory=dict)  # (type, where) -> first traceback
    refusals: Counter = field(default_factory=Counter)  # format and the InputError's gist
    peak_mb: int = 0

    def add(self, kind: str, path: Path, result: dict, keep: Path | None) -> None:
        outcome = result["outcome"]
        self.counts[kind][outcome] += 1
        self.peak_mb = max(self.peak_mb, result.get("maxrss_mb", 0))
        if outcome == "input_error":
            problem = result["message"][len(str(path)) + 2:]
            self.refusals[f"{kind} {re.split(r'[（(]', problem, maxsplit=1)[0].strip()[:48]}"] += 1
        if outcome in ("other", "timeout", "oom"):
            key = f"{kind} {result.get('type', outcome)} {result.get('where', '')}".strip()
            entry = self.distinct.setdefault(key, {"count": 0, "example": path.name,
                                                   "traceback": result.get("traceback", "")})
            entry["count"] += 1
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / path.name).write_bytes(path.read_bytes())

    def failures(self) -> int:
        return sum(counts[o] for counts in self.counts.values() for o in ("other", "timeout", "oom"))

    def to_dict(self) -> dict:
        return {"counts": {kind: {o: counts[o] for o in OUTCOMES} for kind, counts in self.counts.items()},
                "refusals": dict(self.refusals.most_common()), "distinct": self.distinct,
                "worker_peak_rss_mb": self.peak_mb}


def run(count: int, jobs: int = 2, seed: int = 0, keep: Path | None = None) -> Tally:
    tally = Tally()
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="kpiscore-fuzz-") as folder:
        fixtures = corpus(Path(folder))
        workers = [Worker() for _ in range(jobs)]
        free = list(workers)

        def one(index: int) -> None:
            kind, path = mutant(fixtures, index, seed, Path(folder))
            with lock:
                worker_ = free.pop()
            try:
                result = worker_.run(path)
            finally:
                with lock:
                    free.append(worker_)
            with lock:
                tally.add(kind, path, result, keep)
            path.unlink()

        try:
            with ThreadPoolExecutor(jobs) as pool:
                list(pool.map(one, range(count)))
        finally:
            for worker_ in workers:
                worker_.stop()
    return tally


def print_tally(tally: Tally) -> None:
    print(f"{'format':8}" + "".join(f"{o:>13}" for o in OUTCOMES))
    for kind in FORMATS:
        print(f"{kind:8}" + "".join(f"{tally.counts[kind][o]:>13}" for o in OUTCOMES))
    print(f"worker peak RSS: {tally.peak_mb} MB")
    print("\nInputErrors by format and problem:")
    for gist, count in tally.refusals.most_common():
        print(f"{count:>7}  {gist}")
    for key, entry in sorted(tally.distinct.items()):
        print(f"\n== {key}: {entry['count']} (e.g. {entry['example']})\n{entry['traceback']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="mutants to run (default 400)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same mutants")
    parser.add_argument("--keep", type=Path, help="copy mutants that broke the contract here")
    parser.add_argument("--report", type=Path, help="write the tally and tracebacks as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker()
        return
    tally = run(arguments.count, arguments.jobs, arguments.seed, arguments.keep)
    print_tally(tally)
    if arguments.report:
        arguments.report.write_text(json.dumps(tally.to_dict(), ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    sys.exit(1 if tally.failures() else 0)


if __name__ == "__main__":
    main()
