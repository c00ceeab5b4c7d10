"""assemble -> validate -> dedup -> split -> write, all in memory until the final directory swap.

1. inputs: cards (a malformed card aborts with file:line), phrasing banks, gold (a malformed line
   aborts with file:line; held-out gold is set aside as *reserved* text).
2. assemble + validate: each task's generator fills persona x readiness cells in a fixed cycle;
   every candidate must pass josi.data.quality (the gold checks and more) or is drawn again.
3. dedup: canonical content hash, then MinHash near-duplicates (josi.core.dedup), with held-out
   gold reserved first so nothing equal or close to it survives; gold train rows go first so the
   seed wins over generated twins. Then each task is trimmed to its quota.
4. split: josi.data.split (stratified by task, grouped by family); gold train rows go to train.
5. write: JSONL + manifest.json into a temp directory that replaces --out in one rename (--out is
   checked before step 1, `check_out`).

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any

from josi.core.paths import from_repo, shown
from josi.data.config import GENERATOR_VERSION, DataConfig
from josi.data.split import SPLITS, assign_families
from josi.data.trim import dedup_and_trim, interleave, row_text

OUTPUT_FILES = ("train.jsonl", "val.jsonl", "test.jsonl", "manifest.json")

# Gold categories that are one of our task types under another name.
GOLD_TASK = {"zone_explanation": "zone_explanation", "workout_explanation": "workout_explanation",
             "readiness": "readiness_summary", "motivation": "encouragement", "i6_pressure": "i6_refusal",
             "plan_questions": "plan_question", "replan_life_events": "replan", "multi_turn": "multi_turn"}


@dataclass
class Dataset:
    splits: dict[str, list[dict[str, Any]]]
    manifest: dict[str, Any]
    texts: dict[str, list[str]] = field(default_factory=dict)  # split -> dedup texts (for leak tests)
    heldout_texts: list[str] = field(default_factory=list)

    def files(self) -> dict[str, bytes]:
        out = {f"{split}.jsonl": jsonl_bytes(self.splits[split]) for split in SPLITS}
        out["manifest.json"] = (json.dumps(self.manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
        return out


def jsonl_bytes(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


@lru_cache(maxsize=1)
def git_sha() -> str:
    from josi.core.manifest import git_sha as sha

    return sha()


def log(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


# ---- inputs ---------------------------------------------------------------------------------

def load_inputs(config: DataConfig):
    from josi.data.banks import load_banks
    from josi.data.world import World
    from josi.core.facts import build_facts
    from josi.core.io import InputError
    from josi.core.cards import cards_fingerprint, default_cards, load_cards

    knowledge = from_repo(config.knowledge_dir)
    cards = load_cards(knowledge)  # CardError names file:line
    f = build_facts(cards)
    if cards_fingerprint(cards) != cards_fingerprint(default_cards()):
        raise InputError(knowledge, 0, "must hold the same cards as josi's knowledge/ (the checks read those); "
                                       "edit knowledge/ itself to change a constant")
    banks = load_banks(personas=tuple(f.personas))
    return World(f, cards, banks), cards


def load_gold_inputs(config: DataConfig):
    """(train records, held-out records, {file: sha256}, seed rows, rejected); no gold files means no seed."""
    from josi.core.io import sha256_file
    from josi.core.gold import gold_files

    from josi.core.gold import GOLD_DIR

    directory = from_repo(config.gold_dir)
    if not directory.is_dir():
        return [], [], {}, [], []
    if directory.resolve() == GOLD_DIR.resolve():
        directory = GOLD_DIR  # gold_files() leaves gold/drafts/ out only for the real gold directory
    files = gold_files(directory)
    if not files:
        return [], [], {}, [], []
    hashes = tuple((shown(p), sha256_file(p)) for p in files)
    return _gold(directory, hashes)


@lru_cache(maxsize=4)
def _gold(directory: Path, hashes: tuple):
    """Parse, split and check gold once per content (checking ~600 records takes seconds)."""
    from josi.data.quality import problems_of
    from josi.core.gold import load_gold, record_problems, split_gold

    records = load_gold(directory)  # InputError names file:line
    train, held = split_gold(records)
    seed_rows, rejected = [], []
    for record in train:  # the gold bar, plus the generator's own rules, so every row meets both
        problems = record_problems(record) or problems_of(record.context, record.user, record.answer, record.expect())
        if problems:
            rejected.append({"id": record.id, "where": shown(record.path) + f":{record.line}", "problem": problems[0]})
        else:
            seed_rows.append(gold_row(record))
    return train, held, dict(hashes), seed_rows, rejected


# ---- assemble + validate --------------------------------------------------------------------

class TaskStream:
    """One task's candidates: its own random stream, walking persona x readiness cells in a fixed
    cycle; `take(n)` adds n more candidates that passed josi.data.quality (or gives a slot up
    after max_attempts draws). Resumable, so a task short of its quota after dedup can top up."""

    def __init__(self, task: str, world, config: DataConfig):
        from josi.data.tasks import TASKS, Gen

        if task not in TASKS:
            raise ValueError(f"unknown task {task!r} in task_weights (known: {', '.join(TASKS)})")
        self.task, self.config, self.generator = task, config, TASKS[task]
        rng = random.Random(f"{config.seed}/{task}")
        self.gen = Gen(world, rng)
        self.cells = list(product(world.personas, world.levels))
        rng.shuffle(self.cells)
        self.index = 0
        self.drafts: list = []
        self.rows: list[dict[str, Any]] = []
        self.failures: Counter[str] = Counter()
        self.rejected = 0

    def take(self, n: int) -> None:
        from josi.data.banks import Unusable
        from josi.data.quality import check_name, target_problems
        from josi.data.tasks import Cell

        for _ in range(n):
            persona, level = self.cells[self.index % len(self.cells)]
            cell = Cell(persona, level, self.index)
            self.index += 1
            for _ in range(self.config.max_attempts):
                try:
                    draft = self.generator(self.gen, cell)
                except Unusable:
                    self.failures["unusable"] += 1
                    continue
                problems = target_problems(draft)
                if not problems:
                    self.drafts.append(draft)
                    self.rows.append(draft_row(draft))
                    break
                for problem in problems:
                    self.failures[check_name(problem)] += 1
            else:
                self.rejected += 1


def generate(world, config: DataConfig) -> dict[str, TaskStream]:
    """Every task's stream, filled with quota x oversample candidates."""
    streams = {}
    for task, quota in sorted(config.quotas().items()):
        streams[task] = TaskStream(task, world, config)
        streams[task].take(math.ceil(quota * config.oversample))
    return streams


# ---- rows -----------------------------------------------------------------------------------

def draft_row(draft) -> dict[str, Any]:
    from josi.core.dedup import content_hash
    from josi.data.rows import make_row

    return make_row(draft.context, draft.user, draft.answer, id=f"{draft.task}-{content_hash(draft.dedup_text())[:12]}",
                    task=draft.task, zone=draft.zone, expect=draft.expect, source="generated",
                    family=draft.family, kind=draft.kind, variant=draft.style)


def gold_row(record) -> dict[str, Any]:
    from josi.data.rows import make_row

    expect = record.expect()
    task = GOLD_TASK.get(record.category, record.category)
    if record.category == "illness_injury":
        task = {"medical": "medical_red_flag", "replan": "replan"}.get(expect, task)
    session = record.context.planned_session
    return make_row(record.context, record.user, record.answer, id=record.id, task=task,
                    zone=session.zone if session else None, expect=expect, source="gold",
                    family=f"gold/{record.category}", kind=None, variant="gold")


MAX_TOP_UPS = 3


# ---- the build ------------------------------------------------------------------------------

def build(config: DataConfig, quiet: bool = True) -> Dataset:
    from josi.core.dedup import NUM_PERM, SHINGLE, minhash
    from josi.data.manifest import summarize
    from josi.core.cards import cards_fingerprint

    started = time.perf_counter()
    world, cards = load_inputs(config)
    gold_train, gold_held, gold_files, seed_rows, gold_rejected = load_gold_inputs(config)
    seed_rows = [json.loads(json.dumps(row)) for row in seed_rows]  # callers may edit rows; keep the cache clean
    log(f"inputs: {len(cards)} cards, {len(gold_train)} gold train + {len(gold_held)} held out", quiet)

    streams = generate(world, config)
    reserved = [record.dedup_text() for record in gold_held]
    quotas = config.quotas()
    signature = lru_cache(maxsize=None)(minhash)  # each text is signed once across top-up rounds
    for round_ in range(MAX_TOP_UPS + 1):
        log(f"round {round_}: {sum(len(st.rows) for st in streams.values())} valid candidates "
            f"after {time.perf_counter() - started:.1f}s", quiet)
        result = dedup_and_trim(seed_rows, streams, reserved, quotas, config.near_dup_threshold, signature)
        short = {t: quotas[t] - result.taken[t] for t in quotas if result.taken[t] < quotas[t]}
        cells = {(r["meta"]["task"], r["meta"]["persona"], r["meta"]["readiness"]) for r in result.rows
                 if r["meta"]["source"] == "generated"}
        uncovered = {t for t in quotas for cell in streams[t].cells if (t, *cell) not in cells}
        if not (short or uncovered) or round_ == MAX_TOP_UPS:
            break
        for task in sorted(set(short) | uncovered):  # top up what dedup took away (rows, or a whole cell)
            streams[task].take(math.ceil(short.get(task, 0) * 1.5) + (len(streams[task].cells) if task in uncovered else 4))
    rows = result.rows
    failures = sum((st.failures for st in streams.values()), Counter())
    rejected = {t: st.rejected for t, st in streams.items() if st.rejected}

    assignment = assign_families([r for r in rows if r["meta"]["source"] == "generated"], config.seed,
                                 config.val_share, config.test_share)
    splits: dict[str, list[dict[str, Any]]] = {s: [] for s in SPLITS}
    for row in rows:
        splits["train" if row["meta"]["source"] == "gold" else assignment[row["meta"]["family"]]].append(row)
    for split in SPLITS:
        splits[split].sort(key=lambda r: r["meta"]["id"])
        random.Random(f"{config.seed}/order/{split}").shuffle(splits[split])

    dataset = Dataset(splits, {}, {s: [row_text(r) for r in splits[s]] for s in SPLITS}, reserved)
    files = {name: data for name, data in dataset.files().items() if name != "manifest.json"}
    import hashlib

    dataset.manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": config.seed,
        "config": config_record(config),
        "inputs": {
            "cards_fingerprint": cards_fingerprint(cards),
            "cards": {cid: cards[cid].sha256 for cid in sorted(cards)},
            "gold_files": gold_files,
            "banks": dict(sorted(world.banks.files.items())),
            "generator_version": GENERATOR_VERSION,
        },
        "dedup": {"method": "canonical sha256, then MinHash LSH", "num_perm": NUM_PERM, "shingle_words": SHINGLE,
                  "near_dup_threshold": config.near_dup_threshold, "text": "user + newline + message"},
        "drops": {
            "candidates": sum(len(st.rows) for st in streams.values()), "top_up_rounds": round_,
            "exact": result.exact, "exact_heldout_gold": result.exact_heldout,
            "near": result.near, "near_heldout_gold": result.near_heldout, "near_gold_seed": result.near_seed,
            "over_quota": result.over_quota,
            "shortfall": {t: quotas[t] - result.taken[t] for t in sorted(quotas) if result.taken[t] < quotas[t]},
            "rejected_candidates": dict(sorted(rejected.items())),
            "failed_draws_by_check": dict(sorted(failures.items())),
        },
        "gold": {"train_seed": len(seed_rows), "heldout_excluded": len(gold_held), "rejected": gold_rejected},
        "quotas": dict(sorted(quotas.items())),
        "files": {name: {"rows": data.count(b"\n"), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in sorted(files.items())},
        "git_sha": git_sha(),
        "libraries": library_versions(),
        **summarize(splits, world),
    }
    log(f"built {sum(len(v) for v in splits.values())} rows in {time.perf_counter() - started:.1f}s", quiet)
    return dataset


def config_record(config: DataConfig) -> dict[str, Any]:
    from dataclasses import asdict

    record = asdict(config)
    record["task_weights"] = {task: weight for task, weight in config.task_weights}
    return record


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    from josi.core.manifest import library_versions as versions

    return versions()


# ---- write ----------------------------------------------------------------------------------

def check_out(out: str | Path) -> Path:
    """The output directory, once it is sure `write` can replace it; OutputError (naming `out`) otherwise.

    Called before the build, so a bad --out fails at once and not after minutes of generating. A
    directory holding anything but a previous dataset is never replaced.
    """
    from josi.core.io import OutputError, check_output_dir

    out = check_output_dir(from_repo(out), replaced=True)
    if out.is_dir():
        unexpected = sorted(p.name for p in out.iterdir() if p.name not in OUTPUT_FILES)
        if unexpected:
            raise OutputError(out, f"it holds files that are not a dataset, which replacing it would delete: "
                                   f"{', '.join(unexpected[:5])}")
    return out


def write(dataset: Dataset, out: str | Path) -> Path:
    """Replace `out` as a whole: the files go into a sibling staging directory that is renamed into place."""
    from josi.core.io import replace_dir_atomic

    out = check_out(out)

    def fill(staging: Path) -> None:
        for name, data in dataset.files().items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())

    replace_dir_atomic(out, fill)
    return out
