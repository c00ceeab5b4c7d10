"""Exact and near-duplicate detection, shared by the dataset generator and the gold checker.

Exact: SHA-256 of the canonical text (lower case, digits -> '0', punctuation dropped, whitespace
collapsed). Near: MinHash over word 3-gram shingles with LSH (datasketch); the Jaccard threshold
is justified from measured distributions in docs/data.md.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable, Iterable, Sequence

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


@lru_cache(maxsize=1)
def _template():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1)


def minhash(text: str):
    """MinHash of the shingles; identical to updating one shingle at a time (tested), but it reuses
    the permutations and hashes the whole batch at once, which is ~10x faster."""
    from datasketch import MinHash

    template = _template()
    m = MinHash(num_perm=NUM_PERM, seed=1, permutations=template.permutations, scheme=template.scheme)
    m.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles(text))])
    return m


def drop_exact(texts: Sequence[str], reserved: Iterable[str] = ()) -> tuple[list[int], list[int]]:
    """(kept indices, dropped indices); the first occurrence of each canonical text is kept.

    `reserved` texts (e.g. held-out gold) are never kept themselves but block every exact copy."""
    seen: set[str] = {content_hash(text) for text in reserved}
    kept, dropped = [], []
    for index, text in enumerate(texts):
        key = content_hash(text)
        (dropped if key in seen else kept).append(index)
        seen.add(key)
    return kept, dropped


def drop_near(texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD,
              reserved: Iterable[str] = (), signature: Callable[[str], Any] | None = None
              ) -> tuple[list[int], list[tuple[int, int]]]:
    """(kept indices, (dropped, kept-twin) pairs), greedy in input order so results are deterministic.

    `reserved` texts (e.g. held-out gold) are inserted first and block their near-duplicates; a
    twin that is reserved text k is reported as -(k + 1). `signature` may be a memoised minhash."""
    from datasketch import MinHashLSH

    sign = signature or minhash
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for k, text in enumerate(reserved):
        lsh.insert(-(k + 1), sign(text))
    kept, dropped = [], []
    for index, text in enumerate(texts):
        signed = sign(text)
        twins = lsh.query(signed)
        if twins:
            dropped.append((index, min(twins)))
            continue
        lsh.insert(index, signed)
        kept.append(index)
    return kept, dropped


def cross_near_duplicates(left: Iterable[str], right: Iterable[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[tuple[int, int]]:
    """Pairs (i, j) where right[j] is a near-duplicate of left[i]: used to prove splits don't leak."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for index, text in enumerate(left):
        lsh.insert(index, minhash(text))
    return [(hit, j) for j, text in enumerate(right) for hit in lsh.query(minhash(text))]
