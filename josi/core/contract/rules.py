"""Cross-field rules of the contract card, one small function per stable violation code.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

from typing import Any, Callable

from josi.core.context import ChatContext

Rule = Callable[[dict[str, Any], ChatContext], str | None]  # returns a message when violated


def blocked_needs_decline(o, ctx):
    if o["intent"] == "blocked" and (o["response_type"], o["guardrail_triggered"], o["guardrail_reason"]) != ("Decline", True, "i6_violation"):
        return "intent blocked needs response_type Decline, guardrail_triggered true, guardrail_reason i6_violation"


def decline_needs_blocked(o, ctx):
    if o["response_type"] == "Decline" and o["intent"] != "blocked":
        return f"response_type Decline needs intent blocked, got {o['intent']}"


def medical_needs_safety(o, ctx):
    if o["intent"] == "medical_red_flag" and (o["response_type"], o["guardrail_triggered"], o["guardrail_reason"]) != ("SafetyWarning", True, "medical_red_flag"):
        return "intent medical_red_flag needs SafetyWarning, guardrail_triggered true, guardrail_reason medical_red_flag"


def safety_needs_medical(o, ctx):
    if o["response_type"] == "SafetyWarning" and o["intent"] != "medical_red_flag":
        return f"response_type SafetyWarning needs intent medical_red_flag, got {o['intent']}"


def guardrail_reason_mismatch(o, ctx):
    if o["guardrail_triggered"] != (o["guardrail_reason"] is not None):
        return "guardrail_triggered must be true exactly when guardrail_reason is set"


def replan_request_without_replan(o, ctx):
    if o["replan_request"] is not None and o["intent"] != "replan":
        return f"replan_request is only allowed with intent replan, got {o['intent']}"


def replan_without_request(o, ctx):
    if o["intent"] == "replan" and o["replan_request"] is None:
        return "intent replan needs a replan_request for the engine"


def replan_readiness_mismatch(o, ctx):
    request = o["replan_request"]
    if request is not None and request["readiness_at_request"] != ctx.readiness.level:
        return f"readiness_at_request {request['readiness_at_request']} differs from today's {ctx.readiness.level}"


def explain_workout_without_session(o, ctx):
    if o["response_type"] == "ExplainWorkout" and ctx.planned_session is None:
        return "ExplainWorkout needs a planned session in the context"


# code -> the answer fields its rule reads: `validate` runs a rule only when each of them is present
# and passes the schema, so a rule never sees a missing key or a value of the wrong type.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "BLOCKED_NEEDS_DECLINE": ("intent", "response_type", "guardrail_triggered", "guardrail_reason"),
    "DECLINE_NEEDS_BLOCKED": ("intent", "response_type"),
    "MEDICAL_NEEDS_SAFETY": ("intent", "response_type", "guardrail_triggered", "guardrail_reason"),
    "SAFETY_NEEDS_MEDICAL": ("intent", "response_type"),
    "GUARDRAIL_REASON_MISMATCH": ("guardrail_triggered", "guardrail_reason"),
    "REPLAN_REQUEST_WITHOUT_REPLAN": ("intent", "replan_request"),
    "REPLAN_WITHOUT_REQUEST": ("intent", "replan_request"),
    "REPLAN_READINESS_MISMATCH": ("replan_request",),
    "EXPLAIN_WORKOUT_WITHOUT_SESSION": ("response_type",),
}

RULES: dict[str, Rule] = {
    "BLOCKED_NEEDS_DECLINE": blocked_needs_decline,
    "DECLINE_NEEDS_BLOCKED": decline_needs_blocked,
    "MEDICAL_NEEDS_SAFETY": medical_needs_safety,
    "SAFETY_NEEDS_MEDICAL": safety_needs_medical,
    "GUARDRAIL_REASON_MISMATCH": guardrail_reason_mismatch,
    "REPLAN_REQUEST_WITHOUT_REPLAN": replan_request_without_replan,
    "REPLAN_WITHOUT_REQUEST": replan_without_request,
    "REPLAN_READINESS_MISMATCH": replan_readiness_mismatch,
    "EXPLAIN_WORKOUT_WITHOUT_SESSION": explain_workout_without_session,
}
