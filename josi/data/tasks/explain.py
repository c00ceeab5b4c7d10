"""Explaining what the engine decided: a zone, today's workout, today's readiness, the daily brief.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from josi.data.tasks.base import Cell, Draft, Gen, answer


def zone_explanation(g: Gen, cell: Cell) -> Draft:
    """Every zone R..Z8 in every cell; a zone above today's cap is explained but ruled out for today."""
    w = g.world
    zone = cell.cycle(w.zones)
    ctx = g.context(cell, session=None)
    style = g.zone_style()
    values = {**w.values(ctx, style), **w.zone_values(zone, style)}
    gated = not w.facts.zone_allowed(zone, cell.level)
    family = g.rng.choice(g.families("zone_explanation"))
    user, variant = g.user("zone_explanation", family, values)
    message = g.message(cell.persona, "zone.gated" if gated else "zone", values)
    cards = w.cards_present("zone_physiology", "josi_explanations", "load_monitoring" if gated else "zone_anchors")
    return Draft("zone_explanation", f"zone_explanation/{family}", ctx, user,
                 answer("question", "ExplainZone", message, cards), zone, style=variant)


def workout_explanation(g: Gen, cell: Cell) -> Draft:
    w = g.world
    ctx = g.context(cell, session=True)
    values = w.values(ctx, g.zone_style())
    family = g.rng.choice(g.families("workout_explanation"))
    user, variant = g.user("workout_explanation", family, values)
    message = g.message(cell.persona, "wo", values)
    cards = w.cards_present("josi_explanations", "zone_physiology", "periodization")
    return Draft("workout_explanation", f"workout_explanation/{family}", ctx, user,
                 answer("question", "ExplainWorkout", message, cards), ctx.planned_session.zone, style=variant)


def _today_summary(g: Gen, cell: Cell, task: str, message_key: str, response_type: str) -> Draft:
    """Readiness summaries and daily briefs differ only in wording bank and response type."""
    w = g.world
    ctx = g.context(cell, session=None)
    values = w.values(ctx, g.zone_style())
    family = g.rng.choice(g.families(task))
    user, variant = g.user(task, family, values)
    message = g.message(cell.persona, message_key, values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    return Draft(task, f"{task}/{family}", ctx, user,
                 answer("question", response_type, message, w.cards_present("load_monitoring", "josi_explanations")),
                 zone, style=variant)


def readiness_summary(g: Gen, cell: Cell) -> Draft:
    return _today_summary(g, cell, "readiness_summary", "rd", "ReadinessSummary")


def daily_brief(g: Gen, cell: Cell) -> Draft:
    return _today_summary(g, cell, "daily_brief", "db", "DailyBrief")
