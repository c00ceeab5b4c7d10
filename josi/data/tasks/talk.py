"""Messages that are not about a decision: a vague message answered with one clarifying question,
and small talk (intent general) answered in persona with what Josi is for.

The user texts are the phrasing bank's families (users.json `clarify`, `general`); the family's
topic (body, mood, session, ... / greet, thanks, ...) picks the persona's reply slot, so the reply
always fits what was said.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from josi.data.tasks.base import Cell, Draft, Gen, answer


def _topic_draft(g: Gen, cell: Cell, task: str, recipe: str, intent: str, response_type: str) -> Draft:
    w = g.world
    ctx = g.context(cell, session=None)
    family = g.rng.choice(g.families(task))
    topic = family.split(".")[0]
    values = {**w.values(ctx, g.zone_style()), "topic": topic}
    user, variant = g.user(task, family, values)
    message = g.message(cell.persona, recipe, values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    return Draft(task, f"{task}/{family}", ctx, user,
                 answer(intent, response_type, message, w.cards_present("josi_contract")), zone,
                 kind=topic, style=variant)


def clarify(g: Gen, cell: Cell) -> Draft:
    return _topic_draft(g, cell, "clarify", "cq", "question", "ClarifyingQuestion")


def general(g: Gen, cell: Cell) -> Draft:
    return _topic_draft(g, cell, "general", "gen", "general", "QuestionAnswer")
