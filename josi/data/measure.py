"""`josi data measure`: the Jaccard distributions behind the near-duplicate threshold.

Exact Jaccard over the same word 3-gram shingles the MinHash uses (josi.core.dedup.shingles), on
the dedup text (user + message) of the generator's candidates, for four populations:

- noise twin: the same example with the user text re-written casual / typo / Dutch-English.
  These ARE duplicates; the threshold must catch them.
- one-sentence twin: the same example with one message sentence swapped for a sentence from
  another candidate of the same task and persona. Still the same example; should be caught.
- same-family pair: two independent candidates of the same family and persona. These are the
  distinct examples the generator is meant to produce; the threshold must keep them.
- nearest neighbour: for every candidate, its highest Jaccard to any other candidate of the same
  task and persona (what greedy near-dup removal acts on).

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import replace
from statistics import quantiles

from josi.core.dedup import shingles

THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def jaccard_sets(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def populations(drafts: list, seed: int, pairs: int = 4000) -> dict[str, list[float]]:
    from josi.data import noise
    from josi.data.banks import default_banks

    rng = random.Random(f"{seed}/measure")
    banks = default_banks()
    sets = [shingles(d.dedup_text()) for d in drafts]
    groups: dict[tuple, list[int]] = defaultdict(list)
    families: dict[tuple, list[int]] = defaultdict(list)
    for i, d in enumerate(drafts):
        groups[(d.task, d.context.persona)].append(i)
        families[(d.family, d.context.persona)].append(i)
    out: dict[str, list[float]] = {"noise twin": [], "one-sentence twin": [], "same-family pair": [], "nearest neighbour": []}
    sample = rng.sample(range(len(drafts)), min(pairs, len(drafts)))
    for i in sample:
        d = drafts[i]
        style = rng.choice(("casual", "typo", "dutch_english"))
        twin_user, _ = noise.vary(d.user, rng, banks.noise, style=style)
        out["noise twin"].append(jaccard_sets(sets[i], shingles(f"{twin_user}\n{d.message}")))
        group = groups[(d.task, d.context.persona)]
        other = drafts[rng.choice(group)]
        mine, theirs = SENTENCE.findall(d.message), SENTENCE.findall(other.message)
        if len(mine) > 1 and theirs:
            k = rng.randrange(len(mine))
            mine[k] = rng.choice(theirs)
            out["one-sentence twin"].append(jaccard_sets(sets[i], shingles(f"{d.user}\n{''.join(mine)}")))
        family = families[(d.family, d.context.persona)]
        if len(family) > 1:
            j = rng.choice([x for x in family if x != i])
            out["same-family pair"].append(jaccard_sets(sets[i], sets[j]))
    for members in groups.values():
        for i in members:
            best = max((jaccard_sets(sets[i], sets[j]) for j in members if j != i), default=0.0)
            out["nearest neighbour"].append(best)
    return out


def summary(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {}
    cuts = quantiles(values, n=100, method="inclusive")
    return {"n": len(values), "p1": cuts[0], "p5": cuts[4], "p50": cuts[49], "p95": cuts[94], "p99": cuts[98],
            "max": max(values)}


def measure(config) -> int:
    from rich.console import Console
    from rich.table import Table

    from josi.data.build import generate, interleave, load_inputs

    world, _ = load_inputs(config)
    streams = generate(world, replace(config, oversample=1.0))
    drafts = interleave({task: stream.drafts for task, stream in streams.items()})
    data = populations(drafts, config.seed)
    console = Console()
    table = Table(title=f"Jaccard of word 3-gram shingles, {len(drafts)} candidates (seed {config.seed}, size {config.size})")
    for column in ("population", "n", "p1", "p5", "p50", "p95", "p99", "max"):
        table.add_column(column, justify="left" if column == "population" else "right")
    for name, values in data.items():
        s = summary(values)
        table.add_row(name, *(str(s.get(k, "")) if k == "n" else f"{s.get(k, 0):.3f}" for k in ("n", "p1", "p5", "p50", "p95", "p99", "max")))
    console.print(table)
    table = Table(title="share at or above each threshold")
    table.add_column("threshold")
    for name in data:
        table.add_column(name, justify="right")
    for t in THRESHOLDS:
        table.add_row(f"{t:.1f}", *(f"{100 * sum(v >= t for v in values) / max(len(values), 1):.1f}%" for values in data.values()))
    console.print(table)
    return 0
