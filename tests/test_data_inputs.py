"""Inputs of `josi data build`: malformed cards and gold lines abort with file:line and leave the
output untouched; held-out gold (real gold when present, synthetic otherwise) never reaches a split."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from josi.cli import main
from josi.data.build import Dataset, build, write
from josi.data.config import DataConfig
from josi.core.dedup import content_hash, cross_near_duplicates
from josi.data.split import SPLITS
from josi.core.io import InputError, OutputError
from josi.core.cards import CardError

REPO = Path(__file__).resolve().parents[1]
TINY = 160


def existing_output(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("train.jsonl", "val.jsonl", "test.jsonl", "manifest.json"):
        (out / name).write_text(f"old {name}\n")
    return out


def assert_untouched(out: Path) -> None:
    for name in ("train.jsonl", "val.jsonl", "test.jsonl", "manifest.json"):
        assert (out / name).read_text() == f"old {name}\n"
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".")) == [], "no temp dirs left behind"


def broken_cards(tmp_path: Path) -> tuple[Path, Path, int]:
    cards = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", cards)
    card = cards / "zone_physiology.md"
    lines = card.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("| Z3 |")) + 1
    lines[number - 1] += " one cell too many |"
    card.write_text("\n".join(lines) + "\n")
    return cards, card, number


def test_malformed_card_aborts_with_file_and_line(tmp_path, capsys):
    cards, card, number = broken_cards(tmp_path)
    with pytest.raises(CardError) as err:
        build(replace(DataConfig(), size=TINY, knowledge_dir=str(cards)))
    assert (err.value.path, err.value.line) == (card, number)
    out = existing_output(tmp_path)
    assert main(["data", "build", "--knowledge", str(cards), "--out", str(out), "--size", str(TINY)]) == 2
    assert f"{card}:{number}:" in capsys.readouterr().err
    assert_untouched(out)


def gold_line(**overrides) -> str:
    record = {
        "id": "zone_explanation-balanced-901", "category": "zone_explanation",
        "context": {"persona": "balanced", "readiness": {"level": "green", "state": "productive", "confidence": 0.8},
                    "profile": {"sport": "running", "level": "intermediate", "name": "Sam", "age": 34, "goal": "10k"},
                    "planned_session": None, "history": []},
        "user": "What is zone 2 for?",
        "answer": {"intent": "question", "response_type": "ExplainZone",
                   "message": "Good question! Zone 2 builds your endurance base so you can keep going longer with less effort. Keep it conversational the whole time.",
                   "source_cards": ["zone_physiology"], "guardrail_triggered": False, "guardrail_reason": None,
                   "replan_request": None},
    }
    record.update(overrides)
    return json.dumps(record)


@pytest.mark.parametrize("bad, expected", [
    ("{not json", "invalid JSON"),
    (gold_line(id="zone_explanation-balanced-902", context={"persona": "pirate"}), "context"),
    ('{"id": "x"}', "missing keys"),
])
def test_malformed_gold_line_aborts_with_file_and_line(tmp_path, capsys, bad, expected):
    gold = tmp_path / "gold"
    gold.mkdir()
    path = gold / "zone_explanation.jsonl"
    path.write_text(gold_line() + "\n\n" + bad + "\n")
    with pytest.raises(InputError) as err:
        build(replace(DataConfig(), size=TINY, gold_dir=str(gold)))
    assert (err.value.path, err.value.line) == (path, 3) and expected in str(err.value)
    out = existing_output(tmp_path)
    assert main(["data", "build", "--gold", str(gold), "--out", str(out), "--size", str(TINY)]) == 2
    assert f"{path}:3:" in capsys.readouterr().err
    assert_untouched(out)


def test_a_failing_write_leaves_the_old_output(tmp_path):
    out = existing_output(tmp_path)

    class Exploding(Dataset):
        def files(self):
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write(Exploding({s: [] for s in SPLITS}, {}), out)
    assert_untouched(out)


def test_write_replaces_the_whole_directory_and_refuses_foreign_ones(tmp_path):
    dataset = build(replace(DataConfig(), size=TINY, gold_dir=str(tmp_path / "no-gold")))
    out = existing_output(tmp_path)
    write(dataset, out)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "test.jsonl", "train.jsonl", "val.jsonl"]
    assert json.loads((out / "manifest.json").read_text())["seed"] == 0
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match=rf"{foreign}: cannot write here \(it holds files that are not a dataset.*thesis.tex"):
        write(dataset, foreign)
    assert (foreign / "thesis.tex").read_text() == "precious"


def test_no_gold_means_no_seed(tmp_path):
    empty = tmp_path / "gold"
    empty.mkdir()
    dataset = build(replace(DataConfig(), size=TINY, gold_dir=str(empty)))
    assert dataset.manifest["gold"]["train_seed"] == 0 and dataset.heldout_texts == []
    assert all(r["meta"]["source"] == "generated" for s in SPLITS for r in dataset.splits[s])


def assert_heldout_excluded(dataset, held_records, threshold) -> None:
    held_ids = {r.id for r in held_records}
    held_texts = [r.dedup_text() for r in held_records]
    held_hashes = {content_hash(t) for t in held_texts}
    for split in SPLITS:
        ids = {row["meta"]["id"] for row in dataset.splits[split]}
        assert not ids & held_ids, split
        assert not {content_hash(t) for t in dataset.texts[split]} & held_hashes, split
        assert cross_near_duplicates(held_texts, dataset.texts[split], threshold) == [], split


def test_real_heldout_gold_never_enters_any_split():
    from josi.core.gold import GOLD_DIR, gold_files, load_gold, split_gold

    if not gold_files(GOLD_DIR):
        pytest.skip("no merged gold in gold/*.jsonl yet (test_synthetic_heldout_gold_is_excluded covers the logic)")
    train, held = split_gold(load_gold(GOLD_DIR))
    dataset = build(replace(DataConfig(), size=TINY))
    assert dataset.manifest["gold"]["heldout_excluded"] == len(held) > 0
    assert dataset.manifest["gold"]["train_seed"] > 0
    assert_heldout_excluded(dataset, held, dataset.manifest["dedup"]["near_dup_threshold"])
    seeded = {row["meta"]["id"] for row in dataset.splits["train"] if row["meta"]["source"] == "gold"}
    assert seeded <= {r.id for r in train}


GOLD_CATEGORY = {"zone_explanation": "zone_explanation", "workout_explanation": "workout_explanation",
                 "readiness_summary": "readiness", "encouragement": "motivation", "i6_refusal": "i6_pressure",
                 "plan_question": "plan_questions", "replan": "replan_life_events", "multi_turn": "multi_turn"}


def test_synthetic_heldout_gold_is_excluded_even_when_the_generator_makes_it(tmp_path):
    """Gold made from the generator's own candidates: the held-out part would be generated again,
    so the build must drop those candidates (exact or near) rather than let them into a split."""
    from josi.data.build import generate, load_inputs
    from josi.core.gold import load_gold, split_gold

    config = replace(DataConfig(), seed=4, size=TINY, gold_dir=str(tmp_path / "gold"))
    world, _ = load_inputs(config)
    streams = generate(world, config)
    gold = tmp_path / "gold"
    gold.mkdir()
    counters: dict[tuple[str, str], int] = {}
    lines: dict[str, list[str]] = {}
    for task, category in GOLD_CATEGORY.items():
        for draft in streams[task].drafts[:12]:
            key = (category, draft.context.persona)
            counters[key] = counters.get(key, 0) + 1
            record = {"id": f"{category}-{draft.context.persona}-{counters[key]:03d}", "category": category,
                      "context": draft.context.to_dict(), "user": draft.user, "answer": draft.answer}
            lines.setdefault(category, []).append(json.dumps(record))
    for category, records in lines.items():
        (gold / f"{category}.jsonl").write_text("\n".join(records) + "\n")
    _, held = split_gold(load_gold(gold))
    assert held
    dataset = build(config)
    drops = dataset.manifest["drops"]
    assert drops["exact_heldout_gold"] + drops["near_heldout_gold"] >= len(held)
    assert_heldout_excluded(dataset, held, config.near_dup_threshold)
