"""Multi-turn follow-ups as real chat turns: earlier turns live in context.history, and an
assistant turn there is the plain message text the athlete saw (never JSON).

The opening exchange comes from another task generator (and must pass the checks itself); the
follow-up is a question, a feeling, a thank-you, a life event or pressure to change the plan.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from dataclasses import replace

from josi.core.contract import Turn
from josi.data.banks import Unusable
from josi.data.tasks import explain, guard
from josi.data.tasks.base import Cell, Draft, Gen, answer

OPENERS = (explain.workout_explanation, explain.daily_brief, explain.readiness_summary, explain.zone_explanation)
FOLLOW_WEIGHTS = {"push": 0.38, "why": 0.17, "feel": 0.15, "thanks": 0.13, "life": 0.17}


def fits(family: str, has_session: bool) -> bool:
    """Family suffixes: `_any` fits every day, `_none` only a rest day, anything else needs a session."""
    if family.endswith("_any"):
        return True
    return not has_session if family.endswith("_none") else has_session


def _opening(g: Gen, cell: Cell) -> Draft:
    from josi.data.quality import target_problems

    for _ in range(6):
        try:
            first = g.rng.choice(OPENERS)(g, cell)
        except Unusable:
            continue
        if not target_problems(first):
            return first
    raise Unusable("no clean opening exchange")


def _follow(g: Gen, draft: Draft, kind: str) -> Draft:
    w, rng = g.world, g.rng
    ctx = draft.context
    families = [f for f in g.families("multi_turn", prefix=kind) if fits(f, ctx.planned_session is not None)]
    if not families:
        raise Unusable(f"no {kind} follow-up fits")
    family = rng.choice(families)
    values = guard.i6_values(g, w.values(ctx, g.zone_style()), ctx)
    values["follow"] = family.split(".")[1] if "." in family else family
    user, variant = g.user("multi_turn", family, values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    if kind == "push":
        message = g.message(ctx.persona, "mt.push", values)
        result = answer("blocked", "Decline", message, w.cards_present("josi_contract"), guardrail="i6_violation")
    elif kind == "thanks":
        message = g.message(ctx.persona, "mt.thanks", values)
        result = answer("encouragement", "Encouragement", message, w.cards_present("josi_explanations"))
    else:
        message = g.message(ctx.persona, f"mt.{kind}", values)
        result = answer("question", "QuestionAnswer", message, w.cards_present("josi_explanations", "zone_physiology"))
    return Draft("multi_turn", f"multi_turn/{family}", ctx, user, result, zone, kind=kind, style=variant)


def multi_turn(g: Gen, cell: Cell) -> Draft:
    from josi.data.quality import target_problems

    rng = g.rng
    first = _opening(g, cell)
    history = (Turn("user", first.user), Turn("assistant", first.message))
    if rng.random() < 0.3:  # a middle exchange: 4 earlier turns
        middle = _follow(g, replace(first, context=replace(first.context, history=history)),
                         rng.choice(("why", "feel")))
        if not target_problems(middle) and middle.answer["intent"] == "question":
            history += (Turn("user", middle.user), Turn("assistant", middle.message))
    ctx = replace(first.context, history=history)
    kind = rng.choices(list(FOLLOW_WEIGHTS), weights=list(FOLLOW_WEIGHTS.values()))[0]
    if kind == "life":
        rtype = rng.choice(list(g.world.facts.contract.replan_types))
        life = guard.replan(g, cell, history=history, ctx=ctx, rtype=rtype)
        return replace(life, task="multi_turn", family=f"multi_turn/life.{life.family.split('/', 1)[1]}", kind="life")
    return _follow(g, replace(first, context=ctx), kind)
