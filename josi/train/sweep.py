"""Train stage: run a LoRA sweep, the same `josi train` budget for every arm of a grid file, then one ranked table.

    josi sweep configs/sweep-135m.toml                   # runs every arm not yet done, then the table
    josi sweep configs/sweep-135m.toml --only r16-attn-lr1e-4
    josi sweep configs/sweep-135m.toml --report          # only the table, from what has run

Place in the pipeline: beside `josi train`, to choose its LoRA settings; reads only finished run
directories. Imports josi.core and josi.train only.

A grid file (TOML) has a `[common]` table of `josi train` settings shared by every arm and one
`[[arm]]` per setting to compare (`name` plus the settings that differ). A setting is a TrainConfig
field (`learning_rate`) or the name of its flag (`lr`, `max-train-rows`). Each arm's settings
(common, then its own) are written to `<out>/<name>/train.toml` and the arm runs as its own
`python -m josi.train --config <out>/<name>/train.toml --out <out>/<name>` process, so it keeps the
full run directory (config, metrics, curves, adapter, manifest). An arm with a summary is done and
skipped; an arm that was killed is resumed from its last checkpoint. The table ranks arms on the
decision score of their best checkpoint (the metric `josi train` selects checkpoints on), then on
validation loss; it is written to `<out>/sweep.md` and `<out>/sweep.json` and printed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from josi.core.io import InputError, write_text_atomic
from josi.train.config import check_value, config_file_text, field_for, key_line, read_toml

# Settings an arm may not have: the sweep owns where each arm writes and whether it resumes.
RESERVED = {"out", "resume"}
ARM_CONFIG = "train.toml"  # inside the arm's run directory, beside what the run writes


@dataclass
class Grid:
    path: Path
    out: Path
    common: dict[str, Any]
    arms: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> its own settings, as the grid spells them


def load_grid(path: Path) -> Grid:
    data, text = read_toml(path)
    line_of = lambda needle: next((i for i, line in enumerate(text.splitlines(), 1) if needle in line), 0)  # noqa: E731
    common = data.get("common", {})
    if not isinstance(common, dict):
        raise InputError(path, line_of("common"), "[common] must be a table of josi train settings")
    arms = data.get("arm")
    if not isinstance(arms, list) or not arms:
        raise InputError(path, 0, "no [[arm]] tables: a sweep needs at least one arm")
    grid = Grid(path=path, out=Path(data.get("out", f"runs/sweep-{path.stem.removeprefix('sweep-')}")), common=common)
    for arm in arms:
        name = arm.get("name")
        if not isinstance(name, str) or not name or "/" in name:
            raise InputError(path, line_of("[[arm]]"), "every [[arm]] needs a name (a plain directory name)")
        if name in grid.arms:
            raise InputError(path, line_of(f'"{name}"'), f"arm name {name!r} is used twice")
        settings = {key: value for key, value in arm.items() if key != "name"}
        for key in RESERVED & (set(settings) | set(common)):
            raise InputError(path, line_of(key), f"'{key}' is set by the sweep itself (out = {grid.out}/<arm>)")
        for key, value in {**common, **settings}.items():  # here, so a typo stops the sweep before any arm runs
            problem = check_value(field_for(key), value)[1] if field_for(key) else f"unknown josi train setting '{key}'"
            if problem:
                raise InputError(path, key_line(text, key), problem)
        grid.arms[name] = settings
    return grid


def arm_config(grid: Grid, name: str) -> dict[str, Any]:
    """One arm's TrainConfig fields: the common settings, then the arm's own (which win)."""
    return {field_for(key): check_value(field_for(key), value)[0]
            for key, value in {**grid.common, **grid.arms[name]}.items()}


def write_arm_config(grid: Grid, name: str) -> Path:
    """`<out>/<name>/train.toml`: the --config file the arm's `josi train` runs with."""
    path = grid.out / name / ARM_CONFIG
    write_text_atomic(path, config_file_text(arm_config(grid, name), comment=f"arm {name} of the sweep {grid.path}"))
    return path


def run_arm(argv: list[str], log: Path) -> int:
    """One arm as its own process (fresh memory and threads); its output goes to the terminal and `log`."""
    with open(log, "a", encoding="utf-8") as handle:
        process = subprocess.Popen([sys.executable, "-m", "josi.train", *argv], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, bufsize=1)
        for line in process.stdout:  # type: ignore[union-attr]
            sys.stderr.write(line)
            handle.write(line)
        return process.wait()


def run_sweep(grid: Grid, only: list[str] | None = None, runner: Callable[[list[str], Path], int] = run_arm) -> dict[str, int]:
    """Run each arm that has no summary yet; returns name -> exit status (0 for arms already done).

    `runner(argv, log)` runs `python -m josi.train *argv`, its output appended to `log`.
    """
    statuses = {}
    for name in only or list(grid.arms):
        run_dir = grid.out / name
        if (run_dir / "summary.json").is_file():
            print(f"sweep: {name} is done ({run_dir}/summary.json); skipped", file=sys.stderr)
            statuses[name] = 0
            continue
        grid.out.mkdir(parents=True, exist_ok=True)
        killed = (run_dir / "config.json").is_file()
        argv = ["--resume", str(run_dir)] if killed else ["--config", str(write_arm_config(grid, name)), "--out", str(run_dir)]
        print(f"sweep: {'resuming' if killed else 'starting'} {name}: python -m josi.train {' '.join(argv)}", file=sys.stderr)
        statuses[name] = runner(argv, grid.out / f"{name}.log")
    return statuses


# ------------------------------------------------------------------------------------------------ table

def arm_row(run_dir: Path) -> dict[str, Any] | None:
    """One table row from a finished arm's config.json, summary.json and metrics.jsonl; None if unfinished."""
    if not (run_dir / "summary.json").is_file():
        return None
    from josi.train.rundir import read_metrics

    config = json.loads((run_dir / "config.json").read_text())
    summary = json.loads((run_dir / "summary.json").read_text())
    records = read_metrics(run_dir / "metrics.jsonl")
    curve = [(r["step"], r["eval_decision_score"]) for r in records if "eval_decision_score" in r]
    targets = config["target_modules"]
    return {
        "arm": run_dir.name, "rank": config["lora_r"], "alpha": config["lora_alpha"],
        "targets": "attention + MLP" if "gate_proj" in targets else "attention" if "q_proj" in targets else ",".join(targets),
        "lr": config["learning_rate"], "epochs": config["epochs"], "steps": summary["final_step"],
        "train_examples": summary["data"]["train"]["kept"],
        "val_loss_start": summary["val_loss_start"], "val_loss_best": summary["val_loss_best"],
        "decision_start": summary["decision_score_start"], "decision_best": summary["decision_score_best"],
        "intent_acc": summary["intent_acc_best"], "refusal_recall": summary["refusal_recall_best"],
        "over_refusal": summary["over_refusal_best"], "best_step": summary["best_step"],
        "decision_curve": curve, "tokens_per_second": summary["train_tokens_per_second"],
        "minutes": round(summary["wall_seconds"] / 60, 1),
    }


def rank_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (-(r["decision_best"] or 0.0), r["val_loss_best"] or float("inf")))


def markdown_table(rows: list[dict[str, Any]]) -> str:
    fmt = lambda v, spec=".2f": "n/a" if v is None else format(v, spec)  # noqa: E731
    lines = ["| arm | rank/alpha | targets | lr | steps (examples) | val loss start -> best | decision start -> best "
             "| intent acc | I6 recall | over-refusal | decision score at each eval (step: score) | tok/s | min |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        curve = ", ".join(f"{step}: {score:.2f}" for step, score in r["decision_curve"])
        lines.append(f"| {r['arm']} | {r['rank']}/{r['alpha']} | {r['targets']} | {r['lr']:g} | {r['steps']} "
                     f"({r['train_examples']}) | {fmt(r['val_loss_start'], '.3f')} -> {fmt(r['val_loss_best'], '.3f')} "
                     f"| {fmt(r['decision_start'])} -> {fmt(r['decision_best'])} | {fmt(r['intent_acc'])} "
                     f"| {fmt(r['refusal_recall'])} | {fmt(r['over_refusal'])} | {curve} "
                     f"| {fmt(r['tokens_per_second'], '.0f')} | {r['minutes']} |")
    return "\n".join(lines) + "\n"


def write_report(grid: Grid) -> list[dict[str, Any]]:
    from josi.core.io import write_json_atomic

    rows = rank_rows([row for name in grid.arms if (row := arm_row(grid.out / name)) is not None])
    missing = [name for name in grid.arms if not (grid.out / name / "summary.json").is_file()]
    text = (f"# LoRA sweep `{grid.path}`\n\nRanked by the decision score of each arm's best checkpoint, then by "
            f"validation loss. Common flags: `{json.dumps(grid.common)}`.\n\n" + markdown_table(rows))
    if missing:
        text += f"\nNot finished: {', '.join(missing)}.\n"
    grid.out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(grid.out / "sweep.md", text)
    write_json_atomic(grid.out / "sweep.json", {"grid": str(grid.path), "common": grid.common, "arms": grid.arms,
                                                "ranked": rows, "not_finished": missing})
    print(text)
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("grid", type=Path, help="grid file (TOML): [common] josi train settings, one [[arm]] per setting")
    parser.add_argument("--only", action="append", metavar="ARM", help="run only this arm (repeatable)")
    parser.add_argument("--report", action="store_true", help="do not train; only rank the arms that have finished")


def run(args: argparse.Namespace) -> int:
    grid = load_grid(args.grid)
    for name in args.only or []:
        if name not in grid.arms:
            raise InputError(args.grid, 0, f"no arm named {name!r} (arms: {', '.join(grid.arms)})")
    statuses = {} if args.report else run_sweep(grid, args.only)
    write_report(grid)
    failed = [name for name, status in statuses.items() if status != 0]
    if failed:
        print(f"sweep: these arms failed (see {grid.out}/<arm>.log): {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
