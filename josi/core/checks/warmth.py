"""Persona-aware warmth: VADER compound sentiment against a per-persona floor derived from gold.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Mapping

from josi.core.checks.base import Case, Finding, Response
from josi.core.contract.decision import GUARDRAILS


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


def warmth(response: Response, case: Case, floors: Mapping[str, float]) -> Finding:
    if case.expect in GUARDRAILS:
        return Finding.skip("warmth", "refusals and safety warnings are judged on their decision, not tone")
    floor = floors.get(case.context.persona)
    if floor is None:
        return Finding.skip("warmth", f"no warmth floor for persona {case.context.persona}")
    score = warmth_score(response.message)
    return Finding("warmth", score >= floor, detail=f"compound {score:.2f}, floor {floor:.2f}")
