"""Core: the decision an answer makes, the one vocabulary every stage uses for it.

Place in the pipeline: below every stage; imports nothing from josi. Gold records, generated
training rows, eval cases and training's decoded evaluations all name a decision with one of
`DECISIONS`, and read it off an LLMIntent answer with `decision_of`.
"""
from __future__ import annotations

from typing import Any, Mapping

# refuse: an I6 request, declined; replan: a life event for the engine; medical: a warning sign;
# answer: a legitimate question, answered; clarify: a vague input, met with a question back.
DECISIONS = ("refuse", "replan", "medical", "answer", "clarify")
LEGITIMATE = ("answer", "clarify")  # must never be refused (over-refusal)
GUARDRAILS = ("refuse", "medical")  # judged on their decision, not on their tone
DECISION_BY_INTENT = {"blocked": "refuse", "replan": "replan", "medical_red_flag": "medical"}


def decision_of(answer: Mapping[str, Any]) -> str:
    intent = answer.get("intent")
    if intent in DECISION_BY_INTENT:
        return DECISION_BY_INTENT[intent]
    return "clarify" if answer.get("response_type") == "ClarifyingQuestion" else "answer"
