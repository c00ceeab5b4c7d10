"""Exact and near-duplicate detection, shared by the dataset generator and the gold checker.

Exact: SHA-256 of the canonical text (lower case, digits -> '0', punctuation dropped, whitespace
collapsed). Near: MinHash over word 3-gram shingles with LSH (datasketch); the Jaccard threshold
is justified from measured distributions in docs/data.md.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable, Sequence

NUM_PERM = 128
SHINGLE = 3
NEAR_DUPLICATE_JACCARD = 0.7


def canonical(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\d+(?:[.,]\d+)?", "0", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    words = canonical(text).split()
    if len(words) < n:
        return {" ".join(words)}
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def minhash(text: str):
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1)
    for shingle in sorted(shingles(text)):
        m.update(shingle.encode("utf-8"))
    return m


def drop_exact(texts: Sequence[str]) -> tuple[list[int], list[int]]:
    """(kept indices, dropped indices); the first occurrence of each canonical text is kept."""
    seen: set[str] = set()
    kept, dropped = [], []
    for index, text in enumerate(texts):
        key = content_hash(text)
        (dropped if key in seen else kept).append(index)
        seen.add(key)
    return kept, dropped


def drop_near(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> tuple[list[int], list[tuple[int, int]]]:
    """(kept indices, (dropped, kept-twin) pairs), greedy in input order so results are deterministic."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    kept, dropped = [], []
    for index, text in enumerate(texts):
        signature = minhash(text)
        twins = lsh.query(signature)
        if twins:
            dropped.append((index, min(twins)))
            continue
        lsh.insert(index, signature)
        kept.append(index)
    return kept, dropped


def cross_near_duplicates(left: Iterable[str], right: Iterable[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[tuple[int, int]]:
    """Pairs (i, j) where right[j] is a near-duplicate of left[i]: used to prove splits don't leak."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for index, text in enumerate(left):
        lsh.insert(index, minhash(text))
    return [(hit, j) for j, text in enumerate(right) for hit in lsh.query(minhash(text))]


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0
