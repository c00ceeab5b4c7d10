"""`accelerate launch --num_processes 2 -m josi.train`: two CPU processes (gloo) train one adapter as a single run.

The same tiny run (random 2-layer Llama on the real tokenizer, the fixture dataset of tests/test_train.py,
4 steps) is launched once as one plain process and once as two processes, and the two-process run must:
exit 0, see exactly twice the tokens per step (data parallel, not two copies of one run), write one run
directory from rank 0 only, lower its training loss, and save an adapter shaped like the one-process run's.

Why `--multi_gpu` and not `--cpu`: accelerate's `--cpu` goes through its simple launcher, which starts ONE
process whatever --num_processes says (multi-CPU there needs mpirun and a hostfile); `--multi_gpu` starts
the processes through torchrun, and on a machine without CUDA (hidden here, so a GPU box runs the same test)
josi.train.run.cpu_processes() puts every rank, and the Trainer, in one gloo process group.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_train import REPO, run_env, train_command
from tests.test_train import dataset, tiny_model  # noqa: F401  (the module fixtures: data and model on disk)

STEPS = 4
# 8 rows, batch 1 x accumulation 2: one process sees every row once in 4 steps, two processes twice;
# a high learning rate so 4 LoRA steps visibly lower the loss of a random model
FLAGS = ("--max-steps", str(STEPS), "--max-train-rows", "8", "--lr", "1e-2", "--threads", "1")


def launch_two_processes(command: list[str]) -> list[str]:
    """`accelerate launch` over the `python -m josi.train ...` command, two processes of one thread each."""
    assert command[1:3] == ["-m", "josi.train"], command
    accelerate = Path(sys.executable).with_name("accelerate")
    return [str(accelerate), "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
            "--mixed_precision", "no", "--dynamo_backend", "no", "--num_cpu_threads_per_process", "1",
            "--main_process_port", "0",  # a free port: another test or run may hold the default 29500
            *command[1:]]


def cpu_env() -> dict[str, str]:
    # no ACCELERATE_USE_CPU: josi.train sets it for a multi-process launch without CUDA, which is what is tested
    env = {**run_env(), "CUDA_VISIBLE_DEVICES": ""}
    env.pop("ACCELERATE_USE_CPU", None)
    return env


@pytest.fixture(scope="module")
def runs(tiny_model, dataset, tmp_path_factory):  # noqa: F811  (the imported fixtures)
    """(one-process run, two-process run): (run directory, combined output) each."""
    folder = tmp_path_factory.mktemp("distributed")
    done = {}
    for name, wrap in (("one", lambda command: command), ("two", launch_two_processes)):
        out = folder / name
        result = subprocess.run(wrap(train_command(tiny_model, dataset, out, *FLAGS)), cwd=REPO, env=cpu_env(),
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{name}: {result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        done[name] = (out, result.stdout + result.stderr)
    return done["one"], done["two"]


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]


def test_two_processes_train_as_one_data_parallel_run(runs):
    (one, _), (two, _) = runs
    state_one = json.loads((one / "checkpoints" / f"checkpoint-{STEPS}" / "trainer_state.json").read_text())
    state_two = json.loads((two / "checkpoints" / f"checkpoint-{STEPS}" / "trainer_state.json").read_text())
    assert state_one["global_step"] == state_two["global_step"] == STEPS
    # the Trainer sums the tokens over processes: each step of the 2-process run saw two batches of 2
    assert state_one["num_input_tokens_seen"] > 0
    assert state_two["num_input_tokens_seen"] == 2 * state_one["num_input_tokens_seen"]
    assert json.loads((two / "summary.json").read_text())["final_step"] == STEPS


def test_only_rank_zero_writes_the_run(runs):
    """Before cpu_processes(), each CPU rank thought it was the main process: two config tables, two summaries."""
    _, (two, output) = runs
    assert output.count("josi train (new run)") == 1, output[-3000:]
    assert output.count("adapter in ") == 1, output[-3000:]
    steps = [r["step"] for r in records(two) if "loss" in r]
    assert steps == list(range(1, STEPS + 1))  # each train step logged once, none lost to a second truncation
    assert [r["step"] for r in records(two) if "eval_loss" in r] == [0, 2, 4]
    assert json.loads((two / "manifest.json").read_text())["status"] == "done"


def test_the_training_loss_falls(runs):
    _, (two, _) = runs
    losses = [r["loss"] for r in records(two) if "loss" in r]
    assert losses[-1] < losses[0] - 0.05, losses
    evals = [r["eval_loss"] for r in records(two) if "eval_loss" in r]
    assert evals[-1] < evals[0], evals


def test_the_adapter_has_the_shapes_of_a_one_process_run(runs):
    from safetensors.torch import load_file

    (one, _), (two, _) = runs
    weights_one = load_file(one / "adapter" / "adapter_model.safetensors")
    weights_two = load_file(two / "adapter" / "adapter_model.safetensors")
    assert weights_one and weights_one.keys() == weights_two.keys()
    assert {k: tuple(v.shape) for k, v in weights_two.items()} == {k: tuple(v.shape) for k, v in weights_one.items()}
    # trained, not just saved: LoRA's B matrices start at zero
    lora_b = [v for k, v in weights_two.items() if "lora_B" in k]
    assert lora_b and all(v.abs().max().item() > 0 for v in lora_b)
    assert (two / "adapter" / "adapter_config.json").is_file() and (two / "adapter" / "tokenizer.json").is_file()
