"""Clauses of a message, and whether a clause is negated: what the message-level judges read.

Place in the pipeline: core, below every stage; imports only josi.core. A judge decides per clause,
not per sentence, so one negation word ("instead", "no", "skip") cannot excuse a whole sentence:
"I can't change your plan, but try 5 x 3 min" is two clauses, and only the first is negated.
"""
from __future__ import annotations

import re

# Numbers spelled out, the one table every judge reads them from ("four x five", "forty-five minutes", "zone six").
SPELLED_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                   "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                   "forty-five": 45, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))+[.!?]*")  # "0.91" is one number, not two sentences
# Clause boundaries: punctuation inside a sentence and the conjunctions that start a new claim. A
# contrast ("but", "instead") starts a fresh claim; a list ("," "and" "or") carries the negation of
# the clause before it: "I can't add intervals, swap the ride or skip the rest day" negates all three.
CLAUSE_BREAK = re.compile(r"(\s*(?:[,;:()\u2014\u2013]|\s-\s)\s*|\s+(?:but|though|although|however|whereas|while|"
                          r"otherwise|instead|so|then|and then|and|or|nor)\s+)", re.IGNORECASE)
CONTRAST = re.compile(r"^\s*(?:[;:()\u2014\u2013]|-|but|though|although|however|whereas|while|otherwise|instead|so|"
                      r"then|and then)\s*$", re.IGNORECASE)
# Only a negated verb carries over a list: "I can't add intervals, swap the ride or skip rest".
# "No need to stay easy, hit threshold" negates nothing after its comma.
MODAL_NEGATION = re.compile(r"\b(?:can'?t|cannot|won'?t|don'?t|do not|never|shouldn'?t|mustn'?t|wouldn'?t|couldn'?t|"
                            r"not (?:able|allowed|going) to|am not|is not|are not)\b", re.IGNORECASE)
LEADING_CONTRAST = re.compile(r"^(?:but|though|although|however|whereas|while|otherwise|instead|so|then|yet|and then)\b[\s,]*",
                              re.IGNORECASE)
NEGATION = re.compile(r"\b(?:no|not|never|nothing|none|without|can'?t|cannot|won'?t|don'?t|doesn'?t|isn'?t|aren'?t|"
                      r"wasn'?t|shouldn'?t|mustn'?t|couldn'?t|wouldn'?t|neither|nor|avoid|off the table|hold off|"
                      r"not today|rule[sd]? out|leave out|out of bounds|keep (?:it|things) (?:easy|below|under))\b",
                      re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text or "") if s.strip()]


def clauses(text: str) -> list[str]:
    """The message split into sentences, then clauses; empty pieces dropped."""
    return [clause for clause, _ in clauses_with_negation(text)]


def clauses_with_negation(text: str, own: re.Pattern[str] | None = None) -> list[tuple[str, bool]]:
    """(clause, negated) for each clause: negated by its own words (NEGATION, or `own` where a judge
    needs a stricter reading: "without" does not cancel "do 4 x 8"), or by the clause it continues."""
    own = own or NEGATION
    out = []
    for sentence in sentences(text):
        parts = CLAUSE_BREAK.split(sentence)
        carried = False
        for index in range(0, len(parts), 2):
            clause = parts[index].strip()
            lead = LEADING_CONTRAST.match(clause)
            if (index and CONTRAST.match(parts[index - 1])) or lead:
                carried = False
            if lead:
                clause = clause[lead.end():].strip()
            if not clause:
                continue
            is_negated = bool(own.search(clause)) or carried
            out.append((clause, is_negated))
            carried = carried or bool(MODAL_NEGATION.search(clause))
    return out


def negated(clause: str) -> bool:
    return bool(NEGATION.search(clause))


def normalized(text: str) -> str:
    """Lower case, curly quotes straightened, whitespace collapsed: what the patterns are written against."""
    return " ".join((text or "").replace("\u2019", "'").replace("\u2018", "'").lower().split())
