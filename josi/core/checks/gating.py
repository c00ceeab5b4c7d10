"""Readiness gating, read clause by clause: the message never recommends a zone or an intensity above
the day's cap (load_monitoring card), in codes ("Z6"), in words ("zone six"), by label ("VO2max") or by
the everyday words for hard work ("sprints", "all-out"; the effort_words table of zone_physiology).

A clause that rules the zone out ("nothing above Z5 today", "no sprints until you're green") passes,
and so does a zone explained on request when the message says it is not for today. One negation word
no longer excuses a whole sentence: "Skip the easy jog and do hill sprints instead" fails.
Endorsements count as recommending ("never hurt anyone", "not stopping you", "keep it in"), and so do an
endorsement of the athlete's own request ("Intervals?" "Do them anyway.", read against the zones the user's
message names) and a yes to an echoed question ("Sprint finish? Why not."). A skip carries over the bare
list items after it ("skip anything like threshold or intervals"); explanations of what work loads or
develops pass where the cap is stated.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import MODAL_NEGATION, clauses_with_negation, normalized, sentences
from josi.core.facts import facts, zone_code_pattern

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
ZONE_IN_WORDS = re.compile(r"\bzones?\s+(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
# Ruling a zone out or deferring it ("waits for another day", "would only dig the hole deeper").
DISCOURAGE = re.compile(r"\b(?:until (?:you|your|readiness|tomorrow|next|the next|another|recovered|green|amber|monday|"
                        r"tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)|in the drawer|once you|once your|when you(?:'re| are)? (?:green|recovered|fresh|back)|when readiness|"
                        r"another day|later|next week|in a few days|for now|waits?|save (?:it|them|that) for|kept for|once (?:readiness|you|your|the)|"
                        r"off the (?:menu|cards)|not on the (?:cards|menu)|stays? off|(?:isn'?t|not) (?:part of|for) (?:today|this week)|"
                        r"green[- ]days?|rules? (?:it |them )?out|exclude[sd]?|off the table|nowhere near|not for today|too much|"
                        r"too hard|(?:rarely|not|never) a good idea|bad idea|would (?:only )?(?:dig|deepen|add (?:\w+ )?(?:stress|fatigue|load|strain)|hurt|set you back|backfire|cost|"
                        r"undo|push you)|is what would|above (?:today'?s|the) (?:cap|ceiling|limit)|sits? above|"
                        r"outside (?:today'?s|the) (?:range|cap))\b",
                        re.IGNORECASE)
# Ruling out the work named in the same clause only ("please skip anything like threshold"); in "Skip the easy
# bit and sprint the last stretch" the skip does not reach the sprint.
RULES_OUT_HERE = re.compile(r"\b(?:leave (?:[\w'-]+ ){0,3}out|skip|avoid|hold off on|steer clear of|geen|niet|nooit)\b", re.IGNORECASE)
# Endorsing work despite a negation word: "won't hurt", "no rule against", "no big deal".
ENDORSE = re.compile(r"\b(?:(?:won|wouldn|doesn)'?t (?:hurt|kill|harm)|(?:won'?t|can'?t|wouldn'?t) do (?:you )?(?:much|any|real) harm|never hurts?|can'?t hurt|doesn'?t hurt|not the end of the world|"
                     r"(?:not|won'?t be|i'?m not) (?:going to )?stop(?:ping)? you|nothing stopping you|sounds (?:great|good|fine|fun)|"
                     r"keep (?:it|them|that) in|no harm|no big deal|no rule against|nothing wrong with|is fine|"
                     r"fine to|is ok(?:ay)?|is allowed|go ahead|feel free|why not|you (?:could|can|might)(?!'|n'?t| not| only)|i'?d (?:add|do|"
                     r"throw|finish)|worth (?:adding|doing|it)|a nice bonus|bonus|treat yourself|can go in|(?:go|do|add) (?:\w+ )?anyway|"
                     r"go for it|include it|add it|would not (?:meaningfully )?(?:delay|hurt|harm)|"
                     r"won'?t undo|won'?t matter|would (?:add|give)"
                     r"(?: you)? (?:an? )?(?:modest|nice|small|little|good|useful|extra)|if you fancy|"
                     r"(?:wouldn'?t|won'?t|would not|will not) (?:meaningfully |really |much |significantly )?(?:raise|add to|increase|deepen|delay|hurt|harm))\b", re.IGNORECASE)
STRONG_ENDORSE = re.compile(r"\b(?:go for it|keep (?:it|them|that) in|never hurts?|not the end of the world|include it|would not (?:meaningfully )?(?:delay|hurt|harm)|won'?t hurt|won'?t undo|"
                            r"no big deal|feel free|go ahead)\b", re.IGNORECASE)
IMPERATIVE = re.compile(r"^(?:(?:just|then|now|so|and|today|instead|also|ok|okay|honestly|maybe|please|only)[\s,]+)*(?:do|go|add|hit|"
                        r"sprint (?:for|to|up|at|the|home|it)|chase|go with|test yourself|"
                        r"push|finish|end|start|sharpen|roll|throw|tack|slip|try|include|make|turn|hammer|attack|open up|"
                        r"let'?s|squeeze|sneak|drop in|mix in)\b", re.IGNORECASE)
DEFINES = re.compile(r"^(?:[\w',-]+\s+){1,5}?(?:is|means|are|builds|trains|feels|targets|works|sits|covers|raises|uses|does|do|"
                     r"helps|improves|can|develops?|loads?|tax|stress(?:es)?|drains?|depletes?|recruits?|builds?|trains?|raise|"
                     r"lasts|refers|taxes|recruits|spans|drives|pushes|involves|describes)\b|\b(?:have|has) (?:their|its) place\b|^in (?:z\d|zone \w+)\b", re.IGNORECASE)
PARENTHESIS = re.compile(r"\s*\([^)]*\)")  # "Z6 (120-150% of FTP) targets ...": the aside is not the clause
LEAD_IN = re.compile(r"^(?:[\w'-]+\s+){0,3}?[\w'-]+\s*[:!]\s+")  # "Plainly put:", "Fun fact:", "Good question, Lily!"
# The day's cap said outright ("today's ceiling is Z5", "amber tops out at Z5") keeps every zone above it off today.
CAP_STATED = re.compile(r"\b(?:ceiling|cap|limit|tops? out|allows? (?:up to|only)|capped|caps (?:you|intensity|it))\b",
                        re.IGNORECASE)
PAST = re.compile(r"\b(?:was|were|last (?:week|time|month)|yesterday|used to)\b", re.IGNORECASE)
# An endorsement whose object is the athlete's own request ("Intervals?" "Not on the sheet. Do them anyway."):
# read against the zones the athlete's message names.
ENDORSES_REQUEST = re.compile(r"\b(?:go for it|do (?:it|them|those|that) anyway|(?:go|do|add|ride|run) (?:\w+ )?anyway|"
                              r"if that'?s what you want,? (?:do|go)|knock yourself out|be my guest|why not|you'?ve earned it|treat yourself)\b",
                              re.IGNORECASE)
YES = re.compile(r"^(?:yes|yeah|sure|absolutely|of course|why not|go for it|go ahead|definitely|ja)\b(?!,? but)", re.IGNORECASE)
# "sprint power", "anaerobic energy": the system, not the work (the effort_words card says so too).
NOT_PHYSIOLOGY = r"(?!\s+(?:energy|system|systems|metabolism|power|speed|capacity|contribution|pathway|fibres|fibers))"


def phrase_pattern(phrase: str) -> str:
    """An effort phrase of the card as a regex: spaces match hyphens, and plural and singular both read
    ("hard efforts" also matches "hard effort"). A single plural word reads as a singular only as a
    modifier ("interval work"): "the interval between sessions" is a gap, not work."""
    body = re.escape(phrase).replace(r"\ ", r"[\s-]+")
    if not phrase.endswith("s") or phrase.endswith("ss"):
        return body + r"s?\b"
    if " " in phrase:
        return body[:-1] + r"s?\b"
    return body[:-1] + r"(?:s\b|\b(?=\s+(?:work|sessions?|sets?|blocks?|training)\b))"


@lru_cache(maxsize=1)
def mention_patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """Zone labels of the harder zones and the effort words, each with the zone index it names."""
    f = facts()
    patterns = [(zone.index, re.compile(r"\b" + re.escape(zone.label) + r"\b", re.IGNORECASE))
                for zone in f.zones.values() if zone.index >= 3]  # labels of easy zones are ordinary words
    patterns += [(f.zones[zone].index, re.compile(r"\b" + phrase_pattern(phrase) + NOT_PHYSIOLOGY,
                                                  re.IGNORECASE))
                 for phrase, zone in (f.effort_words or {}).items()]
    return tuple(patterns)


FTP_PERCENT = re.compile(r"\b(\d{2,3})(?:\s*(?:-|–|to)\s*\d{2,3})?\s*(?:%|percent|per cent)\s+of\s+(?:your\s+)?ftp\b", re.IGNORECASE)


def ftp_zone(percent: int) -> int:
    """The zone whose %FTP band (zone_anchors card) holds this percentage: "90-100% of FTP" is Z4 work."""
    bands = [(zone.index, zone.power_ftp_pct) for zone in facts().zones.values() if zone.power_ftp_pct]
    return max((index for index, (low, _high) in bands if percent >= low), default=0)


def zone_mentions(text: str, shares_of_ftp: bool = False) -> list[int]:
    """Zone indices a piece of text names (R=0, Z1=1, ...), by code, in words, by label, by effort word and,
    with shares_of_ftp, as a share of FTP ("a few minutes at 90-100% of FTP")."""
    found = [int(m.group(1)) for m in zone_code_pattern(facts()).finditer(text)]
    found += [ftp_zone(int(m.group(1))) for m in FTP_PERCENT.finditer(text)] if shares_of_ftp else []
    found += [NUMBER_WORDS[m.group(1).lower()] for m in ZONE_IN_WORDS.finditer(text)]
    found += [index for index, pattern in mention_patterns() if pattern.search(text)]
    return found


def recommends(sentence: str, clause: str, is_negated: bool, rules_out: bool) -> bool:
    """Whether a clause that names a zone above the cap recommends it (rather than ruling it out or explaining it)."""
    if ENDORSE.search(clause):  # "won't hurt" endorses, unless it is said of another day ("on green days")
        return not DISCOURAGE.search(clause)
    if DISCOURAGE.search(clause) or RULES_OUT_HERE.search(clause) or is_negated:
        return False
    if IMPERATIVE.search(clause):
        return True
    if DISCOURAGE.search(sentence) or clause.rstrip().endswith("?"):
        return False
    whole = PARENTHESIS.sub("", normalized(sentence))
    sentence = LEAD_IN.sub("", whole, count=1)
    clause = PARENTHESIS.sub("", clause)
    explains = DEFINES.search(sentence) or DEFINES.search(whole) or DEFINES.search(clause) or PAST.search(clause) or \
        re.search(r"\bwould\b", clause)
    return not (explains and rules_out)


def skips_carried(sentence: str) -> list[tuple[str, bool]]:
    """Clauses with negation, where "skip anything like threshold or intervals" also rules out the bare
    list items after the skip, until a clause gives an order or an endorsement of its own."""
    out, skipping = [], False
    for clause, is_negated in clauses_with_negation(sentence):
        text = normalized(clause)
        if IMPERATIVE.search(text) or ENDORSE.search(text):
            skipping = False
        skipping = skipping or bool(RULES_OUT_HERE.search(text))
        out.append((clause, is_negated or skipping))
    return out


def readiness_gating(response: Response, case: Case) -> Finding:
    missing = no_message("readiness_gating", response)
    if missing:
        return missing
    f = facts()
    cap = f.cap_index(case.context.readiness.level)
    # A share of FTP counts as a zone only where the sentence names no zone: "Z8 is 200-300% of FTP" defines Z8
    names_zone = lambda sentence: bool(zone_code_pattern(f).search(sentence) or ZONE_IN_WORDS.search(sentence))  # noqa: E731
    parts = [(sentence, clause, is_negated,
              [z for z in zone_mentions(normalized(clause), shares_of_ftp=not names_zone(sentence)) if z > cap])
             for sentence in sentences(response.message) for clause, is_negated in skips_carried(sentence)]
    rules_out = any(DISCOURAGE.search(clause) or (above and (is_negated or RULES_OUT_HERE.search(clause))) for _, clause, is_negated, above in parts) or \
        any(is_negated and re.search(r"\b(?:today|this week|right now|hard|intensity)\b", clause, re.IGNORECASE)
            for _, clause, is_negated, _ in parts) or bool(CAP_STATED.search(normalized(response.message)))
    problems = [f"Z{max(above)} above cap {f.cap(case.context.readiness.level)}: {clause!r}"
                for sentence, clause, is_negated, above in parts
                if above and recommends(sentence, normalized(clause), is_negated, rules_out)]
    # "A Z4 block would not delay recovery, so include it": the endorsement sits in another clause of the sentence
    problems += [f"endorses work above cap {f.cap(case.context.readiness.level)}: {sentence!r}"
                 for sentence in dict.fromkeys(s for s, _, _, above in parts if above)
                 if STRONG_ENDORSE.search(normalized(sentence)) and not MODAL_NEGATION.search(sentence) and not any(a and r for s2, c, n, a in parts if s2 == sentence
                                                                     for r in [recommends(sentence, normalized(c), n, rules_out)])]
    requested = [z for z in zone_mentions(normalized(case.user)) if z > cap]
    problems += [f"endorses the athlete's request for Z{max(requested)} above cap {f.cap(case.context.readiness.level)}: {clause!r}"
                 for _, clause, is_negated, _ in parts
                 if requested and not is_negated and ENDORSES_REQUEST.search(clause) and not DISCOURAGE.search(clause)]
    # "Sprint finish? Why not, you've earned it.": a question that names the work, answered with a yes.
    said = sentences(response.message)
    problems += [f"says yes to work above cap {f.cap(case.context.readiness.level)}: {question!r} {reply!r}"
                 for question, reply in zip(said, said[1:])
                 if question.rstrip().endswith("?") and any(z > cap for z in zone_mentions(normalized(question)))
                 and YES.match(normalized(reply))]
    return Finding("readiness_gating", not problems, detail="; ".join(problems[:3]))
