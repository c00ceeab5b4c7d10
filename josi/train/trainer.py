"""Train stage, phases 4 and 5 (model + trainer, train): trl's SFTTrainer set up from a TrainConfig.

Place in the pipeline: takes the encoded dataset (josi.train.data) and fills the run directory's
`checkpoints/` while `josi train` runs. Imports josi.core and josi.train only (torch, transformers,
peft and trl inside the functions, so `josi --help` stays light).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from josi.train.config import TrainConfig
from josi.train.data import TrainingData


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
        train_sampling_strategy="group_by_length" if config.group_by_length else "random",
        ddp_find_unused_parameters=False,
        packing=False, completion_only_loss=None, dataset_num_proc=None,
        seed=config.seed, data_seed=config.seed,
    )


def build_trainer(config: TrainConfig, data: TrainingData, run_dir: Path, resume_from: Path | None):
    """(trainer, step timer). Weights load in fp32; bf16 (GPU) is autocast by the Trainer."""
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM

    from josi.train.callbacks import DecodeEvalCallback, LossEarlyStopping, MetricsFileCallback, StepTimer
    from josi.train.loss import trainer_class

    torch.manual_seed(config.seed)
    tokenizer = data.tokenizer
    model = AutoModelForCausalLM.from_pretrained(config.checkpoint, dtype=torch.float32)
    model.config.pad_token_id = tokenizer.pad_token_id
    model.config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    decode = DecodeEvalCallback(data.decode_sample, tokenizer, config.decode_max_new_tokens,
                                batch_size=max(config.batch_size, 8), samples_path=run_dir / "decode_samples.jsonl",
                                probe=data.i6_probe)
    timer = StepTimer()
    callbacks = [decode, LossEarlyStopping(config.early_stopping_patience), MetricsFileCallback(run_dir / "metrics.jsonl"), timer]
    trainer = trainer_class(config.loss, config.decision_weight, config.decision_tokens)(
        model=model,
        args=sft_config(config, run_dir, resuming=resume_from is not None),
        train_dataset=Dataset.from_list(data.train),  # already input_ids + labels: trl only pads
        eval_dataset=Dataset.from_list(data.val),
        processing_class=tokenizer,
        peft_config=lora_config(config),
        callbacks=callbacks,
    )
    decode.log = trainer.log
    if resume_from is None:  # a resumed run's metrics.jsonl still holds them from its first session
        trainer.log({f"data/{split}_{key}": value for split, report in data.reports.items()
                     for key, value in report.items() if key != "rejected_ids"})
    return trainer, timer


def train(trainer, resume_from: Path | None) -> tuple[Any, int]:
    """(the Trainer's output, input tokens this session saw). The best checkpoint is reloaded at the end."""
    tokens_at_start = 0 if resume_from is None else json.loads(
        (resume_from / "trainer_state.json").read_text()).get("num_input_tokens_seen", 0)
    output = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    return output, trainer.state.num_input_tokens_seen - tokens_at_start  # this process's session only
