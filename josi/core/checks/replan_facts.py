"""A replan reason keeps the athlete's facts: the days, body parts and places their words name.

The engine reads `replan_request.reason`, not the chat, so "Work trip to Madrid, Tuesday to Thursday" passed
on as "travel" loses what it needs. The words are the contract card's `replan_reason_facts` table (days and
body parts, English and Dutch, and decoy phrases that name none); a place is a capitalised word after
in/to/from/at/naar/uit, which also reads a magazine ("featured in Time") as a place: measured on a blind
corpus (evals/judges/routing/replan_reasons.jsonl, docs/evals.md). The routing check
(contract layer) reads it for every replan case, and the generator's bar (josi.data.quality) with the phrasing
banks' own lists added.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from josi.core.facts import facts

PLACE = re.compile(r"\b(?:in|to|from|at|naar|uit)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)")


@lru_cache(maxsize=None)
def word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}(?:s|en)?\b", re.IGNORECASE)  # "two weekends", "beide weekenden"


def named_facts(text: str, extra_words: Iterable[str] = ()) -> list[str]:
    """The card's day and body-part words, the extra words, and the places that `text` names, in that order,
    each spelled as in `text`."""
    table = facts().contract.replan_reason_facts
    for decoy in (word for word, kind in table.items() if kind == "decoy"):  # "on foot" names no foot
        text = word_pattern(decoy).sub(" ", text)
    candidates: dict[str, str] = {}
    for word in (*(word for word, kind in table.items() if kind != "decoy"), *extra_words):
        candidates.setdefault(word.lower(), word)  # "Monday" of a bank is the card's "monday"
    found = [text[m.start():m.start() + len(word)]  # as the athlete spelled it: "Saturday", not the card's "saturday"
             for word, m in ((word, word_pattern(word).search(text)) for word in candidates.values()) if m]
    places = [m.group(1) for m in PLACE.finditer(text) if m.group(1).lower() not in candidates]
    return found + list(dict.fromkeys(places))


def dropped_facts(user: str, reason: str, extra_words: Iterable[str] = ()) -> list[str]:
    """The facts the athlete's words name that the reason leaves out (sorted; empty when it keeps them all)."""
    return sorted((fact for fact in named_facts(user, extra_words) if not word_pattern(fact).search(reason)), key=str.lower)
