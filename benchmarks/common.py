"""What every benchmark script shares: the machine it ran on, a timer, the gate's prompts, and the result file.

Not a benchmark itself. Each script in benchmarks/ measures one figure of issue #15 as a ratio against a
baseline taken in the same run, and writes one JSON file per run to benchmarks/results/ through `write_result`.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # run as a script from anywhere: josi from this checkout


def machine() -> dict:
    """CPU count, threads, load at the time, versions: what a reader needs to compare two result files."""
    import torch

    from josi.core.manifest import library_versions

    return {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.is_available(), "load_average_1m": round(os.getloadavg()[0], 2),
            "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(), "libraries": library_versions()}


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def code_sha256(*paths: str) -> dict[str, str]:
    return {path: hashlib.sha256((REPO / path).read_bytes()).hexdigest() for path in paths}


def gate_cases(n: int | None = None) -> list:
    """n of the gate's cases spread evenly over its case files (every k-th in file order), or all of them."""
    from josi.eval.cases import load_case_files

    cases = load_case_files(REPO / "evals" / "cases")
    if n is None:
        return cases
    if n > len(cases):
        raise SystemExit(f"--cases {n}: the gate has only {len(cases)} cases")
    step = len(cases) / n
    return [cases[int(i * step)] for i in range(n)]


def write_result(name: str, label: str, result: dict, out_dir: Path = RESULTS) -> Path:
    """benchmarks/results/<name>-<label>-<UTC time>.json, with the machine added; a new run never edits an old file."""
    result = {**result, "machine": machine()}
    out = Path(out_dir) / f"{name}-{label}-{result['utc'].replace('-', '').replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    temporary.replace(out)
    return out


def verdict(summary: str, mismatches: list, what: str) -> int:
    """Print the run's one-line summary; exit status 1 (with `what` and the cases) when outputs differed."""
    print(summary)
    if mismatches:
        print(f"{what}: {mismatches}", file=sys.stderr)
        return 1
    return 0
