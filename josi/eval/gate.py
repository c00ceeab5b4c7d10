"""From findings to verdicts: thresholds per check, hard vs rate checks, and regression mode.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from josi.core.checks import Finding
from josi.eval.stats import cases_to_settle, mcnemar_exact, rate_verdict, wilson



@dataclass(frozen=True)
class CheckSpec:
    name: str
    layer: str
    threshold: float  # 1.0 = hard: no failing case allowed

    @property
    def hard(self) -> bool:
        return self.threshold >= 1.0


@dataclass(frozen=True)
class Thresholds:
    checks: dict[str, CheckSpec]
    aggregates: dict[str, CheckSpec]
    classifier_min_accuracy: float
    warmth_quantile: float
    generated_i6: dict[str, int] = field(default_factory=dict)

    def layer_checks(self, layer: str) -> tuple[str, ...]:
        return tuple(name for name, spec in self.checks.items() if spec.layer == layer)


def load_thresholds(path: Path) -> Thresholds:
    from josi.core.io import InputError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        checks = {name: CheckSpec(name, spec["layer"], float(spec["threshold"])) for name, spec in data["checks"].items()}
        aggregates = {name: CheckSpec(name, spec["layer"], float(spec["minimum"])) for name, spec in data.get("aggregates", {}).items()}
        return Thresholds(checks, aggregates, float(data["persona_classifier"]["min_heldout_accuracy"]),
                          float(data["warmth"]["gold_quantile"]), dict(data.get("generated_i6", {})))
    except tomllib.TOMLDecodeError as err:
        raise InputError(path, err.lineno, f"invalid TOML: {err.msg}") from None
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(path, 0, f"missing or bad threshold setting: {err}") from None


@dataclass
class CheckResult:
    name: str
    layer: str
    threshold: float
    n: int
    passed: int
    verdict: str
    low: float
    high: float
    settle: int | None = None
    failing: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.passed / self.n if self.n else 0.0


def check_result(spec: CheckSpec, findings: dict[str, Finding]) -> CheckResult:
    """findings: case id -> this check's finding for that case (inapplicable ones are ignored)."""
    applicable = {cid: f for cid, f in findings.items() if f.applicable}
    passed = sum(f.passed for f in applicable.values())
    n = len(applicable)
    low, high = wilson(passed, n)
    verdict = rate_verdict(passed, n, spec.threshold)
    settle = None if spec.hard or verdict != "INCONCLUSIVE" else cases_to_settle(passed, n, spec.threshold)
    return CheckResult(spec.name, spec.layer, spec.threshold, n, passed, verdict, low, high, settle,
                       sorted(cid for cid, f in applicable.items() if not f.passed))


def aggregate_result(spec: CheckSpec, value: float, n: int) -> CheckResult:
    verdict = "PASS" if n and value >= spec.threshold else ("FAIL" if n else "INCONCLUSIVE")
    return CheckResult(spec.name, spec.layer, spec.threshold, n, int(round(value * 1000)), verdict, value, value)


@dataclass
class Regression:
    check: str
    flips_to_fail: int
    flips_to_pass: int
    p_value: float
    baseline_verdict: str
    verdict: str

    @property
    def regressed(self) -> bool:
        significant_drop = self.flips_to_fail > self.flips_to_pass and self.p_value < 0.05
        return significant_drop or (self.baseline_verdict == "PASS" and self.verdict == "FAIL")


def paired(check: str, base_cases: dict[str, dict], cases: dict[str, dict], base_verdict: str, verdict: str) -> Regression:
    """McNemar on the cases both runs judged for this check."""
    b = c = 0
    for cid in sorted(set(base_cases) & set(cases)):
        before, after = base_cases[cid].get(check), cases[cid].get(check)
        if before is None or after is None:
            continue
        b += before and not after
        c += after and not before
    return Regression(check, b, c, mcnemar_exact(b, c), base_verdict, verdict)
