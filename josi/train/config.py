"""Train stage, phase 1 (config): LoRA sizes, budgets, `TrainConfig`, and where each value comes from.

Place in the pipeline: `josi train` reads the dataset of `josi data` and writes the run directory that
`josi merge` reads. Imports josi.core and josi.train only; nothing heavy at import time, since `josi
--help` loads this module (torch only inside the `resolve_*` functions).

Every value is decided in layers, each overriding the one before: the `--budget` defaults, then the
LoRA preset (`--preset auto`: per base model), then the `--config FILE` (TOML; keys are TrainConfig
fields), then each flag given on the command line. `FLAGS` is the one table of those flags: the
parser, the override layer and the sweep's grid keys are all read from it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from josi.core.contract.schema import GENERATION_MAX_TOKENS
from josi.core.io import InputError, UserError
from josi.core.models import EMBEDDED

ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
TARGETS = {"attention": ATTENTION, "all-linear": ATTENTION + MLP}


@dataclass(frozen=True)
class LoraSize:
    r: int
    alpha: int
    targets: str  # a key of TARGETS
    lr: float


# Named presets (--preset). "attention" is the plan's starting point; on the 135M (rank 16, lr 2e-4,
# 2 epochs) it lowered loss 2.8 -> 0.6 but chose the right intent on only 22/40 train rows and blocked
# 20/25 legitimate questions. "all-linear" (attention + MLP, rank 32, lr 5e-4, 3 epochs) learned the
# decisions: 40/40 (docs/training.md).
LORA_PRESETS = {
    "attention": LoraSize(r=16, alpha=32, targets="attention", lr=1e-4),
    "all-linear": LoraSize(r=32, alpha=64, targets="all-linear", lr=5e-4),
}
# What --preset auto picks per base. 135m is measured; 360m and 1.7b are scaled guesses (lower lr
# for the larger models) until a run on them is recorded in docs/training.md.
LORA_BY_MODEL = {
    "smollm2-135m": LoraSize(r=32, alpha=64, targets="all-linear", lr=5e-4),
    "smollm2-360m": LoraSize(r=32, alpha=64, targets="all-linear", lr=3e-4),
    "smollm2-1.7b": LoraSize(r=16, alpha=32, targets="all-linear", lr=1e-4),
}
HIDDEN_SIZE_TO_MODEL = {576: "smollm2-135m", 960: "smollm2-360m", 2048: "smollm2-1.7b"}  # for checkpoint paths

# Budgets set the run's size; every value can still be overridden by the config file or its flag.
BUDGETS: dict[str, dict[str, Any]] = {
    # A few steps on a stratified subset: checks that the whole pipeline runs and val loss falls.
    "smoke": dict(max_train_rows=12, max_val_rows=4, max_steps=6, epochs=1.0, batch_size=2, grad_accum=1,
                  max_length=512, eval_steps=6, logging_steps=1, warmup=0.1, decode_rows=4,
                  decode_max_new_tokens=16, early_stopping_patience=0),
    # The real run: all rows, 3 epochs, 10 evaluations, early stopping on val loss.
    "full": dict(max_train_rows=0, max_val_rows=0, max_steps=-1, epochs=3.0, batch_size=4, grad_accum=2,
                 max_length=1024, eval_steps=0.1, logging_steps=5, warmup=0.05, decode_rows=24,
                 decode_max_new_tokens=GENERATION_MAX_TOKENS, early_stopping_patience=3),
}


@dataclass
class TrainConfig:
    base: str = EMBEDDED  # a josi.core.models name, hub id or checkpoint directory
    data: str = "artifacts/data"  # directory with train.jsonl and val.jsonl
    out: str = ""  # run directory; default runs/train-<base>-<budget>-<time>
    budget: str = "full"
    preset: str = "auto"  # auto (LORA_BY_MODEL) or a key of LORA_PRESETS
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = ATTENTION + MLP
    learning_rate: float = 5e-4
    scheduler: str = "cosine"
    warmup: float = 0.05  # < 1: share of all steps
    weight_decay: float = 0.0
    epochs: float = 3.0
    max_steps: int = -1  # > 0 overrides epochs
    batch_size: int = 4  # per device
    grad_accum: int = 2
    max_length: int = 1024  # tokens; longer examples are rejected, never truncated
    eval_steps: float = 0.1  # >= 1: every N steps; < 1: share of all steps (checkpoints follow evals)
    logging_steps: int = 5
    save_total_limit: int = 2  # the best checkpoint is always kept in addition to the latest
    early_stopping_patience: int = 3  # evaluations without a lower val loss; 0 disables
    decode_rows: int = 24  # stratified validation rows decoded at every evaluation
    decode_max_new_tokens: int = GENERATION_MAX_TOKENS
    i6_probe_rows: int = 0  # validation rows, half refusals, half legitimate, whose intent alone is decoded per eval; 0 = off
    max_train_rows: int = 0  # 0 = all; else a stratified subset
    max_val_rows: int = 0
    precision: str = "auto"  # auto: bf16 on a bf16-capable GPU, fp32 elsewhere (CPU bf16 autocast is ~30x slower here)
    gradient_checkpointing: bool = False
    group_by_length: bool = False  # batches of similar length: less padding, same examples per epoch
    threads: int = 0  # CPU threads for torch; 0 = auto: the cores the other processes leave free (at least 1)
    # The loss of each answer's first decision_tokens tokens (its intent and response type) counts
    # decision_weight times in training (josi/train/loss.py); 1.0 = plain SFT. Completion loss only.
    decision_weight: float = 1.0
    decision_tokens: int = 14
    loss: str = "auto"  # auto: "trl" (fused chunked LM-head loss) on GPU, "completion" (LM head on learned positions) on CPU
    tracking: str = "trackio"  # trackio (local, offline) or none; JOSI_TRACKING=none disables
    seed: int = 0
    checkpoint: str = ""  # filled in: the directory the base was loaded from


# ------------------------------------------------------------------------------------------- flags

class Flag(NamedTuple):
    flag: str
    field: str  # the TrainConfig field it sets
    type: type  # how the command line parses it (bool: a switch)
    help: str | None = None
    choices: tuple[str, ...] | None = None


RUN_FLAGS = (
    Flag("--base", "base", str, f"base model: a josi.core.models name, hub id or checkpoint directory (default {EMBEDDED})"),
    Flag("--data", "data", Path, "dataset directory with train.jsonl and val.jsonl (default artifacts/data)"),
    Flag("--out", "out", str, "run directory (default runs/train-<base>-<budget>-<time>)"),
    Flag("--budget", "budget", str, "smoke: a few steps in < 3 min on CPU; full: the real run (default)", tuple(sorted(BUDGETS))),
    Flag("--preset", "preset", str, "LoRA size: auto picks per base model (see docs/training.md)", ("auto", *LORA_PRESETS)),
)
TUNING_FLAGS = (
    Flag("--lora-r", "lora_r", int),
    Flag("--lora-alpha", "lora_alpha", int),
    Flag("--lora-dropout", "lora_dropout", float),
    Flag("--target-modules", "target_modules", str, "comma-separated module names, e.g. q_proj,v_proj"),
    Flag("--lr", "learning_rate", float),
    Flag("--epochs", "epochs", float),
    Flag("--max-steps", "max_steps", int),
    Flag("--batch-size", "batch_size", int, "per device"),
    Flag("--grad-accum", "grad_accum", int),
    Flag("--max-length", "max_length", int, "examples longer than this are rejected, never truncated"),
    Flag("--eval-steps", "eval_steps", float, ">= 1: every N steps; < 1: share of all steps"),
    Flag("--logging-steps", "logging_steps", int),
    Flag("--patience", "early_stopping_patience", int, "evals without lower val loss before stopping; 0 disables"),
    Flag("--decode-rows", "decode_rows", int),
    Flag("--decode-max-new-tokens", "decode_max_new_tokens", int),
    Flag("--i6-probe-rows", "i6_probe_rows", int, "validation rows (half I6 refusals, half legitimate) whose intent "
                                                   "alone is decoded at every eval: I6 recall and over-refusal on more "
                                                   "rows than --decode-rows; 0 = off"),
    Flag("--max-train-rows", "max_train_rows", int),
    Flag("--max-val-rows", "max_val_rows", int),
    Flag("--precision", "precision", str, None, ("auto", "fp32", "bf16")),
    Flag("--threads", "threads", int, "torch CPU threads (default 0 = auto: cores minus the current load, "
                                      "since oversubscribed OpenMP threads run ~4x slower on a shared CPU)"),
    Flag("--loss", "loss", str, "trl: trl's fused LM-head loss (less memory, logs entropy/token accuracy); model: the "
                                "model's own causal-LM loss; completion: the LM head only where a token is learned "
                                "(fastest on CPU); auto: trl on GPU, completion on CPU", ("auto", "trl", "model", "completion")),
    Flag("--gradient-checkpointing", "gradient_checkpointing", bool),
    Flag("--group-by-length", "group_by_length", bool, "batch examples of similar length (less padding)"),
    Flag("--tracking", "tracking", str, "default trackio (local files); env JOSI_TRACKING=none disables", ("trackio", "none")),
    Flag("--seed", "seed", int),
)
FLAGS = RUN_FLAGS + TUNING_FLAGS
FIELD_TYPES = typing.get_type_hints(TrainConfig)
CHOICES = {flag.field: flag.choices for flag in FLAGS if flag.choices}
FILE_KEYS = tuple(name for name in FIELD_TYPES if name != "checkpoint")  # checkpoint is found, never asked for


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for flag in RUN_FLAGS:
        add_flag(parser, flag)
    parser.add_argument("--config", type=Path, metavar="FILE", help="TOML file of TrainConfig fields (docs/training.md): "
                                                                    "over the budget and preset, under the flags given here")
    parser.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue RUN_DIR from its last complete checkpoint with its saved config")
    tuning = parser.add_argument_group("overrides (default: from --budget, --preset and --config)")
    for flag in TUNING_FLAGS:
        add_flag(tuning, flag)


def add_flag(group, flag: Flag) -> None:
    # Every default is None, so make_config can tell a flag the user gave from one they did not.
    if flag.type is bool:
        group.add_argument(flag.flag, dest=flag.field, action="store_const", const=True, help=flag.help)
    else:
        group.add_argument(flag.flag, dest=flag.field, type=flag.type, choices=flag.choices, help=flag.help)


def field_for(key: str) -> str | None:
    """The TrainConfig field a settings key names: a field itself, or a flag spelled with - or _."""
    if key in FILE_KEYS:
        return key
    return next((flag.field for flag in FLAGS if flag.flag[2:] in (key, key.replace("_", "-"))), None)


def check_value(field: str, value: Any) -> tuple[Any, str | None]:
    """(the value as TrainConfig holds it, None) or (None, what is wrong with it)."""
    kind = FIELD_TYPES[field]
    if kind is bool:
        ok = isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is float:  # ints too, so `epochs = 1` reads as the flag --epochs 1 does
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif field == "target_modules":  # a list, or the flag's comma-separated form
        value = tuple(value.split(",")) if isinstance(value, str) else value
        ok = isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) and v for v in value)
        value = tuple(value) if ok else value
    else:
        ok = isinstance(value, (str, Path))
        value = str(value) if ok else value
    if not ok:
        wanted = "a list of module names" if field == "target_modules" else f"{'an' if kind is int else 'a'} {kind.__name__}"
        return None, f"'{field}' must be {wanted}, not {value!r}"
    if field in CHOICES and value not in CHOICES[field]:
        return None, f"'{field}' must be one of {', '.join(CHOICES[field])}, not {value!r}"
    if field == "decision_weight" and value <= 0:
        return None, f"'decision_weight' must be above 0 (1.0 = plain SFT), not {value!r}"
    if field in AT_LEAST_ONE and value < 1:
        return None, f"'{field}' must be at least 1 ({AT_LEAST_ONE[field]}), not {value!r}"
    return value, None


# Fields below 1 that would only fail deep inside the Trainer, with a traceback.
AT_LEAST_ONE = {"decode_rows": "the kept checkpoint is chosen on the decoded rows' score",
                "batch_size": "rows per step", "grad_accum": "batches per optimizer step"}


# ----------------------------------------------------------------------------------------- config file

def key_line(text: str, key: str) -> int:
    """The line (1-based) where a TOML key or table is set; 0 when it cannot be found."""
    name = re.escape(key)
    pattern = re.compile(rf"""^\s*(?:(?:{name}|"{name}"|'{name}')\s*[=.]|\[+\s*{name}\s*\]+)""")
    return next((i for i, line in enumerate(text.splitlines(), 1) if pattern.match(line)), 0)


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """(parsed TOML, its text); a missing or malformed file is an InputError at its line."""
    if not path.is_file():
        raise InputError(path, 0, "file not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, path.read_bytes()[:err.start].count(b"\n") + 1, "not UTF-8 text; save the file as UTF-8") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as err:  # Python 3.11 has no err.lineno, only "(at line N, column M)"
        found = re.search(r"at line (\d+)", str(err))
        line = int(found.group(1)) if found else len(text.splitlines())
        raise InputError(path, line, f"not valid TOML: {err}") from None


def read_config_file(path: Path) -> dict[str, Any]:
    """The TrainConfig fields a --config file sets, each checked; a problem names the file and line."""
    data, text = read_toml(path)
    settings = {}
    for key, value in data.items():
        if key not in FILE_KEYS:
            field = field_for(key)
            hint = (f" (the flag --{key.replace('_', '-')} is the field '{field}')" if field
                    else "; keys are the TrainConfig fields: " + ", ".join(FILE_KEYS))
            raise InputError(path, key_line(text, key), f"unknown key '{key}'{hint}")
        settings[key], problem = check_value(key, value)
        if problem:
            raise InputError(path, key_line(text, key), problem)
    return settings


def config_file_text(settings: dict[str, Any], comment: str = "") -> str:
    """A --config file that read_config_file reads back as `settings` (the sweep writes one per arm)."""
    def value_text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(map(value_text, value)) + "]"
        return json.dumps(str(value))  # JSON string escapes are valid TOML basic-string escapes

    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + "".join(f"{key} = {value_text(value)}\n" for key, value in settings.items())


# ----------------------------------------------------------------------------------------- layers

def requested(args: argparse.Namespace) -> dict[str, Any]:
    """The fields the user set: the --config file's, then the flags given (which win)."""
    config_file = getattr(args, "config", None)
    settings = read_config_file(config_file) if config_file else {}
    for flag in FLAGS:
        value = getattr(args, flag.field, None)
        if value is not None:
            settings[flag.field], problem = check_value(flag.field, value)
            if problem:  # argparse checked the type; an empty --target-modules is what is left
                raise UserError(f"{flag.flag}: {problem}")
    return settings


def requested_base(args: argparse.Namespace) -> str:
    return requested(args).get("base", EMBEDDED)


def lora_size_for(base: str, checkpoint: str | None = None) -> LoraSize:
    if base in LORA_BY_MODEL:
        return LORA_BY_MODEL[base]
    if checkpoint and (Path(checkpoint) / "config.json").is_file():
        hidden = json.loads((Path(checkpoint) / "config.json").read_text()).get("hidden_size")
        nearest = min(HIDDEN_SIZE_TO_MODEL, key=lambda size: abs(size - (hidden or 576)))
        return LORA_BY_MODEL[HIDDEN_SIZE_TO_MODEL[nearest]]
    return LORA_BY_MODEL[EMBEDDED]


def make_config(args: argparse.Namespace, checkpoint: str | None = None) -> TrainConfig:
    """Budget defaults, then the LoRA preset, then the --config file, then every flag the user gave explicitly.

    `checkpoint` is the base's directory, for `--preset auto` on a base given as a path.
    """
    settings = requested(args)
    budget, preset = settings.get("budget", "full"), settings.get("preset", "auto")
    config = TrainConfig(budget=budget, preset=preset, **BUDGETS[budget])
    config.base = settings.get("base", config.base)
    size = LORA_PRESETS[preset] if preset != "auto" else lora_size_for(config.base, checkpoint)
    config.lora_r, config.lora_alpha, config.learning_rate = size.r, size.alpha, size.lr
    config.target_modules = TARGETS[size.targets]
    for field, value in settings.items():
        setattr(config, field, value)
    return config


def saved_config(path: Path) -> TrainConfig:
    """The config.json of a run directory, as the run that wrote it resolved it."""
    if not path.is_file():
        raise InputError(path, 0, "not a josi train run directory (no config.json)")
    data = json.loads(path.read_text())
    data["target_modules"] = tuple(data["target_modules"])
    return TrainConfig(**data)


# ------------------------------------------------------------------------- resolved on this machine

def resolve_machine(config: TrainConfig) -> None:
    """Fill in what the base and each `auto` mean here: checkpoint, precision, loss, threads, tracking."""
    import torch

    from josi.core.runtime import cpu_threads, resolve_base

    config.checkpoint = resolve_base(config.base)  # ModelNotFound (a user error) when the base is missing
    if config.precision == "auto":  # CPU bf16 autocast is ~18x slower than fp32 without AMX (docs/training.md)
        config.precision = "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"
    if config.loss == "auto":  # the decision weight lives in the completion loss only
        gpu = torch.cuda.is_available() and config.decision_weight == 1.0
        config.loss = "trl" if gpu else "completion"
    if config.decision_weight != 1.0 and config.loss != "completion":
        raise UserError(f"decision_weight = {config.decision_weight} needs loss = \"completion\" (got \"{config.loss}\"): "
                        "set loss = \"completion\" (or \"auto\") in the run config, or decision_weight = 1.0")
    config.threads = cpu_threads(config.threads)
    if os.environ.get("JOSI_TRACKING", "").lower() in ("0", "off", "none", "false"):
        config.tracking = "none"

