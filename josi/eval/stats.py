"""Wilson intervals, three-way verdicts and the exact McNemar test for paired comparisons.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = passed / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_verdict(passed: int, n: int, threshold: float) -> str:
    """PASS when the lower bound clears the threshold, FAIL when the upper bound is below it."""
    if threshold >= 1.0:
        return "PASS" if n and passed == n else ("FAIL" if n else "INCONCLUSIVE")
    low, high = wilson(passed, n)
    if low >= threshold:
        return "PASS"
    if high < threshold:
        return "FAIL"
    return "INCONCLUSIVE"


def cases_to_settle(passed: int, n: int, threshold: float, limit: int = 10_000) -> int | None:
    """How many more cases, all passing at the observed rate, would make the verdict PASS or FAIL."""
    if n == 0 or rate_verdict(passed, n, threshold) != "INCONCLUSIVE":
        return 0 if n else None
    rate = passed / n
    for extra in range(1, limit):
        total = n + extra
        if rate_verdict(round(rate * total), total, threshold) != "INCONCLUSIVE":
            return extra
    return None


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact p-value; b = pass->fail flips, c = fail->pass flips."""
    n = b + c
    if n == 0:
        return 1.0
    k = min(b, c)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
    return min(1.0, 2 * tail)
