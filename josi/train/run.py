"""Train stage: LoRA fine-tune a base model on the SFT dataset (docs/data.md), with decision metrics at every eval.

    josi train --budget smoke --data DIR             # < 3 min on a laptop CPU: proves the pipeline learns
    josi train --data artifacts/data                 # the real run (--budget full)
    josi train --config configs/train-135m.toml      # settings from a TOML file; flags given still win
    josi train --resume runs/NAME                    # continue a killed run from its last checkpoint
    accelerate launch -m josi.train --data ...       # several GPUs, same code (HF Trainer / trl SFTTrainer)

Place in the pipeline: after `josi data` (reads its train.jsonl and val.jsonl), before `josi merge`
(which reads RUN_DIR/adapter). Imports josi.core and josi.train only. `run` reads as the six phases
of a run, one module each: config (josi.train.config), data (josi.train.data), run directory
(josi.train.rundir), model + trainer and train (josi.train.trainer, josi.train.loss,
josi.train.callbacks), outputs (josi.train.rundir). docs/training.md has the measured numbers behind
the defaults.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from josi.core.io import check_output_dir
from josi.train.config import TrainConfig, add_arguments, make_config, requested_base, resolve_machine, saved_config
from josi.train.data import check_data_dir, prepare_data
from josi.train.rundir import check_fresh, default_out, finish_run_dir, last_complete_checkpoint, start_run_dir
from josi.train.trainer import build_trainer, train

__all__ = ["add_arguments", "main", "run"]  # add_arguments lives with the flag table in josi.train.config


def run(args: argparse.Namespace) -> int:
    from accelerate import PartialState

    started = time.time()
    state = PartialState(cpu=cpu_processes())  # one process, or one per GPU (or CPU process) under accelerate launch
    main = state.is_main_process

    # 1. Config: a fresh run from the flags and --config, or a killed run's saved config.
    config, run_dir, resume_from = configure(args, state)

    # 2. Data: tokenizer from the base, rows checked and encoded, too-long rows rejected (never cut).
    data = prepare_data(config, verbose=main)

    # 3. The run directory: config first, so a killed run can always be resumed.
    if main:
        start_run_dir(run_dir, config, data.reports, resume_from)
    state.wait_for_everyone()

    # 4. Model + trainer: the base in fp32 with a fresh LoRA adapter, trl's SFTTrainer and our callbacks.
    trainer, timer = build_trainer(config, data, run_dir, resume_from)

    # 5. Train (the Trainer's progress bar shows the ETA); the best checkpoint is reloaded at the end.
    output, tokens_seen = train(trainer, resume_from)

    # 6. Outputs: the best adapter with the trained tokenizer, the curves, the summary and the manifest.
    trainer.save_model(str(run_dir / "adapter"))  # every rank calls it; the Trainer writes on rank 0 only
    if not main:
        return 0
    summary = finish_run_dir(run_dir, trainer, config, data.reports, tokens_seen, timer.seconds,
                             time.time() - started, resume_from, output.global_step)
    if config.budget == "smoke" and not summary["val_loss_lowered"]:
        print("smoke: validation loss did not go down; the pipeline is not learning", file=sys.stderr)
        return 1
    return 0


def cpu_processes() -> bool:
    """Whether this run's processes are CPU processes, decided the way the Trainer decides it.

    accelerate's PartialState joins a process group of CPU processes (gloo) only when told `cpu=True`, and the
    Trainer tells it so only under ACCELERATE_USE_CPU (TrainingArguments._setup_devices). Without both, every rank
    of `accelerate launch --multi_gpu --num_processes 2` on a machine without CUDA was a whole run of its own: each
    trained its own copy and wrote config.json, metrics.jsonl and the summary into the same directory, racing the
    others (tests/test_distributed.py). So such a launch sets the flag (accelerate's `--cpu` starts one process
    only), and this process state and the Trainer's read the same flag.
    """
    import os

    import torch
    from accelerate.utils import parse_flag_from_env

    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not torch.cuda.is_available():
        os.environ.setdefault("ACCELERATE_USE_CPU", "true")
    return parse_flag_from_env("ACCELERATE_USE_CPU")


def configure(args: argparse.Namespace, state) -> tuple[TrainConfig, Path, Path | None]:
    """(config resolved for this machine, run directory, checkpoint to resume from or None)."""
    import torch

    from josi.core.manifest import print_config
    from josi.core.runtime import resolve_base

    resume_from = None
    if args.resume:
        run_dir = check_output_dir(args.resume)  # a run directory it cannot write to is refused before any work
        config = saved_config(run_dir / "config.json")
        if state.is_main_process:  # also removes a checkpoint the kill left half-written
            last_complete_checkpoint(run_dir / "checkpoints")
        state.wait_for_everyone()
        resume_from = last_complete_checkpoint(run_dir / "checkpoints")
    else:
        config = make_config(args, resolve_base(requested_base(args)))
        config.out = config.out or default_out(config)
        if state.num_processes > 1:  # every rank must write to the directory rank 0 named
            from accelerate.utils import broadcast_object_list

            config.out = broadcast_object_list([config.out], from_process=0)[0]
        run_dir = Path(config.out)
        check_fresh(run_dir)
    resolve_machine(config)
    torch.set_num_threads(config.threads)
    check_data_dir(Path(config.data))
    if state.is_main_process:
        print_config(config, f"josi train ({'resume ' + str(resume_from) if resume_from else 'new run'})")
    return config, run_dir, resume_from


def main(argv: list[str] | None = None) -> int:
    """`python -m josi.train` / `accelerate launch -m josi.train`: the same flags and errors as `josi train`."""
    from josi.core.command import main_for

    return main_for("train", sys.modules[__name__], argv)
