"""Template parroting: n-grams repeated inside one answer, and distinct-n across all answers.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

from josi.core.checks.base import Case, Finding, Response

WORD = re.compile(r"[a-z0-9']+")
REPEAT_N = 3
MAX_REPEATS = 2  # a 3-gram may appear twice ("in zone two ... in zone two"); three times is a loop


def ngrams(text: str, n: int) -> list[tuple[str, ...]]:
    words = WORD.findall(text.lower())
    return [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]


def repetition(response: Response, case: Case) -> Finding:
    counts = Counter(ngrams(response.message, REPEAT_N))
    looped = [" ".join(gram) for gram, count in counts.items() if count > MAX_REPEATS]
    return Finding("repetition", not looped, detail=", ".join(looped[:3]))


def distinct_n(messages: Iterable[str], n: int = 2) -> float:
    """Share of unique n-grams across all answers (1.0 = no n-gram reused anywhere)."""
    grams = [gram for message in messages for gram in ngrams(message, n)]
    return len(set(grams)) / len(grams) if grams else 0.0
