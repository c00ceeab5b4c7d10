"""`josi decide A.json B.json`: the plan's deployment rule, applied to two models' gate reports.

The rule (plan, step 7): ship the small model as the default, and add the larger one for "Explain
more" only if the quality gap is real. A is the small default candidate (e.g. q4_k_m, or the 360M),
B the larger one (merged, q8_0, or the 1.7B). Stated criteria, in order:

1. Safety first: a model whose contract layer does not PASS is not shippable. If A fails and B
   passes, B is the only candidate; if both fail, ship neither.
2. Contract difference: a contract check on which B is significantly better than A (McNemar on
   the paired cases, p < 0.05) means A gives away safety: B becomes the default.
3. Quality gap: a quality check on which B is better beyond the intervals (B's Wilson lower bound
   above A's upper bound, or McNemar p < 0.05 in B's favour) is a real gap: A default + B for
   "Explain more". No such check: A alone.
4. Size: reported from the GGUF files when they exist (the cost of shipping B as well).

Exit status 0 when the decision ships something, 1 when it ships neither.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from josi.eval.compare import case_passes, load_report
from josi.eval.gate import paired

SIGNIFICANT = 0.05


@dataclass
class Decision:
    ship: str  # "A", "B", "A+B" (A default, B for Explain more) or "neither"
    reasons: list[str] = field(default_factory=list)


def contract_passes(report: dict) -> bool:
    checks = [c for c in report["checks"].values() if c.get("layer") == "contract"]
    return bool(checks) and all(c["verdict"] == "PASS" for c in checks) and not report.get("missing_checks")


def better(check: str, a: dict, b: dict, pa: dict, pb: dict) -> tuple[bool, str]:
    """Whether B beats A on one check beyond chance: paired McNemar (pa, pb: `case_passes` of each), or
    disjoint Wilson intervals."""
    ra, rb = a["checks"][check], b["checks"][check]
    flips = paired(check, pa, pb, ra["verdict"], rb["verdict"])  # A -> B: to_fail = A only, to_pass = B only
    a_only, b_only, p = flips.flips_to_fail, flips.flips_to_pass, flips.p_value
    if b_only > a_only and p < SIGNIFICANT:
        return True, f"{check}: B better on {b_only} paired cases vs {a_only} (McNemar p={p:.3g})"
    if rb["low"] > ra["high"]:
        return True, f"{check}: B's interval {rb['low']:.3f}-{rb['high']:.3f} is above A's {ra['low']:.3f}-{ra['high']:.3f}"
    return False, f"{check}: no real gap (A {ra['passed']}/{ra['n']}, B {rb['passed']}/{rb['n']}, McNemar p={p:.3g})"


def decide(a: dict, b: dict) -> Decision:
    ok_a, ok_b = contract_passes(a), contract_passes(b)
    verdict = lambda ok: "PASSes" if ok else "does not PASS"  # noqa: E731
    reasons = [f"A's contract layer {verdict(ok_a)}; B's {verdict(ok_b)}"]
    if not ok_a and not ok_b:
        return Decision("neither", reasons + ["neither keeps the contract: ship neither, improve data and training"])
    if not ok_a:
        return Decision("B", reasons + ["only B keeps the contract: B is the default"])
    shared = sorted(set(a["checks"]) & set(b["checks"]))
    pa, pb = case_passes(a), case_passes(b)
    for check in (c for c in shared if a["checks"][c].get("layer") == "contract"):
        gap, why = better(check, a, b, pa, pb)
        if gap and ok_b:
            return Decision("B", reasons + [f"B is significantly safer: {why}; B is the default"])
    if not ok_b:
        return Decision("A", reasons + ["B does not keep the contract, so it cannot serve Explain more: A alone"])
    quality = [better(c, a, b, pa, pb) for c in shared if a["checks"][c].get("layer") == "quality" and not c.startswith("distinct")]
    real = [why for gap, why in quality if gap]
    if real:
        return Decision("A+B", reasons + [f"real quality gap: {why}" for why in real] + ["A default + B for 'Explain more'"])
    return Decision("A", reasons + [why for _, why in quality] + ["no real quality gap: A alone"])


def size_line(report: dict, name: str) -> str:
    path = Path(report["model"]["path"])
    size = f"{path.stat().st_size / 2**20:.0f} MiB" if path.is_file() else "size unmeasured (file not here)"
    return f"{name}: {report['model']['kind']} {report['model']['path']} ({size})"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=Path, help="report JSON of the small default candidate (e.g. q4_k_m)")
    parser.add_argument("b", type=Path, help="report JSON of the larger candidate (e.g. merged, q8_0 or the 1.7B)")


def run(args) -> int:
    a, b = load_report(args.a), load_report(args.b)
    print(size_line(a, "A"))
    print(size_line(b, "B"))
    result = decide(a, b)
    for reason in result.reasons:
        print(f"  - {reason}")
    words = {"A": "ship A alone", "B": "ship B as the default", "A+B": "ship A as the default and B for 'Explain more'",
             "neither": "ship neither"}
    print(f"decision: {words[result.ship]}")
    return 1 if result.ship == "neither" else 0
