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


def test_schema_and_cross_field_violations_are_reported_together():
    broken = {**MEDICAL, "response_type": "QuestionAnswer", "message": ""}  # bad message, and medical without SafetyWarning
    violations = validate(broken, CONTEXT)
    assert [v.code for v in violations] == ["SCHEMA_INVALID", "MEDICAL_NEEDS_SAFETY"]
    assert str(violations[0]).startswith("SCHEMA_INVALID: message: ''")
    replan = {**REPLAN, "source_cards": ["zone_physiology", "zone_physiology"], "intent": "question"}
    assert codes(replan) == ["SCHEMA_INVALID", "REPLAN_REQUEST_WITHOUT_REPLAN"]


def test_schema_errors_name_the_innermost_field():
    bad = {**REPLAN, "replan_request": {**REPLAN["replan_request"], "type": "holiday"}}
    [violation] = validate(bad, CONTEXT)
    assert str(violation).startswith("SCHEMA_INVALID: replan_request/type: 'holiday' is not one of [")


def test_a_rule_is_skipped_not_crashed_when_its_fields_are_missing_or_invalid():
    """Every key missing, or set to a value of the wrong type, in turn: schema violations, never an exception."""
    for answer in (ANSWER, REFUSAL, MEDICAL, REPLAN):
        for key in answer:
            missing = {k: v for k, v in answer.items() if k != key}
            assert "SCHEMA_INVALID" in codes(missing)
            for wrong in (5, "x", None, [], {}, {"readiness_at_request": 1}):
                broken = {**answer, key: wrong}
                validate(broken, CONTEXT)  # must not raise
                validate(broken, NO_SESSION)


def test_each_rule_reads_only_the_fields_it_declares():
    """validate guards a rule by RULE_FIELDS, so a rule reading any other key would crash on a broken answer."""
    from josi.core.contract import RULE_FIELDS

    assert set(RULE_FIELDS) == set(RULES)
    for code, rule in RULES.items():
        answer, context = BREAKS[code]
        only = {key: answer[key] for key in RULE_FIELDS[code]}
        assert rule(only, context), code  # still fires with nothing but its declared fields


@pytest.mark.parametrize("change, message", [
    (lambda c: c["planned_session"].update(zone="Z99"), "planned_session/zone: 'Z99' is not one of ["),
    (lambda c: c["planned_session"].update(duration_min=-5), "planned_session/duration_min: -5 is less than the minimum of 1"),
    (lambda c: c["planned_session"].pop("phase"), "planned_session: 'phase' is a required property"),
    (lambda c: c.update(planned_session="today"), "planned_session: 'today' is not of type 'null' or 'object'"),
    (lambda c: c["readiness"].update(level="purple"), "readiness/level: 'purple' is not one of ['green', 'amber', 'red']"),
    (lambda c: c["profile"].update(age=5), "profile/age: 5 is less than the minimum of 10"),
])
def test_chat_context_errors_name_the_innermost_field(change, message):
    from josi.core.contract import ContextError

    data = copy.deepcopy(CONTEXT.to_dict())
    change(data)
    with pytest.raises(ContextError) as caught:
        ChatContext.from_dict(data)
    assert str(caught.value) == message or str(caught.value).startswith(message)
    assert "is not valid under any of the given schemas" not in str(caught.value)
    assert [field for field, _ in caught.value.fields] == [message.split(":")[0]]
