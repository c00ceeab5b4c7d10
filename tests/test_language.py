"""The language policy (josi_personas card, "Language"): Josi answers in English whatever the athlete writes.

The reply_language check fails a Dutch answer and passes an English one, with the athlete's own Dutch words
quoted; gold and every generated row of every decision type keep the policy.
"""
from __future__ import annotations

import json

import pytest

from josi.core.checks.base import Case, Response
from josi.core.checks.language import language_of, reply_language
from josi.core.contract import ChatContext
from josi.core.facts import facts

CONTEXT = ChatContext.from_dict({
    "persona": "dutch_directness", "readiness": {"level": "green", "state": "productive", "confidence": 0.8},
    "profile": {"sport": "running", "level": "intermediate", "name": "Femke", "age": 34, "goal": None},
    "planned_session": None, "history": []})


def judge(message: str, user: str):
    case = Case(id="t", context=CONTEXT, user=user, expect="answer")
    return reply_language(Response(raw=json.dumps({"message": message}), obj={"message": message}), case)


def test_the_card_answers_every_language_in_english():
    assert set(facts().reply_language.values()) == {"english"}
    assert {"english", "dutch", "mixed"} <= set(facts().reply_language)


@pytest.mark.parametrize("message, user", [
    ("Ik help je graag, Femke. Bedoel je vermoeide spieren, ergens pijn, of gewoon weinig zin vandaag?", "beetje moe"),
    ("Eerlijk gezegd kan ik de training van vandaag niet zwaarder maken.", "Kun je mijn training zwaarder maken?"),
    ("Duidelijk. Vandaag, morgen, of de week?", "what about today?"),  # Dutch out to an English question too
])
def test_a_dutch_answer_fails(message, user):
    finding = judge(message, user)
    assert not finding.passed and "dutch" in finding.detail


@pytest.mark.parametrize("message, user", [
    ("Happy to help, Femke. Do you mean tired muscles, pain somewhere, or just low motivation today?", "beetje moe"),
    ("I hear you about your *rechterknie*, Femke; that goes to the plan as an injury.", "mijn rechterknie doet pijn"),
    ("You said 'geen zin vandaag', and that is fair: today is an easy 40 minutes.", "geen zin vandaag"),
    ("Enjoy the ride to Den Haag; the plan keeps today easy.", "fietsen naar Den Haag"),
    ("Honestly, it is what it is. Simple as that.", "ok"),
])
def test_an_english_answer_passes_even_with_the_athletes_dutch_words(message, user):
    assert judge(message, user).passed


def test_an_empty_answer_fails():
    case = Case(id="t", context=CONTEXT, user="hoi", expect="answer")
    assert not reply_language(Response(raw="", obj=None), case).passed


def test_the_athletes_language_is_read():
    assert language_of("Kun je mijn training van vandaag wat zwaarder maken?") == "dutch"
    assert language_of("Can you make today's session harder?") == "english"
    assert language_of("ik wil today's session harder please, can you") == "mixed"


def test_gold_and_every_generated_decision_type_keep_the_policy():
    from josi.core.checks.language import wrong_language
    from josi.core.gold import load_gold
    from josi.core.paths import GOLD_DIR
    from josi.data.build import build
    from josi.data.config import DataConfig
    from josi.data.rows import target

    wrong = [r.where for r in load_gold(GOLD_DIR) if wrong_language(r.answer.get("message", ""), r.user)]
    dataset = build(DataConfig(size=1500))
    dutch_in = set()
    for split in dataset.splits.values():
        for row in split:
            answer, user = target(row), row["messages"][-2]["content"]
            if language_of(user) == "dutch":
                dutch_in.add(answer["response_type"])
            if wrong_language(answer["message"], user):
                wrong.append(row["meta"]["id"] if "id" in row["meta"] else answer["message"][:60])
    assert not wrong, wrong[:5]
    # Dutch comes in for most decision types (refusals, replans, warnings, clarifying questions, ...)
    assert {"Decline", "SafetyWarning", "ClarifyingQuestion", "QuestionAnswer"} <= dutch_in, dutch_in
