"""How fast and how complete cross-document reuse is (kpiscore.reuse), and the
within-document duplicate rule DUP-02 on one large document.

    .venv/bin/python benchmarks/bench_reuse.py                    # 1M rows, 100 queries
    .venv/bin/python benchmarks/bench_reuse.py -n 100000 --queries 50
    .venv/bin/python benchmarks/bench_reuse.py --tables 1000 --brute   # DUP-02 vs all pairs

(a) Rows: the seeds' (and the corpus's, when beside the repository) indicator rows,
    masked (reuse.masked), varied into -n synthetic rows: kept as printed, one or two
    characters replaced, inserted or deleted, a place name put before, or a new row made
    of the rows' own characters; 50 rows a synthetic document.
(b) Exact reuse: the stable hash of every row (reuse.text_hash) and the groups of equal
    rows (pandas.factorize). Near reuse: reuse.shared_clusters (factorize, MinHash-LSH,
    rapidfuzz on the candidates, connected components), the dataset's path.
    CPU seconds (process time) and peak memory (max RSS) are printed.
(c) Recall against brute force: --queries distinct rows drawn at random are compared
    with every distinct row by rapidfuzz (process.cdist); of the pairs at ratio ≥ 85,
    the share in one cluster (what the dataset reports) and the share found as an LSH
    pair directly.
(d) DUP-02 on one document of --tables tables (the seeds' tables repeated, numbers
    changed): seconds for the rule; with --brute also the rule's former way, comparing
    every pair of tables with rapidfuzz.cdist, and whether the findings are the same.

A plain script, not a test: nothing is asserted, and it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

import kpiscore
from kpiscore import reuse
from kpiscore.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("KPISCORE_SEEDS", REPO.parent / "shared" / "seeds"))
CORPUS = SEEDS.parent / "corpus" / "native"
PLACES = ["县", "市", "区", "镇", "乡", "全县", "全市", "本单位", "辖区", "农村"]
SIMILARITY = 0.85


def documents() -> list[kpiscore.Document]:
    paths = sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.docx"))
    parsed = []
    for path in paths:
        try:
            parsed.append(kpiscore.parse(path))
        except InputError:
            continue
    if not parsed:
        raise SystemExit(f"no seeds in {SEEDS}: set KPISCORE_SEEDS")
    return parsed


def synthetic_rows(base: list[str], count: int, rng: random.Random) -> list[str]:
    """`count` rows varied from the real ones (see the module docstring, (a))."""
    alphabet = sorted({char for text in base for char in text})
    rows = []
    for _ in range(count):
        text = rng.choice(base)
        draw = rng.random()
        if draw < 0.4:
            pass  # reused as printed (after masking: any figures)
        elif draw < 0.75:
            for _ in range(rng.choice((1, 2))):
                at = rng.randrange(len(text) + 1)
                edit = rng.choice(("replace", "insert", "delete"))
                char = rng.choice(alphabet)
                if edit == "insert" or not text:
                    text = text[:at] + char + text[at:]
                elif edit == "replace":
                    text = text[:at] + char + text[at + 1:]
                else:
                    text = text[:at] + text[at + 1:]
        elif draw < 0.9:
            text = rng.choice(PLACES) + text
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(6, 24)))
        rows.append(text)
    return rows


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_reuse(rows: list[str], queries: int, rng: random.Random) -> None:
    members = pd.DataFrame({"document_id": np.arange(len(rows)) // 50, "phrase": rows})
    start = time.process_time()
    hashes = np.fromiter(map(reuse.text_hash, rows), dtype=np.int64, count=len(rows))
    groups = len(pd.unique(hashes))
    exact = time.process_time() - start
    print(f"exact reuse: {len(rows):,} rows hashed and grouped ({groups:,} distinct) "
          f"in {exact:.1f} CPU-s")

    start = time.process_time()
    clustered = reuse.shared_clusters(members, "phrase", SIMILARITY)
    near = time.process_time() - start
    print(f"near reuse: {clustered['cluster'].nunique():,} clusters over two or more documents, "
          f"{len(clustered):,} rows, in {near:.1f} CPU-s; peak memory {peak_mib():,.0f} MiB")

    unique = list(pd.unique(pd.Series(rows)))
    labels = reuse.clusters(unique, SIMILARITY)
    direct = {tuple(pair) for pair in reuse.similar_pairs(unique, SIMILARITY).tolist()}
    chosen = rng.sample(range(len(unique)), min(queries, len(unique)))
    start = time.perf_counter()
    scores = process.cdist([unique[i] for i in chosen], unique, scorer=fuzz.ratio,
                           score_cutoff=SIMILARITY * 100, workers=-1, dtype=np.uint8)
    brute = time.perf_counter() - start
    truth = [(query, other) for row, query in enumerate(chosen)
             for other in np.flatnonzero(scores[row]) if other != query]
    same = sum(labels[query] == labels[other] for query, other in truth)
    found = sum((min(q, o), max(q, o)) in direct for q, o in truth)
    share = f"{same / len(truth):.3f}" if truth else "n/a"
    print(f"recall against brute force ({len(chosen)} rows × {len(unique):,} distinct rows, "
          f"{brute:.0f} s): {len(truth):,} pairs at ratio ≥ {SIMILARITY * 100:.0f}; "
          f"in one cluster {share}; found as an LSH pair {found / max(1, len(truth)):.3f}")


def large_document(parsed: list[kpiscore.Document], tables: int,
                   rng: random.Random) -> kpiscore.Document:
    """One document of `tables` tables: the real ones repeated, figures changed."""
    import copy
    import re

    real = [project for document in parsed for project in document.projects
            if len(project.indicators) >= 2]
    document = kpiscore.Document(source="large", format="text")
    for index in range(1, tables + 1):
        project = copy.deepcopy(rng.choice(real))
        project.index = index
        for indicator in project.indicators:
            indicator.value = re.sub(r"\d+", lambda _: str(rng.randint(1, 999)), indicator.value)
        document.projects.append(project)
    return document


def brute_findings(context, rule) -> list[str]:
    """DUP-02 as it was: every pair of tables compared with rapidfuzz.cdist."""
    from kpiscore.rules.base import clip
    from kpiscore.rules.table_rules import _row_key

    projects = [p for p in context.projects() if len(p.indicators) >= 2]
    keys = {p.index: [_row_key(i) for i in p.indicators] for p in projects}
    share = rule.param(context, "share")
    similarity = rule.param(context, "similarity") * 100

    def matched(rows, others):
        matrix = process.cdist(rows, others, scorer=fuzz.ratio)
        return min((matrix.max(axis=1) >= similarity).mean(), (matrix.max(axis=0) >= similarity).mean())

    messages = []
    for project in projects:
        twins = [o for o in projects if o.index != project.index
                 and matched(keys[project.index], keys[o.index]) >= share]
        if twins:
            shown = "、".join(f"第{t.index}个项目「{clip(t.title, 14)}」" for t in twins[:3])
            messages.append(f"{project.index} 指标表与{shown}基本相同")
    return messages


def within_document(parsed, tables: int, brute: bool, rng: random.Random) -> None:
    from kpiscore.rules.base import Context
    from kpiscore.rules.table_rules import ClonedTable

    document = large_document(parsed, tables, rng)
    rule, context = ClonedTable(), Context(document)
    start = time.perf_counter()
    found = [f"{f.project} {f.message}" for f in rule.findings(context)]
    took = time.perf_counter() - start
    print(f"DUP-02 on {tables} tables ({document.indicator_count:,} rows): {took:.2f} s, "
          f"{len(found)} findings")
    if brute:
        start = time.perf_counter()
        expected = brute_findings(context, rule)
        print(f"DUP-02 comparing every pair of tables: {time.perf_counter() - start:.1f} s, "
              f"{len(expected)} findings; same findings: {expected == found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="synthetic rows")
    parser.add_argument("--queries", type=int, default=100, help="rows checked by brute force")
    parser.add_argument("--tables", type=int, default=1000, help="tables of the DUP-02 document")
    parser.add_argument("--brute", action="store_true", help="also run DUP-02 the all-pairs way")
    parser.add_argument("--seed", type=int, default=15)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    parsed = documents()
    base = sorted({reuse.masked(i.name, i.description, i.value)
                   for document in parsed for project in document.projects
                   for i in project.indicators})
    print(f"{len(base):,} distinct real rows from {len(parsed)} documents")
    if arguments.n:
        corpus_reuse(synthetic_rows(base, arguments.n, rng), arguments.queries, rng)
    if arguments.tables:
        within_document(parsed, arguments.tables, arguments.brute, rng)


if __name__ == "__main__":
    main()
