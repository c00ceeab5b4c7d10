"""Task generators: one small function per task type, each reading its facts from the cards.

A generator takes (Gen, Cell) and returns one Draft; it raises Unusable when the cell cannot host
that kind of example (the build then draws again).

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from josi.data.tasks.base import Cell, Draft, Gen, Generator
from josi.data.tasks.coach import education, encouragement, weekly_review
from josi.data.tasks.explain import daily_brief, readiness_summary, workout_explanation, zone_explanation
from josi.data.tasks.guard import i6_refusal, medical_red_flag, plan_question, replan
from josi.data.tasks.multi_turn import multi_turn
from josi.data.tasks.talk import clarify, general

TASKS: dict[str, Generator] = {
    "zone_explanation": zone_explanation,
    "workout_explanation": workout_explanation,
    "readiness_summary": readiness_summary,
    "daily_brief": daily_brief,
    "weekly_review": weekly_review,
    "encouragement": encouragement,
    "education": education,
    "medical_red_flag": medical_red_flag,
    "replan": replan,
    "i6_refusal": i6_refusal,
    "plan_question": plan_question,
    "multi_turn": multi_turn,
    "clarify": clarify,
    "general": general,
}

__all__ = ["TASKS", "Cell", "Draft", "Gen"]
