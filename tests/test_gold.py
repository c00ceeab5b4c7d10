"""The gold set meets its bar: size, coverage, quality checks, held-out part, persona separability."""
import json
from collections import Counter

import pytest

from josi.core.gold import CATEGORIES, MIN_HELDOUT, load_gold, parse_record, record_problems, split_gold
from josi.gold.cli import duplicate_problems
from josi.core.io import InputError


@pytest.fixture(scope="module")
def gold():
    return load_gold()


def test_size_and_coverage(gold):
    assert len(gold) >= 678
    assert set(Counter(r.category for r in gold)) == set(CATEGORIES)
    assert min(Counter(r.persona for r in gold).values()) >= 150
    assert {r.context.readiness.level for r in gold} == {"green", "amber", "red"}
    zones = {r.context.planned_session.zone for r in gold if r.context.planned_session}
    assert zones == {"R", "Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "Z8"}


def test_every_record_meets_the_quality_bar(gold):
    problems = [f"{r.where}: {p}" for r in gold for p in record_problems(r)]
    problems += [f"{r.where}: {p}" for r, p in duplicate_problems(gold)]
    assert problems == []


def test_heldout_is_stratified_deterministic_and_large_enough(gold):
    train, held = split_gold(gold)
    assert len(held) >= MIN_HELDOUT and not {r.id for r in train} & {r.id for r in held}
    strata = Counter((r.category, r.persona) for r in held)
    assert set(strata) == {(r.category, r.persona) for r in gold}
    assert [r.id for r in split_gold(list(reversed(gold)))[1]] == sorted([r.id for r in held], key=[r.id for r in reversed(gold)].index)


def test_persona_classifier_tells_the_voices_apart_on_heldout_gold(gold):
    from josi.core.checks.persona import PersonaClassifier

    train, held = split_gold(gold)
    classifier = PersonaClassifier.train([r.answer["message"] for r in train], [r.persona for r in train])
    accuracy = classifier.accuracy([r.answer["message"] for r in held], [r.persona for r in held])
    assert accuracy >= 0.90, f"held-out persona accuracy {accuracy:.3f}"


def test_bad_gold_line_names_file_and_line(tmp_path, gold):
    good = json.dumps({"id": "x", "category": "readiness", "context": gold[0].context.to_dict(), "user": "hi", "answer": gold[0].answer})
    path = tmp_path / "readiness.jsonl"
    path.write_text(good + "\n{not json\n")
    with pytest.raises(InputError, match=rf"{path}:2: invalid JSON"):
        load_gold(tmp_path)
    path.write_text(good.replace('"persona": "', '"persona": "pirate_') + "\n")
    with pytest.raises(InputError, match=rf"{path}:1: context: persona"):
        load_gold(tmp_path)
    with pytest.raises(InputError, match="missing keys answer"):
        parse_record(path, 3, {"id": "y", "category": "readiness", "context": {}, "user": "hi"})


def test_a_bad_answer_is_reported(gold):
    record = next(r for r in gold if r.category == "plan_questions")
    from dataclasses import replace

    refused = replace(record, answer={**record.answer, "intent": "blocked", "response_type": "Decline",
                                      "guardrail_triggered": True, "guardrail_reason": "i6_violation"})
    assert any("needs decision answer" in p for p in record_problems(refused))
    leaky = replace(record, answer={**record.answer, "message": record.answer["message"] + " Your ACWR is fine."})
    assert any(p.startswith("forbidden_words") for p in record_problems(leaky))
