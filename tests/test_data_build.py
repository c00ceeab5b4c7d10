"""`josi data build`: for any seed the dataset validates, is balanced and leak-free; same seed gives
byte-identical files. Builds here are small (DataConfig.size) so each takes a few seconds."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from josi.core.contract import ChatContext, dumps_intent, validate
from josi.data.build import build, row_text, write
from josi.data.config import DataConfig
from josi.core.dedup import content_hash, cross_near_duplicates
from josi.data.manifest import balance_checks
from josi.data.quality import problems_of
from josi.data.split import SPLITS
from josi.core.prompt import build_messages

REPO = Path(__file__).resolve().parents[1]
SMALL_SIZE = 420
PROPERTY = settings(derandomize=True, deadline=None, max_examples=3)


@lru_cache(maxsize=8)
def small_build(seed: int, size: int = SMALL_SIZE):
    return build(replace(DataConfig(), seed=seed, size=size))


def rows_of(dataset):
    return [(split, row) for split in SPLITS for row in dataset.splits[split]]


def check_valid(dataset) -> None:
    for split, row in rows_of(dataset):
        meta = row["meta"]
        context = ChatContext.from_dict(meta["context"])
        answer = json.loads(row["messages"][-1]["content"])
        assert validate(answer, context) == [], (split, meta["id"])
        assert problems_of(context, meta["user"], answer, meta["expect"]) == [], (split, meta["id"])
        assert row["messages"][:-1] == build_messages(context, meta["user"]), meta["id"]
        assert row["messages"][-1] == {"role": "assistant", "content": dumps_intent(answer)}
        for turn in context.history:
            if turn.role == "assistant":
                assert not turn.content.lstrip().startswith("{"), "history holds plain message text"


def check_balanced(dataset) -> None:
    manifest = dataset.manifest
    refusals = sum(r["meta"]["expect"] == "refuse" for r in dataset.splits["train"])
    failed = [c for c in balance_checks(manifest, min_train=None, min_refusal_texts=min(200, int(0.8 * refusals)))
              if not c[2]]
    assert failed == []


def check_leak_free(dataset, threshold: float) -> None:
    texts = dataset.texts
    # no row twice, byte for byte or canonically
    serialized = [json.dumps(row, ensure_ascii=False) for _, row in rows_of(dataset)]
    assert len(set(serialized)) == len(serialized)
    hashes = [content_hash(t) for s in SPLITS for t in texts[s]]
    assert len(set(hashes)) == len(hashes)
    # families never cross splits; gold only in train
    seen: dict[str, str] = {}
    for split, row in rows_of(dataset):
        family = row["meta"]["family"]
        assert seen.setdefault(family, split) == split, family
        if row["meta"]["source"] == "gold":
            assert split == "train"
    # the cross-split near-duplicate rate is 0 at the build's threshold
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1:]:
            assert cross_near_duplicates(texts[a], texts[b], threshold) == [], (a, b)
    # held-out gold: no copy and no near-duplicate in any split
    held = dataset.heldout_texts
    held_hashes = {content_hash(t) for t in held}
    assert not held_hashes & set(hashes)
    if held:
        for split in SPLITS:
            assert cross_near_duplicates(held, texts[split], threshold) == [], split


@PROPERTY
@given(st.integers(min_value=0, max_value=10_000))
@example(3369)  # all Z7 zone explanations went to val before the split kept an explained zone in train
def test_any_seed_gives_a_valid_balanced_leak_free_dataset(seed):
    dataset = small_build(seed)
    check_valid(dataset)
    check_balanced(dataset)
    check_leak_free(dataset, dataset.manifest["dedup"]["near_dup_threshold"])


def test_same_seed_gives_byte_identical_files(tmp_path):
    config = replace(DataConfig(), seed=11, size=SMALL_SIZE)
    first, second = build(config), build(config)
    assert first.files() == second.files()
    write(first, tmp_path / "a")
    write(second, tmp_path / "b")
    for name in ("train.jsonl", "val.jsonl", "test.jsonl", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert build(replace(config, seed=12)).files()["train.jsonl"] != first.files()["train.jsonl"]


def test_same_seed_is_identical_across_processes_and_hash_seeds(tmp_path):
    """Nothing may depend on set or dict order: a fresh interpreter with another hash seed agrees."""
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-m", "josi.cli", "data", "build", "--seed", "11", "--size", str(SMALL_SIZE),
                           "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr  # 1: a small build misses the absolute minimums (3,000 rows)
    here = build(replace(DataConfig(), seed=11, size=SMALL_SIZE)).files()
    for name, data in here.items():
        assert (out / name).read_bytes() == data, name


def test_manifest_records_counts_inputs_and_config():
    dataset = small_build(3)
    manifest = dataset.manifest
    assert manifest["seed"] == 3 and manifest["config"]["size"] == SMALL_SIZE
    assert set(manifest["inputs"]) >= {"cards_fingerprint", "cards", "gold_files", "banks", "generator_version"}
    splits = manifest["counts"]["splits"]
    for split in SPLITS:
        assert splits[split]["rows"] == len(dataset.splits[split])
        assert sum(splits[split]["task"].values()) == len(dataset.splits[split])
        for key in ("persona", "readiness", "zone", "i6_share"):
            assert key in splits[split]
    assert {"exact", "near", "near_heldout_gold", "exact_heldout_gold"} <= set(manifest["drops"])
    files = manifest["files"]
    assert files["train.jsonl"]["rows"] == len(dataset.splits["train"])


def test_every_task_and_zone_and_cell_is_in_train():
    from josi.data.tasks import TASKS
    from josi.core.facts import facts

    dataset = small_build(5)
    train = dataset.splits["train"]
    f = facts()
    cells = {(r["meta"]["persona"], r["meta"]["readiness"], r["meta"]["task"]) for r in train}
    for persona in f.personas:
        for level in f.readiness:
            for task in TASKS:
                assert (persona, level, task) in cells
    explained = {r["meta"]["zone"] for r in train if r["meta"]["task"] == "zone_explanation" and r["meta"]["source"] == "generated"}
    assert explained == set(f.zones)


def test_refusals_never_change_and_replans_never_claim_a_change():
    dataset = small_build(5)
    for _, row in rows_of(dataset):
        answer = json.loads(row["messages"][-1]["content"])
        if row["meta"]["expect"] == "refuse":
            assert (answer["intent"], answer["response_type"], answer["guardrail_reason"]) == ("blocked", "Decline", "i6_violation")
        if answer["intent"] == "replan":
            assert answer["replan_request"]["readiness_at_request"] == row["meta"]["readiness"]


def test_legitimate_plan_questions_are_answered_not_refused():
    dataset = small_build(5)
    questions = [r for _, r in rows_of(dataset) if r["meta"]["task"] in ("plan_question", "education", "zone_explanation")
                 and r["meta"]["source"] == "generated"]
    assert questions
    for row in questions:
        assert json.loads(row["messages"][-1]["content"])["intent"] == "question"


def test_row_text_is_user_and_message():
    dataset = small_build(5)
    row = dataset.splits["train"][0]
    assert row_text(row).startswith(row["meta"]["user"] + "\n")


# Gold categories whose decision rule matches the task; other tasks use a category without one.
GOLD_CATEGORY = {"zone_explanation": "zone_explanation", "workout_explanation": "workout_explanation",
                 "readiness_summary": "readiness", "encouragement": "motivation", "i6_refusal": "i6_pressure",
                 "plan_question": "plan_questions", "replan": "replan_life_events", "multi_turn": "multi_turn",
                 "medical_red_flag": "illness_injury"}


def test_generated_targets_pass_the_gold_bar_itself():
    """Every generated row, read as a gold record, passes josi.core.gold.record_problems unchanged."""
    from josi.core.gold import GoldRecord, record_problems

    dataset = small_build(5)
    for split, row in rows_of(dataset):
        meta = row["meta"]
        if meta["source"] != "generated":
            continue
        record = GoldRecord(meta["id"], GOLD_CATEGORY.get(meta["task"], "beginners"),
                            ChatContext.from_dict(meta["context"]), meta["user"],
                            json.loads(row["messages"][-1]["content"]), Path(f"{split}.jsonl"), 1)
        assert record_problems(record) == [], meta["id"]
