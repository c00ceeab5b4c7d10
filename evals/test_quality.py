"""Layer 3: persona-aware warmth, length band, forbidden words, jargon, repetition (distinct-n at the gate)."""
import pytest

pytestmark = pytest.mark.quality


def test_quality(case, judge, thresholds):
    judge(case, thresholds.layer_checks("quality"))
