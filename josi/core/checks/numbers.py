"""No invented numbers: every number in the message comes from the context, or is a card value in a general definition.

Some numbers have one true value: an RPE must sit in the band of the zone it is said of (zone_physiology
card via facts), the readiness confidence must be the context's, and "riding an hour" must be the session's
duration. A sentence about today's session ("this hour-long ride is") or conditioned on the athlete's case
("if it's between reps, ...") is not a general definition.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import clauses_with_negation, sentences
from josi.core.cards import default_cards
from josi.core.facts import facts, zone_code_pattern

NUMBER_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")


def without_zone_codes(text: str) -> str:
    """Zone codes ("Z4") are names, not numbers the athlete could be misled by."""
    return zone_code_pattern(facts()).sub(" ", text)


def numbers_in(text: str) -> set[float]:
    return {round(float(n), 3) for n in NUMBER_IN_TEXT.findall(without_zone_codes(text))}


@lru_cache(maxsize=1)
def spelled_in(text: str) -> set[float]:
    """Spelled-out numbers the athlete wrote ("two weeks away"), as values."""
    return {float(value) for word, value in SPELLED_WORDS.items() if re.search(rf"\b{word}\b", text, re.IGNORECASE)}


@lru_cache(maxsize=1)  # the cards are loaded once (default_cards), so their numbers are too
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
    values = numbers_in(case.user) | spelled_in(case.user) | {round(ctx.readiness.confidence, 3), round(ctx.readiness.confidence * 100, 3)}
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


# Every number in a message is a claim. It must come from the context (today's session, the profile,
# the readiness, the athlete's own words), or be a card value used as a general definition ("Z2 is
# 55-75% of FTP"); a card value said about the athlete or today ("your Z2 ceiling is 75%", "take 3
# days off") is invented. Numbers are read glued to their unit ("150bpm"), as ranges, and spelled out
# when a unit follows ("thirty minutes", "eighty-five percent", "half an hour").
UNIT = (r"%|percent|bpm|beats|w/kg|watts?|w\b|km/h|kph|mph|/km|/mi\b|km\b|k\b|kilomet(?:re|er)s?|miles?|mi\b|m\b|"
        r"minutes?|mins?|min\b|hours?|hrs?|h\b|seconds?|secs?|s\b|days?|weeks?|x\b|×|by\b|times\b|reps?|strides|"
        r"sprints|intervals|steps|rpm|spm")
DIGITS = re.compile(r"(?<![a-wyzA-WYZ])(\d+(?:[.,:]\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:[.,]\d+)?))?\s*-?\s*(" + UNIT + r")?", re.IGNORECASE)
# Spelled out, only with the units of a prescription: "one day at a time" and "three times a week" are talk.
SPELLED_UNIT = (r"%|percent|bpm|beats|watts?|km\b|kilomet(?:re|er)s?|miles?|minutes?|mins?|hours?|hour\b|seconds?|x\b|by\b|"
                r"(?<!one )(?:days|weeks|reps?\b|repeats|intervals|sprints|strides)")
HOUR = re.compile(r"\bhour-long\b", re.IGNORECASE)
SPELLED_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                 "forty-five": 45, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SPELLED = re.compile(r"\b((?:(?:one|two|three|four|five|six|seven|eight|nine|a) hundred(?: and)? )?(?:(?:twenty|thirty|forty|"
                     r"fifty|sixty|seventy|eighty|ninety)(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|"
                     r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|(?:one|two|three|four|five|six|seven|"
                     r"eight|nine) hundred)|half(?: an)?)[ -](?:(?:vo2|hard|easy|short|fast|max) )?(" + SPELLED_UNIT + r")",
                     re.IGNORECASE)
# Reps by duration spelled out: "three by fifteen", "five x four".
SPELLED_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty)"
SPELLED_REPS = re.compile(r"\b(" + SPELLED_NUMBER + r")\s+(?:by|x|times)\s+(" + SPELLED_NUMBER + r")\b", re.IGNORECASE)
PERSONAL = re.compile(r"\b(?:your|you|you'?re|you'?ll|you'?ve|for you|hold|aim|keep|stay|target|today|tonight|tomorrow|"
                      r"this week|this weekend|i'?d|this (?:[\w-]+ ){0,2}(?:ride|run|session|workout|spin|jog|block|reps?))\b",
                      re.IGNORECASE)
# "If it's between reps, 90 seconds is usually plenty": a condition on the athlete's case makes the whole sentence personal.
SAID_OF_ATHLETE = re.compile(r"^\s*(?:if|when|since|as) (?:it'?s|it is|you|your|today)\b", re.IGNORECASE)
# Numbers whose only true value is one fact: an RPE within the band of the zone it is said of (the
# sentence's zone codes, else today's session), and the readiness confidence.
RPE = re.compile(r"\brpe\s*(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?", re.IGNORECASE)
CONFIDENCE = re.compile(r"\bconfiden(?:ce|t)\b[^.?!]*?(\d+(?:\.\d+)?)\s*(%|percent)?", re.IGNORECASE)
# "riding an hour today": an hour said of a session is 60 minutes ("an hour before" is not a session).
AN_HOUR = re.compile(r"\b(?:rid\w*|run\w*|spin\w*|jog\w*|walk\w*|session|workout)\s+(?:about |roughly |around |just )?an hour\b",
                     re.IGNORECASE)
GENERAL = re.compile(r"\b(?:in general|generally|usually|typically|on average|for most|most athletes|most people|as a rule|"
                     r"by definition|is defined|the card|in the card|a rider with|an athlete with|for example|e\.g\.|"
                     r"out of 10|rpe|on the effort scale|general|for reference)\b"
                     r"|^\s*(?:[\w'-]+\s+){0,4}?(?:is|are|spans?|sits?|means|covers|tops out|lasts?|runs? from|ranges?|can take|takes)\b",
                     re.IGNORECASE)


def spelled_value(text: str) -> float:
    text = text.lower().replace(" and ", " ")
    if text.startswith("half"):
        return 30.0  # half an hour
    total = 0
    for word in re.split(r"[ -]", text):
        if word == "hundred":
            total = max(total, 1) * 100
        elif word in SPELLED_WORDS:
            total += SPELLED_WORDS[word]
    return float(total)


@lru_cache(maxsize=1)
def card_prose_numbers() -> frozenset[float]:
    """Numbers in the cards' prose (worked examples): allowed only in general statements."""
    return frozenset(v for card in default_cards().values() for v in numbers_in(card.prose))


def claims(clause: str) -> list[tuple[str, float, str]]:
    """(text, value, unit) of every number in a clause; a range gives both ends."""
    found = []
    for match in DIGITS.finditer(clause):
        unit = match.group(3) or ""
        for token in (match.group(1), match.group(2)):
            if token:
                value = float(token.replace(",", ".").split(":")[0]) if ":" not in token else float("nan")
                found.append((match.group(0).strip(), value, unit))
    for match in HOUR.finditer(clause):
        found.append((match.group(0), 60.0, "minutes"))
    for match in SPELLED.finditer(clause):
        found.append((match.group(0), spelled_value(match.group(1)), match.group(2) + " spelled"))
    for match in SPELLED_REPS.finditer(clause):
        found.append((match.group(0), spelled_value(match.group(2)), "minutes spelled"))
    return found


def fact_numbers_wrong(sentence: str, case: Case) -> list[str]:
    """RPE values outside the named zone's band, and a confidence that is not the context's."""
    f, wrong = facts(), []
    zones = [f"Z{m.group(1)}" for m in zone_code_pattern(f).finditer(sentence)]
    if not zones and case.context.planned_session:
        zones = [case.context.planned_session.zone]
    bands = [f.zones[z].rpe for z in zones if z in f.zones]
    for match in RPE.finditer(sentence):
        values = [float(v) for v in match.groups() if v]
        if bands and not all(any(low <= v <= high for low, high in bands) for v in values):
            wrong.append(match.group(0))
    confidence = case.context.readiness.confidence
    for match in CONFIDENCE.finditer(sentence):
        value = float(match.group(1)) / (100 if match.group(2) or float(match.group(1)) > 1 else 1)
        if abs(value - confidence) > 0.005:
            wrong.append(match.group(0))
    for match in AN_HOUR.finditer(sentence):
        if 60.0 not in context_numbers(case):
            wrong.append(match.group(0))
    return wrong


def invented_in(message: str, case: Case) -> list[str]:
    known = context_numbers(case)
    general_values = card_numbers() | card_prose_numbers()
    invented = [w for sentence in sentences(message) for w in fact_numbers_wrong(sentence, case)]
    for sentence in sentences(without_zone_codes(message)):
        # a definition is general as a whole sentence: "Z2 is 55-75% of FTP, or 83-94% of LTHR"
        general_sentence = bool(GENERAL.search(sentence)) and not PERSONAL.search(sentence) and not SAID_OF_ATHLETE.match(sentence)
        general = False
        for clause, _ in clauses_with_negation(sentence):
            # "Z5 is 105-120% of FTP, or 105-110% of LTHR": a clause that goes on with a definition is one too
            continues = general and re.match(r"\s*(?:or|and)\s+\d", clause) is not None
            general = general_sentence or continues or (bool(GENERAL.search(clause)) and not PERSONAL.search(clause)
                                                        and not SAID_OF_ATHLETE.match(sentence))
            invented += invented_claims(clause, general, known, general_values, case)
    return invented


def invented_claims(clause: str, general: bool, known: set[float], general_values: frozenset[float], case: Case) -> list[str]:
    invented = []
    for text, value, unit in claims(clause):
        forms = normalized(value, unit.removesuffix(" spelled"))
        if unit.lower() in ("%", "percent", "rpm", "spm", "bpm", "w", "watts", "watt", "w/kg"):  # never a session duration
            known = {round(case.context.readiness.confidence * 100, 3), round(case.context.readiness.confidence, 3)} \
                | numbers_in(case.user) | {v for turn in case.context.history for v in numbers_in(turn.content)}
        if forms & known or (general and forms & general_values):
            continue
        if ":" in text and text in case.user:  # a pace or time the athlete wrote ("5:45 per km")
            continue
        invented.append(text)
    return invented


def invented_numbers(response: Response, case: Case) -> Finding:
    missing = no_message("invented_numbers", response)
    if missing:
        return missing
    invented = invented_in(response.message, case)
    return Finding("invented_numbers", not invented, detail=", ".join(dict.fromkeys(invented)))
