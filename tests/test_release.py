"""`josi release`: pack a run into a release, rebuild its GGUF byte for byte, and refuse anything else.

A tiny random Llama (hidden 64, 2 layers) on the real SmolLM2 tokenizer stands in for the base, with
a LoRA adapter whose B matrices are random (a fresh adapter is a no-op and would prove nothing).
"""
from __future__ import annotations

import json

import pytest

from josi.core.io import sha256_file
from josi.export import release
from tests.test_export import tiny_checkpoint  # noqa: F401  (the session fixture)


@pytest.fixture(scope="module")
def finished_run(tiny_checkpoint, tmp_path_factory):  # noqa: F811
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from josi.core.models import load_tokenizer

    run = tmp_path_factory.mktemp("run")
    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(tiny_checkpoint, dtype=torch.float32)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"], init_lora_weights=False,
                      task_type="CAUSAL_LM")
    get_peft_model(model, lora).save_pretrained(run / "adapter")
    load_tokenizer(str(tiny_checkpoint)).save_pretrained(run / "adapter")
    (run / "config.json").write_text(json.dumps({"base": str(tiny_checkpoint)}))
    (run / "manifest.json").write_text("{}")
    (run / "summary.json").write_text(json.dumps({"steps": 1}))
    return run


@pytest.fixture(scope="module")
def packed(finished_run, tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    rel, out = folder / "release", folder / "artifacts"
    release.pack(finished_run, rel, out, threads=2)
    return rel, out


def test_pack_writes_an_fp16_adapter_and_the_hash_of_each_gguf(packed):
    from safetensors import safe_open

    rel, out = packed
    manifest = json.loads((rel / "manifest.json").read_text())
    assert set(manifest["gguf"]) == {"f16", "q4_k_m"}
    assert manifest["gguf"]["q4_k_m"] == sha256_file(release.shipped_gguf(out))
    with safe_open(rel / "adapter" / "adapter_model.safetensors", "pt") as handle:
        assert {str(handle.get_tensor(k).dtype) for k in handle.keys()} == {"torch.float16"}
    assert (rel / "training" / "summary.json").is_file()


def test_build_elsewhere_with_other_threads_gives_the_same_bytes(packed, tmp_path):
    rel, out = packed
    rebuilt = release.build(rel, tmp_path / "fresh", threads=1)
    assert sha256_file(rebuilt) == sha256_file(release.shipped_gguf(out))


def test_build_skips_work_when_the_gguf_already_matches(packed, capsys):
    rel, out = packed
    release.build(rel, out, threads=1)
    assert "nothing to do" in capsys.readouterr().err


def test_a_changed_adapter_or_a_wrong_recorded_hash_fails_and_leaves_no_gguf(packed, tmp_path):
    import shutil

    rel, _ = packed
    tampered = tmp_path / "tampered"
    shutil.copytree(rel, tampered)
    blob = bytearray((tampered / "adapter" / "adapter_model.safetensors").read_bytes())
    blob[-1] ^= 1
    (tampered / "adapter" / "adapter_model.safetensors").write_bytes(bytes(blob))
    with pytest.raises(release.ReleaseMismatch, match="adapter sha256"):
        release.build(tampered, tmp_path / "a", threads=1)

    wrong = tmp_path / "wrong"
    shutil.copytree(rel, wrong)
    manifest = json.loads((wrong / "manifest.json").read_text())
    manifest["gguf"]["q4_k_m"] = "0" * 64
    (wrong / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(release.ReleaseMismatch, match="q4_k_m GGUF sha256"):
        release.build(wrong, tmp_path / "b", threads=1)
    assert not release.shipped_gguf(tmp_path / "b").exists()


def test_cli_without_a_release_says_how_to_make_one(tmp_path, capsys):
    code = release.main(["build", "--release", str(tmp_path / "none"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "josi release pack RUN" in capsys.readouterr().err
