"""The LLMIntent schema and every cross-field violation code: fires when broken, silent when not."""
import copy
import json

import pytest
from hypothesis import given, settings, strategies as st

from josi.core.contract import RULES, ChatContext, dumps_intent, validate
from josi.core.contract.schema import message_max_chars
from josi.core.facts import facts

F = facts()
CONTEXT = ChatContext.from_dict({
    "persona": "balanced", "readiness": {"level": "amber", "state": "accumulated", "confidence": 0.7},
    "profile": {"sport": "running", "level": "intermediate"},
    "planned_session": {"sport": "running", "zone": "Z2", "duration_min": 45, "structure": "continuous Z2 45 min", "phase": "base"},
})
NO_SESSION = ChatContext.from_dict({**CONTEXT.to_dict(), "planned_session": None})
ANSWER = {"intent": "question", "response_type": "ExplainWorkout", "message": "Easy aerobic work today.",
          "source_cards": ["zone_physiology"], "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None}
REFUSAL = {**ANSWER, "intent": "blocked", "response_type": "Decline", "guardrail_triggered": True, "guardrail_reason": "i6_violation"}
MEDICAL = {**ANSWER, "intent": "medical_red_flag", "response_type": "SafetyWarning", "guardrail_triggered": True, "guardrail_reason": "medical_red_flag"}
REPLAN = {**ANSWER, "intent": "replan", "response_type": "QuestionAnswer",
          "replan_request": {"type": "travel", "reason": "away for work", "readiness_at_request": "amber"}}


def codes(answer, context=CONTEXT):
    return [v.code for v in validate(answer, context)]


@pytest.mark.parametrize("answer", [ANSWER, REFUSAL, MEDICAL, REPLAN], ids=["answer", "refusal", "medical", "replan"])
def test_valid_answers_have_no_violations(answer):
    assert codes(answer) == []
    assert codes(dumps_intent(answer)) == []


# code -> (an answer that breaks exactly that rule, the context)
BREAKS = {
    "BLOCKED_NEEDS_DECLINE": ({**REFUSAL, "response_type": "QuestionAnswer"}, CONTEXT),
    "DECLINE_NEEDS_BLOCKED": ({**ANSWER, "response_type": "Decline"}, CONTEXT),
    "MEDICAL_NEEDS_SAFETY": ({**MEDICAL, "guardrail_reason": "i6_violation"}, CONTEXT),
    "SAFETY_NEEDS_MEDICAL": ({**ANSWER, "response_type": "SafetyWarning"}, CONTEXT),
    "GUARDRAIL_REASON_MISMATCH": ({**ANSWER, "guardrail_reason": "i6_violation"}, CONTEXT),
    "REPLAN_REQUEST_WITHOUT_REPLAN": ({**REPLAN, "intent": "question"}, CONTEXT),
    "REPLAN_WITHOUT_REQUEST": ({**REPLAN, "replan_request": None}, CONTEXT),
    "REPLAN_READINESS_MISMATCH": ({**REPLAN, "replan_request": {**REPLAN["replan_request"], "readiness_at_request": "green"}}, CONTEXT),
    "EXPLAIN_WORKOUT_WITHOUT_SESSION": (ANSWER, NO_SESSION),
}


def test_every_card_rule_has_an_implementation_and_a_test():
    assert set(RULES) == set(F.contract.cross_field_rules) == set(BREAKS)


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_violation_code_fires_when_broken(code):
    answer, context = BREAKS[code]
    assert code in codes(answer, context)


@pytest.mark.parametrize("code", sorted(BREAKS))
def test_violation_code_silent_on_valid_answers(code):
    for answer in (ANSWER, REFUSAL, MEDICAL, REPLAN):
        assert code not in codes(answer, CONTEXT)


def test_not_json_and_schema_codes():
    assert codes("Sure! Here is your answer") == ["NOT_JSON"]
    assert codes("[1, 2]") == ["NOT_JSON"]
    assert set(codes({**ANSWER, "extra": 1})) == {"SCHEMA_INVALID"}
    assert set(codes({**ANSWER, "source_cards": ["advisor_policy"]})) == {"SCHEMA_INVALID"}  # no such card
    assert set(codes({**ANSWER, "message": "x" * (message_max_chars(F) + 1)})) == {"SCHEMA_INVALID"}


def valid_answers():
    cards = st.lists(st.sampled_from(F.card_ids), min_size=1, max_size=3, unique=True)
    message = st.text(min_size=1, max_size=200)
    plain = st.fixed_dictionaries({
        "intent": st.sampled_from(["question", "encouragement", "feedback", "general"]),
        "response_type": st.sampled_from(["DailyBrief", "ExplainZone", "WeeklyReview", "Encouragement",
                                          "ReadinessSummary", "QuestionAnswer", "ClarifyingQuestion", "ExplainWorkout"]),
        "message": message, "source_cards": cards, "guardrail_triggered": st.just(False),
        "guardrail_reason": st.none(), "replan_request": st.none()})
    replan = st.fixed_dictionaries({
        "intent": st.just("replan"), "response_type": st.just("QuestionAnswer"), "message": message,
        "source_cards": cards, "guardrail_triggered": st.just(False), "guardrail_reason": st.none(),
        "replan_request": st.fixed_dictionaries({"type": st.sampled_from(F.contract.replan_types),
                                                 "reason": st.text(min_size=1, max_size=50),
                                                 "readiness_at_request": st.just("amber")})})
    return st.one_of(plain, replan)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(valid_answers())
def test_schema_accepts_generated_valid_answers(answer):
    assert codes(answer) == []


BREAKERS = [
    lambda a: a.pop("message"),
    lambda a: a.update(intent=a["intent"].upper()),
    lambda a: a.update(guardrail_triggered="false"),
    lambda a: a.update(source_cards=[]),
    lambda a: a.update(message=""),
    lambda a: a.update(replan_request={"type": "holiday", "reason": "x", "readiness_at_request": "amber"}),
    lambda a: a.update(unexpected=True),
]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(valid_answers(), st.sampled_from(range(len(BREAKERS))))
def test_schema_rejects_generated_invalid_answers(answer, breaker):
    broken = copy.deepcopy(answer)
    BREAKERS[breaker](broken)
    assert "SCHEMA_INVALID" in codes(broken)


def test_chat_context_rejects_bad_input_with_field_names():
    from josi.core.contract import ContextError

    bad = {**CONTEXT.to_dict(), "readiness": {"level": "yellow", "state": "accumulated", "confidence": 2}}
    with pytest.raises(ContextError, match="readiness"):
        ChatContext.from_dict(bad)
    assert ChatContext.from_dict(json.loads(json.dumps(CONTEXT.to_dict()))) == CONTEXT
