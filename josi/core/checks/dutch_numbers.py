"""Dutch numbers in a message: one word each ("vijfenveertig", "honderdvijftig"), read as values for the
invented_numbers check (josi.core.checks.numbers), with the unit of a prescription that follows them.

Place in the pipeline: core, below every stage; imports nothing of Josi.
"""
from __future__ import annotations

import re

# Dutch numbers are written as one word ("vijfenveertig", "honderdvijftig"); "een" alone is "a", not one.
DUTCH_UNITS = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9}
DUTCH_SMALL = {**DUTCH_UNITS, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13, "veertien": 14, "vijftien": 15,
               "zestien": 16, "zeventien": 17, "achttien": 18, "negentien": 19, "twintig": 20, "dertig": 30,
               "veertig": 40, "vijftig": 50, "zestig": 60, "zeventig": 70, "tachtig": 80, "negentig": 90}
DUTCH_TENS = r"(twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig)"
DUTCH_COMPOUND = re.compile(r"(een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]n" + DUTCH_TENS)
# A Dutch number counts as a claim with a unit of a prescription after it ("zes herhalingen", "twee uur");
# "keer" only as reps ("drie keer twaalf minuten"), not "drie keer per week".
DUTCH_UNIT = re.compile(r"\s+(?:(minuten|minuut|uur|seconden|herhalingen|herhaling|blokken|slagen|procent|kilometer|km|watt|"
                        r"sprints|intervallen|dagen|weken)\b|(keer)\s+(?=[a-z]*\d|[a-zë]+\s+minuten))", re.IGNORECASE)
DUTCH_UNIT_NAMES = {"minuten": "minutes", "minuut": "minutes", "uur": "hours", "seconden": "seconds", "procent": "percent",
                    "slagen": "bpm", "watt": "watts", "kilometer": "km", "km": "km", "herhalingen": "reps",
                    "herhaling": "reps", "blokken": "reps", "sprints": "reps", "intervallen": "reps", "keer": "reps",
                    "dagen": "days", "weken": "weeks"}


def dutch_number(word: str) -> float | None:
    """The value of one Dutch number word, None if it is not one ("anderhalf" is 1.5, "een" alone is None)."""
    word, total = word.lower(), 0
    if word == "anderhalf":
        return 1.5
    if "honderd" in word:
        head, _, word = word.partition("honderd")
        if head and head not in DUTCH_UNITS:
            return None
        total = DUTCH_UNITS.get(head, 1) * 100
        if not word:
            return float(total)
    if word in DUTCH_SMALL:
        return float(total + DUTCH_SMALL[word])
    compound = DUTCH_COMPOUND.fullmatch(word)
    if compound:
        return float(total + DUTCH_SMALL.get(compound.group(1), 1) + DUTCH_SMALL[compound.group(2)])
    return float(total + 1) if total and word in ("een", "eén") else None


def dutch_claims(clause: str) -> list[tuple[str, float, str]]:
    """Dutch numbers with a unit after them, and any number above a hundred that is not a round one
    ("onder de honderdvijftig"): a heart rate or a wattage, whatever follows."""
    found = []
    for match in re.finditer(r"[a-zë]+", clause, re.IGNORECASE):
        value = dutch_number(match.group(0))
        if value is None:
            continue
        unit = DUTCH_UNIT.match(clause, match.end())
        if unit:
            name = DUTCH_UNIT_NAMES[(unit.group(1) or unit.group(2)).lower()]
            found.append((match.group(0) + unit.group(0).rstrip(), value, name + " spelled"))
        elif value > 100 and value % 100:
            found.append((match.group(0), value, " spelled"))
    return found
