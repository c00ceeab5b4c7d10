"""LoRA fine-tune a base model on the SFT dataset (docs/data.md), with decision metrics at every eval.

    josi train --budget smoke --data DIR             # < 3 min on a laptop CPU: proves the pipeline learns
    josi train --data artifacts/data                 # the real run (--budget full)
    josi train --resume runs/NAME                    # continue a killed run from its last checkpoint
    accelerate launch -m josi.train.run --data ...       # several GPUs, same code (HF Trainer / trl SFTTrainer)

Reading order of this file: the config (LoRA table, budgets, TrainConfig), the data (load, check,
tokenize through the chat template, reject what would be truncated), the run (SFTTrainer + callbacks
from josi.train.callbacks), then the run directory (config.json, metrics.jsonl, loss_curve.png, adapter/,
summary.json, manifest.json). docs/training.md has the measured numbers behind the defaults.
"""
from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from josi.core.contract.schema import GENERATION_MAX_TOKENS
from josi.core.io import UserError
from josi.core.models import EMBEDDED

class DatasetError(UserError, ValueError):
    """A dataset that cannot be trained on as a whole (empty, or every example too long)."""


class RunDirError(UserError, ValueError):
    """A run directory that cannot be used as asked (e.g. it already holds a run and --resume was not given)."""


# ---------------------------------------------------------------------------------------------- config

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

# Budgets set the run's size; every value can still be overridden by its flag.
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
    max_train_rows: int = 0  # 0 = all; else a stratified subset
    max_val_rows: int = 0
    precision: str = "auto"  # auto: bf16 on a bf16-capable GPU, fp32 elsewhere (CPU bf16 autocast is ~30x slower here)
    gradient_checkpointing: bool = False
    threads: int = 0  # CPU threads for torch; 0 = auto: the cores the other processes leave free (at least 1)
    loss: str = "auto"  # auto: "trl" (fused chunked LM-head loss) on GPU, "completion" (LM head on learned positions) on CPU
    tracking: str = "trackio"  # trackio (local, offline) or none; JOSI_TRACKING=none disables
    seed: int = 0
    checkpoint: str = ""  # filled in: the directory the base was loaded from


def lora_size_for(base: str, checkpoint: str | None = None) -> LoraSize:
    if base in LORA_BY_MODEL:
        return LORA_BY_MODEL[base]
    if checkpoint and (Path(checkpoint) / "config.json").is_file():
        hidden = json.loads((Path(checkpoint) / "config.json").read_text()).get("hidden_size")
        nearest = min(HIDDEN_SIZE_TO_MODEL, key=lambda size: abs(size - (hidden or 576)))
        return LORA_BY_MODEL[HIDDEN_SIZE_TO_MODEL[nearest]]
    return LORA_BY_MODEL[EMBEDDED]


def make_config(args: argparse.Namespace, checkpoint: str | None = None) -> TrainConfig:
    """Budget defaults, then the LoRA preset, then every flag the user gave explicitly."""
    config = TrainConfig(base=args.base, data=str(args.data), budget=args.budget, preset=args.preset,
                         **BUDGETS[args.budget])
    size = LORA_PRESETS[args.preset] if args.preset != "auto" else lora_size_for(args.base, checkpoint)
    config.lora_r, config.lora_alpha, config.learning_rate = size.r, size.alpha, size.lr
    config.target_modules = TARGETS[size.targets]
    for name in (f.name for f in dataclasses.fields(TrainConfig)):
        value = getattr(args, name, None)
        if value is not None and name not in ("base", "data", "budget", "preset"):
            setattr(config, name, tuple(value.split(",")) if name == "target_modules" else value)
    return config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", default=EMBEDDED, help=f"base model: a josi.core.models name, hub id or checkpoint directory (default {EMBEDDED})")
    parser.add_argument("--data", type=Path, default=Path("artifacts/data"), help="dataset directory with train.jsonl and val.jsonl (default artifacts/data)")
    parser.add_argument("--out", help="run directory (default runs/train-<base>-<budget>-<time>)")
    parser.add_argument("--budget", choices=sorted(BUDGETS), default="full", help="smoke: a few steps in < 3 min on CPU; full: the real run")
    parser.add_argument("--preset", choices=["auto", *LORA_PRESETS], default="auto", help="LoRA size: auto picks per base model (see docs/training.md)")
    parser.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue RUN_DIR from its last complete checkpoint with its saved config")
    tuning = parser.add_argument_group("overrides (default: from --budget and --preset)")
    tuning.add_argument("--lora-r", dest="lora_r", type=int)
    tuning.add_argument("--lora-alpha", dest="lora_alpha", type=int)
    tuning.add_argument("--lora-dropout", dest="lora_dropout", type=float)
    tuning.add_argument("--target-modules", dest="target_modules", help="comma-separated module names, e.g. q_proj,v_proj")
    tuning.add_argument("--lr", dest="learning_rate", type=float)
    tuning.add_argument("--epochs", type=float)
    tuning.add_argument("--max-steps", dest="max_steps", type=int)
    tuning.add_argument("--batch-size", dest="batch_size", type=int, help="per device")
    tuning.add_argument("--grad-accum", dest="grad_accum", type=int)
    tuning.add_argument("--max-length", dest="max_length", type=int, help="examples longer than this are rejected, never truncated")
    tuning.add_argument("--eval-steps", dest="eval_steps", type=float, help=">= 1: every N steps; < 1: share of all steps")
    tuning.add_argument("--logging-steps", dest="logging_steps", type=int)
    tuning.add_argument("--patience", dest="early_stopping_patience", type=int, help="evals without lower val loss before stopping; 0 disables")
    tuning.add_argument("--decode-rows", dest="decode_rows", type=int)
    tuning.add_argument("--decode-max-new-tokens", dest="decode_max_new_tokens", type=int)
    tuning.add_argument("--max-train-rows", dest="max_train_rows", type=int)
    tuning.add_argument("--max-val-rows", dest="max_val_rows", type=int)
    tuning.add_argument("--precision", choices=["auto", "fp32", "bf16"])
    tuning.add_argument("--threads", type=int, help="torch CPU threads (default 0 = auto: cores minus the current load, "
                                                    "since oversubscribed OpenMP threads run ~4x slower on a shared CPU)")
    tuning.add_argument("--loss", choices=["auto", "trl", "model", "completion"],
                        help="trl: trl's fused LM-head loss (less memory, logs entropy/token accuracy); model: the "
                             "model's own causal-LM loss; completion: the LM head only where a token is learned "
                             "(fastest on CPU); auto: trl on GPU, completion on CPU")
    tuning.add_argument("--gradient-checkpointing", dest="gradient_checkpointing", action="store_const", const=True)
    tuning.add_argument("--tracking", choices=["trackio", "none"], help="default trackio (local files); env JOSI_TRACKING=none disables")
    tuning.add_argument("--seed", type=int)


# ------------------------------------------------------------------------------------------------ data

ROLES = ("system", "user", "assistant")


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of one split, each checked against docs/data.md; problems name file:line."""
    from josi.core.io import InputError, read_jsonl

    rows = []
    for line, row in read_jsonl(path):
        messages = row.get("messages")
        if not isinstance(messages, list) or len(messages) < 3:
            raise InputError(path, line, "'messages' must be a list of at least system, user and assistant turns")
        for i, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES or not isinstance(message.get("content"), str):
                raise InputError(path, line, f"messages[{i}] needs a role in {ROLES} and a string content")
        if messages[0]["role"] != "system":
            raise InputError(path, line, "the first message must be the system message from josi.core.prompt")
        if messages[-1]["role"] != "assistant" or messages[-2]["role"] != "user":
            raise InputError(path, line, "the last two messages must be the user's question and the assistant target")
        try:
            target = json.loads(messages[-1]["content"])
        except json.JSONDecodeError as err:
            raise InputError(path, line, f"assistant target is not JSON ({err.msg})") from None
        if not isinstance(target, dict) or "intent" not in target:
            raise InputError(path, line, "assistant target must be an LLMIntent object with an intent")
        if not isinstance(row.get("meta", {}), dict):
            raise InputError(path, line, "'meta' must be an object")
        row.setdefault("meta", {}).setdefault("line", line)
        rows.append(row)
    if not rows:
        raise InputError(path, 0, "no rows: the dataset split is empty")
    return rows


def encode_example(tokenizer, messages: list[dict[str, str]]) -> dict[str, list[int]]:
    """Token ids and labels of one row, rendered only by the tokenizer's chat template.

    The prompt (system, history, user, and the `<|im_start|>assistant` header) is masked with -100;
    the completion and its closing EOS (`<|im_end|>`) are learned. The template's newline after the
    final EOS is dropped: it is not part of the answer and generation stops at EOS anyway.
    """
    prompt = tokenizer.apply_chat_template(messages[:-1], add_generation_prompt=True, tokenize=True,
                                           return_dict=True)["input_ids"]
    full = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True)["input_ids"]
    if full[:len(prompt)] != prompt:
        raise ValueError("the chat template renders the prompt differently alone and with the answer; "
                         "masking by prompt length would be wrong for this tokenizer")
    eos = tokenizer.eos_token_id
    end = len(full) - 1 - full[::-1].index(eos) if eos in full else -1
    if end < len(prompt) + 1:
        raise ValueError(f"the rendered completion does not end with {tokenizer.eos_token}")
    ids = full[:end + 1]
    return {"input_ids": ids, "labels": [-100] * len(prompt) + ids[len(prompt):]}


@dataclass
class SplitReport:
    rows: int = 0
    kept: int = 0
    rejected_too_long: int = 0
    rejected_ids: list[str] = field(default_factory=list)  # the first few, for the log
    longest_kept: int = 0
    tokens: int = 0  # kept tokens, all positions
    completion_tokens: int = 0  # kept tokens with a label


def encode_split(tokenizer, rows: list[dict[str, Any]], max_length: int):
    """Encode every row; rows that need more than max_length tokens are rejected and counted, never cut.

    Returns (kept rows, their encodings, report).
    """
    kept, encoded, report = [], [], SplitReport(rows=len(rows))
    for row in rows:
        example = encode_example(tokenizer, row["messages"])
        if len(example["input_ids"]) > max_length:
            report.rejected_too_long += 1
            if len(report.rejected_ids) < 10:
                meta = row.get("meta", {})
                report.rejected_ids.append(str(meta.get("id") or f"line {meta.get('line', '?')}"))
            continue
        kept.append(row)
        encoded.append(example)
        report.kept += 1
        report.longest_kept = max(report.longest_kept, len(example["input_ids"]))
        report.tokens += len(example["input_ids"])
        report.completion_tokens += sum(label != -100 for label in example["labels"])
    return kept, encoded, report


def prepare_split(tokenizer, path: Path, max_rows: int, max_length: int, seed: int):
    """Load, subset (stratified) and encode one split; raise when nothing fits in max_length."""
    from josi.train.callbacks import stratified_sample

    rows = load_rows(path)
    if max_rows and len(rows) > max_rows:
        rows = stratified_sample(rows, max_rows, seed)
    kept, encoded, report = encode_split(tokenizer, rows, max_length)
    if not encoded:
        raise DatasetError(f"{path}: all {report.rows} examples need more than max_length={max_length} tokens; "
                           "none can be trained on without truncating its answer (raise --max-length)")
    return kept, encoded, report


# ------------------------------------------------------------------------------------------------- run

def last_complete_checkpoint(folder: Path) -> Path | None:
    """The newest checkpoint-N whose trainer_state.json was written (saved last); partial ones are removed."""
    import shutil

    found = sorted((p for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()),
                   key=lambda p: int(p.name.split("-")[-1]))
    complete = [p for p in found if (p / "trainer_state.json").is_file()]
    for partial in set(found) - set(complete):
        shutil.rmtree(partial, ignore_errors=True)
    return complete[-1] if complete else None


def resolve_base(base: str) -> str:
    """The checkpoint directory of a base; a path that does not exist is reported as such (not as a hub id)."""
    from josi.core.models import ModelNotFound, resolve

    if base.startswith(("/", "./", "../", "~")) and not Path(base).expanduser().exists():
        raise ModelNotFound(f"base model directory {base} does not exist")
    return resolve(base).checkpoint


def default_out(config: TrainConfig) -> str:
    name = Path(config.base).name if Path(config.base).expanduser().is_dir() else config.base
    return f"runs/train-{name}-{config.budget}-{time.strftime('%Y%m%d-%H%M%S')}"


def resolve_precision(config: TrainConfig) -> str:
    import torch

    if config.precision != "auto":
        return config.precision
    return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "fp32"


@functools.lru_cache(maxsize=4)
def base_model_sha256(checkpoint: str) -> str:
    import hashlib

    from josi.core.io import sha256_file

    digest = hashlib.sha256()
    for file in sorted(Path(checkpoint).glob("*.safetensors")):
        digest.update(f"{file.name}:{sha256_file(file)}\n".encode())
    return digest.hexdigest()


def write_manifest(run_dir: Path, config: TrainConfig, data_dir: Path, **extra: Any) -> None:
    from josi.core.io import sha256_file, write_json_atomic
    from josi.core.manifest import manifest

    inputs = {name: sha256_file(data_dir / name) for name in ("train.jsonl", "val.jsonl")}
    data_manifest = data_dir / "manifest.json"
    inputs["data_manifest"] = sha256_file(data_manifest) if data_manifest.is_file() else "absent"
    inputs["base_model"] = base_model_sha256(config.checkpoint)
    write_json_atomic(run_dir / "manifest.json", manifest(config, inputs, artifact="josi train run", **extra))


def cpu_threads(requested: int = 0) -> int:
    """torch CPU threads: `requested`, or (0) the cores other processes leave free, at least one.

    On a shared CPU, OpenMP threads that outnumber the free cores wait on each other at every barrier:
    on this 2-core machine under load 3, one thread ran a 135M training step in 11-15 s, two in 52-65 s.
    """
    import torch

    if requested > 0:
        return requested
    if torch.cuda.is_available():
        return torch.get_num_threads()
    cores = os.cpu_count() or 1
    others = os.getloadavg()[0]  # measured before this process starts computing
    return max(1, min(cores, cores - int(others + 0.5)))


def resolve_loss(config: TrainConfig) -> str:
    import torch

    return config.loss if config.loss != "auto" else ("trl" if torch.cuda.is_available() else "completion")


def trainer_class(loss: str):
    """trl's SFTTrainer, with the loss computed one of three ways (same labels, same -100 masking, same
    normalization by the number of learned tokens, so the values agree to float precision):

    - "trl": trl 1.16's fused chunked LM-head loss. It recomputes log-probs, entropy and top-1 over the
      49k vocabulary in tiles; on a GPU that saves memory, on this CPU it costs ~1.8 s per 490-token example.
    - "model": the model's own causal-LM loss (the HF Trainer's), with logits at every position.
    - "completion": the LM head and cross-entropy only at the positions whose next token is learned.
      About 4 in 5 positions are prompt (masked), and the 49k-wide head is a fifth of a 135M forward pass.
    """
    from transformers import Trainer
    from trl import SFTTrainer

    if loss == "trl":
        return SFTTrainer
    if loss == "completion":
        class SFTTrainerCompletionLoss(SFTTrainer):
            loss_is_scaled_for_ga = True  # normalized below by the tokens of the whole accumulated batch

            def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
                loss, outputs = completion_loss(model, inputs, num_items_in_batch)
                if num_items_in_batch is not None:  # as Trainer.compute_loss: undo DDP's mean over processes
                    loss = loss * self.accelerator.num_processes
                return (loss, outputs) if return_outputs else loss

        return SFTTrainerCompletionLoss

    class SFTTrainerModelLoss(SFTTrainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            return Trainer.compute_loss(self, model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)

    return SFTTrainerModelLoss


def completion_loss(model, inputs, num_items_in_batch=None):
    """Causal-LM cross-entropy over the learned tokens, projecting only their positions through the LM head.

    Position t predicts token t+1, so position t is kept when labels[t+1] is learned. Returns (loss,
    outputs); the loss is the sum over learned tokens divided by num_items_in_batch (the Trainer's count
    over the accumulated batch) or, without it, by this batch's learned tokens.
    """
    import torch
    import torch.nn.functional as F

    labels = inputs["labels"]
    keep = torch.zeros_like(labels, dtype=torch.bool)
    keep[:, :-1] = labels[:, 1:] != -100
    outputs = model(**{key: value for key, value in inputs.items() if key != "labels"}, logits_to_keep=keep)
    targets = labels[:, 1:][keep[:, :-1]]
    total = F.cross_entropy(outputs.logits.float().reshape(-1, outputs.logits.size(-1)), targets, reduction="sum")
    count = num_items_in_batch if num_items_in_batch is not None else targets.numel()
    return total / count, outputs


def lora_config(config: TrainConfig):
    from peft import LoraConfig

    return LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=list(config.target_modules), bias="none", task_type="CAUSAL_LM")


def sft_config(config: TrainConfig, run_dir: Path, resuming: bool):
    from trl import SFTConfig

    eval_steps = int(config.eval_steps) if config.eval_steps >= 1 else config.eval_steps
    return SFTConfig(
        output_dir=str(run_dir / "checkpoints"),
        max_length=config.max_length,  # explicit; every kept example already fits, so nothing is cut here
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.scheduler,
        warmup_steps=config.warmup,
        weight_decay=config.weight_decay,
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        eval_strategy="steps", eval_steps=eval_steps, eval_on_start=not resuming,
        save_strategy="steps", save_steps=eval_steps, save_total_limit=config.save_total_limit,
        load_best_model_at_end=True, metric_for_best_model="selection_score", greater_is_better=True,
        restore_callback_states_from_checkpoint=True,
        logging_steps=config.logging_steps, logging_first_step=True,
        include_num_input_tokens_seen="non_padding",
        report_to=["trackio"] if config.tracking == "trackio" else "none",
        project="josi", run_name=run_dir.name, trackio_static_space_id=False,
        bf16=config.precision == "bf16", fp16=False,
        gradient_checkpointing=config.gradient_checkpointing,
        ddp_find_unused_parameters=False,
        packing=False, completion_only_loss=None, dataset_num_proc=None,
        seed=config.seed, data_seed=config.seed,
    )


def run(args: argparse.Namespace) -> int:
    import torch
    from accelerate import PartialState
    from datasets import Dataset
    from transformers import AutoModelForCausalLM

    from josi.core.io import write_json_atomic

    from josi.core.manifest import config_dict, print_config
    from josi.core.models import load_tokenizer
    from josi.train.callbacks import DecodeEvalCallback, LossEarlyStopping, MetricsFileCallback, StepTimer, stratified_sample

    started = time.time()
    state = PartialState()  # one process, or one per GPU under accelerate launch
    main = state.is_main_process

    # 1. Config: a fresh run from the flags, or a killed run's saved config.
    checkpoint_to_resume = None
    if args.resume:
        run_dir = args.resume
        saved = run_dir / "config.json"
        if not saved.is_file():
            from josi.core.io import InputError

            raise InputError(saved, 0, "not a josi train run directory (no config.json)")
        data = json.loads(saved.read_text())
        data["target_modules"] = tuple(data["target_modules"])
        config = TrainConfig(**data)
        if main:  # also removes a checkpoint the kill left half-written
            last_complete_checkpoint(run_dir / "checkpoints")
        state.wait_for_everyone()
        checkpoint_to_resume = last_complete_checkpoint(run_dir / "checkpoints")
    else:
        config = make_config(args, resolve_base(args.base))
        config.out = config.out or default_out(config)
        if state.num_processes > 1:  # every rank must write to the directory rank 0 named
            from accelerate.utils import broadcast_object_list

            config.out = broadcast_object_list([config.out], from_process=0)[0]
        run_dir = Path(config.out)
        if (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir()):
            raise RunDirError(f"{run_dir} already holds a run: continue it with --resume {run_dir} or pick another --out")
    config.checkpoint = resolve_base(config.base)  # ModelNotFound (a user error) when the base is missing
    config.precision = resolve_precision(config)
    config.loss = resolve_loss(config)
    config.threads = cpu_threads(config.threads)
    torch.set_num_threads(config.threads)
    if os.environ.get("JOSI_TRACKING", "").lower() in ("0", "off", "none", "false"):
        config.tracking = "none"
    data_dir = Path(config.data)
    if not (data_dir / "train.jsonl").is_file():
        from josi.core.io import InputError

        raise InputError(data_dir / "train.jsonl", 0, "file not found: build the dataset with `josi data build` "
                                                      "or pass --data DIR (format: docs/data.md)")
    if main:
        print_config(config, f"josi train ({'resume ' + str(checkpoint_to_resume) if checkpoint_to_resume else 'new run'})")

    # 2. Data: tokenizer from the base (pad <|endoftext|> != eos <|im_end|>), rows checked and encoded.
    tokenizer = load_tokenizer(config.checkpoint)
    if tokenizer.pad_token_id == tokenizer.eos_token_id:
        raise ValueError("pad token equals eos token: EOS would be masked out of the labels")
    _, train_encoded, train_report = prepare_split(tokenizer, data_dir / "train.jsonl", config.max_train_rows,
                                                   config.max_length, config.seed)
    val_kept, val_encoded, val_report = prepare_split(tokenizer, data_dir / "val.jsonl", config.max_val_rows,
                                                      config.max_length, config.seed)
    decode_sample = stratified_sample(val_kept, config.decode_rows, config.seed)
    reports = {"train": dataclasses.asdict(train_report), "val": dataclasses.asdict(val_report)}
    for split, report in reports.items():
        if main:
            print(f"{split}: {report['kept']}/{report['rows']} examples kept, {report['rejected_too_long']} rejected "
                  f"(longer than max_length={config.max_length}, would lose part of their answer)"
                  + (f": {', '.join(report['rejected_ids'])}" if report["rejected_ids"] else ""), file=sys.stderr)

    # 3. The run directory: config first, so a killed run can always be resumed.
    if main:
        run_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(run_dir / "config.json", config_dict(config))
        write_manifest(run_dir, config, data_dir, data=reports, status="running")
        metrics_path = run_dir / "metrics.jsonl"
        if checkpoint_to_resume is None:
            metrics_path.write_text("")
            (run_dir / "decode_samples.jsonl").write_text("")
        else:  # keep what the checkpoint had seen; logs after it are replayed by the resumed run
            keep_until = json.loads((checkpoint_to_resume / "trainer_state.json").read_text())["global_step"]
            truncate_jsonl(metrics_path, keep_until)
            truncate_jsonl(run_dir / "decode_samples.jsonl", keep_until)
    state.wait_for_everyone()

    # 4. Model + trainer. Weights load in fp32; bf16 (GPU) is autocast by the Trainer.
    torch.manual_seed(config.seed)
    model = AutoModelForCausalLM.from_pretrained(config.checkpoint, dtype=torch.float32)
    model.config.pad_token_id = tokenizer.pad_token_id
    model.config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    decode = DecodeEvalCallback(decode_sample, tokenizer, config.decode_max_new_tokens,
                                batch_size=max(config.batch_size, 8), samples_path=run_dir / "decode_samples.jsonl")
    timer = StepTimer()
    callbacks = [decode, LossEarlyStopping(config.early_stopping_patience), MetricsFileCallback(run_dir / "metrics.jsonl"), timer]
    trainer = trainer_class(config.loss)(
        model=model,
        args=sft_config(config, run_dir, resuming=checkpoint_to_resume is not None),
        train_dataset=Dataset.from_list(train_encoded),  # already input_ids + labels: trl only pads
        eval_dataset=Dataset.from_list(val_encoded),
        processing_class=tokenizer,
        peft_config=lora_config(config),
        callbacks=callbacks,
    )
    decode.log = trainer.log
    if checkpoint_to_resume is None:
        trainer.log({f"data/{split}_{key}": value for split, report in reports.items()
                     for key, value in report.items() if key != "rejected_ids"})

    # 5. Train (the Trainer's progress bar shows the ETA); the best checkpoint is reloaded at the end.
    tokens_at_start = 0 if checkpoint_to_resume is None else json.loads(
        (checkpoint_to_resume / "trainer_state.json").read_text()).get("num_input_tokens_seen", 0)
    output = trainer.train(resume_from_checkpoint=str(checkpoint_to_resume) if checkpoint_to_resume else None)
    tokens_seen = trainer.state.num_input_tokens_seen - tokens_at_start  # this process's session only

    # 6. Outputs: the best adapter with the trained tokenizer, the curves, the summary and the manifest.
    trainer.save_model(str(run_dir / "adapter"))  # adapter_model.safetensors + adapter_config.json + tokenizer
    if not main:
        return 0
    summary = summarize(run_dir, trainer, config, reports, tokens_seen, timer.seconds, time.time() - started,
                        checkpoint_to_resume, output.global_step)
    write_json_atomic(run_dir / "summary.json", summary)
    plot_curves(run_dir / "metrics.jsonl", run_dir / "loss_curve.png", title=run_dir.name)
    from josi.core.io import sha256_file

    write_manifest(run_dir, config, data_dir, data=reports, status="done", summary=summary,
                   outputs={"adapter/adapter_model.safetensors": sha256_file(run_dir / "adapter" / "adapter_model.safetensors")})
    print_summary(summary)
    if config.budget == "smoke" and not summary["val_loss_lowered"]:
        print("smoke: validation loss did not go down; the pipeline is not learning", file=sys.stderr)
        return 1
    return 0


# -------------------------------------------------------------------------------------- run directory

def truncate_jsonl(path: Path, max_step: int) -> None:
    """Keep only the records of steps <= max_step (a resumed run logs the later ones again)."""
    from josi.core.io import write_text_atomic

    if not path.is_file():
        return
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    write_text_atomic(path, "".join(line + "\n" for line in lines if json.loads(line).get("step", 0) <= max_step))


def read_metrics(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
        "data": {split: {k: v for k, v in report.items() if k != "rejected_ids"} for split, report in reports.items()},
        "train_tokens_seen": tokens_seen, "train_step_seconds": round(step_seconds, 1),
        "train_tokens_per_second": round(tokens_seen / step_seconds, 1) if step_seconds else None,
        "precision": config.precision, "wall_seconds": round(wall_seconds, 1),
    }


def print_summary(summary: dict[str, Any]) -> None:
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    print(f"val loss {fmt(summary['val_loss_start'])} -> {fmt(summary['val_loss_best'])} at the best step "
          f"{summary['best_step']} (final {fmt(summary['val_loss_final'])}); decision score "
          f"{fmt(summary['decision_score_start'])} -> {fmt(summary['decision_score_best'])}; "
          f"{fmt(summary['train_tokens_per_second'])} train tokens/s ({summary['precision']}); "
          f"adapter in {summary['run_dir']}/adapter", file=sys.stderr)


def plot_curves(metrics_path: Path, target: Path, title: str = "") -> None:
    """loss_curve.png: train and val loss, and the decision metrics of the decoded sample."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from josi.core.io import atomic_path

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
