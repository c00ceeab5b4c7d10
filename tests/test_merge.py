"""`josi merge`: the merged checkpoint computes what base + adapter computes, with the trained tokenizer.

The adapter is a LoRA on the real embedded SmolLM2-135M (attention + MLP, rank 8) with random, non-zero
weights (`init_lora_weights=False`), so merging has real work to do; it is saved the way `josi train`
saves it (adapter + tokenizer in RUN_DIR/adapter, the run's config.json beside it).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from josi.core.io import checkpoint_sha256
from josi.export.merge import check_messages, max_abs_diff, prompt_logits


@pytest.fixture(scope="module")
def base_checkpoint() -> str:
    from josi.core.models import resolve

    return resolve().checkpoint


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, base_checkpoint) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from josi.core.models import EMBEDDED, load_tokenizer
    from josi.train.config import ATTENTION, MLP

    run = tmp_path_factory.mktemp("run")
    torch.manual_seed(0)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_checkpoint, dtype=torch.float32),
                           LoraConfig(r=8, lora_alpha=16, target_modules=list(ATTENTION + MLP), init_lora_weights=False,
                                      task_type="CAUSAL_LM"))
    model.save_pretrained(run / "adapter")
    load_tokenizer(base_checkpoint).save_pretrained(run / "adapter")
    (run / "config.json").write_text(json.dumps({"base": EMBEDDED}))
    return run


def test_merged_checkpoint_matches_base_plus_adapter(run_dir, base_checkpoint, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from josi.export.merge import main
    from josi.core.models import load_tokenizer

    out = tmp_path / "merged"
    assert main(["--adapter", str(run_dir / "adapter"), "--out", str(out)]) == 0

    adapter_tokenizer = load_tokenizer(str(run_dir / "adapter"))
    tokenizer = load_tokenizer(str(out))
    assert (tokenizer.pad_token, tokenizer.eos_token) == ("<|endoftext|>", "<|im_end|>")
    assert tokenizer.pad_token_id == adapter_tokenizer.pad_token_id != tokenizer.eos_token_id
    assert tokenizer.chat_template == adapter_tokenizer.chat_template
    conversations = check_messages()
    assert tokenizer.apply_chat_template(conversations[0], tokenize=False) == \
        adapter_tokenizer.apply_chat_template(conversations[0], tokenize=False)
    config = json.loads((out / "config.json").read_text())
    generation = json.loads((out / "generation_config.json").read_text())
    assert config["pad_token_id"] == generation["pad_token_id"] == tokenizer.pad_token_id
    assert config["eos_token_id"] == generation["eos_token_id"] == tokenizer.eos_token_id
    assert not (out / "adapter_config.json").exists()  # a plain checkpoint, no PEFT needed to load it

    conversations = conversations[:2]  # a question and an I6 request; merge itself checked all of them
    base = AutoModelForCausalLM.from_pretrained(base_checkpoint, dtype=torch.float32).eval()
    base_logits = prompt_logits(base, tokenizer, conversations[:1])
    with_adapter = PeftModel.from_pretrained(base, str(run_dir / "adapter")).eval()
    adapter_logits = prompt_logits(with_adapter, tokenizer, conversations)
    merged = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    merged_logits = prompt_logits(merged, tokenizer, conversations)
    effect = max_abs_diff(base_logits, adapter_logits[:1])
    diff = max_abs_diff(adapter_logits, merged_logits)
    print(f"adapter moves logits by up to {effect:.3g}; merged vs base+adapter max abs diff {diff:.3g}")
    assert effect > 0.1, "the adapter must change the model, or the comparison proves nothing"
    assert diff < 1e-3

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parity_max_abs_logit_diff"] < 1e-3
    assert set(manifest["inputs"]) == {"adapter_model.safetensors", "base_model"}
    assert manifest["inputs"]["base_model"] == checkpoint_sha256(base_checkpoint)
    assert manifest["checkpoint_sha256"] == checkpoint_sha256(out)  # what an eval report of this checkpoint records
    assert (out.stat().st_mode & 0o777) == 0o755  # an ordinary directory, not mkdtemp's private one
    assert [p.name for p in out.parent.iterdir()] == ["merged"]  # no staging or old directory left behind


def test_merge_reports_a_missing_adapter(tmp_path, capsys):
    from josi.export.merge import main

    assert main(["--adapter", str(tmp_path / "nothing"), "--out", str(tmp_path / "merged")]) == 2
    assert "not a LoRA adapter directory" in capsys.readouterr().err


def test_merge_replaces_an_existing_checkpoint_and_keeps_it_when_parity_fails(run_dir, tmp_path, capsys):
    from josi.export.merge import main

    out = tmp_path / "merged"
    out.mkdir()
    (out / "old.txt").write_text("previous merge")
    with pytest.raises(RuntimeError, match="differs from base\\+adapter"):
        main(["--adapter", str(run_dir / "adapter"), "--out", str(out), "--tolerance", "-1"])
    assert [p.name for p in out.iterdir()] == ["old.txt"]  # a failed merge leaves the previous one untouched
    assert [p.name for p in tmp_path.iterdir()] == ["merged"]
