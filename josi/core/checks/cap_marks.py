"""The message as the learned readiness judge reads it: every zone it names marked as above or within the day's cap.

Whether "Z3" or "tempo" is wrong depends on the day (red caps at Z2, amber at Z5: load_monitoring card), which a bag of
words cannot see. Marked, "a few minutes in Z3 won't hurt" reads the same on every day whose cap Z3 breaks
("a few minutes in zabove won't hurt"), so a classifier can learn the wording around a zone above the cap, the
endorsements, asides and permissions no phrase list anticipated, from the calibration lines of every day at once. Zone
codes, zones in words, labels and effort words are replaced by their mark; a sentence that names work above the cap in
any other way the rules read (a share of FTP or HRmax, an RPE, a talk-test feel, the athlete's own beats or watts) is
prefixed with the mark. A green day has no cap, and a message that talks of no effort names no work: None.

Place in the pipeline: core, below every stage; imports only josi.core (the gating rules' own readers of zones).
"""
from __future__ import annotations

import re

from josi.core.checks.base import Case
from josi.core.checks.gating import NUMBER_WORDS, ZONE_IN_WORDS, above_cap, mention_patterns
from josi.core.checks.clauses import sentences
from josi.core.checks.intensity import Anchors
from josi.core.facts import facts, zone_code_pattern

ABOVE, WITHIN = "zabove", "zwithin"
# The learned judge reads only messages that talk about effort at all: "Honestly, Sander, what's the question?" on a red
# day names no work, and read anyway it scored 0.57, above the threshold.
TALKS_EFFORT = re.compile(r"\b(?:zabove|zwithin|hard|push|fast|quick|surge|effort|pace|speed|intens|race|racing|sprint|burst|attack|"
                          r"go\b|going|goes|went|spin|ride|rid|run|jog|interval|rep|hill|climb|power|watt|heart|bpm|ftp|rpe|lthr|"
                          r"zone|sentence|breath|talk|legs|gas|tank|burn|kick|finish|pick|spell|block|sets?\b|session|workout|"
                          r"minute|second)", re.IGNORECASE)


def cap_marked(message: str, case: Case) -> str | None:
    f = facts()
    level = case.context.readiness.level
    cap = f.cap_index(level)
    if cap >= max(zone.index for zone in f.zones.values()):
        return None
    anchors = Anchors.of(" ".join(case.athlete_messages))

    def mark(index: int) -> str:
        return ABOVE if index > cap else WITHIN

    marked = [f"day{level}"]
    for sentence in sentences(message):
        above = bool(above_cap(sentence, cap, anchors))
        text = zone_code_pattern(f).sub(lambda m: mark(int(m.group(1))), sentence)
        text = ZONE_IN_WORDS.sub(lambda m: mark(NUMBER_WORDS[m.group(1).lower()]), text)
        for index, pattern in mention_patterns():
            text = pattern.sub(mark(index), text)
        marked.append(f"{ABOVE}line {text}" if above and ABOVE not in text else text)
    text = re.sub(r"\s+", " ", " ".join(marked))
    return text if TALKS_EFFORT.search(text.removeprefix(f"day{level}")) else None
