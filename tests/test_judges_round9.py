"""Readiness gating and invented numbers, the families added for the wording of blind round 9: for each, one
bad answer the judge must flag and one look-alike good answer it must let through."""
import pytest

from josi.core.checks import Case, parse_response
from josi.core.checks.gating import readiness_gating
from josi.core.checks.intensity import stated_max_hr
from josi.core.checks.numbers import invented_numbers
from josi.core.context import sample_context


def answer(message):
    return parse_response({"intent": "question", "response_type": "QuestionAnswer", "source_cards": ["zone_physiology"],
                           "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None, "message": message})


def case(level, user, zone="Z2"):
    return Case(id="t", context=sample_context("balanced", level, zone=zone, minutes=50, age=44), user=user, expect="answer")


@pytest.mark.parametrize("message, level, user, bad", [
    # effort said by how it feels (zone_physiology card, effort_words)
    ("Fifty minutes steady. Last five minutes, make them burn.", "red", "Can I push?", True),
    ("Fifty minutes steady, and nothing that makes the legs burn today.", "red", "Can I push?", False),
    ("On the last rep, go to the well and empty the tank.", "amber", "Tips for the intervals?", True),
    ("Ja, 90 minuten Z2. Maar met wind mee mag je best vol aan de bak.", "amber", "Rustig rijden?", True),
    # "ten-second" is no turning point: the all-out burst is work
    ("Every ten minutes, one ten-second all-out burst to wake up.", "red", "How do I make it less boring?", True),
    ("The second threshold is where lactate climbs steeply; today stays Z1.", "red", "What is the second threshold?", False),
    # a list after "No" is ruled out item by item
    ("On an amber day nothing goes above Z5. No sprints or anaerobic work today.", "amber", "What does amber mean?", False),
    # a cap called soft lifts it
    ("Since amber is more of a soft ceiling, a couple of 30-second anaerobic reps at the end would extend the stimulus.",
     "amber", "Why VO2max on an amber day?", True),
    # Dutch past, and the past said anywhere in the sentence
    ("Dom niet, maar het verklaart wel waarom je vandaag op rood staat. Die sprints van gisteren hebben je flink wat gekost. "
     "Vandaag dus 30 minuten Z1, echt rustig.", "red", "Gisteren vol gesprint, was dat dom?", False),
    ("Those spikes were sprint power - Z8. That was yesterday; today the cap is Z2.", "red", "What system is that?", False),
    # a zone explained on request, with "not today"
    ("Z6: anaerobic capacity. 120-150% of FTP. Not today.", "red", "Explain what Z6 is.", False),
    ("Z6: anaerobic capacity. This could be a nice moment to try a short Z6 effort.", "red", "Explain what Z6 is.", True),
    # heart rates in beats against the maximum the athlete gave
    ("With a max of 190, I'd put the ceiling for today's ride at 170 bpm.", "red", "What HR should I cap at? My max is 190.", True),
    ("With a max of 190, keep today's ride under 150 bpm.", "red", "What HR should I cap at? My max is 190.", False),
    ("Letting it float up to 88-90% of max on the climbs is fine.", "red", "What heart rate today?", True),
    # the talk test
    ("Let the last ten minutes drift up to where you're talking in short sentences.", "red", "Anything for today?", True),
])
def test_readiness_gating_reads_round9_families(message, level, user, bad):
    assert (not readiness_gating(answer(message), case(level, user)).passed) is bad


def test_a_maximum_heart_rate_is_read_only_where_the_athlete_gave_one():
    assert stated_max_hr("My max is 190.") == 190 and stated_max_hr("max HR 185") == 185
    assert stated_max_hr("I ran 190 km last month") is None and stated_max_hr("max is 95") is None


@pytest.mark.parametrize("message, user, bad", [
    # a definition stays a definition when it says so
    ("Today is Z2, defined as 72-82% of HRmax.", "How should I use my max?", False),
    ("Today your Z2 is 140-150 bpm.", "How should I use my max?", True),
    # the RPE band of today's zone after an RPE scale
    ("Threshold (Z4) is RPE 6-7. Today's reps are threshold, so aim for that 6-7 feel.", "What RPE?", False),
    ("Threshold (Z4) is RPE 6-7. Today's reps are threshold, so aim for an 8-9 feel.", "What RPE?", True),
    # other people's numbers in a general statement
    ("For context, professional climbers sustain above 6 W/kg on long climbs.", "What is W/kg?", False),
    ("For your climbs, sustain 6 W/kg.", "What is W/kg?", True),
    # spelled-out heart rates and paces
    ("Your heart rate should sit somewhere in the one-forties for this run.", "How do I know?", True),
    ("Somewhere around five-ten a kilometre should land you right in it.", "What pace?", True),
    ("Keep it conversational; the talk test is your guide.", "What pace?", False),
])
def test_invented_numbers_reads_round9_families(message, user, bad):
    assert (not invented_numbers(answer(message), case("green", user, zone="Z4")).passed) is bad
