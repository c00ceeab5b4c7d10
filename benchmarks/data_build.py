"""Benchmark (issue #15, figure 5): `josi data build` end to end, this checkout vs a baseline revision.

Extracts --baseline-rev (default: the commit before the generator's speed-ups) with `git archive` into a
temporary directory and runs `python -m josi.cli data build` there and here, alternating, --repeats times
each, in fresh processes (imports, card loading and gold checks count, as they do for a user). Rows per second
= rows written / wall time. Fails (exit 1) unless both write byte-identical train/val/test files and manifests
equal apart from the git SHA. Writes benchmarks/results/data_build-<rows>-<UTC time>.json.

Rerun (from the repository root, with the venv; about 3 min):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/data_build.py
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from common import REPO, code_sha256, timed, utc_now, write_result

BASELINE_REV = "edc8ff3"  # the last commit before figure 5's work
SPLIT_FILES = ("train.jsonl", "val.jsonl", "test.jsonl")


def extract(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def build(tree: Path, out: Path) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(tree)}
    wall, done = timed(lambda: subprocess.run([sys.executable, "-m", "josi.cli", "data", "build", "--out", str(out)],
                                              cwd=tree, env=env, capture_output=True, text=True))
    if done.returncode:
        raise SystemExit(f"josi data build in {tree} failed:\n{done.stderr[-2000:]}")
    return wall


def outputs(out: Path) -> dict:
    files = {name: (out / name).read_bytes() for name in SPLIT_FILES}
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.pop("git_sha", None)
    return {"files": files, "manifest": manifest}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help=f"the revision to compare with (default {BASELINE_REV})")
    parser.add_argument("--repeats", type=int, default=1, help="builds of each side; the median counts")
    args = parser.parse_args(argv)
    walls = {"baseline": [], "current": []}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        trees = {"baseline": extract(args.baseline_rev, scratch / "baseline"), "current": REPO}
        for repeat in range(args.repeats):
            for side, tree in trees.items():
                walls[side].append(round(build(tree, scratch / f"{side}-{repeat}"), 3))
        made = {side: outputs(scratch / f"{side}-0") for side in trees}
    rows = sum(len(data.splitlines()) for data in made["current"]["files"].values())
    identical = made["baseline"] == made["current"]
    median = {side: statistics.median(times) for side, times in walls.items()}
    rate = {side: round(rows / seconds, 1) for side, seconds in median.items()}
    result = {
        "benchmark": "data_build", "issue_figure": 5, "rows": rows, "baseline_rev": args.baseline_rev,
        "command": " ".join(["benchmarks/data_build.py", *(sys.argv[1:] if argv is None else argv)]),
        "utc": utc_now(), "repeats": args.repeats, "identical_outputs": identical,
        "wall_seconds": walls, "median_wall_seconds": median, "rows_per_second": rate,
        "speedup_current_over_baseline": round(median["baseline"] / median["current"], 3),
        "target_rows_per_second": 1000,
        "code_sha256": code_sha256("josi/data/build.py", "josi/core/checks/numbers.py", "benchmarks/data_build.py"),
    }
    out = write_result("data_build", str(rows), result)
    print(f"josi data build, {rows} rows: baseline {args.baseline_rev} {median['baseline']:.1f} s ({rate['baseline']} rows/s), "
          f"current {median['current']:.1f} s ({rate['current']} rows/s): {result['speedup_current_over_baseline']}x "
          f"(target 1000 rows/s); identical: {identical}; {out}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
