"""Minimum dose (josi.core.dose): the work a session accumulates in its zone, against session_rules' min_dose."""
import pytest

from josi.core.context import PlannedSession
from josi.core.dose import dose_problem, min_dose, work_minutes


def session(zone, minutes, structure):
    return PlannedSession(sport="running", zone=zone, duration_min=minutes, structure=structure, phase="build")


def test_the_doses_come_from_the_session_rules_card():
    assert min_dose()["Z2"] == 40 and min_dose()["Z8"] == 2 and set(min_dose()) == {"R", "Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "Z8"}


@pytest.mark.parametrize("zone, minutes, structure, work", [
    ("Z4", 46, "10 min warm-up, 4 x 5 min Z4 with 3 min easy, 10 min cool-down", 20),  # repeats, not the recoveries
    ("Z8", 60, "Z2 endurance with 8 x 10 s Z8 sprints, full recovery", 80 / 60),
    ("Z5", 65, "3 sets of 13 x 30 s on and 15 s off, 3 min between sets", 19.5),  # the sets multiply
    ("Z3", 35, "10 min Z1, 15 min Z3, 10 min Z1", 15),  # the minutes next to the zone code
    ("Z2", 50, "10 min warm-up, Z2 40 min", 40),  # an easy session less its named warm-up
    ("Z2", 45, "continuous Z2 45 min with 6 x 20 s strides", 45),  # strides do not count against an easy session
])
def test_work_minutes(zone, minutes, structure, work):
    assert work_minutes(session(zone, minutes, structure)) == pytest.approx(work)


@pytest.mark.parametrize("zone, minutes, structure, under", [
    ("Z7", 55, "Z2 with 6 x 20 s Z7, full recovery", True),  # two minutes of Z7: a Z2 session with touches of Z7
    ("Z7", 60, "Z2 with 9 x 20 s Z7, full recovery", False),
    ("Z2", 30, "easy Z2 30 min", True),
    ("Z1", 30, "easy Z1 30 min", False),
    ("Z3", 45, "Z2 with 3 x 5 min Z3 openers", True),
    ("Z3", 50, "Z2 with 4 x 5 min Z3", False),
])
def test_a_session_under_its_zones_dose_is_named(zone, minutes, structure, under):
    problem = dose_problem(session(zone, minutes, structure))
    assert (problem is not None) is under, problem
    if under:
        assert "minimum dose" in problem and zone in problem
    assert dose_problem(None) is None
