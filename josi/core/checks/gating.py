"""Readiness gating, read clause by clause: the message never recommends a zone or an intensity above
the day's cap (load_monitoring card), in codes ("Z6"), in words ("zone six"), by label ("VO2max"), by
the everyday words for hard work ("sprints", "all-out", "wedstrijdtempo"; the effort_words table of
zone_physiology) or as a share of FTP in a clause that names no zone ("80% of FTP").

A clause that rules the zone out ("nothing above Z5 today", "no sprints until you're green", "sprints sit
well above the amber cap") or defers it ("the tempo work comes back as soon as readiness turns around")
passes, and so does a zone explained on request when the message says it is not for today: the cap
stated ("amber stops at Z5", "rood betekent Z2 als plafond"), or the athlete asking why it is off
("Why no Z3 today?"); the athlete's own words quoted back ("'a few hard efforts to feel alive' makes
sense") read like such an explanation. A trigger that ends in easing off ("the moment the ride turns into
tempo, sit up") is a limit, and "threshold" after "first", "second" or "ventilatory" is a turning point,
not the work.

One negation word no longer excuses a whole sentence: "Skip the easy jog and do hill sprints instead" fails.
Endorsements count as recommending ("never hurt anyone", "not stopping you", "keep it in", "kan geen kwaad"),
and so does playing the cost down ("is harmless", "without costing much", "won't do measurable damage",
"wouldn't clash with today's readiness", "nothing says you can't"). So do an endorsement of the athlete's
own request ("Intervals?" "Do them anyway.", read against the zones the user's message names), a yes or a
conditional yes to an echoed question ("Sprint finish? Why not.", "Hill sprints? Only if the last rep felt
easy."), a cap stated above the real one ("your cap is Z6 today" on amber), a cap said not to apply to
work above it ("amber's Z5 ceiling doesn't really apply to strides"), and a verdict on adding the work named
just before ("Adding a couple after your threshold set is physiologically defensible"). A skip carries over
the bare list items after it ("skip anything like threshold or intervals"); explanations of what work loads
or develops pass where the cap is stated.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import re
from functools import lru_cache

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import MODAL_NEGATION, NEGATION, SPELLED_NUMBERS, clauses_with_negation, normalized, sentences
from josi.core.checks.intensity import (FTP_PERCENT, HRMAX_PERCENT, LTHR_PERCENT, RPE_VALUE, Anchors, rpe_zone, share_zone,
                                        talk_test_patterns)
from josi.core.facts import facts, zone_code_pattern


def words(*alternatives: str) -> re.Pattern[str]:
    """One case-blind pattern for a list of phrase alternatives, each between word boundaries."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


NUMBER_WORDS = {word: n for word, n in SPELLED_NUMBERS.items() if 1 <= n <= 8}  # zone one to zone eight
ZONE_IN_WORDS = re.compile(r"\bzones?\s+(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
LEVEL_WORDS = {"green": r"green|groen", "amber": r"amber|oranje", "red": r"red|rood|rode"}

# Ruling a zone out or deferring it. Deferring: "waits for another day", "comes back as soon as readiness
# turns around", "will still be there when you bounce back", "zodra je herstelt".
DEFERS = (r"until (?:you|your|readiness|tomorrow|next|the next|another|recovered|green|amber|monday|tuesday|wednesday|"
          r"thursday|friday|saturday|sunday|the weekend)",
          r"in the drawer", r"once (?:readiness|you|your|the)", r"when you(?:'re| are)? (?:green|recovered|fresh|back)",
          r"when (?:your )?readiness (?:\w+ ){0,3}?(?:allows?|lets|does|is back|turns|comes back|improves|recovers|returns|climbs)",
          r"(?:comes?|coming|will come) back (?:when|once|as soon as|after|later|tomorrow|next)",
          r"(?:if|when) (?:you'?re|you are|readiness is|your readiness is|it'?s) (?:back )?(?:green|recovered|fresh)",
          r"as soon as (?:you|your|readiness)", r"(?:will|'ll) still be there", r"bounce back",
          r"another day", r"later", r"next week", r"in a few days", r"for now", r"waits?", r"save (?:it|them|that) for",
          r"kept for", r"green[- ]days?",
          r"zodra", r"een andere dag", r"(?:komt|komen) (?:\w+ )?terug", r"terugkomt", r"terugkomen")
# Ruling out: "off the table", "isn't the day for them", "sits well above the amber cap", "buiten bereik".
RULED_OUT = (r"off the (?:menu|cards|table)", r"(?:isn'?t|aren'?t|not) on the (?:cards|menu)", r"stays? off",
             r"(?:isn'?t|not) (?:part of|for) (?:today|this week)", r"(?:isn'?t|is not|not) the day", r"not for today",
             r"rules? (?:it |them )?out", r"exclude[sd]?", r"nowhere near",
             r"above (?:today'?s|the|your|amber'?s|red'?s) (?:\w+ )?(?:cap|ceiling|limit)", r"sits? (?:\w+ )?above",
             r"outside (?:today'?s|the) (?:range|cap)",
             r"buiten bereik", r"niet vandaag", r"vandaag niet", r"boven (?:het|de) (?:\w+ )?(?:plafond|grens|cap)")
# Its cost: "too hard", "would only dig the hole deeper", "would fight your readiness", "cost without much benefit".
COSTS = (r"too much", r"too hard", r"(?:rarely|not|never) a good idea", r"bad idea", r"is what would",
         r"would (?:only )?(?:dig|deepen|add (?:\w+ )?(?:stress|fatigue|load|strain)|hurt|set you back|backfire|cost|undo|push you|fight|"
         r"clash with|conflict with)",
         r"without (?:much |any |the )?(?:benefit|gain|upside|payoff)",
         r"(?:needs?|demands?|requires?|vraagt|vereist)\b[^.;]{0,60}?\b(?:(?:(?:doesn|don|haven|hasn)'?t|do not|does not) (?:have|has|got)|niet (?:heeft|hebt))")
DISCOURAGE = words(*DEFERS, *RULED_OUT, *COSTS)
# Ruling out the work named in the same clause only ("please skip anything like threshold"); in "Skip the easy
# bit and sprint the last stretch" the skip does not reach the sprint.
RULES_OUT_HERE = words(r"leave (?:[\w'-]+ ){0,3}out", r"skip", r"avoid", r"hold off on", r"steer clear of", r"geen", r"niet", r"nooit")
# A clause that opens with "No"/"Geen" and a noun rules out the bare list items after it ("No sprints or anaerobic work").
LIST_NEGATION = re.compile(r"^(?:no|geen)\s+(?!problem|worries|need|way|doubt|matter|harm|one|reason)\w", re.IGNORECASE)
# Playing the cost down endorses: "is harmless", "without costing much", "won't do measurable damage",
# "wouldn't clash with today's readiness", "kan geen kwaad".
PLAYS_DOWN = (r"(?<!not )(?<!n't )(?<!from )harmless", r"without \w+ing (?:you )?(?:much|anything|a lot)",
              r"without (?:much|any|a lot of|too much) (?:cost|damage|harm|fatigue|load|stress)",
              r"(?:won'?t|wouldn'?t|can'?t|will not|would not) do (?:you )?(?:\w+ )?(?:harm|damage)",
              r"(?:\w*n'?t|not)(?: be)? the end of the world", r"(?:barely|hardly) (?:touch|tax|dent|register|count)",
              r"(?:wouldn'?t|won'?t|doesn'?t|does not|would not|will not) (?:\w+ )?(?:clash|conflict|interfere|fight)",
              r"(?<!not )(?<!n't )(?<!n't be )(?<!not be )compatible with",
              r"geen (?:kwaad|ramp|probleem)", r"(?:is|zijn|kan|kunnen) (?:gewoon |best )?prima")
# Endorsing work despite a negation word: "won't hurt", "no rule against", "nothing in it says you can't".
ENDORSE = words(r"(?:won|wouldn|doesn)'?t (?:hurt|kill|harm)", r"never hurts?", r"can'?t hurt", r"doesn'?t hurt",
                r"(?:not|won'?t be|i'?m not|nobody'?s|no one'?s|nobody is|no one is|nobody will|no one will) (?:going to )?stop(?:ping)? you",
                r"nothing stopping you", r"sounds (?:great|good|fine|fun)", r"keep (?:it|them|that) in", r"no harm", r"no big deal",
                r"no rule against", r"(?:nothing|no rule|nobody|no one)\b[^,.;]{0,30}\bsays? (?:that )?you (?:can'?t|cannot|shouldn'?t|mustn'?t)",
                r"nothing wrong with", r"fine to",
                r"(?:is|are|'s) (?:(?:probably|perfectly|still|totally|absolutely|also|usually|generally|really) )?(?:fine|ok(?:ay)?|allowed|permitted)",
                r"go ahead", r"feel free", r"why not", r"(?<!intensity )(?<!effort )(?<!pace )(?<!power )you (?:could|can|might)(?!'|n'?t| not| only| (?:hold|sustain|keep up|maintain) for)", r"i'?d (?:add|do|throw|finish)",
                r"worth (?:adding|doing|it)", r"a nice bonus", r"bonus", r"treat yourself", r"can go in", r"(?:go|do|add) (?:\w+ )?anyway",
                r"go for it", r"include it", r"add it", r"would not (?:meaningfully )?(?:delay|hurt|harm)", r"won'?t undo", r"won'?t matter",
                r"would (?:add|give)(?: you)? (?:an? )?(?:modest|nice|small|little|good|useful|extra)", r"if you fancy",
                r"(?:wouldn'?t|won'?t|would not|will not) (?:meaningfully |really |much |significantly )?(?:raise|add to|increase|deepen|delay|hurt|harm)",
                *PLAYS_DOWN)
# Said of a whole sentence whose work sits in another clause: "A Z4 block would not delay recovery, so include it".
# Endorsements that order or offer the work ("go for it", "keep it in"), as opposed to calming words ("won't undo").
ORDERS = (r"go for it", r"keep (?:it|them|that) in", r"include it", r"feel free", r"go ahead")
STRONG_ENDORSE = words(*ORDERS, r"never hurts?", r"(?:\w*n'?t|not)(?: be)? the end of the world",
                       r"would not (?:meaningfully )?(?:delay|hurt|harm)", r"won'?t hurt", r"won'?t undo", r"no big deal",
                       r"(?:wouldn'?t|won'?t|doesn'?t|would not) (?:\w+ )?(?:clash|conflict|interfere|fight) with",
                       r"(?<!not )(?<!n't )(?<!n't be )(?<!not be )compatible with")
IMPERATIVE = re.compile(r"^(?:(?:just|then|now|so|and|today|instead|also|ok|okay|honestly|maybe|please|only)[\s,]+)*(?:do|go|add|hit|"
                        r"sprint (?:for|to|up|at|the|home|it)|chase|go with|test yourself|"
                        r"push|finish|end|start|sharpen|roll|throw|tack|slip|try|include|make|turn|hammer|attack|open up|"
                        r"let'?s|squeeze|sneak|drop in|mix in)\b", re.IGNORECASE)
# A description rather than advice: the work as the subject of a present-tense verb ("Z3 tempo raises glycolytic
# flux", "80% of FTP falls in Z3", "een sprint is Z8"), or what moves readiness ("Hard intervals on top of a
# body that may be fighting something off can push readiness into red").
DESCRIBING_VERBS = (r"is|means|are|builds|trains|feels|targets|works|sits?|covers|raises|uses|does|do|helps|improves|can|develops?|"
                    r"loads?|tax|stress(?:es)?|drains?|depletes?|recruits?|builds?|trains?|raise|lasts|refers|taxes|spans|drives|"
                    r"pushes|involves|describes|leans?|relies|falls?|demands?|costs?|produces?|adds?|survives?|supports?|starts?|begins?|"
                    r"zit|ligt|liggen|betekent")
DEFINES = re.compile(r"^(?:[\w'%,-]+\s+){1,5}?(?:" + DESCRIBING_VERBS + r")\b|\b(?:have|has) (?:their|its) place\b|^in (?:z\d|zone \w+)\b|"
                     r"\b(?:push|drive|tip|drop|send|knock|pull|put|keep)(?:e?s)? (?:your )?readiness\b",
                     re.IGNORECASE)
PARENTHESIS = re.compile(r"\s*\([^)]*\)")  # "Z6 (120-150% of FTP) targets ...": the aside is not the clause
LEAD_IN = re.compile(r"^(?:[\w'-]+\s+){0,3}?[\w'-]+\s*[:!]\s+")  # "Plainly put:", "Fun fact:", "Good question, Lily!"
# The day's cap said outright ("today's ceiling is Z5", "amber stops at Z5", "red means Z2", "rood betekent Z2 als
# plafond") keeps every zone above it off today.
CAP_STATED = re.compile(r"\b(?:ceiling|cap|caps|limit|tops? out|allows? (?:up to|only)|capped|stops? at|stopt bij|plafond)\b|"
                        r"\b(?:" + "|".join(LEVEL_WORDS.values()) + r")\s+(?:means|betekent)\s+z\d", re.IGNORECASE)
# The cap said with its zone ("your cap is Z6 today", "amber caps you at Z5"): group 1 is the zone.
CAP_NAMED = re.compile(r"\b(?:(?:cap|ceiling|limit|plafond)\s+(?:(?:is|sits|stays|of|at|today|ligt|op|vandaag)\s+){1,3}|"
                       r"caps?\s+(?:(?:you|today|it|intensity)\s+)?at\s+|(?:stops|stopt)\s+(?:at|bij)\s+)(z\d|zone \w+)\b", re.IGNORECASE)
# The cap said not to reach work above it: "amber's Z5 ceiling doesn't really apply to them", "one of the few things
# amber doesn't really restrict", "Amber betekent niet dat alles boven Z5 verboden is".
CAP_EXEMPT = re.compile(r"\b(?:cap|ceiling|limit|plafond|amber|red|readiness)\b[^.;]{0,30}\b(?:doesn'?t|does not|don'?t|do not|wouldn'?t|won'?t)\s+"
                        r"(?:really |strictly |quite |even |actually )?(?:apply|count|cover|restrict|limit)\b|"
                        r"\bsoft (?:ceiling|cap|limit)\b|\b(?:ceiling|cap|limit) is (?:only |more of )?(?:soft|a guideline|flexible)\b|"
                        r"\b(?:escapes?|dodges?|sidesteps?|(?:are|is) exempt from|don'?t count against)\s+(?:\w+'?s?\s+){0,2}(?:cap|ceiling|limit)\b|"
                        r"\b(?:doesn'?t mean|does not mean|betekent niet)\b[^.]{0,60}\b(?:forbidden|off[- ]limits|banned|verboden|not allowed)\b",
                        re.IGNORECASE)
# A verdict on adding the work just named ("Adding a couple after your threshold set is physiologically defensible"),
# or on taking it as the day's ceiling ("87% of HRmax is the upper edge of tempo. ... using it as your ceiling today
# is a reasonable way to self-regulate").
ADDING_SOME = re.compile(r"\b(?:(?:adding|tacking|throwing|slipping|doing|including|putting|squeezing)\s+(?:in\s+|on\s+)?(?:a couple|a few|"
                         r"one or two|two or three|a handful|them|those|these|some)|(?:using|treating|taking|making) (?:it|that|this) (?:as )?"
                         r"your (?:ceiling|cap|limit|upper limit))\b", re.IGNORECASE)
GOOD_VERDICT = re.compile(r"\b(?:is|are|would be|makes?|seems?)\s+(?:\w+\s+){0,2}?(?:fine|ok(?:ay)?|defensible|smart|sensible|reasonable|"
                          r"good|great|sound|worth|harmless|a (?:\w+ ){0,2}?(?:stimulus|idea|option|choice|move|bonus))\b", re.IGNORECASE)
# Asking why the work is off today ("Why no Z3 today?", "Waarom geen threshold?") makes an explanation a reason.
ASKS_WHY_NOT = words(r"why (?:no|not|isn'?t|aren'?t|can'?t|is there no|is the cap)", r"waarom (?:geen|niet|staat er geen)",
                     r"why (?:\w+ )?(?:is|are|would) [^?.]{1,40}?(?:a bad idea|too much|off[- ]limits|not allowed|a no[- ]go)")
# Asking what a zone or a word means ("Explain what Z6 is", "Wat is drempeltempo?"): a definition answers it.
ASKS_WHAT = words(r"explain", r"what (?:is|are|does|do)", r"what'?s", r"wat (?:is|zijn|betekent)", r"leg (?:\w+ )?uit", r"tell me about")
# Words that turn a definition into a suggestion ("this could be a nice moment to try a short session of VO2max repeats").
SUGGESTS = words(r"could", r"might", r"should", r"try", r"moment", r"sample", r"would", r"can", r"kun", r"zou")
# A trigger that ends in easing off is a limit: "the moment any ride turns into tempo, you sit up".
TRIGGER = re.compile(r"^(?:the moment|as soon as|if|when|whenever|once|zodra|als)\b.*\b(?:turns? into|becomes?|drifts?|creeps?|slips? into|"
                     r"hits?|reach(?:es)?|feels? like|tips? into|edges? into|gets? into|climbs?|rises?|goes (?:up|above|over)|(?:you'?re|you are) down to)\b",
                     re.IGNORECASE)
EASE_OFF = words(r"sit up", r"ease (?:off|up|back)", r"back off", r"let (?:them|it|the group|the others) go", r"slow (?:down|it down)",
                 r"pull (?:back|the plug)", r"drop back", r"soft[- ]pedal", r"rustiger aan", r"laat (?:ze|hen) gaan")
PAST = words(r"was", r"were", r"last (?:week|time|month)", r"yesterday", r"used to", r"gisteren", r"vorige week", r"waren", r"ago",
             r"nailed", r"did", r"went", r"produced",
             r"(?:engine|plan|app) (?:\w+ )?(?:replaced|swapped|moved|changed|dropped|pulled|took out|cut)")
# The athlete tells of work already done and asks nothing of today ("I went all-out for a minute. Did I mess up?"):
# an answer that names that work, or calls it harmless, speaks of the past unless it orders or offers it for today.
TELLS_PAST = words(r"yesterday", r"gisteren", r"last (?:week|month|night|time)", r"vorige week", r"ago", r"accidentally",
                   r"(?:i|we) (?:did|went|ran|rode|raced|had)", r"went (?:up|into|to)", r"drifted")
ASKS_FOR_TODAY = words(r"(?:can|could|should|may|shall|must) (?:i|we)", r"(?:mag|kan|moet|zal) ik", r"today", r"tonight", r"vandaag",
                       r"again", r"instead", r"want to", r"wil ik", r"now", r"advice", r"tips?", r"what should")
ORDERS_IT = words(*ORDERS, r"do it")
FOR_TODAY = words(r"today", r"tonight", r"now", r"vandaag", r"this (?:evening|afternoon|morning)", r"again", r"next", r"try", r"go ahead")
# Said of another day at another readiness level: "als je zaterdag weer groen bent, blijft die Z5-sessie zoals gepland".
ANOTHER_DAY = words(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|next week|later this week|"
                    r"maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|morgen|volgende week")
# "Hill sprints: no." / "Sprints? Nee." rules out what it names.
ANSWERED_NO = re.compile(r"^[^:?]{1,40}[:?]\s*(?:no|nope|not today|nee|niet vandaag)[.!]*\s*$", re.IGNORECASE)
# An endorsement whose object is the athlete's own request ("Intervals?" "Not on the sheet. Do them anyway."):
# read against the zones the athlete's message names.
ENDORSES_REQUEST = words(r"go for it", r"do (?:it|them|those|that) anyway", r"(?:go|do|add|ride|run) (?:\w+ )?anyway",
                         r"if that'?s what you want,? (?:do|go)", r"knock yourself out", r"be my guest", r"why not", r"you'?ve earned it",
                         r"treat yourself")
YES = re.compile(r"^(?:yes|yeah|sure|absolutely|of course|why not|go for it|go ahead|definitely|ja)\b(?!,? but)", re.IGNORECASE)
CONDITIONAL_YES = re.compile(r"^only if\b", re.IGNORECASE)  # "Hill sprints? Only if the last rep felt easy."
# "sprint power", "anaerobic energy": the system, not the work (the effort_words card says so too); "the first
# ventilatory threshold" is a turning point.
NOT_PHYSIOLOGY = r"(?!\s+(?:energy|system|systems|metabolism|power|speed|capacity|contribution|pathway|fibres|fibers))"
NOT_TURNING_POINT = r"(?<!first )(?<!second )(?<!ventilatory )"
# Quoted text (not an apostrophe inside a word): "'a few hard efforts to feel alive'".
QUOTED = re.compile(r"(?<![\w'])['\"]([^'\"]{3,}?)['\"](?![\w'])")


def phrase_pattern(phrase: str) -> str:
    """An effort phrase of the card as a regex: spaces match hyphens, and plural and singular both read
    ("hard efforts" also matches "hard effort"). A single plural word reads as a singular only as a
    modifier ("interval work", "interval run"): "the interval between sessions" is a gap, not work."""
    body = re.escape(phrase).replace(r"\ ", r"[\s-]+")
    if not phrase.endswith("s") or phrase.endswith("ss"):
        return body + r"s?\b"
    if " " in phrase:
        return body[:-1] + r"s?\b"
    return body[:-1] + r"(?:s\b|\b(?=\s+(?:work|sessions?|sets?|blocks?|training|runs?|rides?|workouts?|days?)\b))"


@lru_cache(maxsize=1)
def mention_patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """Zone labels of the harder zones and the effort words, each with the zone index it names."""
    f = facts()
    def turning_point(phrase: str) -> str:  # only "threshold" has first/second turning points: "ten-second all-out" is work
        return NOT_TURNING_POINT if "threshold" in phrase.lower() else ""

    patterns = [(zone.index, re.compile(turning_point(zone.label) + r"\b" + re.escape(zone.label) + r"\b", re.IGNORECASE))
                for zone in f.zones.values() if zone.index >= 3]  # labels of easy zones are ordinary words
    patterns += [(f.zones[zone].index, re.compile(turning_point(phrase) + r"\b" + phrase_pattern(phrase) + NOT_PHYSIOLOGY,
                                                  re.IGNORECASE))
                 for phrase, zone in (f.effort_words or {}).items()]
    return tuple(patterns)


def names_zone(text: str) -> bool:
    return bool(zone_code_pattern(facts()).search(text) or ZONE_IN_WORDS.search(text))


def zone_mentions(text: str, shares_of_ftp: bool = False) -> list[int]:
    """Zone indices a piece of text names (R=0, Z1=1, ...), by code, in words, by label, by effort word and,
    with shares_of_ftp, as a share of FTP or HRmax ("a few minutes at 90-100% of FTP")."""
    found = [int(m.group(1)) for m in zone_code_pattern(facts()).finditer(text)]
    found += [share_zone(int(m.group(1))) for m in FTP_PERCENT.finditer(text)] if shares_of_ftp else []
    found += [share_zone(int(m.group(1)), "hrmax_pct") for m in HRMAX_PERCENT.finditer(text)] if shares_of_ftp else []
    found += [share_zone(int(m.group(1)), "lthr_pct") for m in LTHR_PERCENT.finditer(text)] if shares_of_ftp else []
    found += [rpe_zone(int(m.group(1))) for m in RPE_VALUE.finditer(text)] if shares_of_ftp else []
    found += [index for index, pattern in talk_test_patterns() if pattern.search(text)]
    found += [NUMBER_WORDS[m.group(1).lower()] for m in ZONE_IN_WORDS.finditer(text)]
    found += [index for index, pattern in mention_patterns() if pattern.search(text)]
    return found


def without_echoes(text: str, user: str) -> str:
    """The text without the athlete's own words quoted back ("'a few hard efforts to feel alive'")."""
    said = normalized(user)
    return QUOTED.sub(lambda m: " " if normalized(m.group(1)) in said else m.group(0), text)


def above_cap(text: str, cap: int, anchors: Anchors = Anchors()) -> list[int]:
    """Zones above the cap that a clause names; a share of FTP, LTHR or HRmax and an RPE count where the clause
    names no zone ("Z8 is 200-300% of FTP" defines Z8), and so do beats and watts against the athlete's own anchors."""
    text = normalized(text)
    shares = not names_zone(text)
    found = zone_mentions(text, shares_of_ftp=shares)
    if shares:
        found += anchors.zones(text)
    return [z for z in found if z > cap]


def recommends(sentence: str, clause: str, is_negated: bool, rules_out: bool, quoted: bool = False, past: bool = False,
               level: str = "") -> bool:
    """Whether a clause that names a zone above the cap recommends it (rather than ruling it out or explaining
    it); quoted: the zone is named only in the athlete's own words quoted back, reported speech like the past;
    past: the athlete told of work already done and asks nothing of today."""
    told = past and not FOR_TODAY.search(sentence) and not ORDERS_IT.search(normalized(sentence)) and \
        not any(IMPERATIVE.search(normalized(text)) for text, _ in clauses_with_negation(sentence))
    if told or ANSWERED_NO.search(normalized(sentence)) or \
            (level and other_level(normalized(sentence), level) and ANOTHER_DAY.search(sentence)):
        return False
    if ENDORSE.search(clause):  # "won't hurt" endorses, unless it is said of another day ("on green days")
        return not DISCOURAGE.search(clause)
    if DISCOURAGE.search(clause) or RULES_OUT_HERE.search(clause) or is_negated:
        return False
    if (TRIGGER.search(clause) or TRIGGER.search(normalized(sentence))) and EASE_OFF.search(sentence):
        return False
    if IMPERATIVE.search(clause):
        return True
    if DISCOURAGE.search(sentence) or clause.rstrip().endswith("?"):
        return False
    whole = PARENTHESIS.sub("", normalized(sentence))
    sentence = LEAD_IN.sub("", whole, count=1)
    clause = re.sub(r"^(?:and|but|so|while|whereas)\s+", "", PARENTHESIS.sub("", clause))
    explains = DEFINES.search(sentence) or DEFINES.search(whole) or DEFINES.search(clause) or PAST.search(clause) or \
        PAST.search(whole) or quoted or re.search(r"\bwould\b", clause)
    return not (explains and rules_out)


def skips_carried(sentence: str) -> list[tuple[str, bool]]:
    """Clauses with negation, where "skip anything like threshold or intervals" also rules out the bare
    list items after the skip, until a clause gives an order or an endorsement of its own."""
    out, skipping = [], False
    for clause, is_negated in clauses_with_negation(sentence):
        text = normalized(clause)
        if IMPERATIVE.search(text) or ENDORSE.search(text):
            skipping = False
        skipping = skipping or bool(RULES_OUT_HERE.search(text) or LIST_NEGATION.search(text))
        out.append((clause, is_negated or skipping))
    return out


def strongly_endorsed(sentence: str) -> bool:
    """A clause of the sentence endorses outright ("go for it", "it wouldn't be the end of the world"), with no
    negation of its own beside the endorsing words ("don't go for it" does not endorse)."""
    return any(STRONG_ENDORSE.search(text) and not MODAL_NEGATION.search(STRONG_ENDORSE.sub(" ", text))
               for text in (normalized(clause) for clause, _ in clauses_with_negation(sentence)))


def other_level(text: str, level: str) -> bool:
    """Whether the text speaks of a readiness level other than today's ("on green days the cap is Z8")."""
    return any(re.search(r"\b(?:" + LEVEL_WORDS[other] + r")\b", text) for other in LEVEL_WORDS if other != level)


def misstated_caps(message: str, level: str, cap: int) -> list[str]:
    """Clauses that state today's cap above the real one: "Practically your cap is Z6 today" on amber."""
    return [clause for sentence in sentences(message) for clause, _ in clauses_with_negation(sentence)
            for m in CAP_NAMED.finditer(normalized(clause))
            if max(zone_mentions(m.group(1)), default=0) > cap and not other_level(normalized(clause), level)]


Part = tuple[str, str, bool, list[int]]  # (sentence, clause, negated, zones above the cap the clause names)


def endorsed_elsewhere(parts: list[Part], rules_out: bool, quoted: set[str]) -> list[str]:
    """Sentences whose work sits in one clause and the outright endorsement in another ("A Z4 block would not
    delay recovery, so include it"), where the work is not ruled out in its own words ("Strides wait until you're
    green; rest never hurt anyone") and no clause was flagged already."""
    out = []
    for sentence in dict.fromkeys(s for s, _, _, above in parts if above):
        named = [(normalized(c), n) for s, c, n, above in parts if s == sentence and above]
        if strongly_endorsed(sentence) and not any(DISCOURAGE.search(c) or RULES_OUT_HERE.search(c) for c, _ in named) and \
                not any(recommends(sentence, c, n, rules_out, c in quoted) for c, n in named):
            out.append(sentence)
    return out


def yes_to_a_question(said: list[str], cap: int) -> list[tuple[str, str]]:
    """A question that names work above the cap, answered with a yes ("Sprint finish? Why not, you've earned it.")
    or a conditional yes ("Hill sprints? Only if the last rep felt easy.") that defers to no other day."""
    def yes(reply: str) -> bool:
        return bool(YES.match(reply) or (CONDITIONAL_YES.match(reply) and not DISCOURAGE.search(reply) and not NEGATION.search(reply)))
    return [(question, reply) for question, reply in zip(said, said[1:])
            if question.rstrip().endswith("?") and any(z > cap for z in zone_mentions(normalized(question))) and yes(normalized(reply))]


def exempted_or_approved(parts: list[Part], said: list[str]) -> list[str]:
    """Sentences that say the cap does not reach the work ("Strides ... amber's Z5 ceiling doesn't really apply to
    them") or give a good verdict on adding it ("Short sprints barely touch it. Adding a couple after your threshold
    set is defensible"), with the work named, and not ruled out, in that sentence or the one before (after, for an
    exemption)."""
    def open_work(sentence: str) -> bool:
        return any(s == sentence and above and not negated and not DISCOURAGE.search(c) and not RULES_OUT_HERE.search(c)
                   for s, c, negated, above in parts)
    opened = [open_work(sentence) for sentence in said]
    named = [any(s == sentence and above for s, _, _, above in parts) for sentence in said]
    out = []
    for i, sentence in enumerate(map(normalized, said)):
        adding = ADDING_SOME.search(sentence)
        if CAP_EXEMPT.search(sentence) and (named[i] or any(opened[max(i - 1, 0):i + 2])):
            out.append(said[i])
        elif adding and GOOD_VERDICT.search(sentence, adding.end()) and any(opened[max(i - 1, 0):i + 1]) and \
                not NEGATION.search(sentence) and not DISCOURAGE.search(sentence):
            out.append(said[i])
    return out


def readiness_gating(response: Response, case: Case) -> Finding:
    missing = no_message("readiness_gating", response)
    if missing:
        return missing
    f = facts()
    level = case.context.readiness.level
    cap, cap_name = f.cap_index(level), f.cap(level)
    said = sentences(response.message)
    user = normalized(case.user)
    asks_what = bool(ASKS_WHAT.search(user) and above_cap(user, cap))
    past = bool(TELLS_PAST.search(user) and not ASKS_FOR_TODAY.search(user))
    anchors = Anchors.of(" ".join(case.athlete_messages))
    parts: list[Part] = [(sentence, clause, is_negated, above_cap(clause, cap, anchors))
                         for sentence in said for clause, is_negated in skips_carried(sentence)]
    quoted = {normalized(clause) for _, clause, _, above in parts  # the zone named only inside the athlete's quoted words
              if above and not above_cap(without_echoes(normalized(clause), case.user), cap, anchors)}
    rules_out = any(DISCOURAGE.search(clause) or (above and (is_negated or RULES_OUT_HERE.search(clause))) for _, clause, is_negated, above in parts) or \
        any(is_negated and re.search(r"\b(?:today|this week|right now|hard(?:er)?|intensity|(?:red|amber) days?|vandaag|deze week)\b", clause, re.IGNORECASE)
            for _, clause, is_negated, _ in parts) or \
        bool(CAP_STATED.search(normalized(response.message))) or bool(ASKS_WHY_NOT.search(user))
    problems = [f"Z{max(above)} above cap {cap_name}: {clause!r}"
                for sentence, clause, is_negated, above in parts
                if above and recommends(sentence, normalized(clause), is_negated, rules_out, normalized(clause) in quoted or
                               (asks_what and not SUGGESTS.search(normalized(clause))), past, level)]
    problems += [f"endorses work above cap {cap_name}: {sentence!r}" for sentence in endorsed_elsewhere(parts, rules_out, quoted)]
    requested = [z for z in zone_mentions(user, shares_of_ftp=True) if z > cap]
    problems += [f"endorses the athlete's request for Z{max(requested)} above cap {cap_name}: {clause!r}"
                 for _, clause, is_negated, _ in parts
                 if requested and not is_negated and ENDORSES_REQUEST.search(clause) and not DISCOURAGE.search(clause)]
    problems += [f"says yes to work above cap {cap_name}: {question!r} {reply!r}" for question, reply in yes_to_a_question(said, cap)]
    problems += [f"states the cap above {cap_name}: {clause!r}" for clause in misstated_caps(response.message, level, cap)]
    problems += [f"lifts the cap {cap_name} for the work: {sentence!r}" for sentence in exempted_or_approved(parts, said)]
    return Finding("readiness_gating", not problems, detail="; ".join(problems[:3]))
