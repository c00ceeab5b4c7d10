"""Coaching talk: weekly review, encouragement, and education Q&A answered from the card tables.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from typing import Any, Callable

from josi.data.banks import Unusable
from josi.data.tasks.base import Cell, Draft, Gen, answer
from josi.data.world import World, lower_first, span, strip_period
from josi.core.contract import ChatContext


def _family_kind(family: str) -> str:
    return family.split(".")[0]


def weekly_review(g: Gen, cell: Cell) -> Draft:
    w, rng = g.world, g.rng
    ctx = g.context(cell, session=None)
    values = w.values(ctx, g.zone_style())
    sessions = rng.randint(3, 7)
    values.update({
        "n_sessions": sessions, "n_missed": rng.randint(1, 2), "n_hard": rng.randint(1, 2),
        "n_planned": sessions + rng.randint(1, 2), "long_min": rng.choice(range(60, 181, 15)),
        "day": rng.choice(w.banks.lists["days"]),
    })
    family = rng.choice(g.families("weekly_review"))
    mood = _family_kind(family)
    values["mood"] = mood
    user, variant = g.user("weekly_review", family, values)
    message = g.message(cell.persona, "wr", values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    return Draft("weekly_review", f"weekly_review/{family}", ctx, user,
                 answer("feedback", "WeeklyReview", message, w.cards_present("josi_explanations", "load_monitoring")),
                 zone, kind=mood, style=variant)


def encouragement(g: Gen, cell: Cell) -> Draft:
    w, rng = g.world, g.rng
    ctx = g.context(cell, session=None)
    values = w.values(ctx, g.zone_style())
    values["day"] = rng.choice(w.banks.lists["days"])
    s = ctx.planned_session
    easy_day = s is not None and w.band(s.zone) == "easy"
    family = rng.choice([f for f in g.families("encouragement") if easy_day or _family_kind(f) != "easy"])
    values["mood"] = _family_kind(family)
    user, variant = g.user("encouragement", family, values)
    message = g.message(cell.persona, "enc", values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    return Draft("encouragement", f"encouragement/{family}", ctx, user,
                 answer("encouragement", "Encouragement", message, w.cards_present("josi_explanations")),
                 zone, kind=values["mood"], style=variant)


# ---- education: one small fact function per topic -------------------------------------------
# Each returns (values, source cards) for this context, or None when the topic does not apply
# (card missing, or it would need a zone above today's cap).

Topic = Callable[[World, ChatContext, Any, str], "tuple[dict[str, Any], list[str]] | None"]


def _zones_upto_cap(w: World, ctx: ChatContext) -> list[str]:
    return [z for z in w.zones if w.facts.zone_allowed(z, ctx.readiness.level)]


def _pick_zone(w: World, ctx: ChatContext, rng, candidates: list[str]) -> str | None:
    allowed = [z for z in candidates if z in _zones_upto_cap(w, ctx)]
    if ctx.planned_session and ctx.planned_session.zone in allowed and rng.random() < 0.5:
        return ctx.planned_session.zone
    return rng.choice(allowed) if allowed else None


def topic_phase_share(w, ctx, rng, style):
    phases = w.by("periodization", "phases", "phase")
    if not phases:
        return None
    phase = ctx.planned_session.phase if ctx.planned_session and rng.random() < 0.6 else rng.choice(sorted(phases))
    row = phases[phase]
    return {"phase": phase, "easy_low": row["easy_share_pct_low"], "easy_high": row["easy_share_pct_high"],
            "phase_purpose": strip_period(row["purpose"])}, ["periodization"]


def _goal(w: World, ctx: ChatContext, rng, table: str, card: str, need: str | None = None):
    rows = w.by(card, table, "goal")
    options = [g for g, row in rows.items() if need is None or row.get(need) is not None]
    if not options:
        return None, None
    mine = (ctx.profile.goal or "").replace(" ", "_")
    goal = mine if mine in options and rng.random() < 0.7 else rng.choice(sorted(options))
    return goal, rows[goal]


def topic_taper(w, ctx, rng, style):
    goal, row = _goal(w, ctx, rng, "horizon_weeks", "periodization", need="taper_days")
    if not goal:
        return None
    taper = w.keyed("periodization", "taper")
    return {"goal_q": goal.replace("_", " "), "taper_days": row["taper_days"],
            "weeks": span(row["typical_weeks_low"], row["typical_weeks_high"]),
            "taper_cut": span(taper.get("volume_reduction_pct_low"), taper.get("volume_reduction_pct_high")),
            "taper_intensity": taper.get("intensity")}, ["periodization"]


def topic_goal_mix(w, ctx, rng, style):
    goal, row = _goal(w, ctx, rng, "goals", "goal_demands")
    if not goal:
        return None
    return {"goal_q": goal.replace("_", " "), "easy_pct": row["easy_pct"], "tempo_pct": row["tempo_pct"],
            "high_pct": row["high_pct"], "min_weeks": row["min_weeks"]}, ["goal_demands"]


def topic_warmup(w, ctx, rng, style):
    rows = w.by("session_rules", "warmup_cooldown", "zone")
    zone = _pick_zone(w, ctx, rng, [z for z, r in rows.items() if r["warmup_min"]])
    if not zone:
        return None
    row = rows[zone]
    return {"zone": w.zone_text(zone, style), "warmup": row["warmup_min"], "cooldown": row["cooldown_min"] or None,
            "activation": "yes" if row.get("activation_required") else None}, ["session_rules"]


def topic_spacing(w, ctx, rng, style):
    rows = w.by("session_rules", "spacing_hours", "zone")
    zone = _pick_zone(w, ctx, rng, list(rows))
    if not zone:
        return None
    return {"zone": w.zone_text(zone, style), "hours": rows[zone]["standard_hours"]}, ["session_rules"]


def topic_quality_caps(w, ctx, rng, style):
    row = w.by("session_rules", "quality_caps", "level").get(ctx.profile.level)
    if not row:
        return None
    return {"athlete_level": ctx.profile.level, "max_quality": row["max_quality_sessions_per_week"]}, ["session_rules"]


def topic_min_dose(w, ctx, rng, style):
    rows = w.by("session_rules", "min_dose", "zone")
    zone = _pick_zone(w, ctx, rng, list(rows))
    if not zone:
        return None
    return {"zone": w.zone_text(zone, style), "min_minutes": rows[zone]["min_minutes"]}, ["session_rules"]


def topic_recovery_time(w, ctx, rng, style):
    systems = w.by("energy_systems", "systems", "system")
    zone_systems = w.by("energy_systems", "zone_systems", "zone")
    zone = _pick_zone(w, ctx, rng, [z for z in zone_systems if zone_systems[z]["primary_system"] in systems])
    if not zone:
        return None
    system = systems[zone_systems[zone]["primary_system"]]
    return {"zone": w.zone_text(zone, style), "recovery_hours": system["recovery_hours"],
            "fuel": system["main_fuel"], "system": system["system"].replace("_", " ")}, ["energy_systems"]


def topic_age_recovery(w, ctx, rng, style):
    if ctx.profile.age is None:
        return None
    for band in w.rows("modifiers", "age_bands"):
        if band["age_low"] <= ctx.profile.age <= band["age_high"]:
            mult = band["recovery_multiplier"]
            return {"age": ctx.profile.age, "recovery_mult": f"{mult:g}",
                    "topic": "age_recovery_same" if mult == 1 else "age_recovery_longer"}, ["modifiers"]
    return None


def topic_sport_recovery(w, ctx, rng, style):
    run, ride = w.keyed("modifiers_running", "running"), w.keyed("modifiers_cycling", "cycling")
    if not run or not ride:
        return None
    return {"run_mult": f"{run['recovery_multiplier']:g}", "ride_mult": f"{ride['recovery_multiplier']:g}",
            "run_impact": run.get("impact_note"), "ride_impact": ride.get("impact_note")}, ["modifiers_running", "modifiers_cycling"]


def topic_hr_zone(w, ctx, rng, style):
    zone = _pick_zone(w, ctx, rng, [z for z in w.zones if w.facts.zones[z].hrmax_pct[1] is not None])
    if not zone:
        return None
    return w.zone_values(zone, style), ["zone_anchors"]


def topic_power_zone(w, ctx, rng, style):
    if ctx.profile.sport != "cycling":
        return None
    zone = _pick_zone(w, ctx, rng, [z for z in w.zones if w.facts.zones[z].power_ftp_pct[1] is not None])
    if not zone:
        return None
    return w.zone_values(zone, style), ["zone_anchors"]


def topic_rpe_scale(w, ctx, rng, style):
    zone = _pick_zone(w, ctx, rng, list(w.zones))
    if not zone:
        return None
    return w.zone_values(zone, style), ["zone_physiology"]


def topic_readiness_signals(w, ctx, rng, style):
    return {}, ["load_monitoring"]


def topic_confidence(w, ctx, rng, style):
    band = w.facts.confidence_band(ctx.readiness.confidence)
    return {"topic": f"confidence_{band}"}, ["load_monitoring"]


def topic_easy_most(w, ctx, rng, style):
    found = topic_phase_share(w, ctx, rng, style)
    values = found[0] if found else {}
    return values, ["josi_explanations"] + (["periodization"] if found else [])


TOPICS: dict[str, Topic] = {
    "phase_share": topic_phase_share, "taper": topic_taper, "goal_mix": topic_goal_mix,
    "warmup": topic_warmup, "spacing": topic_spacing, "quality_caps": topic_quality_caps,
    "min_dose": topic_min_dose, "recovery_time": topic_recovery_time, "age_recovery": topic_age_recovery,
    "sport_recovery": topic_sport_recovery, "hr_zone": topic_hr_zone, "power_zone": topic_power_zone,
    "rpe_scale": topic_rpe_scale, "readiness_signals": topic_readiness_signals,
    "confidence": topic_confidence, "easy_most": topic_easy_most,
}


def education(g: Gen, cell: Cell) -> Draft:
    w, rng = g.world, g.rng
    ctx = g.context(cell, session=None)
    style = g.zone_style()
    values = w.values(ctx, style)
    families = [f for f in g.families("education") if _family_kind(f) in TOPICS]
    rng.shuffle(families)
    for family in families:
        topic = _family_kind(family)
        found = TOPICS[topic](w, ctx, rng, style)
        if found is None:
            continue
        facts, cards = found
        values.update(facts)
        values["topic"] = facts.get("topic", topic)  # a topic may pick a variant slot (age, confidence)
        user, variant = g.user("education", family, values)
        message = g.message(cell.persona, "edu", values)
        zone = (facts.get("zone") and next((z for z in w.zones if w.zone_text(z, style) == facts["zone"]), None)) \
            or (ctx.planned_session.zone if ctx.planned_session else None)
        return Draft("education", f"education/{family}", ctx, user,
                     answer("question", "QuestionAnswer", message, w.cards_present(*cards) or ["josi_explanations"]),
                     zone, kind=topic, style=variant)
    raise Unusable("no education topic fits this context")


__all__ = ["weekly_review", "encouragement", "education", "TOPICS", "lower_first"]
