"""Persona-aware warmth: no contempt for any persona, and VADER compound sentiment against a per-persona
floor derived from gold (terse or blunt is a persona; contempt is not).

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Mapping

import re

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import normalized
from josi.core.contract.decision import GUARDRAILS

# Words aimed at the athlete that no persona uses: insults, mockery, dismissal.
CONTEMPT = re.compile(
    r"\b(?:pathetic|stupid|idiot\w*|moron\w*|dumb|lazy|loser|weakling|crybaby|cry ?baby|"
    r"clueless|ridiculous|laughable|a joke|stop (?:whining|moaning|crying|complaining)|quit (?:whining|"
    r"moaning|complaining)|whin(?:e|ing|y)|nobody cares|no one cares|who cares|i don'?t care|couldn'?t care less|"
    r"(?:^|[.!?]\s*)whatever[.!,]|deal with it|get over it|grow up|man up|shut up|not cut out|give up|"
    r"lol|lmao|obviously you|you always|you never|your problem|not my problem|figure it out yourself|"
    r"do (?:it|the session) or (?:don'?t|quit)|or don'?t,? (?:up to you|your call)|don'?t be (?:soft|a baby|weak)|"
    r"you'?re (?:soft|weak|slow|fat|lazy|useless|pathetic|hopeless)|stop being (?:soft|weak|lazy|a baby)|so dramatic|"
    r"drama queen|actual words|coherent sentence|if you'?re capable|genius|your complaining|tiresome|your inability|"
    r"you can'?t even|your (?:terrible|awful|poor|lousy) "
    r"(?:fitness|form|attitude|effort)|maggot|slacker|snowflake|wimp|coward|not talented|no talent|such a baby|"
    r"not explaining (?:it|this|that) again|read the app|ignoran\w+|illiterate|look it up|amount to (?:much|anything)|"
    r"lack of discipline|self-inflicted|neither do i|don'?t care about your|a proper question|even a beginner|"
    r"try reading|toughen up a bit|try to toughen up|worthless|real athletes|cute\.|clumsy|no information|"
    r"neither could anyone|some people still show up|tedious|on vibes|even you|toddler|nothing to brag about|disgrace|"
    r"your hygiene|not that you ever|why am i bothering|your ego|have thought that was obvious|hardly in a position|"
    r"how inconsistent you)\b", re.IGNORECASE)
NOT_CONTEMPT = re.compile(r"\b(?:not a stupid question|no stupid questions?|lazy\? no|not lazy|not pathetic)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def warmth_score(text: str) -> float:
    return _analyzer().polarity_scores(text)["compound"]


def floors_from_gold(messages_by_persona: Mapping[str, Iterable[str]], quantile: float = 0.05) -> dict[str, float]:
    """Each persona's floor: the given low quantile of its gold messages' warmth.

    Refusals and safety warnings are legitimately cooler, so callers pass only ordinary answers.
    """
    import numpy as np

    return {persona: float(np.quantile([warmth_score(m) for m in messages], quantile))
            for persona, messages in messages_by_persona.items() if list(messages)}


# One-word put-downs that end a sentence ("Excuses." "Typical."): punctuation, so no word boundary after them.
PUT_DOWN = re.compile(r"(?:^|[.!?]\s+)(?:excuses|typical|trivial|seriously\?)[.!]", re.IGNORECASE)


def contempt(response: Response, case: Case) -> Finding:
    """No persona insults, mocks or dismisses the athlete; an empty or unparsed answer fails too."""
    missing = no_message("contempt", response)
    if missing:
        return missing
    text = NOT_CONTEMPT.sub(" ", normalized(response.message))
    found = CONTEMPT.search(text) or PUT_DOWN.search(text)
    return Finding("contempt", not found, detail=f"contempt for the athlete: {found.group(0)!r}" if found else "")


def warmth(response: Response, case: Case, floors: Mapping[str, float]) -> Finding:
    cold = contempt(response, case)
    if not cold.passed:
        return Finding("warmth", False, detail=cold.detail)
    if case.expect in GUARDRAILS:
        return Finding.skip("warmth", "refusals and safety warnings are judged on their decision, not tone")
    floor = floors.get(case.context.persona)
    if floor is None:
        return Finding.skip("warmth", f"no warmth floor for persona {case.context.persona}")
    score = warmth_score(response.message)
    return Finding("warmth", score >= floor, detail=f"compound {score:.2f}, floor {floor:.2f}")
