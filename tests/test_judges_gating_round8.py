"""Readiness gating, the families added for the wording of round 8: for each, one bad answer the judge must
flag and one look-alike good answer it must let through."""
import pytest

from josi.core.checks import Case, parse_response
from josi.core.checks.gating import readiness_gating
from josi.core.checks.intensity import share_zone
from josi.core.context import sample_context


def flagged(message, level="red", user="What about today?"):
    case = Case(id="t", context=sample_context("balanced", level, zone="Z2", minutes=50, age=44), user=user, expect="answer")
    response = parse_response({"intent": "question", "response_type": "QuestionAnswer", "source_cards": ["zone_physiology"],
                               "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None, "message": message})
    return not readiness_gating(response, case).passed


@pytest.mark.parametrize("message, level, user, bad", [
    # a share of HRmax names its zone as a share of FTP does
    ("Hold 88-90% of your max heart rate for the whole run.", "red", "What heart rate today?", True),
    ("Keep it near 75% of your max heart rate, easy and conversational.", "red", "What heart rate today?", False),
    # "not for today" in Dutch rules the explained zone out
    ("Drempeltraining is Z4: blokken rond je FTP. Niet voor vandaag: je readiness is rood.", "red", "Wat is drempeltraining?", False),
    ("Drempeltraining is Z4: blokken rond je FTP. Doe er vandaag twee.", "red", "Wat is drempeltraining?", True),
    # "nothing harder" rules work above the cap out, as "nothing hard" did
    ("A race is a big load and readiness dips after it. That's why today is easy Z2, nothing harder.", "red",
     "I raced on Sunday. Is that why I'm red?", False),
    ("A race is a big load, so a short tempo block today keeps you sharp.", "red", "I raced on Sunday. Is that why I'm red?", True),
    # what the engine did earlier is a description of the past
    ("The engine replaced your threshold session with Z2 when readiness dropped; threshold is above today's cap.", "red",
     "Where did my threshold session go?", False),
    ("Your threshold session is still worth doing after the Z2, the cap is only a guideline.", "red",
     "Where did my threshold session go?", True),
    # the athlete asking why the work is a bad idea makes the explanation a reason
    ("When you're overreached, the stress of threshold work adds to fatigue you haven't absorbed. Today is a Z1 spin.", "red",
     "Why is threshold work a bad idea when I'm overreached?", False),
    ("When you're overreached, a little threshold work at the end still adds fitness, so go for two blocks.", "red",
     "Why is threshold work a bad idea when I'm overreached?", True),
])
def test_readiness_gating_reads_round8_families(message, level, user, bad):
    assert flagged(message, level, user) is bad




def test_share_zone_reads_both_bands_of_the_zone_anchors_card():
    assert share_zone(95) == 4 and share_zone(88, "hrmax_pct") == 4 and share_zone(75, "hrmax_pct") == 2
