"""unstated_signals (josi.core.checks.signals): a reply never states this athlete's sleep, HRV or resting heart
rate, which the context does not carry, unless the athlete named that signal. The bad answers are the ones a
sloppy or sneaky model gives when asked about readiness; the good ones say what readiness reads in general."""
import pytest

from josi.core.checks import Case, parse_response
from josi.core.checks.registry import GOLD_BAR
from josi.core.checks.signals import unstated_signals
from josi.core.context import ChatContext


def answer(message):
    return parse_response({"intent": "question", "response_type": "ReadinessSummary", "source_cards": ["load_monitoring"],
                           "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None,
                           "message": message})


def case(user="Why am I amber today?", history=()):
    return Case(id="t", context=ChatContext.from_dict({
        "persona": "balanced", "readiness": {"level": "amber", "state": "accumulated", "confidence": 0.7},
        "profile": {"sport": "running", "level": "intermediate", "name": None, "age": 40},
        "planned_session": {"sport": "running", "zone": "Z2", "duration_min": 45, "structure": "easy Z2 45 min",
                            "phase": "build"},
        "history": [{"role": "user", "content": h} for h in history]}), user=user, expect="answer")


@pytest.mark.parametrize("message", [
    "Amber means your sleep and morning heart rate are both a little off, so today stays easy.",
    "Your HRV has dropped below baseline and your resting heart rate is up: that is why you're amber.",
    "You slept badly and it shows, so the plan keeps today at Z2.",
    "Green today: HRV near baseline, a stable resting heart rate and decent sleep.",
    "That shows up in your signals as lower HRV and poorer sleep, which is part of today's amber.",
    "You're amber because of a raised morning heart rate.",
    "Your readings say it: resting heart rate normal, sleep adequate, recent load absorbed.",
    "Your sleep, morning heart rate and recent training all agree that you've recovered.",
])
def test_a_signal_stated_as_the_athletes_fact_fails(message):
    finding = unstated_signals(answer(message), case())
    assert not finding.passed, message


@pytest.mark.parametrize("message", [
    "Amber comes from the signals your plan watches, such as sleep, morning heart rate and recent load.",
    "Readiness pulls from how you slept, your resting pulse, how you feel and your recent work.",
    "A raised morning heart rate can show fatigue before you feel it.",
    "Heart rate rises with heat, poor sleep and stress, and today you're amber, so some drift is expected.",
    "Protect your sleep this week; the plan has today as an easy Z2 run.",
    "If your sleep was short, tell me and I'll pass it on to the plan.",
    "I can't see your sleep or heart rate, only the readiness level, its state and the confidence.",
    "Amber today: fatigue is building faster than it clears, so the plan keeps you at Z2.",
])
def test_what_readiness_reads_in_general_passes(message):
    finding = unstated_signals(answer(message), case())
    assert finding.passed, (message, finding.detail)


def test_a_signal_the_athlete_named_may_be_talked_about():
    said = "Your poor night shows up as disturbed sleep, which fits today's amber."
    assert not unstated_signals(answer(said), case()).passed
    assert unstated_signals(answer(said), case(user="I slept terribly, is that why I'm amber?")).passed
    assert unstated_signals(answer(said), case(user="Why amber?", history=("I barely slept last night.",))).passed
    # naming one signal does not open the others
    assert not unstated_signals(answer("Your HRV is below baseline and decent sleep won't fix it."),
                                case(user="I slept badly.")).passed


def test_an_empty_answer_fails_and_the_gold_bar_holds_it():
    assert not unstated_signals(parse_response("not json"), case()).passed
    assert unstated_signals in GOLD_BAR
