"""No readiness signal the context lacks: the context gives the readiness level, state and confidence, never
the athlete's sleep, heart-rate variability or resting heart rate (josi_contract card, "Facts and numbers").

A sentence states a signal as this athlete's fact when it is about the athlete ("you", "your", "today",
"this morning") and either gives the signal a predicate ("your sleep and morning heart rate are all pointing
the same way", "you slept well") or a state ("decent sleep", "a raised morning heart rate", "HRV near
baseline", "resting heart rate normal"). What readiness reads in general ("it combines sleep, morning heart
rate and recent training", "signals such as HRV"), what a state usually looks like ("often", "typically",
"can"), a condition ("if your sleep was short"), a question and advice ("protect your sleep") state nothing.
A signal the athlete named (in the user text or the history) may be talked about.

Place in the pipeline: core, below every stage; imports only josi.core. The signal words are the contract
card's `readiness_signal_words` table. Part of the gold and generation bar (registry.GOLD_BAR), not the gate.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import sentences
from josi.core.facts import facts

ABOUT_THE_ATHLETE = re.compile(r"\b(?:you|your|you'?re|you'?ve|today|this morning|right now)\b", re.IGNORECASE)
# what readiness reads or what a state usually looks like, a condition, a question
GENERAL = re.compile(r"\b(?:can|could|may|might|will|would|often|typically|usually|tends?|generally|such as|like|e\.g\.|for example|"
                     r"if|when|whether|unless|reads?|looks? at|watch(?:es)?|combines?|includes?|based on|things like|comes? from|"
                     r"pulls? from|draws? on|built from|made from)\b|\?\s*$",
                     re.IGNORECASE)
# Clauses joined by a conjunction after a comma, or by a semicolon. Not the commas of a list ("your sleep, morning
# heart rate and recent training are all pointing the same way"), and not a colon, whose elaboration is about
# whom the clause before it is ("your signals sit at baseline: HRV where it should be").
CLAUSE_BREAK = re.compile(r",\s*(?:and|but|so|yet|while|which)\b|;", re.IGNORECASE)
PREDICATE = (r"(?:is|are|was|were|has|have|had|looks?|looked|points?|pointing|agree|agrees|sits?|sat|came|moved|dropped|"
             r"rose|shows?|showed|stayed|seems?)")
# a value observed ("decent sleep", "a raised morning heart rate"); not advice ("good sleep helps") or a cause ("poor sleep")
STATE = r"(?:raised|higher|elevated|lower|reduced|poorer|disturbed|weaker|shorter|broken|decent|adequate|stable|normal)"
POSITION = (r"(?:(?:below|near|above|under|over|back to|at or above|at)\s+(?:your\s+|its\s+|the\s+)?(?:own\s+)?"
            r"(?:baseline|normal|usual)|normal\b|adequate\b|where it should be)")


@lru_cache(maxsize=1)
def patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(any signal word, a signal word stated as the athlete's fact), from the card's readiness_signal_words."""
    words = sorted(facts().contract.readiness_signal_words, key=len, reverse=True)
    word = "(?:" + "|".join(re.escape(w) for w in words) + ")"
    stated = re.compile(
        rf"\byour\s+(?:\w+\s+){{0,2}}?{word}\b(?:[^.;:!?]{{0,50}}?)\b{PREDICATE}\b"  # your sleep ... are pointing
        rf"|(?<!how )\byou(?:'ve| have)?\s+(?:\w+\s+)?slept\b"  # you slept well; not "how you slept" (what is read)
        rf"|\b{STATE}\s+{word}\b"  # decent sleep, a raised morning heart rate
        rf"|\b{word}\s+(?:is\s+|are\s+|was\s+|sits?\s+|sitting\s+)?{POSITION}\b",  # HRV near baseline
        re.IGNORECASE)
    return re.compile(rf"\b{word}\b", re.IGNORECASE), stated


def signals_named(text: str) -> set[str]:
    """The readiness signals a text names ("I slept badly" names sleep)."""
    words = facts().contract.readiness_signal_words
    any_word, _ = patterns()
    return {words[m.group(0).lower()] for m in any_word.finditer(text or "")}


def unstated_in(message: str, case: Case) -> list[str]:
    named = signals_named(case.user) | {s for turn in case.context.history for s in signals_named(turn.content)}
    _, stated = patterns()
    found = []
    for sentence in sentences(message):
        if GENERAL.search(sentence):
            continue
        # "Heart rate rises with heat, poor sleep and stress, and today you're amber": the athlete is in another clause
        for clause in CLAUSE_BREAK.split(sentence):
            if ABOUT_THE_ATHLETE.search(clause):
                found += [m.group(0) for m in stated.finditer(clause) if not signals_named(m.group(0)) <= named]
    return found


def unstated_signals(response: Response, case: Case) -> Finding:
    missing = no_message("unstated_signals", response)
    if missing:
        return missing
    found = unstated_in(response.message, case)
    return Finding("unstated_signals", not found, detail=", ".join(dict.fromkeys(found)))
