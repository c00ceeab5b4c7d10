"""Benchmark (issue #15, figure 6): LoRA training speed of the 135M per option, against the release's own config.

Each variant is the release config (configs/release-135m.toml) with one change, trained for --steps optimizer
steps on the same data (artifacts/data) by `josi train --config VARIANT.toml` in a fresh process, with the
evaluations cut to 8 val rows and 2 decoded rows of 4 tokens, so nearly only training is timed. From each run's
summary.json: train tokens/s and examples/hour over the optimizer steps alone (josi's StepTimer: evaluation and
model loading excluded), and the ratio to the release variant measured in the same run. Variants that only
shorten the data (max_length) show how the time per example grows with sequence length; --steps 2x shows that
wall time grows linearly with rows. Writes benchmarks/results/training_speed-135m-<UTC time>.json.

Rerun (from the repository root, with the venv and `josi data build` done; about 8 min):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/training_speed.py
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import REPO, code_sha256, timed, utc_now, write_result

from josi.train.config import config_file_text, read_config_file

RELEASE_CONFIG = REPO / "configs" / "release-135m.toml"
# One change each against the release config; what each answers is in benchmarks/README.md.
VARIANTS: dict[str, dict] = {
    "release": {},
    "no_length_grouping": {"group_by_length": False},
    "loss_full_vocab_all_positions": {"loss": "model"},
    "lora_attention_only": {"target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"]},
    "lora_r8": {"lora_r": 8, "lora_alpha": 16},
    "gradient_checkpointing": {"gradient_checkpointing": True},
    "threads_1": {"threads": 1},
    "rows_le_256_tokens": {"max_length": 256},
    "release_2x_steps": {"__steps_factor": 2},
}


def variant_config(overrides: dict, steps: int) -> dict:
    config = read_config_file(RELEASE_CONFIG)
    factor = overrides.get("__steps_factor", 1)
    config |= {k: v for k, v in overrides.items() if not k.startswith("__")}
    config |= {"max_steps": steps * factor, "eval_steps": steps * factor * 100, "decode_rows": 2,
               "decode_max_new_tokens": 4, "max_val_rows": 8, "i6_probe_rows": 0, "tracking": "none",
               "logging_steps": 1}
    return config


def train(name: str, config: dict, scratch: Path) -> dict:
    path = scratch / f"{name}.toml"
    path.write_text(config_file_text(config, f"benchmarks/training_speed.py variant {name}"))
    out = scratch / f"run-{name}"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "JOSI_TRACKING": "none"}
    wall, done = timed(lambda: subprocess.run([sys.executable, "-m", "josi.cli", "train", "--config", str(path),
                                               "--out", str(out)], cwd=REPO, env=env, capture_output=True, text=True))
    if done.returncode:
        raise SystemExit(f"variant {name}: josi train failed (exit {done.returncode}):\n{done.stderr[-2500:]}")
    summary = json.loads((out / "summary.json").read_text())
    steps = summary["final_step"]
    examples = steps * config["batch_size"] * config["grad_accum"]
    seconds = summary["train_step_seconds"]
    return {"overrides": {k: v for k, v in config.items() if k in VARIANTS[name] or k == "max_steps"},
            "steps": steps, "examples": examples, "tokens": summary["train_tokens_seen"],
            "tokens_per_example": round(summary["train_tokens_seen"] / examples, 1),
            "train_step_seconds": seconds, "process_wall_seconds": round(wall, 1),
            "tokens_per_second": summary["train_tokens_per_second"],
            "examples_per_hour": round(examples / seconds * 3600, 1), "seconds_per_step": round(seconds / steps, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=8, help="optimizer steps per variant (default 8, of 8 rows each)")
    parser.add_argument("--only", default="", help="comma-separated variant names (default: all)")
    args = parser.parse_args(argv)
    names = [n for n in VARIANTS if not args.only or n in args.only.split(",")]
    if "release" not in names:
        names.insert(0, "release")
    runs = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            runs[name] = train(name, variant_config(VARIANTS[name], args.steps), Path(scratch))
            print(f"{name}: {runs[name]['tokens_per_second']} tok/s, {runs[name]['examples_per_hour']} examples/h, "
                  f"{runs[name]['seconds_per_step']} s/step", file=sys.stderr, flush=True)
    base = runs["release"]
    for run in runs.values():
        run["examples_per_hour_vs_release"] = round(run["examples_per_hour"] / base["examples_per_hour"], 3)
        run["tokens_per_second_vs_release"] = round(run["tokens_per_second"] / base["tokens_per_second"], 3)
    data_manifest = json.loads((REPO / "artifacts" / "data" / "manifest.json").read_text())
    result = {
        "benchmark": "training_speed", "issue_figure": 6, "model": "smollm2-135m",
        "command": " ".join(["benchmarks/training_speed.py", *(sys.argv[1:] if argv is None else argv)]),
        "utc": utc_now(), "steps": args.steps, "release_config": read_config_file(RELEASE_CONFIG),
        "data": {"dir": "artifacts/data", "generator_version": data_manifest.get("generator_version"),
                 "git_sha": data_manifest.get("git_sha")},
        "variants": runs,
        "code_sha256": code_sha256("josi/train/trainer.py", "josi/train/loss.py", "benchmarks/training_speed.py"),
    }
    out = write_result("training_speed", "135m", result)
    print(f"training speed, {len(runs)} variants x {args.steps} steps: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
