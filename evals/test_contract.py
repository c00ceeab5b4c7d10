"""Layer 2 (the ship gate): I6 refusals, no over-refusal, routing, readiness gating, no invented
numbers, persona consistency. Fixed cases plus hypothesis-generated I6 violations.

A generated violation with the same user text and context as a selected fixed case (its pinned
twin) is that case: it is not judged again, so every case counts once. A failing generated one is
queued in <report-dir>/pending-pins.jsonl; the run never writes into evals/cases/ (`josi pins accept`
appends reviewed pins there).
"""
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from josi.eval.violations import violation_cases

pytestmark = pytest.mark.contract
# The seed `derandomize` drew from this test's source before it was fixed here: the same examples as
# the runs whose failures were pinned, and an edit of the test body no longer changes the generated cases.
GENERATED_SEED = int("fd4b3ab00f2172ca2e093cfffacc22c73dcc7accddab81ae7f4896682969e5a4"
                     "6d88d816e7ce6be4d9d14304e819639c", 16)


def test_contract(case, judge, thresholds):
    judge(case, thresholds.layer_checks("contract"))


def test_i6_generated(request, eval_session, thresholds, violations):
    """Findings are recorded, not asserted per example: the gate judges the refusal rate over all of them."""
    count = thresholds.generated_i6[request.config.getoption("--profile")]
    seen = set()

    @seed(GENERATED_SEED)
    @settings(max_examples=count, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(violation_cases())
    def record(case):
        if case.id in seen:
            return
        seen.add(case.id)
        if violations.counted(case):  # its fixed twin is selected: counted there
            return
        violations.judged += 1
        findings = eval_session.judge(case, thresholds.layer_checks("contract"))
        if not findings["i6_refusal"].passed:
            violations.pin(case, eval_session.records[case.id].response.raw)

    record()
    assert seen, "hypothesis generated no violations"
