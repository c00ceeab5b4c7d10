"""Josi answers in the card's reply language (josi_personas card, "Language": English, whatever the athlete writes).

A text reads as the language whose function words (the card's `language_words` table) it holds most of.
Quoted text ("...", “...”, '...', *...*) is the athlete's own words and is not counted, so "your *rechterknie*"
or "you said 'geen zin'" stays English. A message fails when another language's words outnumber the reply
language's and there are at least two of them (a lone "de" in a Dutch surname decides nothing). The athlete's
language (english, dutch or mixed: neither side has twice the other's words) picks the row of the card's
`reply_language` table.

Place in the pipeline: core, below every stage; imports only josi.core. Part of the gold and generation bar
(registry.GOLD_BAR), not the gate.
"""
from __future__ import annotations

import re
from collections import Counter

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.facts import facts

QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|\*[^*]*\*|(?<!\w)'[^']*'(?!\w)")
WORD = re.compile(r"[a-zà-ÿ]+")


def language_counts(text: str) -> Counter:
    words = WORD.findall(QUOTED.sub(" ", text or "").lower())
    return Counter({language: sum(w in vocabulary for w in words)
                    for language, vocabulary in facts().language_words.items()})


def language_of(text: str) -> str:
    """english, dutch (or another language of the card), or mixed."""
    counts = language_counts(text).most_common()
    (first, top), second = counts[0], (counts[1][1] if len(counts) > 1 else 0)
    if top == 0:
        return "english"
    return first if top >= 2 * second else "mixed"


def wanted_language(user: str) -> str:
    """The language Josi answers in for the athlete's text (the card's reply_language row for its language)."""
    return facts().reply_language.get(language_of(user), "english")


def reads_as_other(message: str, want: str) -> str | None:
    """The language the message reads as, when it is not `want`."""
    counts = language_counts(message)
    other, n = max(((lang, c) for lang, c in counts.items() if lang != want), key=lambda x: x[1], default=(None, 0))
    return other if n >= 2 and n > counts[want] else None


def wrong_language(message: str, user: str) -> str | None:
    """The language the message reads as, when it is not the reply language for the athlete's language."""
    return reads_as_other(message, wanted_language(user))


def reply_language(response: Response, case: Case) -> Finding:
    missing = no_message("reply_language", response)
    if missing:
        return missing
    want = wanted_language(case.user)
    other = reads_as_other(response.message, want)
    return Finding("reply_language", other is None,
                   detail=f"reads as {other}; the personas card says Josi answers in {want}" if other else "")
