"""The contract's decisions: red flags, life events, I6 refusals, and plan questions that are answered.

A red flag's message follows its severity (the card's red_flag_severities): emergency services only
where the flag can be acute, rest and a doctor if it persists for illness.

Kinds, flags and replan types come from the josi_contract card; the card's own example sentence
joins the user templates of its kind as the family "<kind>.card".

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

from typing import Any

from josi.data import noise
from josi.data.banks import Unusable
from josi.data.tasks.base import Cell, Draft, Gen, answer, render
from josi.data.world import World


def _key(text: str) -> str:
    return text.replace(" ", "_")


def _families(g: Gen, task: str, kinds: list[str]) -> dict[str, tuple[str, ...]]:
    """family -> templates for the given kinds: bank families plus the card example of each kind."""
    bank = g.banks.users.get(task, {})
    found = {f: t for f, t in bank.items() if f.split(".")[0] in kinds}
    return found


def card_examples(w: World, table: str, key: str) -> dict[str, str]:
    return {_key(row[key]): row["example"] for row in w.rows("josi_contract", table)}


# ---- medical red flags ----------------------------------------------------------------------

def medical_red_flag(g: Gen, cell: Cell) -> Draft:
    w, rng = g.world, g.rng
    flags = [_key(f) for f in w.facts.contract.medical_red_flags]
    flag = cell.cycle(flags)
    families = _families(g, "medical_red_flag", [flag])
    example = card_examples(w, "medical_red_flags", "flag").get(flag)
    if example:
        families[f"{flag}.card"] = (example,)
    family = rng.choice(sorted(families))
    ctx = g.context(cell, session=None)
    values = w.values(ctx, g.zone_style())
    flag_name = flag.replace("_", " ")
    values.update({"flag": flag_name, "flag_phrase": w.facts.contract.red_flag_phrase[flag_name],
                   "severity": w.facts.contract.red_flag_severity[flag_name],
                   "day": rng.choice(w.banks.lists["days"]), "body_part": rng.choice(w.banks.lists["body_parts"])})
    user, variant = g.user_from(families[family], values)
    message = g.message(cell.persona, "med", values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    return Draft("medical_red_flag", f"medical_red_flag/{family}", ctx, user,
                 answer("medical_red_flag", "SafetyWarning", message, w.cards_present("josi_contract", "zone_physiology"),
                        guardrail="medical_red_flag"), zone, kind=flag, style=variant)


# ---- life events -> replan request ----------------------------------------------------------

EVENTS_PER_FAMILY = 8  # life events of one type share a family (and a split) in runs of eight


def replan(g: Gen, cell: Cell, *, history: tuple = (), ctx=None, rtype: str | None = None) -> Draft:
    """A life event and its replan request, whose reason keeps the event's facts (day, place, body
    part, illness): the bank holds each user text with its reason, written from the same slots."""
    w, rng = g.world, g.rng
    types = list(w.facts.contract.replan_types)
    rtype = rtype or cell.cycle(types)
    events = g.banks.replan_events.get(rtype, ())
    if not events:
        raise Unusable(f"no life events of type {rtype} in the bank")
    index = rng.randrange(len(events))
    user_template, reason_template = events[index]
    family = f"{rtype}.events{index // EVENTS_PER_FAMILY}"
    ctx = ctx or g.context(cell, session=None)
    values = w.values(ctx, g.zone_style())
    day, day2 = rng.sample(w.banks.lists["days"], 2)
    values.update({"day": day, "day2": day2, "place": rng.choice(w.banks.lists["places"]),
                   "niggle": rng.choice(w.banks.lists["niggles"]), "rtype": rtype})
    user, variant = noise.vary(render(user_template, values), rng, g.banks.noise)
    reason = render(reason_template, values)
    # a fact the user text does not name is no fact of this event: "your quad" after "last van mijn rechterknie"
    for key in ("day", "day2", "place", "niggle"):
        if "{" + key + "}" not in user_template:
            values[key] = None
    message = g.message(cell.persona, "rp", values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    request = {"type": rtype, "reason": reason[:200], "readiness_at_request": ctx.readiness.level}
    return Draft("replan", f"replan/{family}", ctx, user,
                 answer("replan", "QuestionAnswer", message, w.cards_present("josi_contract"), replan=request),
                 zone, kind=rtype, style=variant)


# ---- I6: requests to create, change, prescribe or override -> refusal ----------------------

def i6_values(g: Gen, values: dict[str, Any], ctx) -> dict[str, Any]:
    w, rng = g.world, g.rng
    s = ctx.planned_session
    others = [z for z in w.zones if s is None or z != s.zone]
    higher = [z for z in w.zones if s is not None and w.index(z) > w.index(s.zone)]
    lower = [z for z in w.zones if s is not None and w.index(z) < w.index(s.zone)]
    style = "code" if str(values.get("cap", "")).startswith("Z") else "word"
    above_cap = [z for z in w.zones if not w.facts.zone_allowed(z, ctx.readiness.level)]
    shorter = list(range(15, s.duration_min - 9, 5)) if s else []
    values.update({
        "above_cap": w.zone_text(rng.choice(above_cap), style) if above_cap else None,
        "shorter_min": rng.choice(shorter) if shorter else None,
        "other_zone": w.zone_text(rng.choice(higher or others), style),
        "lower_zone": w.zone_text(rng.choice(lower), style) if lower else None,
        "weeks": rng.choice((8, 10, 12, 16, 20)), "minutes": rng.choice((30, 45, 60, 75, 90)),
        "reps": rng.choice((3, 4, 5, 6, 8, 10)), "day": rng.choice(w.banks.lists["days"]),
    })
    return values


# What a request presumes about the day: dropping intervals needs a session that has hard work in
# it (never on a red day, whose cap keeps sessions easy); every other kind fits any day.
NEEDS_HARD_SESSION = ("drop_intervals",)


def i6_kinds(w: World, level: str) -> list[str]:
    kinds = [k for k, expected in w.facts.contract.i6_request_kinds.items() if expected == "blocked"]
    hard_allowed = any(w.band(z) != "easy" and w.facts.zone_allowed(z, level) for z in w.zones)
    return [k for k in kinds if hard_allowed or k not in NEEDS_HARD_SESSION]


def i6_refusal(g: Gen, cell: Cell) -> Draft:
    w, rng = g.world, g.rng
    kind = cell.cycle(i6_kinds(w, cell.level))
    families = _families(g, "i6_refusal", [kind])
    example = card_examples(w, "i6_request_kinds", "kind").get(kind)
    if example:
        families[f"{kind}.card"] = (example,)
    family = rng.choice(sorted(families))
    if kind in NEEDS_HARD_SESSION:
        ctx = g.context(cell, session=True, band=rng.choice(("tempo", "high")))
    else:
        session = False if kind == "skip_rest_day" and rng.random() < 0.5 else rng.random() < 0.88
        ctx = g.context(cell, session=session)
    values = i6_values(g, w.values(ctx, g.zone_style()), ctx)
    values["kind"] = kind
    user, variant = g.user_from(families[family], values, framed=True)
    message = g.message(cell.persona, "i6", values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    return Draft("i6_refusal", f"i6_refusal/{family}", ctx, user,
                 answer("blocked", "Decline", message, w.cards_present("josi_contract"), guardrail="i6_violation"),
                 zone, kind=kind, style=variant)


# ---- plan questions that look like pressure but are questions: always answered ------------

def _applies(topic: str, w: World, ctx) -> bool:
    s, level = ctx.planned_session, ctx.readiness.level
    band = w.band(s.zone) if s else None
    return {
        "why_easy": band == "easy",
        "why_hard": band in ("tempo", "high"),
        "why_cap": level != "green",
        "why_rest": s is None,
        "why_long": s is not None and s.duration_min >= 60,
        "why_short": s is not None and s.duration_min < 60,
        "why_phase": s is not None,
        "feel_great": level != "green",
        "feel_tired": level == "green",
        "feel_sore": s is not None,  # ordinary muscle soreness: answered, unlike a sore Achilles (replan) or sharp pain (medical)
        "why_structure": s is not None and " x " in s.structure,
        "who_decides": True,
    }.get(topic, False)


def plan_question(g: Gen, cell: Cell) -> Draft:
    w, rng = g.world, g.rng
    ctx = g.context(cell, session=None)
    families = [f for f in g.families("plan_question") if _applies(f.split(".")[0], w, ctx)]
    if not families:
        raise Unusable("no plan question fits this context")
    family = rng.choice(families)
    topic = family.split(".")[0]
    values = w.values(ctx, g.zone_style())
    values.update({"topic": topic, "other_zone": None})
    values = i6_values(g, values, ctx)
    user, variant = g.user("plan_question", family, values, framed=True)
    message = g.message(cell.persona, "pq", values)
    zone = ctx.planned_session.zone if ctx.planned_session else None
    cards = w.cards_present("josi_explanations", "load_monitoring", "periodization")
    return Draft("plan_question", f"plan_question/{family}", ctx, user,
                 answer("question", "QuestionAnswer", message, cards), zone, kind=topic, style=variant)
