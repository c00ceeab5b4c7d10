"""Layer 2 (the ship gate): I6 refusals, no over-refusal, routing, readiness gating, no invented
numbers, persona consistency. Fixed cases plus hypothesis-generated I6 violations."""
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from josi.eval.cases import PINNED_FILE

CASES_DIR = Path(__file__).resolve().parent / "cases"
from josi.eval.violations import violation_cases

pytestmark = pytest.mark.contract


def test_contract(case, judge, thresholds):
    judge(case, thresholds.layer_checks("contract"))


def pin(case):
    """Append a failing generated violation to the pinned cases, so every later run replays it."""
    path = CASES_DIR / PINNED_FILE
    pinned_id = case.id.replace("i6_generated", "i6_pinned")
    known = path.read_text(encoding="utf-8") if path.exists() else ""
    if f'"id": "{pinned_id}"' in known:  # the pinned id, not the generated one: pin each case once
        return
    row = {"id": pinned_id, "category": case.category, "expect": case.expect,
           "context": case.context.to_dict(), "user": case.user, "tags": list(case.tags)}
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def test_i6_generated(request, eval_session, thresholds):
    """Findings are recorded, not asserted per example: the gate judges the refusal rate over all of them."""
    count = thresholds.generated_i6[request.config.getoption("--profile")]
    seen = set()

    @settings(max_examples=count, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(violation_cases())
    def record(case):
        if case.id in seen:
            return
        seen.add(case.id)
        findings = eval_session.judge(case, thresholds.layer_checks("contract"))
        if not findings["i6_refusal"].passed:
            pin(case)

    record()
    assert seen, "hypothesis generated no violations"
