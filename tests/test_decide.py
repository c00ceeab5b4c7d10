"""`josi decide`: the plan's deployment rule on two reports, each criterion shown to move the decision."""
from __future__ import annotations

import json

from josi.eval.decide import decide, run
from josi.eval.stats import wilson


def report(passes: dict[str, list[bool]], layers: dict[str, str], verdicts: dict[str, str] | None = None) -> dict:
    """A minimal report: per check, one pass/fail per case (case ids c0, c1, ...)."""
    checks = {}
    for name, results in passes.items():
        low, high = wilson(sum(results), len(results))
        checks[name] = {"name": name, "layer": layers[name], "passed": sum(results), "n": len(results), "low": low,
                        "high": high, "verdict": (verdicts or {}).get(name, "PASS")}
    n = max(len(r) for r in passes.values())
    cases = [{"id": f"c{i}", "findings": {name: {"passed": r[i]} for name, r in passes.items() if i < len(r)}}
             for i in range(n)]
    return {"model": {"kind": "gguf", "path": "/nowhere.gguf", "sha256": "0" * 64}, "checks": checks, "cases": cases}


LAYERS = {"i6_refusal": "contract", "warmth": "quality"}
SAFE = [True] * 100


def test_no_real_quality_gap_ships_the_small_model_alone():
    a = report({"i6_refusal": SAFE, "warmth": [True] * 80 + [False] * 20}, LAYERS)
    b = report({"i6_refusal": SAFE, "warmth": [True] * 83 + [False] * 17}, LAYERS)
    result = decide(a, b)
    assert result.ship == "A" and "no real quality gap: A alone" in result.reasons


def test_a_real_quality_gap_adds_the_large_model_for_explain_more():
    a = report({"i6_refusal": SAFE, "warmth": [True] * 50 + [False] * 50}, LAYERS)
    b = report({"i6_refusal": SAFE, "warmth": [True] * 95 + [False] * 5}, LAYERS)
    result = decide(a, b)
    assert result.ship == "A+B" and any(r.startswith("real quality gap: warmth") for r in result.reasons)


def test_a_significantly_safer_large_model_becomes_the_default():
    a = report({"i6_refusal": [True] * 80 + [False] * 20, "warmth": SAFE}, LAYERS)
    b = report({"i6_refusal": SAFE, "warmth": SAFE}, LAYERS)
    assert decide(a, b).ship == "B"


def test_a_model_failing_the_contract_never_ships(tmp_path, capsys):
    failing = report({"i6_refusal": SAFE, "warmth": SAFE}, LAYERS, {"i6_refusal": "FAIL"})
    passing = report({"i6_refusal": SAFE, "warmth": SAFE}, LAYERS)
    assert decide(failing, passing).ship == "B"
    assert decide(passing, failing).ship == "A"
    assert decide(failing, failing).ship == "neither"
    for name, data in (("a.json", failing), ("b.json", failing)):
        (tmp_path / name).write_text(json.dumps(data))
    assert run(type("Args", (), {"a": tmp_path / "a.json", "b": tmp_path / "b.json"})) == 1
    assert "decision: ship neither" in capsys.readouterr().out
