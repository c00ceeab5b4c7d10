"""Everything the generator knows, read from the cards: zones, caps, modifiers, formats, phases.

`World` is built once per build from the loaded cards (never from constants in code) and samples
realistic ChatContexts: readiness state matching its level, a profile, and a planned session that
never exceeds the day's cap nor the athlete's level and age limits from the `modifiers` card.

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Mapping

from josi.core.context import SPORTS, ChatContext, PlannedSession, Profile, ReadinessToday, Turn, chat_context_schema
from josi.data.banks import Banks
from josi.core.facts import Facts
from josi.core.cards import Card, Table

ACTIVITY = {"running": ("run", "running"), "cycling": ("ride", "riding")}
ACTIVITY_NL = {"running": "loop", "cycling": "rit"}  # the noun a Dutch athlete uses for today's session
RANGE = re.compile(r"(\d+) to (\d+) min")
REPS = re.compile(r"(\d+) x (\d+) (min|s)\b")
REST = re.compile(r",\s*(\d+)(?: to (\d+))? min (?:easy|between)")


def strip_period(text: str) -> str:
    return text.strip().rstrip(".").strip()


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def span(low: Any, high: Any) -> str | None:
    if low is None or high is None:
        return None
    low_text, high_text = (f"{v:g}" if isinstance(v, float) else str(v) for v in (low, high))
    return low_text if low_text == high_text else f"{low_text} to {high_text}"


@dataclass(frozen=True)
class World:
    facts: Facts
    cards: Mapping[str, Card]
    banks: Banks

    # ---- card access -------------------------------------------------------------------------
    def table(self, card: str, table: str) -> Table | None:
        c = self.cards.get(card)
        return c.tables.get(table) if c else None

    def rows(self, card: str, table: str) -> tuple[Mapping[str, Any], ...]:
        t = self.table(card, table)
        return t.rows if t else ()

    def by(self, card: str, table: str, key: str) -> Mapping[Any, Mapping[str, Any]]:
        t = self.table(card, table)
        return t.by(key) if t else {}

    def keyed(self, card: str, table: str) -> dict[str, Any]:
        """Tables of key/value rows (taper, modifiers_running) as a dict."""
        return {row["key"]: row["value"] for row in self.rows(card, table)}

    def cards_present(self, *ids: str) -> list[str]:
        return [i for i in ids if i in self.cards][:3]

    # ---- vocabularies ------------------------------------------------------------------------
    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(self.facts.zones)

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(self.facts.readiness)

    @property
    def personas(self) -> tuple[str, ...]:
        return tuple(self.facts.personas)

    @property
    def athlete_levels(self) -> tuple[str, ...]:
        return tuple(chat_context_schema(self.facts)["properties"]["profile"]["properties"]["level"]["enum"])

    @property
    def phases(self) -> tuple[str, ...]:
        session = chat_context_schema(self.facts)["properties"]["planned_session"]["oneOf"][1]
        return tuple(session["properties"]["phase"]["enum"])

    def index(self, zone: str) -> int:
        return self.facts.zones[zone].index

    def band(self, zone: str) -> str:
        bands = self.by("periodization", "zone_bands", "zone")
        if zone in bands:
            return bands[zone]["band"]
        return "easy" if self.index(zone) <= 2 else ("tempo" if self.index(zone) == 3 else "high")

    def states(self, level: str) -> tuple[str, ...]:
        return tuple(s for s, lvl in self.facts.readiness_states.items() if lvl == level)

    def session_limit(self, profile: Profile, level: str) -> int:
        """Highest zone index the engine could plan: readiness cap, athlete level and age band."""
        limit = self.facts.cap_index(level)
        level_row = self.by("modifiers", "levels", "level").get(profile.level)
        if level_row and level_row.get("max_zone") in self.facts.zones:
            limit = min(limit, self.index(level_row["max_zone"]))
        if profile.age is not None:
            for band in self.rows("modifiers", "age_bands"):
                if band["age_low"] <= profile.age <= band["age_high"] and band["max_zone"] in self.facts.zones:
                    limit = min(limit, self.index(band["max_zone"]))
        return limit

    def goal_long_session(self, profile: Profile) -> int:
        """The longest session the athlete's goal asks for (goal_demands `long_session_min`): a 5k plan's sessions
        stay within its 50-minute long run; a goal the card does not list sets no limit."""
        row = self.by("goal_demands", "goals", "goal").get((profile.goal or "").replace(" ", "_"), {})
        return int(row["long_session_min"]) if row.get("long_session_min") else 10_000

    def goals_for(self, sport: str) -> list[str]:
        return [row["goal"] for row in self.rows("goal_demands", "goal_profile") if sport in row["sport_list"]]

    # ---- sampling ----------------------------------------------------------------------------
    def profile(self, rng: random.Random, sport: str | None = None, *, age: bool | None = None,
                level: str | None = None) -> Profile:
        sport = sport or rng.choice(SPORTS)
        names = self.banks.lists.get("names", ())
        name = rng.choice(names) if names and rng.random() < 0.72 else None
        if age is None:
            age = rng.random() < 0.75
        years = rng.choice((rng.randint(16, 39), rng.randint(40, 59), rng.randint(60, 79))) if age else None
        goals = self.goals_for(sport)
        goal = rng.choice(goals).replace("_", " ") if goals and rng.random() < 0.7 else None
        level = level or rng.choices(self.athlete_levels, weights=[2, 2.5, 3, 1.7, 0.8][: len(self.athlete_levels)])[0]
        return Profile(sport=sport, level=level, name=name, age=years, goal=goal)

    def readiness(self, rng: random.Random, level: str, confidence: float | None = None) -> ReadinessToday:
        if confidence is None:
            confidence = round(rng.uniform(0.3, 0.95), 2)
        return ReadinessToday(level=level, state=rng.choice(self.states(level)), confidence=confidence)

    def session(self, rng: random.Random, profile: Profile, level: str, zone: str | None = None,
                band: str | None = None, phase: str | None = None) -> PlannedSession | None:
        limit = self.session_limit(profile, level)
        allowed = [z for z in self.zones if self.index(z) <= limit]
        phase = phase or rng.choice(self.phases)
        if phase == "recovery":
            allowed = [z for z in allowed if self.band(z) == "easy"]
        if band:
            allowed = [z for z in allowed if self.band(z) == band]
        if zone is not None:
            allowed = [z for z in allowed if z == zone]
        if not allowed:
            return None
        if zone is None:
            weight = {"easy": 3.0, "tempo": 1.3, "high": 1.0}
            zone = rng.choices(allowed, weights=[weight.get(self.band(z), 1.0) for z in allowed])[0]
        longest = min(self.facts.readiness[level].max_session_min, self.goal_long_session(profile))
        for _ in range(8):  # a long format on a red day is drawn again, never cut to a mismatching text
            structure, duration = self.realise(rng, zone, profile.sport)
            # periodization: a recovery phase is "mostly easy, short, unstructured", so never a long session
            if duration <= longest and not (phase == "recovery" and "long" in structure):
                break
        else:
            return None
        return PlannedSession(sport=profile.sport, zone=zone, duration_min=duration, structure=structure, phase=phase)

    def realise(self, rng: random.Random, zone: str, sport: str) -> tuple[str, int]:
        """A session format from the session_variety card made concrete: structure text and minutes."""
        formats = self.by("session_variety", "formats", "zone").get(zone)
        fmt = rng.choice(formats["format_list"]) if formats else f"steady {zone}"
        warm = self.by("session_rules", "warmup_cooldown", "zone").get(zone, {})
        extra = (warm.get("warmup_min") or 0) + (warm.get("cooldown_min") or 0)
        min_dose = self.by("session_rules", "min_dose", "zone").get(zone, {}).get("min_minutes") or 20
        reps = REPS.search(fmt)
        ranged = RANGE.search(fmt)
        if ranged and not reps:
            low, high = int(ranged.group(1)), int(ranged.group(2))
            work = rng.choice(range(low - low % 5, high + 1, 5) or (low,))
            fmt = fmt.replace(ranged.group(0), f"{work} min")
        elif reps:
            count, on, unit = int(reps.group(1)), int(reps.group(2)), reps.group(3)
            rest = REST.search(fmt)
            off = int(rest.group(2) or rest.group(1)) if rest else 1
            work = count * ((on if unit == "min" else on / 60) + off)
            sets = re.search(r"(\d+) sets", fmt)
            if sets:
                work = int(sets.group(1)) * count * (on + 15) / 60 + 3 * int(sets.group(1))
        elif "long" in fmt:
            work = rng.choice(range(90, 181, 15) if sport == "cycling" else range(75, 121, 15))
        else:
            work = min_dose + rng.choice((0, 10, 20, 30))
        duration = int(5 * round((work + extra) / 5))
        return fmt[:80], max(duration, min_dose, 5)

    def context(self, rng: random.Random, persona: str, level: str, *, session: bool | None = True,
                zone: str | None = None, band: str | None = None, phase: str | None = None,
                profile: Profile | None = None, history: tuple[Turn, ...] = ()) -> ChatContext | None:
        """A consistent ChatContext; None when the requested session cannot exist on this day."""
        profile = profile or self.profile(rng)
        planned = None
        if session is None:
            session = rng.random() < 0.85
        if session:
            planned = self.session(rng, profile, level, zone=zone, band=band, phase=phase)
            if planned is None:
                return None
        return ChatContext(persona=persona, readiness=self.readiness(rng, level), profile=profile,
                           planned_session=planned, history=history)

    # ---- values for templates ----------------------------------------------------------------
    def zone_text(self, zone: str, style: str) -> str:
        if zone == "R":
            return "zone R"
        return zone if style == "code" else f"zone {zone[1:]}"

    def zone_values(self, zone: str, style: str, prefix: str = "") -> dict[str, Any]:
        z = self.facts.zones[zone]
        systems = self.by("energy_systems", "zone_systems", "zone").get(zone, {})
        physiology = self.by("zone_physiology", "zones", "zone").get(zone, {})
        v = {
            "zone": self.zone_text(zone, style),
            "zone_code": zone,  # no template says it: Gen.voiced finds the persona's wordings of this zone by it
            "plain_purpose": strip_period(z.plain_purpose),
            "plain_purpose_lc": lower_first(strip_period(z.plain_purpose)),
            "purpose": strip_period(z.purpose),
            "feel": strip_period(physiology.get("feel") or "") or None,
            "talk_test": strip_period(z.talk_test),
            "rpe": span(*z.rpe),
            "focus_cue": strip_period(z.focus_cue),
            "focus_cue_lc": lower_first(strip_period(z.focus_cue)),
            "label": lower_first(z.label),
            "band": self.band(zone),
            "system": (systems.get("primary_system") or "").replace("_", " ") or None,
            "hr_range": span(*z.hrmax_pct),
            "power_range": span(*z.power_ftp_pct),
        }
        return {prefix + key: value for key, value in v.items()}

    def values(self, ctx: ChatContext, style: str) -> dict[str, Any]:
        p, r, s = ctx.profile, ctx.readiness, ctx.planned_session
        state_row = self.by("load_monitoring", "readiness_states", "state").get(r.state, {})
        v: dict[str, Any] = {
            "name": p.name, "age": p.age, "sport": p.sport, "goal": p.goal, "athlete_level": p.level,
            "activity": ACTIVITY[p.sport][0], "activity_ing": ACTIVITY[p.sport][1], "activity_nl": ACTIVITY_NL[p.sport],
            "level": r.level, "cap": self.zone_text(self.facts.cap(r.level), style),
            "state": r.state.replace("_", " "),
            "state_code": r.state,  # no template says it: Gen.voiced finds the persona's wordings of the state by it
            "state_meaning": lower_first(strip_period(state_row.get("meaning", ""))) or None,
            "conf": f"{r.confidence:.2f}", "conf_pct": f"{round(r.confidence * 100)}",
            "conf_band": self.facts.confidence_band(r.confidence),
            "session_state": "session" if s else "rest",
        }
        if s:
            v.update(self.zone_values(s.zone, style, prefix="s_"))
            phase_row = self.by("periodization", "phases", "phase").get(s.phase, {})
            v.update({
                "duration": s.duration_min, "structure": s.structure, "phase": s.phase,
                "phase_purpose": strip_period(phase_row.get("purpose", "")) or None,
                "s_zone_band": self.band(s.zone),
            })
        return v
