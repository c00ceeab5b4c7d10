"""The bar every generated target must clear: the same checks as gold (josi.core.gold.record_problems),
the decision checks of the evals, plus generator-specific rules of the contract card: a message
never claims Josi changed the plan, a refusal offers to explain instead, and a replan reason keeps
the facts of the athlete's words (every day, place and body part of the phrasing banks' lists that
the user text names).

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from josi.core.checks import Case, parse_response
from josi.core.checks.clauses import sentences
from josi.core.checks.gating import NUMBER_WORDS, ZONE_IN_WORDS
from josi.core.checks.numbers import numbers_in, spelled_in
from josi.core.checks.prescribing import claims_change
from josi.core.checks.registry import DECISION, GOLD_BAR
from josi.core.facts import facts, zone_code_pattern

OFFERS_EXPLANATION = re.compile(r"\b(explain\w*|(?:walk|talk|take|go) (?:you |it )?through|break (?:\w+ )?down|why|"
                                r"reason\w*|the thinking)\b", re.IGNORECASE)


def problems_of(context: Any, user: str, answer: dict[str, Any], expect: str) -> list[str]:
    """Problems of one (context, user, answer); an empty list means it may be a training target."""
    f = facts()
    case = Case(id="candidate", context=context, user=user, expect=expect)
    response = parse_response(answer)
    problems = []
    for check in GOLD_BAR + DECISION:
        finding = check(response, case)
        if finding.applicable and not finding.passed:
            problems.append(f"{finding.check}: {finding.detail}")
    session = context.planned_session
    if session and not f.zone_allowed(session.zone, context.readiness.level):
        problems.append(f"session_cap: planned {session.zone} exceeds the {context.readiness.level} cap")
    if f.readiness_states.get(context.readiness.state) != context.readiness.level:
        problems.append(f"readiness_state: {context.readiness.state} does not belong to {context.readiness.level}")
    message = response.message
    claimed = claims_change(response, case)  # the eval judge itself: one home for "Josi never claims a change"
    if not claimed.passed:
        problems.append(f"claims_change: {claimed.detail}")
    if expect == "refuse" and not OFFERS_EXPLANATION.search(message):
        problems.append("refusal_offer: a refusal must offer to explain today's session")
    request = answer.get("replan_request") or {}
    lost = lost_facts(user, str(request.get("reason", ""))) if request else []
    if lost:
        problems.append(f"reason_keeps_facts: the reason drops {', '.join(lost)}")
    for turn in context.history:
        if turn.role == "assistant" and turn.content.lstrip().startswith("{"):
            problems.append("history_json: assistant history turns hold the plain message text")
    return problems


def lost_facts(user: str, reason: str) -> list[str]:
    """The days, places and body parts the user text names that the replan reason drops: the routing check's
    rule (josi.core.checks.replan_facts), with the phrasing banks' own days, places and body parts added."""
    from josi.core.checks.replan_facts import dropped_facts
    from josi.data.banks import default_banks

    lists = default_banks().lists
    return dropped_facts(user, reason, (v for key in ("days", "places", "niggles", "body_parts") for v in lists.get(key, ())))


# "make the intervals easier" presumes today has intervals; only a request to add them does not.
TODAYS_REPS = re.compile(r"\b(?:the|today'?s|these|my|this session'?s)\s+(?:intervals?|reps|repeats|sprints|efforts)\b",
                         re.IGNORECASE)


# A runner's session is no ride and a cyclist's no run: the words that name an athlete's own session, saddle or
# kit by the other sport ("add sprints to today's ride" from a runner). General comparisons ("runs than rides",
# "running or cycling") and a hotel treadmill are not the athlete's session.
_OWN = r"(?:today'?s|the|my|this|tomorrow'?s|\w+day'?s|group|long|easy|hot|club|next|weekend)\s+"
OTHER_SPORTS_SESSION = {
    "running": re.compile(rf"\b{_OWN}(?:ride|spin)s?\b|\b(?:on|off|the|my|no)\s+(?:the\s+)?bike\b|\bride steady\b|\bsaddle\b|"
                          r"\bturbo\b|\bfiets\w*|"
                          r"\b(?:de|mijn|deze|die|een)\s+rit(?:je)?\b|\bwielren\w*", re.IGNORECASE),
    "cycling": re.compile(rf"\b{_OWN}(?:run|jog)s?\b|\brunning hurts\b|\bno running for\b|\bcan i (?:still |nog steeds )?run\b|"
                          r"\bgaan lopen\b|\bhardlo\w*|"
                          r"\b(?:de|mijn|deze|die|een)\s+loop(?:je)?\b|\bloop(?:schoenen|kleren)\b", re.IGNORECASE),
}


def fits_context(draft) -> str | None:
    """Why the user text presumes something the context does not have (None when it fits)."""
    session = draft.context.planned_session
    if draft.kind != "add_intervals" and TODAYS_REPS.search(draft.user) and (session is None or " x " not in session.structure):
        return "the user text speaks of today's intervals, the planned session has none"
    other = OTHER_SPORTS_SESSION.get(draft.context.profile.sport)
    if other and (match := other.search(draft.user)):
        return f"the user text names the athlete's session by another sport ({match.group(0)!r}), the athlete does {draft.context.profile.sport}"
    return None


def normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@lru_cache(maxsize=1)
def gate_case_texts() -> frozenset[str]:
    """The user texts of the gate's case files: the gate must judge inputs the model never trained on."""
    from josi.core.io import read_jsonl
    from josi.core.paths import CASES_DIR

    return frozenset(normalised(str(case.get("user", ""))) for path in sorted(CASES_DIR.glob("*.jsonl"))
                     for _, case in read_jsonl(path))


ZONE_R = re.compile(r"\bzone\s+R\b|\bR\s+zone\b", re.IGNORECASE)
MINUTES_ASKED = re.compile(r"\b(\d+)[\s-]*(?:min\b|mins\b|minutes?\b|minuten\b|minute\b)", re.IGNORECASE)


def zones_named(text: str) -> set[int]:
    """Zone indices a text names as a zone (R is 0): codes and "zone four", not effort words."""
    found = {int(m.group(1)) for m in zone_code_pattern(facts()).finditer(text)}
    found |= {NUMBER_WORDS[m.group(1).lower()] for m in ZONE_IN_WORDS.finditer(text)}
    return found | ({0} if ZONE_R.search(text) else set())


def addresses_question(draft) -> str | None:
    """Why an answered question's answer does not answer it (None when it does): the zone the athlete asks about
    ("why is today only Z2?") and the minutes they ask about ("why 40 minutes?") are named in the answer, as
    digits or words. Refusals, replans, warnings and clarifying questions answer something else by design."""
    if draft.expect != "answer":
        return None
    asked = zones_named(draft.user)
    if asked and not asked & zones_named(draft.message):
        return f"the athlete asks about zone(s) {sorted(asked)} and the answer names none of them"
    # minutes inside a question ("why 40 minutes?"), not minutes reported beside one ("a 75 minute long run. Review?")
    minutes = {float(m.group(1)) for sentence in sentences(draft.user) if sentence.rstrip().endswith("?")
               for m in MINUTES_ASKED.finditer(sentence)}
    if minutes and not minutes & (numbers_in(draft.message) | spelled_in(draft.message)):
        return f"the athlete asks about {', '.join(f'{n:g}' for n in sorted(minutes))} minutes and the answer does not say them"
    return None


def target_problems(draft) -> list[str]:
    problems = problems_of(draft.context, draft.user, draft.answer, draft.expect)
    misfit = fits_context(draft)
    if misfit:
        problems.append(f"fits_context: {misfit}")
    unanswered = addresses_question(draft)
    if unanswered:
        problems.append(f"addresses_question: {unanswered}")
    if normalised(draft.user) in gate_case_texts():
        problems.append("gate_case_text: the user text is one of the gate's case texts")
    return problems


def check_name(problem: str) -> str:
    return problem.split(":", 1)[0]
