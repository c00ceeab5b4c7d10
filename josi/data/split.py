"""Train/val/test split: stratified by task type, grouped by template family.

All rows of one family (meta.family) land in the same split, so a question shape seen in val or
test was never trained on. Within each task, families are shuffled with the build's seed and
handed to val and test while those are short of their share. A family only leaves train if train
keeps, for that task, at least one family of the same sub-kind (I6 kind, red flag, replan type,
topic), at least one row in every persona x readiness cell it had, and for zone explanations at least one
row explaining every zone it explains (the balance rule "every zone is explained" is about train).
Gold train records always go to train (they are the seed); held-out gold never enters any split.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Iterable, Mapping

SPLITS = ("train", "val", "test")


def assign_families(rows: Iterable[Mapping], seed: int, val_share: float, test_share: float) -> dict[str, str]:
    """family -> split, for generated rows (each row has meta task, family, kind, persona, readiness)."""
    sizes: Counter[str] = Counter()
    task_of: dict[str, str] = {}
    kind_of: dict[str, str | None] = {}
    cells_of: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        meta = row["meta"]
        family = meta["family"]
        sizes[family] += 1
        task_of[family] = meta["task"]
        kind_of[family] = meta.get("kind")
        cells_of[family][(meta["persona"], meta["readiness"])] += 1
        if meta["task"] == "zone_explanation":
            cells_of[family][("explains", meta.get("zone"))] += 1
    by_task: dict[str, list[str]] = defaultdict(list)
    for family in sorted(sizes):
        by_task[task_of[family]].append(family)
    assignment: dict[str, str] = {}
    for task in sorted(by_task):
        families = by_task[task]
        random.Random(f"{seed}/split/{task}").shuffle(families)
        total = sum(sizes[f] for f in families)
        target = {"val": val_share * total, "test": test_share * total}
        filled = {"val": 0, "test": 0}
        kinds_in_train = Counter(kind_of[f] for f in families)
        cells_in_train: Counter = Counter()
        for family in families:
            cells_in_train.update(cells_of[family])
        for family in families:
            size, kind = sizes[family], kind_of[family]
            keeps_kind = kind is None or kinds_in_train[kind] > 1
            keeps_cells = all(cells_in_train[cell] > n for cell, n in cells_of[family].items())
            choice = "train"
            if keeps_kind and keeps_cells:
                open_splits = [s for s in ("val", "test") if target[s] - filled[s] > 0
                               and (filled[s] == 0 or size <= 1.5 * (target[s] - filled[s]))]
                if open_splits:
                    choice = max(open_splits, key=lambda s: (target[s] - filled[s], s == "val"))
            if choice != "train":
                filled[choice] += size
                kinds_in_train[kind] -= 1
                cells_in_train.subtract(cells_of[family])
            assignment[family] = choice
    return assignment
