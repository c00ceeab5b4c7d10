"""Train stage, phases 3 and 6 (run directory, outputs): what `josi train` writes and how a run resumes.

Place in the pipeline: the run directory is the stage's output; `josi merge` reads its `adapter/`,
`josi sweep` its summary and metrics. Imports josi.core and josi.train only (matplotlib inside
`plot_curves`).

    config.json            the resolved TrainConfig, written first so a killed run can always resume
    manifest.json          input hashes, config, versions; status running, then done with the summary
    metrics.jsonl          one line per log (data counts, train loss, val loss, decision metrics)
    decode_samples.jsonl   what the model answered on the decoded sample at every evaluation
    checkpoints/           Trainer checkpoints for --resume
    adapter/               the best adapter and the tokenizer it was trained with
    summary.json, loss_curve.png
"""
from __future__ import annotations

import functools
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from josi.core.io import (UserError, atomic_path, check_output_dir, checkpoint_sha256, sha256_file, write_json_atomic,
                          write_text_atomic)
from josi.core.manifest import config_dict, manifest
from josi.train.config import TrainConfig


class RunDirError(UserError, ValueError):
    """A run directory that cannot be used as asked (e.g. it already holds a run and --resume was not given)."""


def default_out(config: TrainConfig) -> str:
    name = Path(config.base).name if Path(config.base).expanduser().is_dir() else config.base
    return f"runs/train-{name}-{config.budget}-{time.strftime('%Y%m%d-%H%M%S')}"


def check_fresh(run_dir: Path) -> None:
    """Before the base or the data is loaded: the run directory can be written (OutputError naming
    --out if not: a file, under a file, read-only) and holds no earlier run."""
    check_output_dir(run_dir)
    if (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir()):
        raise RunDirError(f"{run_dir} already holds a run: continue it with --resume {run_dir} or pick another --out")


def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest checkpoint-N whose trainer_state.json was written (saved last); partial ones are removed."""
    found = sorted((p for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                   key=lambda p: int(p.name.split("-")[-1]))
    complete = [p for p in found if (p / "trainer_state.json").is_file()]
    for partial in set(found) - set(complete):
        shutil.rmtree(partial, ignore_errors=True)
    return complete[-1] if complete else None


def truncate_jsonl(path: Path, max_step: int) -> None:
    """Keep only the records of steps <= max_step (a resumed run logs the later ones again)."""
    if not path.is_file():
        return
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    write_text_atomic(path, "".join(line + "\n" for line in lines if json.loads(line).get("step", 0) <= max_step))


def read_metrics(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@functools.lru_cache(maxsize=4)
def base_sha256(checkpoint: str) -> str:
    # The manifest is written at the start and at the end of a run; hash the base weights once.
    return checkpoint_sha256(checkpoint)


def write_manifest(run_dir: Path, config: TrainConfig, data_dir: Path, **extra: Any) -> None:
    inputs = {name: sha256_file(data_dir / name) for name in ("train.jsonl", "val.jsonl")}
    data_manifest = data_dir / "manifest.json"
    inputs["data_manifest"] = sha256_file(data_manifest) if data_manifest.is_file() else "absent"
    inputs["base_model"] = base_sha256(config.checkpoint)
    write_json_atomic(run_dir / "manifest.json", manifest(config, inputs, artifact="josi train run", **extra))


def start_run_dir(run_dir: Path, config: TrainConfig, reports: dict[str, Any], resume_from: Path | None) -> None:
    """config.json and a running manifest; fresh logs, or a resumed run's logs up to its checkpoint."""
    run_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(run_dir / "config.json", config_dict(config))
    write_manifest(run_dir, config, Path(config.data), data=reports, status="running")
    if resume_from is None:
        (run_dir / "metrics.jsonl").write_text("")
        (run_dir / "decode_samples.jsonl").write_text("")
    else:  # keep what the checkpoint had seen; logs after it are replayed by the resumed run
        keep_until = json.loads((resume_from / "trainer_state.json").read_text())["global_step"]
        truncate_jsonl(run_dir / "metrics.jsonl", keep_until)
        truncate_jsonl(run_dir / "decode_samples.jsonl", keep_until)


def finish_run_dir(run_dir: Path, trainer, config: TrainConfig, reports, tokens_seen: int, step_seconds: float,
                   wall_seconds: float, resumed_from: Path | None, final_step: int) -> dict[str, Any]:
    """summary.json, loss_curve.png and the final manifest (with the adapter's hash); returns the summary."""
    summary = summarize(run_dir, trainer, config, reports, tokens_seen, step_seconds, wall_seconds,
                        resumed_from, final_step)
    write_json_atomic(run_dir / "summary.json", summary)
    plot_curves(run_dir / "metrics.jsonl", run_dir / "loss_curve.png", title=run_dir.name)
    write_manifest(run_dir, config, Path(config.data), data=reports, status="done", summary=summary,
                   outputs={"adapter/adapter_model.safetensors": sha256_file(run_dir / "adapter" / "adapter_model.safetensors")})
    print_summary(summary)
    return summary


def summarize(run_dir: Path, trainer, config: TrainConfig, reports, tokens_seen: int, step_seconds: float,
              wall_seconds: float, resumed_from: Path | None, final_step: int) -> dict[str, Any]:
    records = read_metrics(run_dir / "metrics.jsonl")
    evals = [r for r in records if "eval_loss" in r]
    decoded = {r["step"]: r for r in records if "eval_decision_score" in r}
    start = next((r for r in evals if r["step"] == 0), evals[0] if evals else {})
    best_step = trainer.state.best_global_step or (evals[-1]["step"] if evals else 0)
    best = next((r for r in reversed(evals) if r["step"] == best_step), {})
    final = evals[-1] if evals else {}
    pick = lambda step, key: decoded.get(step, {}).get(key)  # noqa: E731
    return {
        "run_dir": str(run_dir), "base": config.base, "budget": config.budget, "final_step": final_step,
        "resumed_from": str(resumed_from) if resumed_from else None,
        "best_step": best_step, "best_checkpoint": trainer.state.best_model_checkpoint,
        "val_loss_start": start.get("eval_loss"), "val_loss_best": best.get("eval_loss"),
        "val_loss_final": final.get("eval_loss"),
        "val_loss_lowered": bool(start and best and best["eval_loss"] < start["eval_loss"]),
        "decision_score_start": pick(start.get("step"), "eval_decision_score"),
        "decision_score_best": pick(best_step, "eval_decision_score"),
        "refusal_recall_best": pick(best_step, "eval_decode_refusal_recall"),
        "over_refusal_best": pick(best_step, "eval_decode_over_refusal"),
        "intent_acc_best": pick(best_step, "eval_decode_intent_acc"),
        "probe_refusal_recall_best": pick(best_step, "eval_probe_refusal_recall"),
        "probe_over_refusal_best": pick(best_step, "eval_probe_over_refusal"),
        "probed_decision_score_best": pick(best_step, "eval_probed_decision_score"),
        "data": {split: {k: v for k, v in report.items() if k != "rejected_ids"} for split, report in reports.items()},
        "train_tokens_seen": tokens_seen, "train_step_seconds": round(step_seconds, 1),
        "train_tokens_per_second": round(tokens_seen / step_seconds, 1) if step_seconds else None,
        "precision": config.precision, "wall_seconds": round(wall_seconds, 1),
    }


def print_summary(summary: dict[str, Any]) -> None:
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    probe = (f"I6 probe at the best step: refusal recall {fmt(summary['probe_refusal_recall_best'])}, over-refusal "
             f"{fmt(summary['probe_over_refusal_best'])}; " if summary.get("probe_refusal_recall_best") is not None else "")
    print(f"val loss {fmt(summary['val_loss_start'])} -> {fmt(summary['val_loss_best'])} at the best step "
          f"{summary['best_step']} (final {fmt(summary['val_loss_final'])}); decision score "
          f"{fmt(summary['decision_score_start'])} -> {fmt(summary['decision_score_best'])}; {probe}"
          f"{fmt(summary['train_tokens_per_second'])} train tokens/s ({summary['precision']}); "
          f"adapter in {summary['run_dir']}/adapter", file=sys.stderr)


def plot_curves(metrics_path: Path, target: Path, title: str = "") -> None:
    """loss_curve.png: train and val loss, and the decision metrics of the decoded sample."""
    import matplotlib

    matplotlib.use("Agg")  # no display on a training machine
    import matplotlib.pyplot as plt

    records = read_metrics(metrics_path)
    figure, (losses, decisions) = plt.subplots(1, 2, figsize=(11, 4))
    train = [(r["step"], r["loss"]) for r in records if "loss" in r]
    val = [(r["step"], r["eval_loss"]) for r in records if "eval_loss" in r]
    for points, label, style in ((train, "train loss", "-"), (val, "val loss", "o-")):
        if points:
            losses.plot(*zip(*points), style, label=label)
    losses.set_xlabel("step")
    losses.set_ylabel("loss (completion tokens)")
    losses.legend()
    for key, label in (("eval_decision_score", "decision score"), ("eval_decode_refusal_recall", "I6 refusal recall"),
                       ("eval_probe_refusal_recall", "I6 probe recall"), ("eval_probe_over_refusal", "I6 probe over-refusal"),
                       ("eval_decode_over_refusal", "over-refusal"), ("eval_decode_intent_acc", "intent accuracy")):
        points = [(r["step"], r[key]) for r in records if key in r]
        if points:
            decisions.plot(*zip(*points), "o-", label=label)
    decisions.set_xlabel("step")
    decisions.set_ylim(-0.05, 1.05)
    decisions.legend()
    figure.suptitle(title)
    figure.tight_layout()
    with atomic_path(target) as tmp:
        figure.savefig(tmp, format="png", dpi=100)
    plt.close(figure)
