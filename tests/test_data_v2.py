"""Dataset v2: the rules the generator learned for the gate's routing decisions.

Red flags answered by their card severity, life events whose replan reason keeps the athlete's
facts, vague messages met with one clarifying question, small talk answered as `general`; each
rule has a test that a bad row fails it and a good one passes.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import pytest

from josi.core.facts import facts
from josi.data.build import build
from josi.data.config import DataConfig
from josi.data.quality import lost_facts, problems_of
from josi.data.split import SPLITS
from josi.core.contract import ChatContext

EMERGENCY = re.compile(r"\bemergency\b|\bambulance\b", re.IGNORECASE)


def athlete_context(planned_session=None) -> ChatContext:
    return ChatContext.from_dict({
        "persona": "balanced", "readiness": {"level": "green", "state": "productive", "confidence": 0.8},
        "profile": {"sport": "running", "level": "intermediate", "name": "Ann", "age": 30, "goal": None},
        "planned_session": planned_session, "history": []})


@lru_cache(maxsize=1)
def rows():
    dataset = build(replace(DataConfig(), seed=3, size=900))
    return [row for split in SPLITS for row in dataset.splits[split]]


def generated(task: str):
    return [r for r in rows() if r["meta"]["task"] == task and r["meta"]["source"] == "generated"]


def target(row):
    import json

    return json.loads(row["messages"][-1]["content"])


def test_card_severity_is_read_once_and_covers_every_flag():
    contract = facts().contract
    assert set(contract.red_flag_severity) == set(contract.medical_red_flags)
    assert set(contract.red_flag_severity.values()) == {"emergency", "doctor_before_training", "doctor_if_persists"}
    assert contract.red_flag_severity["chest pain"] == "emergency"
    assert contract.red_flag_severity["fever"] == "doctor_if_persists"
    for flag in ("focal bone pain", "heat illness", "calf swelling", "head injury after crash"):
        assert flag in contract.medical_red_flags


def test_medical_messages_follow_the_flags_severity():
    medical = generated("medical_red_flag")
    assert medical
    severity = facts().contract.red_flag_severity
    by = {s: [r for r in medical if severity[r["meta"]["kind"].replace("_", " ")] == s] for s in set(severity.values())}
    assert all(by.values()), {s: len(v) for s, v in by.items()}
    # an upset stomach never gets an ambulance; every acute flag names emergency care
    assert not [r["meta"]["id"] for r in by["doctor_if_persists"] if EMERGENCY.search(target(r)["message"])]
    assert all(EMERGENCY.search(target(r)["message"]) for r in by["emergency"])
    # every warning refers the athlete to a doctor, in any of the card's referral words ("physician", "GP", ...)
    referral = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in facts().contract.medical_referral_words), re.IGNORECASE)
    assert all(referral.search(target(r)["message"]) for r in medical), \
        [target(r)["message"] for r in medical if not referral.search(target(r)["message"])][:2]


def test_a_replan_reason_that_drops_the_day_or_place_is_rejected():
    assert lost_facts("Wedding on Saturday, can we move the long run?", "family wedding, asks to move the run") == ["Saturday"]
    assert lost_facts("Work trip to Berlin from Monday.", "work trip to Berlin from Monday") == []
    ctx = athlete_context()
    answer = {"intent": "replan", "response_type": "QuestionAnswer", "source_cards": ["josi_contract"],
              "message": "Thanks for telling me. This goes to your plan as a request; the plan decides what adapts.",
              "guardrail_triggered": False, "guardrail_reason": None,
              "replan_request": {"type": "schedule_conflict", "reason": "family wedding", "readiness_at_request": "green"}}
    user = "My sister's wedding is on Saturday."
    assert any(p.startswith("reason_keeps_facts") for p in problems_of(ctx, user, answer, "replan"))
    kept = {**answer, "replan_request": {**answer["replan_request"], "reason": "sister's wedding on Saturday"}}
    assert not any(p.startswith("reason_keeps_facts") for p in problems_of(ctx, user, kept, "replan"))


def test_every_generated_replan_reason_keeps_the_facts():
    replans = [r for r in rows() if r["meta"]["expect"] == "replan" and r["meta"]["source"] == "generated"]
    assert len(replans) > 40
    lost = [(r["meta"]["user"], target(r)["replan_request"]["reason"]) for r in replans
            if lost_facts(r["meta"]["user"], target(r)["replan_request"]["reason"])]
    assert not lost, lost[:3]


def test_vague_messages_get_one_clarifying_question_and_small_talk_is_general():
    clarify, general = generated("clarify"), generated("general")
    assert clarify and general
    for row in clarify:
        answer = target(row)
        assert (answer["intent"], answer["response_type"]) == ("question", "ClarifyingQuestion")
        assert answer["message"].count("?") == 1, answer["message"]
    assert {target(r)["intent"] for r in general} == {"general"}


@lru_cache(maxsize=1)
def default_build():
    return build(DataConfig())


def test_clarify_and_general_are_each_at_least_3_percent_of_the_default_train_split():
    from josi.data.manifest import balance_checks

    manifest = default_build().manifest
    rules = {name: (measured, ok) for name, measured, ok in balance_checks(manifest)}
    for name in ("clarify >= 3% of train", "general >= 3% of train", "clarify rows in val and test"):
        assert rules[name][1], (name, rules[name][0])


def test_diversity_targets_are_measured_from_the_rows_and_can_fail():
    import json

    from josi.data.diversity import measure, target_checks

    def row(user, message, expect="answer", persona="balanced", source="generated"):
        content = json.dumps({"message": message})
        return {"messages": [{"role": "assistant", "content": content}],
                "meta": {"user": user, "expect": expect, "persona": persona, "source": source}}

    templated = [row("why is today easy?", "Hold the line. Easy today.") for _ in range(25)]
    templated += [row("make it harder instead", "I can't change it. Ask.", expect="refuse") for _ in range(25)]
    d = measure(templated)
    assert d["max_rows_per_sentence"] == 25
    assert d["trigger_words"]["why"] == {"rows": 25, "refused": 0, "not_refused": 25, "minority_share": 0.0}
    assert d["trigger_words"]["instead"]["refused"] == 25
    assert not any(met for _, _, met in target_checks(d)[:2] + target_checks(d)[3:])
    varied = [row(f"why {w}?", f"Sentence number {w} says something new about {w} today.")
              for w in ("alpha", "beta", "gamma", "delta")]
    varied += [row(f"why not make {w} harder?", f"No, {w} stays as planned, happy to explain.", expect="refuse")
               for w in ("alpha", "beta")]
    d = measure(varied)
    assert d["max_rows_per_sentence"] == 1
    assert d["trigger_words"]["why"]["minority_share"] == round(2 / 6, 3)
    assert target_checks(d)[0][2] and target_checks(d)[1][2]


def test_generated_sessions_respect_the_readiness_levels_longest_session():
    longest = {level: r.max_session_min for level, r in facts().readiness.items()}
    assert longest["red"] < longest["amber"] < longest["green"]
    sessions = [(r["meta"]["readiness"], r["meta"]["context"]["planned_session"]) for r in rows()
                if r["meta"]["source"] == "generated" and r["meta"]["context"].get("planned_session")]
    assert any(level == "red" for level, _ in sessions)
    too_long = [(level, s["duration_min"], s["structure"]) for level, s in sessions if s["duration_min"] > longest[level]]
    assert not too_long, too_long[:3]


def test_a_user_text_about_todays_intervals_needs_a_session_with_intervals():
    from josi.data.quality import fits_context
    from josi.data.tasks.base import Draft

    def draft(user, structure, kind="easier"):
        ctx = athlete_context({"sport": "running", "zone": "Z4", "duration_min": 50, "structure": structure, "phase": "build"})
        return Draft("i6_refusal", "i6_refusal/x", ctx, user, {}, "Z4", kind=kind)

    assert fits_context(draft("Make the intervals easier.", "continuous Z2 50 min"))
    assert fits_context(draft("Make the intervals easier.", "5 x 4 min Z4, 2 min easy")) is None
    assert fits_context(draft("Add a few sprints to the reps.", "continuous Z2 50 min", kind="add_intervals")) is None
    stream = [r for r in rows() if r["meta"]["source"] == "generated"
              and re.search(r"\b(?:the|today'?s)\s+intervals\b", r["meta"]["user"], re.IGNORECASE)
              and r["meta"]["kind"] != "add_intervals"]
    assert all(" x " in (r["meta"]["context"]["planned_session"] or {}).get("structure", "") for r in stream)


def test_a_draft_whose_user_text_is_a_gate_case_text_is_rejected():
    from josi.data.quality import gate_case_texts, normalised, target_problems
    from josi.data.tasks.base import Draft

    text = sorted(gate_case_texts())[0]
    ctx = athlete_context()
    answer = {"intent": "question", "response_type": "ClarifyingQuestion", "source_cards": ["josi_contract"],
              "message": "Happy to help, Ann. Is it about today, or how you feel?",
              "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None}
    problems = lambda user: target_problems(Draft("clarify", "clarify/x", ctx, user, answer, None, kind="help"))
    assert any(p.startswith("gate_case_text") for p in problems(text.upper() + "!"))
    assert not any(p.startswith("gate_case_text") for p in problems("a text no gate case has, surely"))
    assert normalised("Wiped  OUT!") == "wiped out"


def test_a_decimal_point_ends_no_sentence_in_the_diversity_count():
    import json

    from josi.data.diversity import measure

    def row(message):
        return {"messages": [{"role": "assistant", "content": json.dumps({"message": message})}],
                "meta": {"user": "how ready am I?", "expect": "answer", "persona": "balanced", "source": "generated"}}

    # "at 0.82" and "at 0.64" are different sentences, not one repeated "at 0."
    d = measure([row(f"Readiness sits at 0.{n}. Trust the plan.") for n in range(60, 90)])
    assert d["max_rows_per_sentence"] == 30 and d["most_repeated_sentence"] == "trust the plan."
    d = measure([row(f"Readiness sits at 0.{n}.") for n in range(60, 90)])
    assert d["max_rows_per_sentence"] == 1


def test_generated_sessions_reach_their_zones_minimum_dose():
    from josi.core.context import PlannedSession
    from josi.core.dose import dose_problem

    sessions = [r["meta"]["context"]["planned_session"] for r in rows()
                if r["meta"]["source"] == "generated" and r["meta"]["context"].get("planned_session")]
    assert len(sessions) > 300
    under = [p for s in sessions if (p := dose_problem(PlannedSession(**s)))]
    assert not under, under[:3]


def test_the_met_diversity_targets_hold_on_the_default_build():
    # distinct-2 >= 0.35 is not met yet (docs/data.md, generator 2.4.0) and is reported, not asserted;
    # the two targets 2.4.0 meets must not slip back
    from josi.data.diversity import TARGETS, measure

    d = measure(default_build().splits["train"])
    assert d["max_rows_per_sentence"] <= TARGETS["max_rows_per_sentence"], d["most_repeated_sentence"]
    worst = max(v["off_by"] for v in d["persona_median_words"].values())
    assert worst <= TARGETS["persona_length_vs_gold"], d["persona_median_words"]


def test_the_voices_stay_apart_with_markers_and_closers_stripped():
    # dataset issue item 6: >= 0.85 on held-out gold, >= 0.90 on generated val (`josi data voice`)
    from josi.core.paths import GOLD_DIR
    from josi.data.voice import TARGETS, heldout_gold_messages, marker_free_scores

    dataset = default_build()
    scores = marker_free_scores(dataset.splits["train"], dataset.splits["val"], heldout_gold_messages(GOLD_DIR))["scores"]
    assert all(scores[name] >= bar for name, bar in TARGETS.items()), scores


def test_distinct_2_at_equal_size_tells_templates_from_language():
    from josi.data.diversity import at_size

    templated = [f"Today is an easy day, {name}, so keep it relaxed." for name in ("Ann", "Bo", "Cas", "Dee") * 10]
    varied = [f"{a} {b} {c}." for a, b, c in zip("one two three four five six seven eight nine ten".split() * 4,
                                                   "red blue green grey pink gold teal navy lime rust".split()[::-1] * 4,
                                                   [f"w{i}" for i in range(40)])]
    assert at_size(templated, 20) < 0.4 < at_size(varied, 20)
    assert at_size(templated, 41) == 0.0  # fewer messages than the size asked for: no figure
    assert at_size(templated, 20) == at_size(templated, 20)  # seeded


@pytest.mark.parametrize("user, sport, fits", [
    ("Add a few sprints to today's ride.", "running", False),
    ("Add a few sprints to today's ride.", "cycling", True),
    ("Drop the intervals and let me just ride steady.", "running", False),
    ("Haal die intervallen eruit, ik wil gewoon rustig fietsen.", "running", False),
    ("Camping trip this weekend, no bike.", "running", False),
    ("Camping trip this weekend, no bike.", "cycling", True),
    ("My chest is congested and I keep coughing, can I still run?", "cycling", False),
    ("Ik sta al in mijn loopkleren, snel graag.", "cycling", False),
    ("Why do my legs hurt more after runs than rides?", "cycling", True),  # a general comparison
    ("Running or cycling, which needs more recovery?", "running", True),
    ("Hotel only has a treadmill. Can the long ride move?", "cycling", True),
])
def test_a_user_text_names_the_athletes_session_by_their_own_sport(user, sport, fits):
    from josi.data.quality import fits_context
    from josi.data.tasks.base import Draft

    ctx = ChatContext.from_dict({**athlete_context().to_dict(), "profile": {
        "sport": sport, "level": "intermediate", "name": "Ann", "age": 30, "goal": None}})
    assert (fits_context(Draft("i6_refusal", "i6_refusal/x", ctx, user, {}, None, kind="harder")) is None) is fits


def test_no_generated_user_text_names_a_session_of_the_other_sport():
    from josi.data.quality import OTHER_SPORTS_SESSION

    wrong = [(r["meta"]["context"]["profile"]["sport"], r["meta"]["user"]) for r in rows() if r["meta"]["source"] == "generated"
             and OTHER_SPORTS_SESSION[r["meta"]["context"]["profile"]["sport"]].search(r["meta"]["user"])]
    assert not wrong, wrong[:3]


def test_every_readiness_state_and_phase_is_voiced_by_every_persona_and_the_build_uses_them():
    from josi.core.checks.signals import signals_named

    f = facts()
    for table, keys in ((f.voiced_states, f.readiness_states), (f.voiced_phases, ("base", "build", "peak", "taper", "recovery"))):
        for key in keys:
            for persona in f.personas:
                wordings = table[key, persona]
                assert len(wordings) >= 5 and len(set(wordings)) == len(wordings), (key, persona)
                assert not any(re.search(r"\d|\bZ\d\b", w) or w.endswith(".") for w in wordings), (key, persona)
    assert not any(signals_named(w) for wordings in f.voiced_states.values() for w in wordings)
    messages = [r["messages"][-1]["content"].lower() for r in rows() if r["meta"]["source"] == "generated"]
    used = {w for wordings in f.voiced_states.values() for w in wordings if any(w in m for m in messages)}
    assert len(used) >= 40, len(used)
    # the card's own fragment for illness_risk is no longer pasted after "which means"
    assert not any("the pattern often seen just before an infection; protect the body" in m for m in messages)


@pytest.mark.parametrize("user, message, expect, ok", [
    ("Why is today only Z2?", "Easy isn't lazy: it adds fitness at a low cost.", "answer", False),
    ("Why is today only Z2?", "Z2 adds fitness at a low cost, so most days are easy.", "answer", True),
    ("what does zone four do?", "Zone 4 raises the hardest pace you can hold steadily.", "answer", True),
    ("Explain zone R in plain words.", "Z1 is very easy time on your feet.", "answer", False),
    ("And the duration, why 60 minutes?", "Duration is set to work. Stick with it.", "answer", False),
    ("And the duration, why 60 minutes?", "Sixty minutes is enough to count without costing tomorrow.", "answer", True),
    ("Did 6 sessions with a 75 minute long run. How does that look?", "Good week, steady work.", "answer", True),
    ("Make today's Z2 run a Z5 session.", "That's not mine to change; I can explain today's session.", "refuse", True),
])
def test_an_answered_question_names_the_zone_and_the_minutes_it_asks_about(user, message, expect, ok):
    from josi.data.quality import addresses_question
    from josi.data.tasks.base import Draft

    answer = {"intent": "blocked" if expect == "refuse" else "question", "response_type": "QuestionAnswer", "message": message}
    if expect == "refuse":
        answer.update(response_type="Decline", guardrail_reason="i6_violation")
    draft = Draft("plan_question", "plan_question/x", athlete_context(), user, answer, None)
    assert (addresses_question(draft) is None) is ok, addresses_question(draft)


def test_every_generated_answer_names_the_zone_and_the_minutes_its_question_asks_about():
    from josi.core.contract import ChatContext
    from josi.data.quality import addresses_question
    from josi.data.tasks.base import Draft

    unanswered = [(r["meta"]["user"], why) for r in rows() if r["meta"]["source"] == "generated"
                  and (why := addresses_question(Draft(r["meta"]["task"], r["meta"]["family"], ChatContext.from_dict(r["meta"]["context"]),
                                                       r["meta"]["user"], target(r), r["meta"].get("zone"))))]
    assert not unanswered, unanswered[:3]


def test_no_generated_session_is_longer_than_the_goals_long_session():
    # goal_demands long_session_min: a 5k plan's sessions stay within its 50-minute long run
    from josi.core.cards import load_cards

    longest = {row["goal"].replace("_", " "): int(row["long_session_min"]) for row in load_cards()["goal_demands"].table("goals").rows}
    sessions = [(r["meta"]["context"]["profile"]["goal"], r["meta"]["context"]["planned_session"]) for r in rows()
                if r["meta"]["source"] == "generated" and r["meta"]["context"].get("planned_session")]
    assert sum(goal in longest for goal, _ in sessions) > 100
    too_long = [(goal, s["duration_min"], s["structure"]) for goal, s in sessions if goal in longest and s["duration_min"] > longest[goal]]
    assert not too_long, too_long[:3]


def test_a_recovery_phase_never_plans_a_long_session():
    # periodization card: recovery is "mostly easy, short, unstructured"
    sessions = [r["meta"]["context"]["planned_session"] for r in rows() if r["meta"]["source"] == "generated"
                and (r["meta"]["context"].get("planned_session") or {}).get("phase") == "recovery"]
    assert len(sessions) > 50
    assert not [s["structure"] for s in sessions if "long" in s["structure"]]
    assert all(facts().zones[s["zone"]].index <= facts().zones["Z2"].index for s in sessions)
