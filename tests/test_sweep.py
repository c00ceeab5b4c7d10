"""josi sweep: grid files, the josi train config file of each arm, skip/resume, and the ranked table."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from josi.core.io import InputError
from josi.train.config import read_config_file
from josi.train.sweep import (arm_config, arm_row, load_grid, markdown_table, rank_rows, run_arm, run_sweep,
                              write_arm_config, write_report)

GRID = """
out = "{out}"
[common]
max-train-rows = 96
epochs = 1
tracking = "none"

[[arm]]
name = "wide"
preset = "all-linear"

[[arm]]
name = "narrow"
preset = "attention"
lr = 5e-4
target-modules = ["q_proj", "v_proj"]
max_train_rows = 48
"""


def write_grid(tmp_path: Path, text: str = GRID) -> Path:
    path = tmp_path / "sweep-test.toml"
    path.write_text(text.format(out=tmp_path / "runs"))
    return path


def test_the_repository_grid_loads_and_every_arm_maps_to_train_flags(tmp_path):
    from josi.cli import build_parser
    from josi.train.config import make_config

    grid = load_grid(Path("configs/sweep-135m.toml"))
    assert len(grid.arms) >= 3
    grid.out = tmp_path  # the arms' config files go here, not into the repository's runs/
    for name in grid.arms:
        args = build_parser().parse_args(["train", "--config", str(write_arm_config(grid, name)), "--out", str(tmp_path / name)])
        config = make_config(args)  # every key is a TrainConfig field that josi train reads
        assert config.out.endswith(name) and config.max_train_rows == 96
        assert (config.threads, config.loss, config.early_stopping_patience) == (2, "model", 0)
    assert make_config(build_parser().parse_args(["train", "--config", str(tmp_path / "r16-all-lr5e-4" / "train.toml")])).lora_r == 16


def test_arm_settings_override_common_settings_and_lists_stay_lists(tmp_path):
    grid = load_grid(write_grid(tmp_path))
    path = write_arm_config(grid, "narrow")
    assert path == tmp_path / "runs" / "narrow" / "train.toml"
    settings = read_config_file(path)  # what josi train --config reads
    assert settings == {"max_train_rows": 48, "epochs": 1.0, "tracking": "none", "preset": "attention",
                        "learning_rate": 0.0005, "target_modules": ("q_proj", "v_proj")}
    assert settings == arm_config(grid, "narrow")
    assert list(settings) == ["max_train_rows", "epochs", "tracking", "preset", "learning_rate", "target_modules"]
    assert arm_config(grid, "wide") == {"max_train_rows": 96, "epochs": 1.0, "tracking": "none", "preset": "all-linear"}


@pytest.mark.parametrize("text, problem", [
    ("[common]\nepochs = 1\n", "no ..arm.. tables"),
    ("[[arm]]\npreset = 'attention'\n", "needs a name"),
    ("[[arm]]\nname = 'a'\n[[arm]]\nname = 'a'\n", "used twice"),
    ("[[arm]]\nname = 'a'\nout = 'elsewhere'\n", "set by the sweep"),
    ("[common\nepochs = 1\n", "not valid TOML"),
    ("[common]\nepochs = 1\nbatch = 2\n[[arm]]\nname = 'a'\n", ":3: unknown josi train setting 'batch'"),
    ("[[arm]]\nname = 'a'\nlr = 'fast'\n", ":3: 'learning_rate' must be a float, not 'fast'"),
])
def test_a_malformed_grid_names_the_file_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=problem) as err:
        load_grid(path)
    assert str(path) in str(err.value)


def fake_finished_arm(run_dir: Path, r: int, decision: float, val_loss: float) -> None:
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"lora_r": r, "lora_alpha": 2 * r, "learning_rate": 5e-4,
                                                     "epochs": 1.0, "target_modules": ["q_proj", "gate_proj"]}))
    (run_dir / "summary.json").write_text(json.dumps({
        "final_step": 12, "data": {"train": {"kept": 90}}, "val_loss_start": 2.6, "val_loss_best": val_loss,
        "decision_score_start": 0.33, "decision_score_best": decision, "intent_acc_best": 0.5,
        "refusal_recall_best": 1.0, "over_refusal_best": 0.25, "best_step": 12, "train_tokens_per_second": 70.0,
        "wall_seconds": 900}))
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (
        {"step": 0, "eval_loss": 2.6}, {"step": 0, "eval_decision_score": 0.33},
        {"step": 12, "eval_loss": val_loss}, {"step": 12, "eval_decision_score": decision})))


def test_finished_arms_are_skipped_and_killed_arms_resumed(tmp_path):
    grid = load_grid(write_grid(tmp_path))
    fake_finished_arm(grid.out / "wide", 32, 0.8, 1.0)
    (grid.out / "narrow").mkdir()
    (grid.out / "narrow" / "config.json").write_text("{}")  # started, killed before its summary
    calls = []
    statuses = run_sweep(grid, runner=lambda argv, log: calls.append(argv) or 0)
    assert statuses == {"wide": 0, "narrow": 0}
    assert calls == [["--resume", str(grid.out / "narrow")]]
    assert not (grid.out / "narrow" / "train.toml").exists()  # a resumed arm runs on its saved config.json


def test_a_fresh_arm_runs_josi_train_with_its_config_file_and_a_failure_is_reported(tmp_path):
    grid = load_grid(write_grid(tmp_path))
    calls = []
    statuses = run_sweep(grid, only=["narrow"], runner=lambda argv, log: calls.append(argv) or 3)
    config = grid.out / "narrow" / "train.toml"
    assert calls == [["--config", str(config), "--out", str(grid.out / "narrow")]] and statuses == {"narrow": 3}
    assert read_config_file(config) == arm_config(grid, "narrow")


def test_an_arm_runs_as_python_m_josi_train(tmp_path):
    log = tmp_path / "arm.log"
    assert run_arm(["--help"], log) == 0
    assert "--config FILE" in log.read_text() and "--resume RUN_DIR" in log.read_text()


def test_the_table_ranks_on_decision_score_then_val_loss(tmp_path):
    for name, decision, loss in (("a", 0.6, 0.9), ("b", 0.8, 1.2), ("c", 0.8, 1.0)):
        fake_finished_arm(tmp_path / name, 16, decision, loss)
    rows = rank_rows([arm_row(tmp_path / name) for name in "abc"])
    assert [r["arm"] for r in rows] == ["c", "b", "a"]
    table = markdown_table(rows)
    assert table.splitlines()[2].startswith("| c | 16/32 | attention + MLP | 0.0005 | 12 (90) | 2.600 -> 1.000 | 0.33 -> 0.80")
    assert "0: 0.33, 12: 0.80" in table
    assert arm_row(tmp_path / "missing") is None


def test_the_report_lists_unfinished_arms(tmp_path):
    grid = load_grid(write_grid(tmp_path))
    fake_finished_arm(grid.out / "wide", 32, 0.8, 1.0)
    rows = write_report(grid)
    assert [r["arm"] for r in rows] == ["wide"]
    assert "Not finished: narrow" in (grid.out / "sweep.md").read_text()
    assert json.loads((grid.out / "sweep.json").read_text())["not_finished"] == ["narrow"]
