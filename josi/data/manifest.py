"""Manifest numbers (counts, balance) and `josi data stats`, which prints them as tables.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from collections import Counter
from itertools import product
from pathlib import Path
from typing import Any, Mapping

from josi.data.rows import target
from josi.data.split import SPLITS

I6_SHARE_BOUNDS = (0.15, 0.25)
MIN_DISTINCT_REFUSALS = 200
MAX_READINESS_SHARE = 0.5
MIN_TRAIN_ROWS = 3000
MIN_ROUTE_SHARE = 0.03  # dataset v2: vague messages (clarify) and small talk (general) each >= 3% of train


def _intent(row: Mapping[str, Any]) -> str:
    return target(row)["intent"]


def _message(row: Mapping[str, Any]) -> str:
    return target(row)["message"]


def counts(rows: list[Mapping[str, Any]], key: str) -> dict[str, int]:
    return dict(sorted(Counter(str(row["meta"].get(key)) for row in rows).items()))


def variant_counts(rows: list[Mapping[str, Any]]) -> tuple[dict[str, int], dict[str, int]]:
    """(surface style, pressure framing) counts: a variant is `style` or `framing+style`."""
    parts = [str(row["meta"].get("variant")).rpartition("+") for row in rows]
    return (dict(sorted(Counter(style for _, _, style in parts).items())),
            dict(sorted(Counter(framing or "none" for framing, _, _ in parts).items())))


def summarize(splits: Mapping[str, list[Mapping[str, Any]]], world) -> dict[str, Any]:
    from josi.data.tasks import TASKS

    per_split = {}
    for split in SPLITS:
        rows = splits[split]
        refusals = [r for r in rows if r["meta"]["expect"] == "refuse"]
        styles, framings = variant_counts(rows)
        per_split[split] = {
            "rows": len(rows),
            "task": counts(rows, "task"), "persona": counts(rows, "persona"), "readiness": counts(rows, "readiness"),
            "zone": counts(rows, "zone"), "expect": counts(rows, "expect"), "source": counts(rows, "source"),
            "variant": styles, "framing": framings,
            "i6_share": round(len(refusals) / len(rows), 4) if rows else 0.0,
            "distinct_refusal_texts": len({_message(r) for r in refusals}),
            "families": len({r["meta"]["family"] for r in rows}),
        }
    train = splits["train"]
    refusals = [r for r in train if r["meta"]["expect"] == "refuse"]
    cells = Counter((r["meta"]["persona"], r["meta"]["readiness"], r["meta"]["task"]) for r in train)
    missing = [f"{p}/{lvl}/{t}" for p, lvl, t in product(world.personas, world.levels, sorted(TASKS)) if not cells[(p, lvl, t)]]
    refusal_cells = Counter((r["meta"]["persona"], r["meta"]["readiness"]) for r in refusals)
    explained = {r["meta"]["zone"] for r in train if r["meta"]["task"] == "zone_explanation"}
    from josi.data.diversity import measure

    return {
        "counts": {"total": sum(len(v) for v in splits.values()), "splits": per_split},
        "diversity": measure(train),
        "balance": {
            "train_rows": len(train),
            "i6_share_train": per_split["train"]["i6_share"],
            "i6_refusals_by_persona_readiness": {f"{p}/{lvl}": refusal_cells[(p, lvl)]
                                                 for p, lvl in product(world.personas, world.levels)},
            "distinct_refusal_texts_train": per_split["train"]["distinct_refusal_texts"],
            "readiness_max_share_train": round(max(Counter(r["meta"]["readiness"] for r in train).values()) / len(train), 4) if train else 0.0,
            "cells_expected": len(world.personas) * len(world.levels) * len(TASKS),
            "cells_missing_train": missing,
            "cell_min_train": min((cells[(p, lvl, t)] for p, lvl, t in product(world.personas, world.levels, sorted(TASKS))), default=0),
            "zones_missing_train": [z for z in world.zones if z not in {r["meta"]["zone"] for r in train}],
            "zones_explained_missing_train": [z for z in world.zones if z not in explained],
            "persona_message_overlap": persona_overlap([r for s in SPLITS for r in splits[s]]),
            "clarify_share_train": round(sum(r["meta"]["expect"] == "clarify" for r in train) / len(train), 4) if train else 0.0,
            "general_share_train": round(sum(_intent(r) == "general" for r in train) / len(train), 4) if train else 0.0,
            "clarify_in_val_test": min(sum(r["meta"]["expect"] == "clarify" for r in splits[s]) for s in ("val", "test")),
        },
    }


def persona_overlap(rows: list[Mapping[str, Any]]) -> int:
    """Messages that occur under more than one persona (must be 0)."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        seen.setdefault(_message(row), set()).add(row["meta"]["persona"])
    return sum(len(p) > 1 for p in seen.values())


def balance_checks(manifest: Mapping[str, Any], min_train: int | None = MIN_TRAIN_ROWS,
                   min_refusal_texts: int = MIN_DISTINCT_REFUSALS) -> list[tuple[str, str, bool]]:
    """(check, measured, ok) for every balance rule of the dataset (small test builds pass lower
    absolute minimums; the shares and coverage rules are the same at every size)."""
    b = manifest["balance"]
    low, high = I6_SHARE_BOUNDS
    by_cell = b["i6_refusals_by_persona_readiness"]
    checks = [
        ("I6 share of train in [0.15, 0.25]", f"{b['i6_share_train']:.3f}", low <= b["i6_share_train"] <= high),
        ("I6 refusals in every persona x readiness", f"min {min(by_cell.values())}", min(by_cell.values()) > 0),
        (f"distinct refusal texts >= {min_refusal_texts}", str(b["distinct_refusal_texts_train"]),
         b["distinct_refusal_texts_train"] >= min_refusal_texts),
        ("no readiness level > 50% of train", f"{b['readiness_max_share_train']:.3f}", b["readiness_max_share_train"] <= MAX_READINESS_SHARE),
        ("every persona x readiness x task cell", f"{b['cells_expected'] - len(b['cells_missing_train'])}/{b['cells_expected']} "
         f"(min {b['cell_min_train']})", not b["cells_missing_train"]),
        ("every zone appears (and is explained)", ", ".join(b["zones_missing_train"] + b["zones_explained_missing_train"]) or "all",
         not b["zones_missing_train"] and not b["zones_explained_missing_train"]),
        ("no message shared between personas", str(b["persona_message_overlap"]), b["persona_message_overlap"] == 0),
    ]
    if min_train:  # full-size builds; in a small test build the 573 gold seed rows dwarf the generated ones
        checks.insert(0, (f"train rows >= {min_train}", str(b["train_rows"]), b["train_rows"] >= min_train))
        checks += [
            (f"clarify >= {MIN_ROUTE_SHARE:.0%} of train", f"{b['clarify_share_train']:.3f}", b["clarify_share_train"] >= MIN_ROUTE_SHARE),
            (f"general >= {MIN_ROUTE_SHARE:.0%} of train", f"{b['general_share_train']:.3f}", b["general_share_train"] >= MIN_ROUTE_SHARE),
            ("clarify rows in val and test", f"min {b['clarify_in_val_test']}", b["clarify_in_val_test"] > 0),
        ]
    return checks


def print_stats(manifest: Mapping[str, Any]) -> bool:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    splits = manifest["counts"]["splits"]

    def table(title: str, key: str) -> None:
        t = Table(title=title)
        t.add_column(key)
        for split in SPLITS:
            t.add_column(split, justify="right")
        t.add_column("train %", justify="right")
        values = sorted({v for s in SPLITS for v in splits[s].get(key, {})})
        train_total = splits["train"]["rows"] or 1
        for value in values:
            t.add_row(value, *(str(splits[s].get(key, {}).get(value, 0)) for s in SPLITS),
                      f"{100 * splits['train'].get(key, {}).get(value, 0) / train_total:.1f}")
        t.add_row("total", *(str(splits[s]["rows"]) for s in SPLITS), "100.0", style="bold")
        console.print(t)

    for title, key in (("rows by task", "task"), ("rows by persona", "persona"), ("rows by readiness", "readiness"),
                       ("rows by zone (explained zone or planned session)", "zone"), ("rows by decision", "expect"),
                       ("rows by source", "source"), ("user text style", "variant"),
                       ("pressure framing (refusals and plan questions)", "framing")):
        table(title, key)

    drops = manifest["drops"]
    t = Table(title="dedup and quality drops")
    t.add_column("what")
    t.add_column("count", justify="right")
    for key in ("exact", "exact_heldout_gold", "near", "near_heldout_gold", "near_gold_seed", "over_quota"):
        t.add_row(key, str(drops[key]))
    for key, value in drops.get("shortfall", {}).items():
        t.add_row(f"short of quota: {key}", str(value), style="yellow")
    for key, value in drops["failed_draws_by_check"].items():
        t.add_row(f"failed draws: {key}", str(value))
    for key, value in drops["rejected_candidates"].items():
        t.add_row(f"candidates given up: {key}", str(value))
    gold = manifest["gold"]
    t.add_row("gold train seed rows", str(gold["train_seed"]))
    t.add_row("gold held out (excluded)", str(gold["heldout_excluded"]))
    t.add_row("gold train rejected by checks", str(len(gold["rejected"])))
    console.print(t)

    t = Table(title=f"balance (seed {manifest['seed']}, near-dup Jaccard {manifest['dedup']['near_dup_threshold']})")
    t.add_column("rule")
    t.add_column("measured", justify="right")
    t.add_column("ok")
    results = balance_checks(manifest)
    for name, measured, ok in results:
        t.add_row(name, measured, "[green]yes[/green]" if ok else "[red]NO[/red]")
    console.print(t)
    if "diversity" in manifest:
        from josi.data.diversity import target_checks

        t = Table(title="dataset v2 targets (train split; reported, not build rules)")
        t.add_column("target")
        t.add_column("measured", justify="right")
        t.add_column("met")
        for name, measured, met in target_checks(manifest["diversity"]):
            t.add_row(name, measured, "[green]yes[/green]" if met else "[yellow]not yet[/yellow]")
        words = Table(title="trigger words in train user texts: refused vs not refused")
        for column in ("word", "rows", "refused", "not refused", "minority share"):
            words.add_column(column, justify="right" if column != "word" else "left")
        for word, v in manifest["diversity"]["trigger_words"].items():
            words.add_row(word, str(v["rows"]), str(v["refused"]), str(v["not_refused"]), f"{v['minority_share']:.2f}")
        console.print(t)
        d = manifest["diversity"]
        if d.get("distinct_2_generated_at_gold_size"):
            console.print(f"distinct-2 at equal size (gold's row count): generated {d['distinct_2_generated_at_gold_size']:.3f}, "
                          f"gold {d['distinct_2_gold']:.3f}; whole train split {d['distinct_2']:.3f}")
        console.print(words)
    return all(ok for _, _, ok in results)


def load_manifest(out: Path) -> dict[str, Any]:
    path = Path(out) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no manifest; run `josi data build` first")
    from josi.core.io import read_json

    return read_json(path)
