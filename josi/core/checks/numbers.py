"""No invented numbers: every number in the message comes from the context, or is a card value in a general definition.

Some numbers have one true value: an RPE must sit in the band of the zone it is said of (zone_physiology
card via facts), the readiness confidence must be the context's, "riding an hour" must be the session's
duration, and a count of reps ("five reps", "six times three", "zes herhalingen") must be one the planned
structure counts (or the athlete's own). A sentence about today's session ("this hour-long ride is",
"each 4-minute effort is followed by") or conditioned on the athlete's case ("if it's between reps, ...")
is not a general definition; a statement about formulas or estimates is. A range that is the %FTP, %LTHR
or %HRmax band of a zone the sentence names ("in Z1 your heart rate sits around 60-68% of threshold")
defines that zone even in the generic "you", unless the sentence is about today or makes the zone the
athlete's ("your Z2 today is 55-75% of your FTP").

Read as numbers: digits with the unit glued to them ("150bpm"; a unit ends where its word does, so
"220-minus-age" is no 220 minutes), ranges, clock times as one token ("4:10 per km"), English numbers
spelled out before a unit ("a hundred and forty beats"), and Dutch number words ("honderdvijftig",
"vijfenveertig") before a Dutch unit or, above a hundred and not round, alone. The name of a formula or
rule ("the 220-minus-age formula", "the 80/20 rule") is not a claim.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import SPELLED_NUMBERS, clauses_with_negation, sentences
from josi.core.checks.dutch_numbers import dutch_claims, dutch_number
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
    english = {float(value) for word, value in SPELLED_NUMBERS.items() if re.search(rf"\b{word}\b", text, re.IGNORECASE)}
    return english | {value for word in re.findall(r"[a-zë]+", text.lower()) if (value := dutch_number(word)) is not None}


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
    values |= {60.0} if re.search(r"\ban hour\b|\been uur\b", case.user, re.IGNORECASE) else set()  # "I usually run an hour"
    for turn in ctx.history:
        values |= numbers_in(turn.content)
    if ctx.profile.age:
        values.add(float(ctx.profile.age))
    values |= numbers_in(ctx.profile.goal or "") | numbers_in(ctx.profile.name or "")
    if ctx.planned_session:
        values.add(float(ctx.planned_session.duration_min))
        values |= numbers_in(ctx.planned_session.structure)
        values |= work_totals(ctx.planned_session.structure)
    return values


REPEATED = re.compile(r"(\d+)\s*(?:x|×)\s*(\d+(?:\.\d+)?)\s*(min|s)\b", re.IGNORECASE)


def work_totals(structure: str) -> set[float]:
    """The work the structure adds up to ("4 x 8 min" is 32 minutes of work; "6 x 30 s" three): worked out
    from the context, not invented. Each repeat group's total and, where there are several, their sum."""
    totals = [int(n) * float(d) / (60 if unit.lower() == "s" else 1) for n, d, unit in REPEATED.findall(structure)]
    return {round(t, 3) for t in totals} | ({round(sum(totals), 3)} if len(totals) > 1 else set())


# "Amber caps sessions at 120 minutes": the longest session of a readiness level the sentence names
LEVEL_WORDS = {"green": "green", "groen": "green", "amber": "amber", "oranje": "amber", "red": "red", "rood": "red"}


def level_minutes(sentence: str) -> set[float]:
    levels = {LEVEL_WORDS[w] for w in re.findall(r"[a-z]+", sentence.lower()) if w in LEVEL_WORDS}
    return {float(facts().readiness[level].max_session_min) for level in levels if level in facts().readiness}


def normalized(value: float, unit: str, hours: set[float] = frozenset()) -> set[float]:
    """The same quantity in the other units it could appear as in the context or cards. Minutes become hours
    only where the athlete gave those hours ("I have 2 hours" makes "120 minutes" theirs; a "2 min" recovery
    does not)."""
    unit = unit.lower()
    forms = {value}
    if unit.startswith("h"):
        forms.add(value * 60)
    elif unit.startswith("m"):
        forms |= {value / 60} & hours
    elif unit in ("%", "percent"):
        forms.add(value / 100)
    elif unit.startswith("s"):
        forms.add(value / 60)
    return {round(v, 3) for v in forms}


HOURS_SAID = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:h\b|hrs?\b|hours?\b|uur\b)", re.IGNORECASE)


def hours_said(case: Case) -> set[float]:
    """Hours the athlete or the profile gave ("I have 2 hours", "1.5 h", "2 uur")."""
    texts = [case.user, case.context.profile.goal or "", *(turn.content for turn in case.context.history)]
    return {round(float(m.group(1).replace(",", ".")), 3) for text in texts for m in HOURS_SAID.finditer(text)}


# Every number in a message is a claim. It must come from the context (today's session, the profile,
# the readiness, the athlete's own words), or be a card value used as a general definition ("Z2 is
# 55-75% of FTP"); a card value said about the athlete or today ("your Z2 ceiling is 75%", "take 3
# days off") is invented. Numbers are read glued to their unit ("150bpm"), as ranges, and spelled out
# when a unit follows ("thirty minutes", "eighty-five percent", "half an hour").
UNIT = (r"%|percent|bpm|beats|w/kg|watts?|w\b|km/h|kph|mph|/km|/mi\b|km\b|k\b|kilomet(?:re|er)s?|miles?|mi\b|met(?:re|er)s?|m\b|"
        r"minutes?|mins?|min\b|hours?|hrs?|h\b|seconds?|secs?|s\b|days?|weeks?|x\b|×|by\b|times\b|reps?|strides|"
        r"sprints|intervals|steps|rpm|spm")
# A unit ends where its word does: "220-minus-age" is no 220 minutes. A clock time ("4:10") is one token (TIME_MARK).
TIME_MARK = "\u2236"
DIGITS = re.compile(r"(?<![a-wyzA-WYZ])(\d+(?:[.,:" + TIME_MARK + r"]\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:[.,]\d+)?))?\s*-?\s*(?:("
                    + UNIT + r")(?![a-z]))?", re.IGNORECASE)
# Spelled out, only with the units of a prescription: "one day at a time" and "three times a week" are talk.
SPELLED_UNIT = (r"%|percent|bpm|beats|watts?|km\b|kilomet(?:re|er)s?|miles?|minutes?|mins?|hours?|hour\b|seconds?|x\b|by\b|"
                r"(?<!one )(?:days|weeks|reps?\b|repeats|intervals|sprints|strides)")
HOUR = re.compile(r"\bhour-long\b", re.IGNORECASE)
SPELLED = re.compile(r"\b((?:(?:one|two|three|four|five|six|seven|eight|nine|a) hundred(?: and)? )?(?:(?:twenty|thirty|forty|"
                     r"fifty|sixty|seventy|eighty|ninety)(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|"
                     r"three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|(?:one|two|three|four|five|six|seven|"
                     r"eight|nine) hundred)|half(?: an)?)[ -](?:(?:vo2|hard|easy|short|fast|max) )?(" + SPELLED_UNIT + r")",
                     re.IGNORECASE)
# A heart rate spelled as its decade ("in the one-forties") and a pace spelled as a clock time ("five-ten a kilometre").
DECADES = {word.removesuffix("y") + "ies": value for word, value in SPELLED_NUMBERS.items() if value >= 20 and value % 10 == 0}
SPELLED_DECADE = re.compile(r"\b(?:one|a hundred(?: and)?)[ -](" + "|".join(DECADES) + r")\b", re.IGNORECASE)
SPELLED_PACE = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten)[ -](?:oh[ -]\w+|ten|fifteen|twenty|thirty|forty|fifty)"
                          r"(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?\s+(?:a|per|the)\s+(?:kilomet(?:re|er)|km|mile)\b", re.IGNORECASE)
# Reps by duration spelled out: "three by fifteen", "five x four".
SPELLED_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty)"
SPELLED_REPS = re.compile(r"\b(" + SPELLED_NUMBER + r")\s+(?:by|x|times)\s+(" + SPELLED_NUMBER + r")\b", re.IGNORECASE)
# Said of the athlete or today: "you", an instruction ("hold"), a day, "this ride", and the parts of today's
# session counted off one by one ("each 4-minute effort is followed by", "last 2 minutes of each rep").
PERSONAL = re.compile(r"\b(?:your|you|you'?re|you'?ll|you'?ve|for you|hold|aim|keep|stay|target|today|tonight|tomorrow|"
                      r"this week|this weekend|i'?d|this (?:[\w-]+ ){0,2}(?:ride|run|session|workout|spin|jog|block|reps?)|"
                      r"(?:each|every)\s+(?:[\w-]+\s+){0,3}?(?:reps?|efforts?|intervals?|strides?|sprints?|blocks?|sets?|"
                      r"repeats?|recoveries|recovery))\b",
                      re.IGNORECASE)
# "If it's between reps, 90 seconds is usually plenty": a condition on the athlete's case makes the whole sentence personal.
SAID_OF_ATHLETE = re.compile(r"^\s*(?:if|when|since|as) (?:it'?s|it is|you|your|today)\b", re.IGNORECASE)
# Numbers whose only true value is one fact: an RPE within the band of the zone it is said of (the
# sentence's zone codes, else today's session), and the readiness confidence.
RPE = re.compile(r"\brpe\s*(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?", re.IGNORECASE)
RPE_WORD = re.compile(r"\brpe\b", re.IGNORECASE)
# the number after "confidence", never a digit inside a word ("confidence, so VO2max work")
CONFIDENCE = re.compile(r"\bconfiden(?:ce|t)\b[^.?!]*?(?<![A-Za-z])(\d+(?:\.\d+)?)(?![A-Za-z])\s*(%|percent)?", re.IGNORECASE)
# "riding an hour today": an hour said of a session is 60 minutes ("an hour before" is not a session).
AN_HOUR = re.compile(r"\b(?:rid\w*|run\w*|spin\w*|jog\w*|walk\w*|session|workout)\s+(?:about |roughly |around |just )?an hour\b",
                     re.IGNORECASE)
GENERAL = re.compile(r"\b(?:in general|generally|usually|typically|on average|for most|most athletes|most people|as a rule|"
                     r"by definition|is defined|the card|in the card|a rider with|an athlete with|for example|e\.g\.|"
                     r"out of 10|rpe|on the effort scale|general|for reference|formulas?|estimates?|equations?|defined as|"
                     # the readiness rule ("On amber days the app caps sessions at Z5 and 120 minutes") and other people
                     # ("professional climbers sustain above 6 W/kg", "studies of elite athletes find 80% ...")
                     r"on (?:green|amber|red) days|the app caps?|studies|research|professionals?|pros|elite (?:\w+ )?(?:athletes|runners|riders|cyclists|climbers)|"
                     r"world[- ]class)\b"
                     r"|^\s*(?:[\w'-]+\s+){0,4}?(?:is|are|spans?|sits?|means|covers|tops out|runs? from|ranges?|can take|takes)\b"
                     # "lasts" needs its subject: "Last 2 minutes of each rep" is an instruction
                     r"|^\s*(?:[\w'-]+\s+){1,4}?lasts?\b",
                     re.IGNORECASE)


def spelled_value(text: str) -> float:
    text = text.lower().replace(" and ", " ")
    if text.startswith("half"):
        return 30.0  # half an hour
    total = 0
    for word in re.split(r"[ -]", text):
        if word == "hundred":
            total = max(total, 1) * 100
        elif word in SPELLED_NUMBERS:
            total += SPELLED_NUMBERS[word]
    return float(total)


@lru_cache(maxsize=1)
def card_prose_numbers() -> frozenset[float]:
    """Numbers in the cards' prose (worked examples): allowed only in general statements."""
    return frozenset(v for card in default_cards().values() for v in numbers_in(card.prose))


# Numbers that name a rule or formula ("the 220-minus-age formula", "the 80/20 rule") are names, not claims.
FORMULA_NAME = re.compile(r"\b\d+%?(?:[-/][\w%]+)*[- ](?:formula|rule|equation)s?\b|\b\d+\s+(?:minus|plus)\s+(?:your\s+)?age\b",
                          re.IGNORECASE)


def readable(message: str) -> str:
    """The message with the tokens a clause split would break kept whole ("4:10 per km", "a hundred and forty
    beats") and formula names masked."""
    text = re.sub(r"(\d):(\d\d)\b", r"\1" + TIME_MARK + r"\2", message)
    text = re.sub(r"\bhundred and\b", "hundred", text, flags=re.IGNORECASE)
    return FORMULA_NAME.sub(" ", text)


# A zone made the athlete's or today's ("your Z2 today is 55-75% of your FTP") is no longer the card's definition.
OWNED_ZONE = re.compile(r"\b(?:your|today'?s|tonight'?s|this)\s+$", re.IGNORECASE)
DAY = re.compile(r"\b(?:today|tonight|tomorrow)\b", re.IGNORECASE)
DEFINED_AS = re.compile(r"\b(?:defined as|by definition|gedefinieerd als)\b", re.IGNORECASE)


def zone_bands(sentence: str) -> set[tuple[float, float]]:
    """The card bands (%FTP, %LTHR, %HRmax) of the zones a sentence names: a range that is one of them
    ("In Z1 your heart rate sits around 60-68% of threshold") defines the zone, even in the generic "you";
    not in a sentence about today or of a zone made the athlete's ("your Z2")."""
    f = facts()
    if DAY.search(sentence) and not DEFINED_AS.search(sentence):  # "Today is Z2, defined as 72-82% of HRmax" defines Z2
        return set()
    by_index = {zone.index: zone for zone in f.zones.values()}
    bands = set()
    for match in zone_code_pattern(f).finditer(sentence):
        if OWNED_ZONE.search(sentence[:match.start()]):
            continue
        zone = by_index.get(int(match.group(1)))
        for band in (zone.power_ftp_pct, zone.lthr_pct, zone.hrmax_pct) if zone else ():
            if None not in band:
                bands.add((float(band[0]), float(band[1])))
    return bands


MADE_PERSONAL = re.compile(r"\b(?:for you|your (?:z\d|zones?|max|maximum|ftp|lthr|threshold|heart rate|hr)|"
                           r"van je|van jouw|jouw|voor jou)\b", re.IGNORECASE)


def planned_bands(case: Case) -> set[tuple[float, float]]:
    """The card bands of every zone in today's planned structure ("Z4 with Z1 recoveries"): "3 x 10 min at Z4,
    90-105% FTP" or "the recoveries at 45-55% of FTP" describe the planned session as the context gives it, so the
    exact card band is its fact. A band narrowed inside it ("aim for 105-115%"), one worked out into the
    athlete's watts or beats, or one made the athlete's ("your Z2 today is 55-75% of your FTP", "for you that's
    82-87% of your max") is still a claim of its own (MADE_PERSONAL)."""
    session = case.context.planned_session
    if not session:
        return set()
    f = facts()
    names = {session.zone.upper(), *(z.upper() for z in re.findall(r"\b[zZ]\d\b", session.structure))}
    return {(float(band[0]), float(band[1])) for name in names if name in f.zones
            for band in (f.zones[name].power_ftp_pct, f.zones[name].lthr_pct, f.zones[name].hrmax_pct) if None not in band}


def range_ends(text: str) -> tuple[float, float] | None:
    match = DIGITS.match(text)
    if not match or not match.group(2) or ":" in match.group(1) or TIME_MARK in match.group(1):
        return None
    return float(match.group(1).replace(",", ".")), float(match.group(2).replace(",", "."))


def claims(clause: str) -> list[tuple[str, float, str]]:
    """(text, value, unit) of every number in a clause; a range gives both ends, a clock time is not a value."""
    found = []
    for match in DIGITS.finditer(clause):
        unit = match.group(3) or ""
        for token in (match.group(1), match.group(2)):
            if token:
                timed = ":" in token or TIME_MARK in token
                value = float("nan") if timed else float(token.replace(",", "."))
                found.append((match.group(0).strip().replace(TIME_MARK, ":"), value, unit))
    for match in HOUR.finditer(clause):
        found.append((match.group(0), 60.0, "minutes"))
    for match in SPELLED.finditer(clause):
        found.append((match.group(0), spelled_value(match.group(1)), match.group(2) + " spelled"))
    found += dutch_claims(clause)
    found += [(m.group(0), 100.0 + DECADES[m.group(1).lower()], "bpm spelled") for m in SPELLED_DECADE.finditer(clause)]
    found += [(m.group(0), float("nan"), "pace spelled") for m in SPELLED_PACE.finditer(clause)]
    for match in SPELLED_REPS.finditer(clause):  # "six times three": six reps of three minutes
        found.append((match.group(0), spelled_value(match.group(1)), "reps spelled"))
        found.append((match.group(0), spelled_value(match.group(2)), "minutes spelled"))
    return found


def fact_numbers_wrong(sentence: str, case: Case) -> list[str]:
    """RPE values outside the named zone's band, and a confidence that is not the context's."""
    f, wrong = facts(), []
    zones = [f"Z{m.group(1)}" for m in zone_code_pattern(f).finditer(sentence)] + (["R"] if re.search(r"\bR\b", sentence) else [])
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


CONTINUATION = re.compile(r"\s*(?:(?:or|and)\s+\d|(?:can|could|may|might|will|would|tends? to|is|are)\b)", re.IGNORECASE)


@lru_cache(maxsize=1)
def emergency_numbers() -> re.Pattern[str]:
    """The emergency phone numbers of the medical_referral_words card table ("call 112"): a referral, not a claim."""
    numbers = [w for w in facts().contract.medical_referral_words if w.isdigit()]
    return re.compile(r"\b(?:" + "|".join(numbers) + r")\b(?!\s*-?\s*(?:" + UNIT + r")(?![a-z]))", re.IGNORECASE) \
        if numbers else re.compile(r"(?!x)x")  # "112 bpm" is a heart rate


def invented_in(message: str, case: Case) -> list[str]:
    message = emergency_numbers().sub("emergency", message)
    known = context_numbers(case)
    general_values = card_numbers() | card_prose_numbers()
    invented = [w for sentence in sentences(message) for w in fact_numbers_wrong(sentence, case)]
    # "Today's reps are threshold, so aim for that 6-7 feel" after an RPE scale: the planned zone's RPE band is its fact
    session = case.context.planned_session
    rpe_band = {tuple(map(float, facts().zones[session.zone].rpe))} if session and RPE_WORD.search(message) else set()
    today_bands = planned_bands(case)
    hours = hours_said(case)
    for named in sentences(readable(message)):
        said_of_session = set() if MADE_PERSONAL.search(named) else today_bands
        bands, sentence = zone_bands(named) | rpe_band | said_of_session, without_zone_codes(named)
        # a definition is general as a whole sentence: "Z2 is 55-75% of FTP, or 83-94% of LTHR"
        general_sentence = bool(GENERAL.search(sentence)) and not PERSONAL.search(sentence) and not SAID_OF_ATHLETE.match(sentence)
        general = False
        for clause, _ in clauses_with_negation(sentence):
            # "Z5 is 105-120% of FTP, or 105-110% of LTHR": a clause that goes on with a definition is one too, and
            # so is one that shares its subject ("the formula is an estimate and can miss by 10 beats")
            continues = general and CONTINUATION.match(clause) is not None
            general = general_sentence or continues or (bool(GENERAL.search(clause)) and not PERSONAL.search(clause)
                                                        and not SAID_OF_ATHLETE.match(sentence))
            invented += invented_claims(clause, general, known | level_minutes(named), general_values, case, bands, hours)
    return invented


# A count of reps has one true value where today's session counts its reps ("4 x 5 min", "8 strides").
COUNT_UNITS = {"x", "×", "by", "rep", "reps", "repeats", "intervals", "sprints", "strides"}
SESSION_COUNT = re.compile(r"(\d+)\s*(?:x|×)\s*\d|(\d+)\s+(?:[\w-]+\s+)?(?:strides|sprints|reps|repeats|intervals)\b", re.IGNORECASE)


def session_counts(case: Case) -> set[float]:
    session = case.context.planned_session
    if not session:
        return set()
    return {float(m.group(1) or m.group(2)) for m in SESSION_COUNT.finditer(session.structure)}


def in_structure(text: str, case: Case) -> bool:
    clock = re.match(r"(\d+)[:" + TIME_MARK + r"](\d\d)", text)
    session = case.context.planned_session
    return bool(clock and session and re.search(rf"\b{clock[1]}\s*min\s*{int(clock[2])}\s*s\b", session.structure))


def invented_claims(clause: str, general: bool, known: set[float], general_values: frozenset[float], case: Case,
                    bands: set[tuple[float, float]] = frozenset(), hours: set[float] = frozenset()) -> list[str]:
    invented = []
    for text, value, unit in claims(clause):
        forms = normalized(value, unit.removesuffix(" spelled"), hours)
        allowed = known
        if unit.lower().removesuffix(" spelled") in ("%", "percent", "rpm", "spm", "bpm", "beats", "w", "watts", "watt", "w/kg"):
            # never a session duration: "forty beats" is no echo of a 40-minute session
            allowed = {round(case.context.readiness.confidence * 100, 3), round(case.context.readiness.confidence, 3)} \
                | numbers_in(case.user) | spelled_in(case.user) | {v for turn in case.context.history for v in numbers_in(turn.content)}
        counts = session_counts(case) if unit.lower().removesuffix(" spelled") in COUNT_UNITS else set()
        if counts:  # "Five reps" of a 4 x 5 min session: a count is the session's count, or the athlete's own
            allowed = counts | numbers_in(case.user) | spelled_in(case.user) \
                | {v for turn in case.context.history for v in numbers_in(turn.content)}
        if forms & allowed or (general and forms & general_values) or range_ends(text) in bands:
            continue
        clock = text.replace(TIME_MARK, ":")
        if ":" in clock and (any(clock in said for said in (*case.athlete_messages, case.context.profile.goal or ""))
                             or in_structure(clock, case)):
            continue  # "5:45 per km", "sub-3:30 marathon", "my PB is 52:10", "the 4:40 easy" of "4 min 40 s easy"
        invented.append(text)
    return invented


def invented_numbers(response: Response, case: Case) -> Finding:
    missing = no_message("invented_numbers", response)
    if missing:
        return missing
    invented = invented_in(response.message, case)
    return Finding("invented_numbers", not invented, detail=", ".join(dict.fromkeys(invented)))
