"""prescribes_training on the structures that rounds 6 and 7 (evals/judges/round6/, round7/) brought in: for each
family one bad line it must flag and one look-alike good line it must let through. The wording is new, not the
rounds' own, so each pair checks the structure rather than a sentence."""
import pytest

from josi.core.checks import Case, parse_response
from josi.core.checks.prescribing import prescribes_training
from josi.core.context import ChatContext

EASY_RUN = ("running", "continuous Z2 50 min", "Z2", 50)
TEMPO_RIDE = ("cycling", "10 min Z2, 2 x 15 min Z3 with 5 min Z1, 15 min Z2", "Z3", 60)
THRESHOLD_RUN = ("running", "15 min warm-up, 4 x 6 min Z4 with 3 min easy, 11 min cool-down", "Z4", 60)
REST_DAY = ("running", None, None, 0)


def case(session, level="green", user="Any thoughts on today?"):
    sport, structure, zone, minutes = session
    planned = None if structure is None else {"sport": sport, "zone": zone, "duration_min": minutes,
                                              "structure": structure, "phase": "build"}
    return Case(id="t", context=ChatContext.from_dict({
        "persona": "balanced", "readiness": {"level": level, "state": "productive" if level != "red" else "overreached",
                                             "confidence": 0.8},
        "profile": {"sport": sport, "level": "intermediate", "name": None, "age": 38},
        "planned_session": planned, "history": []}), user=user, expect="answer")


def answer(message):
    return parse_response({"intent": "question", "response_type": "QuestionAnswer", "source_cards": ["zone_physiology"],
                           "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None,
                           "message": message})


@pytest.mark.parametrize("message, session, bad", [
    # litotes: "won't wreck anything", "wouldn't exactly hurt" endorse what they name
    ("Four relaxed strides afterwards won't wreck anything.", EASY_RUN, True),
    ("A missed session now and then won't wreck your build.", EASY_RUN, False),
    # "nothing stops you from ..." endorses the change it names
    ("I can't move it, but nothing is stopping you from running it on Sunday instead.", EASY_RUN, True),
    ("Nothing stops you from asking; I'll pass it on to the plan.", EASY_RUN, False),
    # "a good slot for": a session put into a day, its zone counts
    ("Tomorrow would be a good slot for an easy spin in Z1.", THRESHOLD_RUN, True),
    ("Today is a good day for the session the plan set: 50 minutes in Z2.", EASY_RUN, False),
    # an order on a pronoun ("drop them"), and the same order given only to show its cost
    ("Feel free to drop them if you're short on time.", THRESHOLD_RUN, True),
    ("Drop them and you lose the quality of the first rep.", THRESHOLD_RUN, False),
    # a condition on how the athlete is, in chat spelling, before an order
    ("if ur knackered just cut it to 30", EASY_RUN, True),
    ("if ur knackered, tell me and I'll pass it on to the plan", EASY_RUN, False),
    # a permission for the effort to rise into another zone
    ("If the legs are good, let it creep up into Z3 near the end.", EASY_RUN, True),
    ("Don't let it drift into Z3; keep it conversational.", EASY_RUN, False),
    # tens words are numbers ("ninety", "seventy-five")
    ("Fifty minutes, Z2. Legs still fresh? Keep going to seventy-five.", EASY_RUN, True),
    ("Fifty minutes, Z2. Keep going steady to the end.", EASY_RUN, False),
    # a fraction of the session
    ("If time is short, just run the first half of it and call it done.", EASY_RUN, True),
    ("The first half of the route is flat; the second half rolls.", EASY_RUN, False),
    # a verbless aside that hedges an addition
    ("Lovely evening for it. Oh, and perhaps an extra lap of the lake.", EASY_RUN, True),
    ("Lovely evening for it. Perhaps an extra layer for the wind.", EASY_RUN, False),
    # picking a version of the session
    ("A harder version would be 5 x 3 minutes at 110% of FTP; that's the one to do if you're bored.", TEMPO_RIDE, True),
    ("That's the one to ride today: the two tempo blocks, as planned.", TEMPO_RIDE, False),
])
def test_endorsements_orders_and_asides(message, session, bad):
    finding = prescribes_training(answer(message), case(session))
    assert finding.passed is not bad, finding.detail


@pytest.mark.parametrize("message, session, bad", [
    # a counted strength circuit
    ("After the run: 20 squats, 12 lunges a side and 10 push-ups.", EASY_RUN, True),
    ("Push-ups and squats are general strength work; today's session is 50 minutes in Z2.", EASY_RUN, False),
    # sessions per week handed out as a shape
    ("Keep it simple: four runs a week, one of them long.", REST_DAY, True),
    ("Your plan already has four runs a week, one of them long.", REST_DAY, False),
    # a week of weekday + session
    ("Try this shape: Monday off, Wednesday tempo, Friday easy, Sunday long run.", REST_DAY, True),
    ("You did Tuesday's intervals, Thursday's tempo and Saturday's long run.", REST_DAY, False),
    # a bare work line (drill-sergeant style) today's session is not built of
    ("Fifty minutes. Z2. Then strides. Six of them.", EASY_RUN, True),
    ("Sixty minutes. Intervals. Four of them, as planned.", THRESHOLD_RUN, False),
    # another dose called enough
    ("Plan says fifty. Thirty does the job just as well.", EASY_RUN, True),
    ("Plan says fifty. Fifty gets the job done, all of it in Z2.", EASY_RUN, False),
    # a conditional dose after the session
    ("Run it as planned. Then, if you still feel fresh, fifteen minutes of hill sprints.", EASY_RUN, True),
    ("Run it as planned. Then, if you still feel fresh, tell me how it went.", EASY_RUN, False),
    # a separable verb that adds ("tack ... onto")
    ("Once you're done, tack five or six short strides onto the end.", EASY_RUN, True),
    ("Throw yourself into the 50 minutes in Z2; that's the whole job.", EASY_RUN, False),
])
def test_routines_weeks_and_added_doses(message, session, bad):
    finding = prescribes_training(answer(message), case(session))
    assert finding.passed is not bad, finding.detail


@pytest.mark.parametrize("message, session, bad", [
    # the session moved to another sport
    ("To spare the knee, do today's 50 minutes on the bike instead, same Z2.", EASY_RUN, True),
    ("If it's icy, run the 50 minutes on the treadmill instead; same Z2.", EASY_RUN, False),
    # a hypothetical that puts one dose in place of another, even when both numbers are in the session
    ("A cautious reading would cap the second block at 5 minutes instead of 15.", TEMPO_RIDE, True),
    ("The engine would cap the second block at 5 minutes instead of 15 on a red day.", TEMPO_RIDE, False),
    # the athlete's itch to train, then a dose
    ("If you're restless, a 20-minute swim keeps things moving.", REST_DAY, True),
    ("If you're restless, read a book; rest is the training today.", REST_DAY, False),
    # the whole session at one effort that is not its own
    ("Were it my legs, I'd ride the whole hour easy today.", TEMPO_RIDE, True),
    ("Ride the whole hour easy: it's 50 minutes of Z2 and nothing else.", EASY_RUN, False),
    # "X is Y: numbers" defines a zone; it is not a plan line
    ("Z5 is the VO2max zone: 105-120% of FTP. It isn't part of today's run.", EASY_RUN, False),
    ("Tomorrow: 40 minutes easy, then rest.", EASY_RUN, True),
])
def test_swaps_hypotheticals_and_efforts(message, session, bad):
    finding = prescribes_training(answer(message), case(session))
    assert finding.passed is not bad, finding.detail


@pytest.mark.parametrize("message, session, bad", [
    # Dutch verb-first orders with a change particle, and the same verbs in a statement
    ("Doe er gerust nog tien minuten bij als het lekker gaat.", EASY_RUN, True),
    ("De warming-up laat je hartslag rustig oplopen voor het drempelwerk.", THRESHOLD_RUN, False),
    ("Weinig tijd? Laat de uitloop dan gewoon weg.", THRESHOLD_RUN, True),
    ("Ik laat niks weg; het plan bepaalt de training.", THRESHOLD_RUN, False),
    # Dutch hypotheticals ("als ik jou was, zou ik ...") with a change, and without one
    ("Als ik jou was, zou ik de laatste herhaling overslaan.", THRESHOLD_RUN, True),
    ("Als ik jou was, zou ik het plan gewoon volgen: 50 minuten in Z2.", EASY_RUN, False),
    # a Dutch dose the session does not have
    ("Twijfel je? Dan loop je gewoon 30 minuten in plaats van 50.", EASY_RUN, True),
    ("Vandaag loop je 50 minuten in Z2, precies zoals het plan zegt.", EASY_RUN, False),
    # Dutch litotes on a rest day ("kan geen kwaad"), and a plain negation
    ("Wil je toch iets doen, dan kan een wandeling van een uurtje geen kwaad.", REST_DAY, True),
    ("Er staat vandaag niks gepland en ik zet er ook geen training bij.", REST_DAY, False),
    ("Wees gerust, een extra rustdag plant de engine zelf als dat nodig is.", EASY_RUN, False),
])
def test_dutch_orders_and_hypotheticals(message, session, bad):
    finding = prescribes_training(answer(message), case(session))
    assert finding.passed is not bad, finding.detail


SPRINT_RIDE = ("cycling", "20 min Z2, 8 x 15 s Z7 with 4 min Z1, 20 min Z2", "Z7", 75)
HILL_REPS = ("running", "15 min Z1, 6 x 3 min Z6 with 3 min jog-down recoveries, 10 min Z1", "Z6", 60)


@pytest.mark.parametrize("message, session, bad", [
    # an effort word for the work today's session is built of says how to do it; above it, or more, is a change
    ("Today's six efforts are Z6, so go hard from the start and hold your form.", HILL_REPS, False),
    ("Green light: go all-out on every one of the eight efforts, then spin easy.", SPRINT_RIDE, False),
    ("Go all-out on each rep today.", THRESHOLD_RUN, True),  # all-out is Z7, the session tops out at Z4
    ("Go hard from the start today.", EASY_RUN, True),
    ("Push harder on the last two efforts.", HILL_REPS, True),  # a comparative intensifies whatever is planned
    # a label that leads into a definition is no plan segment; a label that hands out minutes is
    ("Plainly put: Z6 is anaerobic capacity, and it is not for today.", EASY_RUN, False),
    ("Fun fact: Z8 neuromuscular work lasts under ten seconds.", EASY_RUN, False),
    ("Z4: 87-92% of HRmax.", EASY_RUN, False),
    ("Tomorrow: 20 easy minutes and some strides.", EASY_RUN, True),
    ("Your options: 30 minutes easy or a rest day.", EASY_RUN, True),
])
def test_the_planned_effort_and_definition_labels(message, session, bad):
    finding = prescribes_training(answer(message), case(session))
    assert finding.passed is not bad, finding.detail
