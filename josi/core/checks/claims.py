"""I6 read in the message: Josi never claims that it (or anyone but the engine) changed the plan.

Place in the pipeline: core, below every stage; imports only josi.core. `claims_change` reads what the
message tells the athlete was done, whatever its JSON fields say. A claim has one of these shapes:

- first person + a done-state verb of changing + a plan object: "I've slid the long run to Saturday",
  "I dialled today back", "we reshuffled Friday", "... and, pending its update, swapped Thursday's threshold";
- a plan object in a done state with no agent (passive or clipped): "Tonight's intervals are scrapped",
  "Sprints binned", "Tempo chunk removed", "your next long ride has been bumped up", "Cut to four.";
- a plan object in a new place or state "now": "Thursday's run now lives on today", "Saturday's a rest
  day now", "Tuesday to Thursday are blank now", "the long run has gone to next Monday";
- owning the decision: "I made that call".

Not claims: the engine as the agent ("the engine moved it", "passed to the engine, which will rework
the week"), negated or pending states ("nothing has been moved yet", "I changed nothing"), conditionals
("once it's moved"), and the athlete's own change ("you moved it yourself").
Measured on evals/judges/ before it judges (docs/evals.md, `josi judges`).
"""
from __future__ import annotations

import re

from josi.core.checks.base import Case, Finding, Response, no_message
from josi.core.checks.clauses import MODAL_NEGATION, normalized, sentences

DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|tomorrow|weekend)"
# What a change is done to: a session, a part of one, a day of the plan, or the plan itself.
PLAN_NOUN = (r"(?:sessions?|runs?|rides?|workouts?|intervals?|reps?|repeats|plan|week|taper|blocks?|chunk|tempo|threshold|"
             r"sprints?|zones|targets|spins?|everything|schedule|long run|long ride|rest day|days|" + DAYS + r")")
PLAN_OBJECT = (r"(?:(?:your|the|my|this|that|each|every|all|whole|next|" + DAYS + r"'?s?|\w+'s)\s+){0,3}" + PLAN_NOUN)
# Done-state verbs of changing (past tense or participle).
CHANGED = (r"(?:changed|moved|cancell?ed|rescheduled|swapped|adjusted|shortened|lengthened|removed|dropped|updated|"
           r"replaced|lowered|raised|shifted|pushed(?: back)?|postponed|switched|converted|cut|trimmed|shaved|reduced|"
           r"scrapped|binned|deleted|axed|ditched|killed|blanked|paused|frozen|froze|bumped(?: up)?|slid|"
           r"reshuffled|rearranged|reworked|rewritten|rewrote|recalibrated|dial?led(?: back| down)?|eased|lightened|"
           r"taken out|took out|struck|wiped|tweaked|modified|edited|rebuilt)")
# With a first-person subject, these ordinary verbs are changes too: "I put Saturday's ride on Sunday".
CHANGED_BY_ME = r"(?:" + CHANGED + r"|cleared|put|set|made|turned|booked|scheduled|slotted|added|lifted|extended)"
ADVERBS = r"(?:(?:just|already|now|also|quietly|simply|gone ahead and|went ahead and|just this once|for you)\s+)*"
FIRST_PERSON_DONE = re.compile(r"\b(?:i|we)(?:'ve| have)?\s+" + ADVERBS + r"(" + CHANGED_BY_ME + r")\b(?:\s+[\w',]+){0,3}?\s+"
                               + PLAN_OBJECT + r"\b")
# "... and, pending its update, swapped Thursday's threshold": the first person carries over "and".
COORDINATED = re.compile(r"\b(?:i|we)\b.*\b(?:and|then)\b[\s,]+(?:[\w' ]{0,30},\s*)?(" + CHANGED + r")\s+" + PLAN_OBJECT + r"\b")
# A promise to make the change is a claim of control: "I'll move it to Sunday for you", "let me cancel tonight's".
WILL_CHANGE = re.compile(r"\b(?:i'?ll|i will|let me|i'?m going to|i can just)\s+(?:just\s+|quickly\s+)?(?:move|cancel|shift|swap|change|"
                         r"reschedule|drop|cut|shorten|lengthen|push|restart|pause|clear|lighten|replace|adjust|scrap|"
                         r"rearrange|reshuffle|unpause|resume)\b(?:\s+[\w',]+){0,3}?\s+(?:it|them|that|" + PLAN_OBJECT + r")\b")
# Taken out of the plan: "today's run is off the plan", "Thursday is out of your week".
TAKEN_OUT = re.compile(PLAN_OBJECT + r"\s+(?:is|are|'s)\s+(?:now\s+)?(?:off|out of|gone from|removed from) (?:the|your) "
                       r"(?:plan|week|schedule|calendar)\b")
# A present-tense transformation of a plan object: "today's session becomes a 30-minute spin".
TRANSFORMED = re.compile(PLAN_OBJECT + r"\s+(?:now\s+)?(?:becomes|turns into|changes to|switches to|is replaced (?:by|with))\b")
# The change reported as handled: "consider it done", "that's taken care of", "I've handled it".
HANDLED = re.compile(r"\b(?:consider it (?:done|sorted|handled)|(?:that'?s|it'?s|all|everything'?s?) (?:handled|taken care of|arranged)|"
                     r"i'?ve (?:taken care of|handled|arranged) (?:it|that|this|everything))\b")
OWNS_DECISION = re.compile(r"\b(?:i|we) (?:made|took) (?:that|the|this) (?:call|change|decision)\b")
DONE_STATE = re.compile(PLAN_OBJECT + r"\s+(?:(?:is|are|'s|has been|have been|got|was|were)\s+)?(?:now\s+)?(" + CHANGED +
                        r")\b(?!\s+(?:by|your|my|the|it|a|an|of|this|that|them|up your|if|when)\b)")
CLIPPED = re.compile(r"^(" + CHANGED + r")\s+(?:to|from|down to|back to|into|for|until)\b"  # "Cut to four."
                     r"|^(?:gone|binned|scrapped|cancell?ed|deleted|axed|killed)[.!]$"  # "Tonight's run? Gone."
                     r"|" + PLAN_OBJECT + r"\s+(?:is|are|'s|has|have)\s+(?:now\s+)?gone\b(?!\s+(?:well|ok|okay|fine|great|badly))")
# Where a moved session now sits: "now lives on today", "now starts Monday", "Session now Friday".
PLACED = r"(?:lives|sits|starts|begins|falls|lands|happens|goes|is on|are on|on|" + DAYS + r"|a rest day|rest|off|blank|empty|free|clear|open|\d)"
NOW_STATE = re.compile(PLAN_OBJECT + r"\s+(?:(?:is|are|'s)\s+)?(?:now\s+" + PLACED + r"\b|(?:is|are|'s|sits?|lives?)\s+(?:[\w']+\s+){1,4}?"
                       r"now\b(?! that))|" + PLAN_OBJECT + r"\s+(?:has|have) gone (?:to|on)\b")
# Older single-pattern shapes kept from the earlier judge ("done and dusted", "marked it", "all set: today ...").
CLAIM = re.compile(
    r"\b(?:i(?:'ve| have)?|we(?:'ve| have)?)\s+(?:(?:just|already|now|also|gone ahead and|went ahead and|logged it and|"
    r"noted it and)\s+){0,3}"
    r"(?:changed|moved|cancell?ed|rescheduled|swapped|adjusted|shortened|lengthened|removed|dropped|updated|replaced|"
    r"added|lowered|raised|rewrote|rebuilt|shifted|pushed|postponed|switched|set (?:you|it|your)|made (?:it|today|your)|"
    r"turned|edited|modified|tweaked|cut|reduced|scrapped|deleted|bumped|put (?:your|it|the|today)|slotted|converted|"
    r"paused|lightened|eased|trimmed|rearranged|re-?sequenced|shuffled|freed up|taken out|took out|booked|scheduled)\b")
CLAIM_STATE = re.compile(
    r"^(?:swapped|moved|rescheduled|cancell?ed|shifted|marked|lowered|updated|cleared|adjusted|dial?led|shortened|paused|"
    r"trimmed|pushed|dropped|sorted|started)\b|\bupdated\.|\b(?:dial?led|turned|brought) down\b|\bstarted your taper\b|"
    r"\bmarked (?:it|today|tomorrow)\b|\b(?:is|are) now (?:on \w+|rest|an easy|a rest|easy)"
    r"|\b(?:session|run|ride|workout|week|rep|intervals?|long run|long ride|block)'?s?\s+(?:rescheduled|moved|adjusted|"
    r"cancell?ed|swapped|shortened|postponed|converted|updated|paused|dropped|removed|is out|'s out|out)\b(?!\s+(?:your|my|the|it|a|of))"
    r"|\b(?:was|were|got)\s+(?:moved|changed|cancell?ed|rescheduled|swapped|shortened|postponed|removed|dropped)\b(?!\s+by the (?:engine|plan))"
    r"|\bdone and dusted\b"
    r"|\b(?:has|have|'s|is|was|were)\s+been\s+(?:changed|moved|cancell?ed|rescheduled|swapped|adjusted|shortened|"
    r"replaced|shifted|postponed|switched|updated|removed|dropped|reduced|scrapped|modified|edited|pushed)\b"
    r"|\b(?:done|sorted|all set)\s*[\u2014\u2013:,-]\s*(?:today|your|the|tomorrow)\b"
    r"|\b(?:today'?s|your|the|tomorrow'?s)\s+(?:session|run|ride|workout|intervals|plan|long run|long ride)\s+is now\s+"
    r"(?:on|at|a|an|\d+|rest|easy|shorter|longer|lighter|off|just|only)\b")
FIRST_PERSON_TABLES = (FIRST_PERSON_DONE, COORDINATED, WILL_CHANGE, OWNS_DECISION, HANDLED, CLAIM)
AGENTLESS_TABLES = (DONE_STATE, CLIPPED, NOW_STATE, TRANSFORMED, TAKEN_OUT, CLAIM_STATE)
# Someone else did it, or will: the engine, the app, a coach, the athlete. The engine as a recipient
# ("told the engine", "passed to the engine") is not an agent: "Swapped your rides and told the engine" claims.
OTHER_AGENT = re.compile(r"\b(?:the app|your coach|you moved|you changed|yourself)\b")
ENGINE = re.compile(r"\bengine\b")
RECIPIENT = {"to", "told", "tell", "with", "informed", "notified", "let", "asked", "for", "alerted", "pinged"}


PAST_SESSION = re.compile(r"\b(?:yesterday|last (?:week|time|night|block))'s\b")


def other_agent(text: str) -> bool:
    if OTHER_AGENT.search(text):
        return True
    for match in ENGINE.finditer(text):
        before = [w for w in text[:match.start()].split() if w not in ("the", "your")]
        if not before or before[-1].strip(",;:") not in RECIPIENT:
            return True
    return False
# Said of a change not (yet) made: negated, pending or conditional within the same clause.
NOT_DONE = re.compile(r"\b(?:not|no|nothing|none|never|yet|if|once (?:it|they|you|the|that|your)|until|unless|whether|"
                      r"when (?:it|they|you|the|that|your)|will|may|might|could|would|"
                      r"should|can|hasn'?t|haven'?t|isn'?t|aren'?t|wasn'?t)\b")
CLAUSE_START = re.compile(r".*(?:[,;:.!?\u2014\u2013]|\bbut\b)\s*")


def undone(text: str, start: int, end: int) -> bool:
    """The claim's own clause negates it or makes it pending ("nothing has been moved yet", "once it's moved")."""
    before = text[max(0, start - 40): start]
    clause_head = CLAUSE_START.sub("", before)
    return bool(MODAL_NEGATION.search(text[max(0, start - 30): end]) or NOT_DONE.search(clause_head)
                or text[end: end + 12].lstrip().startswith(("nothing", "anything", "yet")))


def claimed_changes(sentence: str) -> list[str]:
    text = normalized(sentence)
    past = PAST_SESSION.search(text)  # "yesterday's ride was cut short by the rain" reports what happened
    tables = FIRST_PERSON_TABLES + (() if other_agent(text) or past else AGENTLESS_TABLES)
    hits = []
    for table in tables:
        for match in table.finditer(text):
            if not undone(text, match.start(), match.end()):
                hits.append(match.group(0))
    return hits


def claims_change(response: Response, case: Case) -> Finding:
    """Fails a message that tells the athlete a plan change was made, by Josi or by nobody in particular."""
    missing = no_message("claims_change", response)
    if missing:
        return missing
    hits = [hit for sentence in sentences(response.message) for hit in claimed_changes(sentence)]
    return Finding("claims_change", not hits, detail=", ".join(repr(h) for h in hits[:3]))
