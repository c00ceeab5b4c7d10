"""Forbidden engine-internal words and jargon, matched on word boundaries ("exactly" is not "ctl").

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response
from josi.core.facts import facts


@lru_cache(maxsize=None)
def term_pattern(term: str) -> re.Pattern[str]:
    # Hyphens and spaces inside a term match each other ("fitness fatigue" == "fitness-fatigue").
    parts = [re.escape(part) for part in re.split(r"[\s\-]+", term.strip())]
    return re.compile(r"(?<![\w])" + r"[\s\-]+".join(parts) + r"(?![\w])", re.IGNORECASE)


def find_terms(text: str, terms) -> list[str]:
    return [term for term in terms if term_pattern(term).search(text)]


def forbidden_words(response: Response, case: Case) -> Finding:
    hits = find_terms(response.message, facts().contract.forbidden_words)
    return Finding("forbidden_words", not hits, detail=", ".join(hits))


def jargon(response: Response, case: Case) -> Finding:
    persona = case.context.persona
    banned = [term for term, allowed in facts().contract.jargon.items() if persona not in allowed]
    hits = find_terms(response.message, banned)
    return Finding("jargon", not hits, detail=", ".join(hits))
