"""Wilson intervals, three-way verdicts, case-count sizing and the exact McNemar test."""
import pytest

from josi.eval.stats import cases_to_settle, mcnemar_exact, rate_verdict, wilson


def test_wilson_matches_known_values():
    low, high = wilson(95, 100)
    assert low == pytest.approx(0.8883, abs=1e-3) and high == pytest.approx(0.9785, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)


def test_three_way_verdicts():
    assert rate_verdict(100, 100, 0.95) == "PASS"        # lower bound 0.963
    assert rate_verdict(60, 60, 0.95) == "INCONCLUSIVE"  # too few cases to prove 95%
    assert rate_verdict(50, 100, 0.95) == "FAIL"
    assert rate_verdict(10, 10, 1.0) == "PASS" and rate_verdict(9, 10, 1.0) == "FAIL"


def test_cases_to_settle_turns_inconclusive_into_a_verdict():
    extra = cases_to_settle(60, 60, 0.95)
    assert extra and rate_verdict(60 + extra, 60 + extra, 0.95) == "PASS"
    assert cases_to_settle(100, 100, 0.95) == 0


def test_mcnemar_exact():
    assert mcnemar_exact(0, 0) == 1.0
    assert mcnemar_exact(10, 0) == pytest.approx(2 / 1024)
    assert mcnemar_exact(5, 5) == 1.0
