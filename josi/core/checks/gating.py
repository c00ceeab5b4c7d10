"""Readiness gating: the message never suggests or endorses a zone above the day's cap.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response
from josi.core.facts import facts, zone_code_pattern

# A sentence that mentions a high zone only to rule it out or defer it does not endorse it.
NEGATION = re.compile(
    r"\b(no|not|never|don'?t|do not|doesn'?t|isn'?t|aren'?t|won'?t|can'?t|cannot|skip|avoid|without|instead|"
    r"save|later|another day|off the table|wait|until|rather than|below|under|nothing above|none|hold off|"
    r"not today|zero|out of|forbidden|locked|blocked)\b", re.IGNORECASE)
HARD_EFFORT = re.compile(r"\b(go hard|all[- ]out|max(imal)? effort|push (it|hard|through)|sprint(s|ing)?|intervals?)\b", re.IGNORECASE)
SENTENCE = re.compile(r"[^.!?\n]+")


@lru_cache(maxsize=1)
def label_patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """Zone labels from the cards ("Threshold", "VO2max") count as mentions of their zone."""
    patterns = []
    for zone in facts().zones.values():
        if zone.index >= 3:  # labels of easy zones are ordinary words ("recovery", "aerobic")
            patterns.append((zone.index, re.compile(r"\b" + re.escape(zone.label) + r"\b", re.IGNORECASE)))
    return tuple(patterns)


def zone_mentions(sentence: str) -> list[int]:
    """Zone indices mentioned (R=0, Z1=1, ...)."""
    found = [int(m.group(1)) for m in zone_code_pattern(facts()).finditer(sentence)]
    found += [index for index, pattern in label_patterns() if pattern.search(sentence)]
    return found


def readiness_gating(response: Response, case: Case) -> Finding:
    f = facts()
    cap = f.cap_index(case.context.readiness.level)
    problems = []
    for sentence in SENTENCE.findall(response.message):
        if NEGATION.search(sentence):
            continue
        above = [z for z in zone_mentions(sentence) if z > cap]
        if above:
            problems.append(f"Z{max(above)} above cap Z{cap}: {sentence.strip()!r}")
        elif cap <= 2 and HARD_EFFORT.search(sentence):
            problems.append(f"hard effort on a capped day: {sentence.strip()!r}")
    return Finding("readiness_gating", not problems, detail="; ".join(problems))
