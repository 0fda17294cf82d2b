"""Reused wording: the same indicator phrase or table printed by several documents, found
by hashing (exact reuse) and by MinHash-LSH over character pairs with every candidate
checked by rapidfuzz (near reuse), in time that grows with the number of rows, not with
the number of pairs.

What counts as the same phrase: a row's cells folded by `text.compact` (NFKC, no spaces,
no punctuation) with every number written "#" (`masked`), so "合格率 ≥95%" and
"合格率 ≥98%" are one phrase: a researcher studying boilerplate asks whether the wording
was copied, and a copied table usually changes only its figures. The unmasked wording's
hash is kept beside it in the dataset (`text_hash`) for those who want verbatim copies.

`similar_pairs` is the one index: the cross-document clusters here and the
within-document rule DUP-02 (rules/table_rules.py) both use it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from kpiscore.text import compact

if TYPE_CHECKING:
    import pandas as pd

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Above every code point (2^21 > 0x10FFFF): a character pair is one integer below 2^42.
_CODE_BITS = 21
_MARK = 1  # the code point put between texts (no cell holds it)
_CHUNK = 50_000  # texts hashed at a time, and
_BLOCK = 8  # permutations at a time: a million pairs × 8 × 8 bytes at most, 64 MiB;
_HASHES_AT_ONCE = 1 << 20  # fewer pairs take more at a time, up to this many values


def masked(*cells: str | None) -> str:
    """The cells' wording as compared for reuse: compacted, numbers written "#"."""
    return mask_numbers(compact(" ".join(cell or "" for cell in cells)))


def mask_numbers(text: str) -> str:
    return _NUMBER.sub("#", text)


def text_hash(text: str) -> int:
    """A stable 64-bit hash (the same in every process and version), as a signed int64."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little",
                          signed=True)


@dataclass(frozen=True)
class Banding:
    """How signatures are cut for LSH: `bands` bands of `rows` hash values each. Two texts
    become candidates when any band is equal, which for a pair-set Jaccard J happens with
    probability 1 - (1 - J^rows)^bands. Each member of a bucket is compared with its
    `window` next neighbours, so that the work stays linear when thousands of variants
    share a bucket; None compares every pair of a bucket."""

    bands: int
    rows: int
    window: int | None = 8
    seed: int = 15

    @property
    def permutations(self) -> int:
        return self.bands * self.rows


# 20 bands of 3: a pair of Jaccard 0.5 is a candidate with probability 0.93, of 0.6 with
# 0.99; each bucket member is compared with its next two. On benchmarks/bench_reuse.py's
# rows this keeps 0.99 of the pairs at ratio ≥ 85 in one cluster (single linkage joins
# most of the pairs LSH does not meet directly).
CORPUS = Banding(bands=20, rows=3, window=2)


def signatures(texts: Sequence[str], banding: Banding = CORPUS) -> np.ndarray:
    """MinHash signatures (len(texts) × permutations, uint64) of the texts' character
    pairs, with a mark before the first and after the last character (so a one-character
    text has pairs too, and every empty text has the same one)."""
    multipliers, offsets = _hash_family(banding)
    parts = [_chunk_signatures(texts[start:start + _CHUNK], multipliers, offsets)
             for start in range(0, len(texts), _CHUNK)]
    return np.concatenate(parts) if parts else np.empty((0, banding.permutations), np.uint64)


@lru_cache(maxsize=8)
def _hash_family(banding: Banding) -> tuple[np.ndarray, np.ndarray]:
    """The permutations' multipliers and offsets, drawn from the banding's seed (once: a
    document's rule asks for them every time)."""
    rng = np.random.default_rng(banding.seed)
    top = np.iinfo(np.uint64).max
    multipliers = rng.integers(0, top, banding.permutations, dtype=np.uint64, endpoint=True) | np.uint64(1)
    offsets = rng.integers(0, top, banding.permutations, dtype=np.uint64, endpoint=True)
    return multipliers, offsets


@lru_cache(maxsize=8)
def _band_mix(banding: Banding) -> np.ndarray:
    """What folds a band's `rows` hash values into one bucket key."""
    return np.random.default_rng(banding.seed + 1).integers(
        1, 1 << 63, banding.rows, dtype=np.uint64) | np.uint64(1)


def _chunk_signatures(texts: Sequence[str], multipliers: np.ndarray,
                      offsets: np.ndarray) -> np.ndarray:
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    mark = chr(_MARK)
    joined = mark + mark.join(texts) + mark
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # pair j is (codes[j], codes[j + 1]); text k's len + 1 pairs start at the mark before it
    pairs = (codes[:-1] << np.uint64(_CODE_BITS)) | codes[1:]
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    result = np.empty((len(texts), len(multipliers)), dtype=np.uint64)
    step = max(_BLOCK, _HASHES_AT_ONCE // max(1, len(pairs)))
    for first in range(0, len(multipliers), step):
        block = slice(first, first + step)
        # multiply-shift hashing (wraps modulo 2^64): a cheap universal family
        hashed = (pairs[:, None] * multipliers[None, block] + offsets[None, block]) >> np.uint64(20)
        result[:, block] = np.minimum.reduceat(hashed, starts, axis=0)
    return result


def candidate_pairs(signature: np.ndarray, banding: Banding = CORPUS) -> np.ndarray:
    """Index pairs (i < j, k × 2 int64, no repeats) that share a band of their signature
    and are at most `window` apart in its bucket."""
    keys = (signature.reshape(len(signature), banding.bands, banding.rows) * _band_mix(banding)).sum(
        axis=2, dtype=np.uint64)  # one key per text and band
    found = [_bucket_pairs(keys[:, band], banding.window) for band in range(banding.bands)]
    pairs = np.concatenate(found)  # a banding has one band at least
    if not len(pairs):
        return pairs
    joined = np.unique(pairs[:, 0] * len(signature) + pairs[:, 1])  # one int a pair: fast unique
    return np.stack(np.divmod(joined, len(signature)), axis=1)


def _bucket_pairs(keys: np.ndarray, window: int | None) -> np.ndarray:
    """Pairs (i < j) of texts with equal keys (one band), each paired with the next
    `window` of its bucket in sorted order (None: with all of them)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    # each bucket is a run of equal keys; a position is paired with the rest of its run
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    sizes = np.diff(np.append(starts, len(ordered)))
    position = np.arange(len(ordered))
    partners = np.repeat(starts + sizes, sizes) - 1 - position
    if window:
        partners = np.minimum(partners, window)
    left = np.repeat(position, partners)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(partners) - partners, partners)
    return np.sort(np.stack((order[left], order[right]), axis=1), axis=1).astype(np.int64)


def similar_pairs(texts: Sequence[str], similarity: float,
                  banding: Banding = CORPUS) -> np.ndarray:
    """Index pairs (i < j) of texts whose rapidfuzz ratio is at least `similarity` (0..1),
    among the LSH candidates. Identical texts are pairs too; pass unique texts to keep
    the work down."""
    texts = list(texts)
    pairs = candidate_pairs(signatures(texts, banding), banding)
    if not len(pairs):
        return pairs
    scores = process.cpdist([texts[i] for i in pairs[:, 0]], [texts[j] for j in pairs[:, 1]],
                            scorer=fuzz.ratio, score_cutoff=similarity * 100, workers=1)
    return pairs[scores >= similarity * 100]


def clusters(texts: Sequence[str], similarity: float, banding: Banding = CORPUS) -> np.ndarray:
    """A cluster label per text: texts joined by a chain of similar pairs share one
    (single linkage, so a cluster can hold variants further apart than `similarity`)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pairs = similar_pairs(texts, similarity, banding)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
                       shape=(len(texts), len(texts)))
    return connected_components(graph, directed=False)[1]


def shared_clusters(members: pd.DataFrame, text: str, similarity: float,
                    banding: Banding = CORPUS) -> pd.DataFrame:
    """`members` (one row per row or table, with `document_id` and the `text` column)
    with a `cluster` column, keeping only clusters printed by at least two documents.
    Identical texts are clustered once (exact reuse by hash), then variants by LSH."""
    import pandas as pd

    codes, unique = pd.factorize(members[text], sort=False)
    labels = clusters(list(unique), similarity, banding)[codes]
    spread = pd.Series(members["document_id"].to_numpy()).groupby(labels).nunique()
    keep = spread.index[spread.to_numpy() >= 2]
    # cluster ids in order of size (0 is the most widely reused), stable across runs
    sizes = spread.loc[keep].sort_values(ascending=False, kind="stable")
    renumber = pd.Series(np.arange(len(sizes)), index=sizes.index)
    chosen = np.isin(labels, keep)
    result = members.loc[chosen].copy()
    result.insert(0, "cluster", renumber.loc[labels[chosen]].to_numpy())
    return result
