"""From findings to verdicts: thresholds per check, hard vs rate checks, and regression mode.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from josi.core.checks import Finding
from josi.eval.stats import cases_to_settle, mcnemar_exact, rate_verdict, wilson

# The layers whose every check the ship gate requires: a run of one of them (`-m contract`, or all
# layers) that leaves such a check without a single applicable case is INCOMPLETE, never a PASS.
REQUIRED_LAYERS = ("contract",)
# Worst first: a FAIL is conclusive even on a subset; a missing required check makes the verdict
# INCOMPLETE; too few cases make it INCONCLUSIVE. Only PASS exits 0.
VERDICTS = ("FAIL", "INCOMPLETE", "INCONCLUSIVE", "PASS")


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
    sha256: str = ""  # of the parsed settings (comments and layout aside): every report records it

    def layer_checks(self, layer: str) -> tuple[str, ...]:
        return tuple(name for name, spec in self.checks.items() if spec.layer == layer)


def load_thresholds(path: Path) -> Thresholds:
    from josi.core.io import InputError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        checks = {name: CheckSpec(name, spec["layer"], float(spec["threshold"])) for name, spec in data["checks"].items()}
        aggregates = {name: CheckSpec(name, spec["layer"], float(spec["minimum"])) for name, spec in data.get("aggregates", {}).items()}
        return Thresholds(checks, aggregates, float(data["persona_classifier"]["min_heldout_accuracy"]),
                          float(data["warmth"]["gold_quantile"]), dict(data.get("generated_i6", {})),
                          thresholds_sha256(data))
    except tomllib.TOMLDecodeError as err:
        raise InputError(path, err.lineno, f"invalid TOML: {err.msg}") from None
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(path, 0, f"missing or bad threshold setting: {err}") from None


def thresholds_sha256(data: dict) -> str:
    """The content hash of a thresholds file: the same settings hash the same, however they are written."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


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


# ---- what the gate requires, and its verdicts ---------------------------------------------------

def required_checks(thresholds: Thresholds, layers_run) -> tuple[str, ...]:
    """Every check of each required layer that this run selected (`-m contract`, or all layers)."""
    return tuple(name for layer in REQUIRED_LAYERS if layer in set(layers_run) for name in thresholds.layer_checks(layer))


def missing_checks(required, results) -> list[str]:
    """The required checks no result covers: no selected case was applicable to them (a -k or a case subset)."""
    covered = {r.name for r in results if r.n}
    return [name for name in required if name not in covered]


def absolute_verdict(verdicts, missing) -> str:
    """The gate on the thresholds alone: FAIL, else INCOMPLETE (a required check has no case), INCONCLUSIVE, PASS."""
    verdicts = set(verdicts)
    if "FAIL" in verdicts:
        return "FAIL"
    if missing:
        return "INCOMPLETE"
    return "INCONCLUSIVE" if "INCONCLUSIVE" in verdicts else "PASS"


def regression_verdict(regressions) -> str | None:
    """FAIL when any check regressed against the baseline, PASS when none did, None without a baseline."""
    if regressions is None:
        return None
    return "FAIL" if any(r.regressed for r in regressions) else "PASS"


def baseline_failures(baseline: dict) -> frozenset[tuple[str, str]]:
    """(case id, check) of every finding the baseline failed: what `--gate no-worse` does not count against a run."""
    return frozenset((c["id"], check) for c in baseline["cases"] for check, f in c["findings"].items() if not f["passed"])


def new_hard_failures(report_cases: list[dict], baseline: dict, hard: set[str]) -> list[str]:
    """`case:check` for each hard-check failure the baseline did not have (a case it passed, or a new case)."""
    known = baseline_failures(baseline)
    return [f"{case['id']}:{check}" for case in report_cases for check, finding in case["findings"].items()
            if check in hard and finding.get("applicable", True) and not finding["passed"]
            and (case["id"], check) not in known]


def no_worse_verdict(report: dict) -> str:
    """The CI gate against the release: FAIL when anything is worse than the baseline, else PASS."""
    worse = report["regression"] == "FAIL" or report["new_hard_failures"] or report["missing_checks"]
    return "FAIL" if worse else "PASS"


def overall_verdict(absolute: str, regression: str | None) -> str:
    """A baseline adds a gate, it never waives one: FAIL if either fails, else the absolute verdict."""
    return "FAIL" if regression == "FAIL" else absolute


def baseline_mismatch(baseline: dict, cases_version: str, thresholds_sha: str, profile: str | None = None) -> str | None:
    """Why a baseline report cannot be compared with this run (other cases, thresholds or generated-case
    profile), or None."""
    if "thresholds_sha256" not in baseline:
        return ("written before reports recorded their thresholds (no thresholds_sha256), so its verdicts cannot be "
                "checked against this run's; re-run the gate on the baseline model to make a new baseline")
    if baseline.get("cases_version") != cases_version:
        return (f"made on cases {baseline.get('cases_version')}, this run has {cases_version}; re-run the gate on "
                "the baseline model with these cases to make a comparable baseline")
    if baseline["thresholds_sha256"] != thresholds_sha:
        return (f"made with other thresholds (sha256 {str(baseline['thresholds_sha256'])[:12]}, this run's "
                f"{thresholds_sha[:12]}); re-run the gate on the baseline model with these thresholds")
    if profile is not None and baseline.get("profile", profile) != profile:
        return (f"made with --profile {baseline['profile']}, this run has --profile {profile} (another set of generated "
                "I6 violations); pass the baseline's --profile")
    return None
