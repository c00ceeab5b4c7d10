"""Minimum dose: the work a planned session accumulates in its own zone, against the session_rules card.

A session's zone is its key zone: the highest zone in which it accumulates that zone's minimum dose
(session_rules, table `min_dose`; warm-up, cool-down and the recoveries between repeats do not count).
"Z2 with 6 x 20 s Z7" holds two minutes of Z7, under Z7's three, so it is a Z2 session with short
touches of Z7, not a Z7 session; "easy Z2 30 min" is under Z2's forty. Gold contexts (`josi gold
check`) and generated sessions are held to it.

How the work is read from the structure text: for an easy zone (R, Z1, Z2) the session's minutes
less the warm-up and cool-down the text names ("10 min warm-up"); for a quality zone the repeats
("4 x 5 min Z4", "8 x 10 s sprints"; a count and a duration, times the sets), else the minutes the text gives next
to the zone code ("20 min Z3", "Z3 tempo 25 min"), else the minutes less warm-up and cool-down.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.cards import default_cards
from josi.core.context import PlannedSession
from josi.core.facts import facts

REPEATS = re.compile(r"(\d+)\s*(?:x|×)\s*(\d+(?:\.\d+)?)\s*(min|s|sec)\b", re.IGNORECASE)
SETS = re.compile(r"(\d+)\s+sets\s+of\b", re.IGNORECASE)
BLOCK = re.compile(r"(?:(\d+)\s*min\s+(?:warm-?up|cool-?down))|(?:(?:warm-?up|cool-?down)\s+(\d+)\s*min)", re.IGNORECASE)


@lru_cache(maxsize=1)
def min_dose() -> dict[str, float]:
    """zone -> the smallest worthwhile accumulated minutes in it (session_rules card, table min_dose)."""
    card = default_cards().get("session_rules")
    table = card.tables.get("min_dose") if card else None
    return {row["zone"]: float(row["min_minutes"]) for row in table.rows} if table else {}


def work_minutes(session: PlannedSession) -> float:
    """The minutes of work the session accumulates in its own zone (see the module docstring)."""
    text = session.structure
    blocks = sum(int(a or b) for a, b in BLOCK.findall(text))
    if facts().zones[session.zone].index > facts().zones["Z2"].index:
        repeats = REPEATS.findall(text)
        if repeats:  # "3 sets of 13 x 30 s on and 15 s off": the sets multiply the repeats
            sets = SETS.search(text)
            per_set = sum(int(n) * float(d) / (1 if unit.lower() == "min" else 60) for n, d, unit in repeats)
            return per_set * (int(sets.group(1)) if sets else 1)
        code = re.escape(session.zone)
        stated = re.search(rf"(\d+)\s*min\s+{code}\b|\b{code}\b(?:\s+[a-z-]+)?\s+(\d+)\s*min", text, re.IGNORECASE)
        if stated:
            return float(stated.group(1) or stated.group(2))
    return float(max(session.duration_min - blocks, 0))


def dose_problem(session: PlannedSession | None) -> str | None:
    """Why the session is below its zone's minimum dose, or None when it is not (or there is no session)."""
    if session is None or session.zone not in min_dose():
        return None
    work, needed = work_minutes(session), min_dose()[session.zone]
    if work >= needed:
        return None
    return (f"planned session {session.structure!r} holds {work:g} min of work in {session.zone}, under its "
            f"minimum dose of {needed:g} min (session_rules min_dose): give it the work its zone needs, or the zone its work reaches")
