"""No invented numbers: every number in the message comes from the context or the card tables.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response
from josi.core.cards import default_cards
from josi.core.facts import facts, zone_code_pattern

NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*(%|percent|minutes?|mins?|min|hours?|hrs?|h|k|km|seconds?|secs?|s)?(?![\w])",
                    re.IGNORECASE)
NUMBER_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")


def without_zone_codes(text: str) -> str:
    """Zone codes ("Z4") are names, not numbers the athlete could be misled by."""
    return zone_code_pattern(facts()).sub(" ", text)


def numbers_in(text: str) -> set[float]:
    return {round(float(n), 3) for n in NUMBER_IN_TEXT.findall(without_zone_codes(text))}


@lru_cache(maxsize=1)
def card_numbers() -> frozenset[float]:
    values: set[float] = set()
    for card in default_cards().values():
        for table in card.tables.values():
            for row in table.rows:
                for cell in row.values():
                    cells = cell if isinstance(cell, tuple) else (cell,)
                    for value in cells:
                        if isinstance(value, (int, float)) and not isinstance(value, bool):
                            values.add(round(float(value), 3))
                        elif isinstance(value, str):
                            values |= numbers_in(value)
    return frozenset(values)


def context_numbers(case: Case) -> set[float]:
    ctx = case.context
    values = numbers_in(case.user) | {round(ctx.readiness.confidence, 3), round(ctx.readiness.confidence * 100, 3)}
    for turn in ctx.history:
        values |= numbers_in(turn.content)
    if ctx.profile.age:
        values.add(float(ctx.profile.age))
    values |= numbers_in(ctx.profile.goal or "") | numbers_in(ctx.profile.name or "")
    if ctx.planned_session:
        values.add(float(ctx.planned_session.duration_min))
        values |= numbers_in(ctx.planned_session.structure)
    return values


def normalized(value: float, unit: str) -> set[float]:
    """The same quantity in the other units it could appear as in the context or cards."""
    unit = unit.lower()
    forms = {value}
    if unit.startswith("h"):
        forms.add(value * 60)
    elif unit.startswith("m"):
        forms.add(value / 60)
    elif unit in ("%", "percent"):
        forms.add(value / 100)
    elif unit.startswith("s"):
        forms.add(value / 60)
    return {round(v, 3) for v in forms}


def invented_numbers(response: Response, case: Case) -> Finding:
    allowed = card_numbers() | context_numbers(case)
    invented = []
    for match in NUMBER.finditer(without_zone_codes(response.message)):
        value = float(match.group(1).replace(",", "."))
        if not normalized(value, match.group(2) or "") & allowed:
            invented.append(match.group(0).strip())
    return Finding("invented_numbers", not invented, detail=", ".join(invented))
