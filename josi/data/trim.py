"""Dedup and quotas: the candidates of every task interleaved, exact and near duplicates removed
(held-out gold reserved), and each task trimmed to its quota with every persona x readiness cell
served first.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from josi.data.rows import target


def interleave(per_task: dict[str, list]) -> list:
    """Round-robin over tasks, so near-duplicate removal favours no task."""
    order = []
    for task, drafts in per_task.items():
        n = max(len(drafts), 1)
        order += [((i + 0.5) / n, task, i, d) for i, d in enumerate(drafts)]
    order.sort(key=lambda item: item[:3])
    return [item[3] for item in order]


def row_text(row: dict[str, Any]) -> str:
    """What dedup compares: the user's text and the target message (as gold's dedup_text)."""
    return f"{row['meta']['user']}\n{target(row)['message']}"


@dataclass
class Deduped:
    rows: list[dict[str, Any]]
    taken: Counter
    exact: int
    exact_heldout: int
    near: int
    near_heldout: int
    near_seed: int
    over_quota: int


def dedup_and_trim(seed_rows: list, streams: dict, reserved: list[str], quotas: dict[str, int],
                   threshold: float, signature=None) -> Deduped:
    """Exact then near-duplicate removal over gold seed + candidates (held-out gold reserved), then
    each task trimmed to its quota in candidate order."""
    from josi.core.dedup import content_hash, drop_exact, drop_near

    ordered = seed_rows + interleave({t: st.rows for t, st in streams.items()})
    texts = [row_text(row) for row in ordered]
    held_hashes = {content_hash(t) for t in reserved}
    kept, exact = drop_exact(texts, reserved)
    near_kept, near_pairs = drop_near([texts[i] for i in kept], threshold, reserved, signature=signature)
    taken: Counter[str] = Counter()
    chosen: set[int] = set()
    # First one row per task x persona x readiness cell, then the rest in candidate order: dedup may
    # drop a cell's first candidate, and the quota must not be filled before every cell has a row.
    for first_pass in (True, False):
        covered: set[tuple[str, str, str]] = set()
        for i in near_kept:
            meta = ordered[kept[i]]["meta"]
            if meta["source"] != "generated" or i in chosen:
                continue
            cell = (meta["task"], meta["persona"], meta["readiness"])
            if (first_pass and cell in covered) or taken[meta["task"]] >= quotas[meta["task"]]:
                continue
            covered.add(cell)
            chosen.add(i)
            taken[meta["task"]] += 1
    rows = [ordered[kept[i]] for i in near_kept if ordered[kept[i]]["meta"]["source"] != "generated" or i in chosen]
    over_quota = sum(ordered[kept[i]]["meta"]["source"] == "generated" and i not in chosen for i in near_kept)
    return Deduped(rows, taken, len(exact), sum(content_hash(texts[i]) in held_hashes for i in exact),
                   len(near_pairs), sum(twin < 0 for _, twin in near_pairs),
                   sum(ordered[kept[d]]["meta"]["source"] == "gold" for d, _ in near_pairs), over_quota)
