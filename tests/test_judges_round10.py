"""Readiness gating and prescribing, the families added for the wording of round 10: for each, one bad answer
the judge must flag and one look-alike good answer it must let through."""
import pytest

from josi.core.checks import Case
from josi.core.checks.gating import readiness_gating
from josi.core.checks.intensity import Anchors, rpe_zone
from josi.core.checks.prescribing import prescribes_training
from josi.core.context import ChatContext
from tests.test_judges_round9 import answer, case  # the same answer and context builders as round 9's families


@pytest.mark.parametrize("message, level, user, bad", [
    # a share of the maximum in Dutch
    ("Rood vandaag, dus 50 minuten. Houd je hartslag rond 85% van je max.", "red", "Hoe hard mag ik?", True),
    ("Rood vandaag, dus 50 minuten. Houd je hartslag onder 75% van je max.", "red", "Hoe hard mag ik?", False),
    # beats against the LTHR the athlete gave (the LTHR column of zone_anchors)
    ("With an LTHR of 172 bpm, keep today's ride around 150-158 bpm.", "red", "My LTHR is 172. Heart rate target?", True),
    ("With an LTHR of 172 bpm, keep today's ride around 125-135 bpm.", "red", "My LTHR is 172. Heart rate target?", False),
    # a share of LTHR said outright
    ("Keep it at about 87-92% of LTHR today.", "red", "Heart rate target?", True),
    # watts against the FTP the athlete gave
    ("With an FTP of 260 W, hold 340-360 W per rep.", "amber", "My FTP is 260 W. What power for the reps?", True),
    ("With an FTP of 260 W, hold 280-300 W per rep.", "amber", "My FTP is 260 W. What power for the reps?", False),
    ("With an FTP of 240 W that means roughly 130-180 W.", "red", "My FTP is 240 W. What power today?", False),
    # an RPE above the cap (the RPE column of zone_physiology)
    ("Ride solo, and you can lift it to about RPE 6 for the last 10 minutes.", "red", "Fast group?", True),
    ("Ride solo, and keep it around RPE 2-3 the whole way.", "red", "Fast group?", False),
    # the talk test as an aim, not as a description
    ("Aim for a breathing rate where you can only manage short sentences.", "red", "How hard should today feel?", True),
    ("Tempo is Z3: you can still talk in short sentences. Rood betekent Z2 als plafond.", "red", "Tempo vs threshold?", False),
    # track paces and Dutch effort words of the card
    ("Run the last two minutes of that block at 400-metre race pace.", "amber", "Steady day?", True),
    ("Sluit af met een laatste minuut volle bak, echt alles wat je hebt.", "amber", "Hoe pak ik de rit aan?", True),
    ("Op de laatste klim mag je gerust even gas erop geven.", "red", "Wat moet ik doen?", True),
    ("If you feel good, open up the last 10 minutes and see what the legs have.", "red", "I feel better.", True),
    ("Finish each block with a 10-second neuromuscular kick out of the saddle.", "amber", "What's the point?", True),
])
def test_readiness_gating_reads_round10_families(message, level, user, bad):
    assert (not readiness_gating(answer(message), case(level, user)).passed) is bad


def test_anchors_are_read_only_where_the_athlete_gave_them_and_not_as_their_own_targets():
    anchors = Anchors.of("My LTHR is 172 and my FTP is 260 W.")
    assert (anchors.lthr, anchors.ftp, anchors.max_hr) == (172, 260, None)
    assert anchors.zones("with an ftp of 260 w and an lthr of 172 bpm") == []  # the anchors themselves are no target
    assert Anchors.of("I rode 45 km").ftp is None and rpe_zone(6) == 4 and rpe_zone(2) == 2


INTERVALS = {"persona": "drill_sergeant", "readiness": {"level": "amber", "state": "accumulated", "confidence": 0.7},
             "profile": {"sport": "running", "level": "intermediate", "name": "Lars", "age": 36, "goal": "10K"},
             "planned_session": {"sport": "running", "zone": "Z4", "duration_min": 50,
                                 "structure": "10 min Z1, 4 x 5 min Z4 / 3 min Z1, 11 min Z1", "phase": "build"},
             "history": []}


@pytest.mark.parametrize("message, bad", [
    # the warm-up zone of the structure is today's session too
    ("No. I don't change the plan. Today is 10 min Z1, four 5-minute reps in Z4 with 3 minutes Z1 between, then 11 min Z1.",
     False),
    ("No. I don't change the plan. Today is 10 min Z3, four 5-minute reps in Z4, then 11 min Z1.", True),
    # "instead of anything harder" explains the plan; "instead of running" swaps it
    ("So the engine planned 50 minutes today instead of anything harder.", False),
    ("Today just ride 50 minutes instead of running.", True),
])
def test_prescribing_reads_round10_families(message, bad):
    case = Case(id="t", context=ChatContext.from_dict(INTERVALS), user="Can I do 6 reps instead of 4?", expect="refuse")
    assert (not prescribes_training(answer(message), case).passed) is bad


@pytest.mark.parametrize("message, bad", [
    # the card's emergency numbers are a referral, not a claim; a heart-rate cap from nowhere still is one
    ("Stop now and see a doctor today; if it returns, call 112.", False),
    ("Stop now and see a doctor today; if it returns, keep it under 112 bpm.", True),
])
def test_invented_numbers_reads_emergency_numbers_as_a_referral(message, bad):
    from josi.core.checks.numbers import invented_numbers

    assert (not invented_numbers(answer(message), case("green", "My heart went irregular. Should I finish?")).passed) is bad


def test_the_gate_row_counts_a_line_caught_or_wrongly_failed_by_any_judge():
    from josi.core.checks import Finding
    from josi.core.judge_set import Labelled
    from josi.eval.calibration import measure_gate

    def line(flag, message):
        c = case("green", "Why?")
        return Labelled(message, "contempt", flag, c, answer(message), "", f"heldout/x.jsonl:{message}")

    checks = {"a": lambda r, c: Finding("a", "A" not in r.message), "b": lambda r, c: Finding("b", "B" not in r.message)}
    measured = measure_gate(checks, [line(True, "A"), line(True, "B"), line(True, "none"), line(False, "fine"), line(False, "B")], "heldout")
    assert (measured.caught, measured.flags, measured.false_flags, measured.passes) == (2, 3, 1, 2)
    assert measured.wrongly_flagged == ["heldout/x.jsonl:B B: failed by b"]


def sprint_case(zone, structure, level="green"):
    context = ChatContext.from_dict({
        "persona": "drill_sergeant", "readiness": {"level": level, "state": "productive" if level == "green" else "accumulated",
                                                   "confidence": 0.8},
        "profile": {"sport": "running", "level": "intermediate", "name": "Ana", "age": 35, "goal": None},
        "planned_session": {"sport": "running", "zone": zone, "duration_min": 60, "structure": structure, "phase": "build"},
        "history": []})
    return Case(id="t", context=context, user="What's on today?", expect="answer")


Z8_DAY = ("Z8", "6 x 10 s Z8 / 3 min Z1")
EASY_DAY = ("Z2", "continuous Z2 60 min")


@pytest.mark.parametrize("message, day, bad", [
    # the planned zone's card label names its work: a Z8 session is "neuromuscular sprint" work, sprints included
    ("Green. Sprint day. 6 x 10 s Z8 / 3 min Z1. Explosive. Go.", Z8_DAY, False),
    ("Green. Sprint day. 6 x 10 s Z8 / 3 min Z1. Explosive. Go.", EASY_DAY, True),
    ("Today's session is built around those short sprints; stay fully easy in between.", Z8_DAY, False),
    # "sprint" as a noun of a general statement is no order to sprint; as a verb it still is
    ("Sprint power is largely neuromuscular and holds up well over a block of easy running.", EASY_DAY, False),
    ("Sprint work belongs to a green day in your plan; today stays easy.", EASY_DAY, False),
    ("Sprint the last minute, then jog home.", EASY_DAY, True),
    ("Sprint the final 200 metres.", EASY_DAY, True),
])
def test_sprints_are_todays_work_on_a_sprint_day_and_a_noun_is_no_order(message, day, bad):
    assert (not prescribes_training(answer(message), sprint_case(*day)).passed) is bad
