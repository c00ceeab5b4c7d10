"""Voices, not closers (dataset issue item 6): the marker-free persona measure of josi.data.voice.

The stripping removes every persona's card markers and bank closers and nothing else; the measure fails
a dataset whose voices live only in markers and closers and passes one whose sentences carry the voice.
"""
from __future__ import annotations

import json
import random

import pytest

from josi.data.voice import TARGETS, heldout_gold_messages, marker_free_scores, stripper

PERSONAS = ("balanced", "drill_sergeant", "dutch_directness", "science_nerd")


def row(message: str, persona: str) -> dict:
    return {"messages": [{"role": "user", "content": "why easy?"},
                         {"role": "assistant", "content": json.dumps({"message": message})}],
            "meta": {"persona": persona, "source": "generated"}}


def test_markers_and_closers_of_every_persona_are_stripped_and_nothing_else():
    strip = stripper()
    assert strip("Honestly, the cap isn't a punishment. Simple as that.") == "the cap isn't a punishment."
    assert strip("Easy day. Legs recover. No excuses. Move.") == "Easy day. Legs recover."
    assert strip("Interesting: the stimulus is aerobic. You've got this.") == ": the is aerobic."
    # a sentence marker ("Now.") is not stripped out of a sentence that only contains the word
    assert strip("Training harder now would slow you down.") == "Training harder now would slow you down."
    assert strip("Today's 40 minutes stay in Z2.") == "Today's 40 minutes stay in Z2."


def test_the_measure_fails_voices_that_live_only_in_markers_and_closers():
    pytest.importorskip("sklearn")
    rng = random.Random(0)
    bodies = [f"Today is {m} minutes in Z{z}, and the plan keeps it there for recovery."
              for m in range(20, 90, 5) for z in (1, 2, 3)]
    tag = {"balanced": "You've got this.", "drill_sergeant": "Move.", "dutch_directness": "Simple as that.",
           "science_nerd": "Interesting."}

    def rows(n):
        out = []
        for _ in range(n):
            persona = rng.choice(PERSONAS)
            out.append(row(f"{rng.choice(bodies)} {tag[persona]}", persona))
        return out

    held = [(f"{bodies[0]} {tag[p]}", p) for p in PERSONAS]
    result = marker_free_scores(rows(400), rows(120), held)
    assert result["scores"]["generated_val"] < 0.5  # chance is 0.25: nothing but the markers told them apart
    assert result["scores"]["heldout_gold"] < TARGETS["heldout_gold"]


def test_the_measure_passes_voices_that_their_sentences_carry():
    pytest.importorskip("sklearn")
    rng = random.Random(1)
    voice = {
        "balanced": "I know easy days can feel slow, {n}, but it helps your legs settle before the next hard one.",
        "drill_sergeant": "Easy. {n} minutes. Legs fresh. Hard day next.",
        "dutch_directness": "An easy day is what your legs need now, {n} minutes, because the hard one comes next.",
        "science_nerd": "Low-intensity work over {n} minutes restores muscle glycogen while mitochondrial signalling "
                        "continues, so the next high-intensity stimulus lands on recovered fibres.",
    }

    def rows(n):
        return [row(voice[p].format(n=rng.randrange(20, 90)), p) for p in (rng.choice(PERSONAS) for _ in range(n))]

    held = [(voice[p].format(n=30), p) for p in PERSONAS]
    result = marker_free_scores(rows(400), rows(120), held)
    assert result["scores"]["generated_val"] >= TARGETS["generated_val"]
    assert result["scores"]["heldout_gold"] >= TARGETS["heldout_gold"]


def test_the_held_out_gold_messages_are_read_with_their_personas():
    from josi.core.paths import GOLD_DIR

    held = heldout_gold_messages(GOLD_DIR)
    assert len(held) > 150 and {p for _, p in held} == set(PERSONAS)


def test_the_reviewers_sample_spreads_over_the_tasks_and_shows_context_question_and_answer(tmp_path):
    from josi.data.sample import describe, sample_rows

    context = {"persona": "balanced", "readiness": {"level": "amber", "state": "accumulated", "confidence": 0.7},
               "profile": {"sport": "running", "level": "novice", "name": "Ann", "age": 30, "goal": None},
               "planned_session": None, "history": []}
    lines = []
    for i, task in enumerate(["zone_explanation", "replan", "i6_refusal"] * 3):
        answer = {"intent": "question", "response_type": "QuestionAnswer", "message": f"answer {i}"}
        lines.append(json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                              {"role": "assistant", "content": json.dumps(answer)}],
                                 "meta": {"id": f"{task}-{i}", "task": task, "persona": "balanced", "source": "generated",
                                          "context": context, "user": f"q{i}"}}))
    (tmp_path / "train.jsonl").write_text("\n".join(lines) + "\n")
    picked = sample_rows(tmp_path, 3, seed=0)
    assert sorted(r["meta"]["task"] for r in picked) == ["i6_refusal", "replan", "zone_explanation"]
    text = describe(picked[0])
    assert "amber/accumulated" in text and "athlete: q" in text and "josi (question, QuestionAnswer): answer" in text
    assert sample_rows(tmp_path, 3, seed=0) == picked  # seeded
