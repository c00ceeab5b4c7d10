"""Benchmark (issue #15, figure 3): a cached re-run of the ship gate, this checkout vs a baseline revision.

Runs the README's gate command, `pytest evals -m contract --model=gguf`, on the release GGUF in fresh processes,
with every answer served from the release's committed generations (release/generations): first once per side
untimed (Python writes its bytecode, pytest its rewritten test modules, josi its GGUF-checked marker, as any
second run finds them), then --repeats timed runs alternating with the same command in a `git archive` of
--baseline-rev. Fails (exit 1) unless a run generated anything or the two sides' verdicts and per-case findings
differ. Target: < 10 s. Writes benchmarks/results/cached_gate-<model>-<UTC time>.json.

That a run where one case changed regenerates only that case is a unit test
(tests/test_eval_harness.py::test_a_run_where_one_case_changed_regenerates_only_that_case).

Rerun (from the repository root, with the venv and the release built: `josi release build`; about 2 min):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/cached_gate.py
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, code_sha256, timed, utc_now, write_result
from data_build import BASELINE_REV, extract


def gate(tree: Path, gguf: Path, reports: Path) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "pytest", "evals", "-m", "contract", "--model=gguf", f"--model-path={gguf}",
               "-p", "no:cacheprovider", "-q", f"--report-dir={reports}"]
    wall, done = timed(lambda: subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True))
    report_file = reports / "eval-gguf-contract.json"
    if done.returncode not in (0, 1) or not report_file.is_file():
        raise SystemExit(f"the gate in {tree} failed (exit {done.returncode}):\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return wall, json.loads(report_file.read_text())


def verdicts(report: dict) -> dict:
    return {"overall": report["overall"], "checks": report["checks"], "cases": report["cases"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", default=str(REPO / "artifacts" / "release" / "josi-q4_k_m.gguf"))
    parser.add_argument("--baseline-rev", default=BASELINE_REV)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    gguf = Path(args.gguf).resolve()
    if not gguf.is_file():
        raise SystemExit(f"{gguf}: no such GGUF; `josi release build` writes the release one, or pass --gguf")
    walls = {"baseline": [], "current": []}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        trees = {"baseline": extract(args.baseline_rev, scratch / "baseline"), "current": REPO}
        reports = {}
        for side, tree in trees.items():
            gate(tree, gguf, scratch / f"warm-{side}")
        for repeat in range(args.repeats):
            for side, tree in trees.items():
                wall, reports[side] = gate(tree, gguf, scratch / f"{side}-{repeat}")
                walls[side].append(round(wall, 3))
    generated = {side: report["generated_now"] for side, report in reports.items()}
    identical = verdicts(reports["baseline"]) == verdicts(reports["current"])
    median = {side: statistics.median(times) for side, times in walls.items()}
    result = {
        "benchmark": "cached_gate", "issue_figure": 3, "model": gguf.stem, "gguf": str(gguf),
        "gguf_sha256": reports["current"]["model"]["sha256"], "baseline_rev": args.baseline_rev,
        "command": " ".join(["benchmarks/cached_gate.py", *(sys.argv[1:] if argv is None else argv)]),
        "utc": utc_now(), "repeats": args.repeats, "cases_judged": len(reports["current"]["cases"]),
        "served_from_cache": reports["current"]["served_from_cache"], "generated_now": generated,
        "identical_verdicts_and_findings": identical, "wall_seconds": walls,
        "median_wall_seconds": {side: round(v, 3) for side, v in median.items()},
        "speedup_current_over_baseline": round(median["baseline"] / median["current"], 3), "target_seconds": 10,
        "code_sha256": code_sha256("josi/eval/session.py", "josi/core/gguf.py", "josi/core/checks/persona.py",
                                   "benchmarks/cached_gate.py"),
    }
    out = write_result("cached_gate", gguf.stem, result)
    print(f"cached ship gate, {result['cases_judged']} cases: baseline {args.baseline_rev} {median['baseline']:.1f} s, "
          f"current {median['current']:.1f} s (target < 10 s); generated {generated}; identical: {identical}; {out}")
    return 0 if identical and not any(generated.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
