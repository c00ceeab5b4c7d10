"""`josi export`: a GGUF written from a checkpoint passes the four checks, and each check catches the
breakage it exists for.

A tiny random Llama (GQA, untied output) on the real SmolLM2 tokenizer keeps this fast. Broken files
come from the real writer with one step sabotaged (monkeypatch), so each test names one bug.
One test exports the embedded 135M (tied embeddings) to F16.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from josi.core.io import checkpoint_sha256, sha256_file
from josi.export.gguf_checks import check_metadata, check_outputs, check_prompts, check_tokenizer
from josi.core.gguf import GGUFError, read_gguf
from josi.export.gguf_write import permute_for_rope, write_f16_gguf
from josi.export.reference import Reference

F16 = 1


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    """hidden 64, 2 layers, 4 query heads sharing 2 KV heads, untied lm_head; SmolLM2's hub pre-tokenizer."""
    import torch
    from tokenizers import pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM

    from josi.core.models import load_tokenizer, resolve

    tokenizer = load_tokenizer(resolve().checkpoint)
    tokenizer.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024,
                         tie_word_embeddings=False, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    with torch.no_grad():
        for layer in model.model.layers:  # sharper attention, so the rotary layout decides the output
            layer.self_attn.q_proj.weight.normal_(0, 0.1)
            layer.self_attn.k_proj.weight.normal_(0, 0.1)
        for weight in model.parameters():  # F16-exact, as if trained in half precision: the F16 file holds these weights
            weight.copy_(weight.half().float())
    path = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def reference(tiny_checkpoint):
    return Reference.load(tiny_checkpoint, max_sequences=2)


@pytest.fixture(scope="session")
def exported(tiny_checkpoint, tmp_path_factory):
    from josi.export.cli import ExportConfig, export

    out = tmp_path_factory.mktemp("gguf") / "tiny"
    config = ExportConfig(checkpoint=str(tiny_checkpoint), out=str(out), max_sequences=2, greedy_prompts=1, greedy_tokens=8)
    return out, export(config)


def write_broken(checkpoint, path, monkeypatch, target, name, replacement):
    """Write with one writer step replaced, as a real bug would."""
    monkeypatch.setattr(target, name, replacement)
    write_f16_gguf(checkpoint, path)
    monkeypatch.undo()
    return path


def test_export_writes_validated_f16_and_q4_k_m_with_manifests(exported, tiny_checkpoint):
    out, manifests = exported
    assert [m["artifact"]["file"] for m in manifests] == ["tiny-f16.gguf", "tiny-q4_k_m.gguf"]
    for m in manifests:
        path = out / m["artifact"]["file"]
        assert m["artifact"]["sha256"] == sha256_file(path)
        assert m["artifact"]["size_bytes"] == path.stat().st_size
        assert json.loads(path.with_suffix(".json").read_text()) == json.loads(json.dumps(m, default=str))
        assert set(m["validation"]) == {"metadata", "tokenizer", "prompts", "outputs", "greedy"}
        assert m["libraries"]["gguf"] and m["libraries"]["llama-cpp-python"]
        assert len(m["inputs"]["checkpoint"]) == 64
        assert m["inputs"]["checkpoint_weights"] == checkpoint_sha256(tiny_checkpoint)  # = the merge manifest's hash
    f16, q4 = manifests
    assert f16["top1_agreement"] >= 0.99
    assert 0 <= q4["top1_agreement"] <= 1 and q4["artifact"]["file_type"] == 15
    assert q4["inputs"]["f16_gguf"] == f16["artifact"]["sha256"]
    assert f16["validation"]["metadata"]["tensors"] == 2 + 9 * 2 + 1  # untied: output.weight is written
    assert f16["validation"]["metadata"]["pre"] == "smollm"
    assert (out / "export_config.json").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left behind


def test_metadata_reads_back_what_the_training_tokenizer_says(exported, reference):
    out, _ = exported
    reader = read_gguf(out / "tiny-f16.gguf")
    template = reader.fields["tokenizer.chat_template"]
    assert bytes(template.parts[template.data[0]]) == reference.tokenizer.chat_template.encode()
    assert reference.tokenizer.eos_token == "<|im_end|>" and reference.tokenizer.pad_token == "<|endoftext|>"
    assert reader.fields["tokenizer.ggml.eos_token_id"].contents() == reference.tokenizer.eos_token_id
    assert reader.fields["tokenizer.ggml.padding_token_id"].contents() == reference.tokenizer.pad_token_id
    assert reader.fields["tokenizer.ggml.add_bos_token"].contents() is False


def test_permutation_turns_rotate_half_rope_into_interleaved_rope():
    """llama.cpp rotates pairs (2i, 2i+1); HF rotates (i, i + d/2). Permuted rows make them the same."""
    rng = np.random.default_rng(0)
    n_heads, head_dim, hidden, position = 2, 8, 6, 5
    weight, x = rng.normal(size=(n_heads * head_dim, hidden)), rng.normal(size=hidden)
    theta = position * 10000.0 ** (-np.arange(head_dim // 2) * 2 / head_dim)
    cos, sin = np.cos(theta), np.sin(theta)

    def rope_hf(head):
        first, second = head[:head_dim // 2], head[head_dim // 2:]
        return np.concatenate([first * cos - second * sin, second * cos + first * sin])

    def rope_llama_cpp(head):
        even, odd = head[0::2], head[1::2]
        return np.stack([even * cos - odd * sin, even * sin + odd * cos], axis=1).reshape(-1)

    hf = np.concatenate([rope_hf(h) for h in (weight @ x).reshape(n_heads, head_dim)])
    gguf = np.concatenate([rope_llama_cpp(h) for h in (permute_for_rope(weight, n_heads) @ x).reshape(n_heads, head_dim)])
    order = np.concatenate([h * head_dim + np.stack([np.arange(head_dim // 2), np.arange(head_dim // 2) + head_dim // 2], 1).reshape(-1)
                            for h in range(n_heads)])
    np.testing.assert_allclose(gguf, hf[order])


def test_metadata_check_catches_wrong_eos(tiny_checkpoint, reference, tmp_path, monkeypatch):
    import gguf

    original = gguf.GGUFWriter.add_eos_token_id
    path = write_broken(tiny_checkpoint, tmp_path / "eos.gguf", monkeypatch, gguf.GGUFWriter, "add_eos_token_id",
                        lambda self, _: original(self, 0))  # <|endoftext|>, the base tokenizer's eos
    with pytest.raises(GGUFError, match=r"eos.gguf: metadata check failed:\n.*eos_token_id is 0, expected 2"):
        check_metadata(path, reference, F16)


def test_missing_pre_tokenizer_fails_metadata_and_tokenizer_checks(tiny_checkpoint, reference, tmp_path, monkeypatch):
    import gguf

    path = write_broken(tiny_checkpoint, tmp_path / "nopre.gguf", monkeypatch, gguf.GGUFWriter, "add_tokenizer_pre",
                        lambda self, _: None)
    with pytest.raises(GGUFError, match="tokenizer.ggml.pre is missing"):
        check_metadata(path, reference, F16)
    with pytest.raises(GGUFError, match=r"nopre.gguf: tokenizer parity failed on \d+ of \d+ texts"):
        check_tokenizer(path, reference)


def test_gguf_llama_cpp_cannot_load_reports_llama_cpp_reason(tiny_checkpoint, reference, tmp_path):
    path = tmp_path / "unknown-pre.gguf"
    write_f16_gguf(tiny_checkpoint, path, pre_tokenizer="no-such-splitter")
    with pytest.raises(GGUFError, match="unknown-pre.gguf: llama.cpp cannot load it .*unknown pre-tokenizer type: 'no-such-splitter'"):
        check_tokenizer(path, reference)


def test_altered_chat_template_fails_metadata_and_prompt_checks(tiny_checkpoint, reference, tmp_path, monkeypatch):
    import gguf

    original = gguf.GGUFWriter.add_chat_template
    path = write_broken(tiny_checkpoint, tmp_path / "template.gguf", monkeypatch, gguf.GGUFWriter, "add_chat_template",
                        lambda self, t: original(self, t.replace("assistant\n", "assistant")))
    with pytest.raises(GGUFError, match="chat template differs from the training tokenizer's"):
        check_metadata(path, reference, F16)
    check_tokenizer(path, reference)  # the vocabulary itself is fine
    with pytest.raises(GGUFError, match=r"template.gguf: prompt parity failed on (\d+) of \1 prompts"):
        check_prompts(path, reference)


def test_missing_qk_permutation_passes_metadata_but_fails_output_parity(tiny_checkpoint, reference, tmp_path, monkeypatch):
    import josi.export.gguf_write

    path = write_broken(tiny_checkpoint, tmp_path / "noperm.gguf", monkeypatch, josi.export.gguf_write, "permute_for_rope",
                        lambda weight, n_heads: weight)
    check_metadata(path, reference, F16)  # shapes cannot show it
    with pytest.raises(GGUFError, match=r"noperm.gguf: output parity failed: teacher-forced top-1 agreement"):
        check_outputs(path, reference, min_agreement=0.99)


def test_truncated_gguf_gives_a_clear_error(exported, tiny_checkpoint, tmp_path, capsys):
    from josi.cli import main

    out, _ = exported
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes((out / "tiny-f16.gguf").read_bytes()[:1_000_000])
    with pytest.raises(GGUFError, match=r"truncated.gguf: not a valid GGUF \(ValueError"):
        read_gguf(truncated)
    assert main(["export", "--checkpoint", str(tiny_checkpoint), "--check", str(truncated)]) == 2
    assert f"josi export: error: {truncated}: not a valid GGUF" in capsys.readouterr().err


def test_embedded_135m_exports_to_f16_with_matching_tokenizer_prompts_and_logits(tmp_path):
    """Tied embeddings, 30 layers, 9 heads / 3 KV heads; teacher-forced on two short conversations."""
    from josi.core.contract import dumps_intent
    from josi.export.reference import BUILTIN_CASES
    from josi.core.models import resolve

    checkpoint = resolve("smollm2-135m").checkpoint
    path = tmp_path / "smollm2-135m-f16.gguf"
    written = write_f16_gguf(checkpoint, path)
    assert written.tied_embeddings and written.tensors == 2 + 9 * 30  # tied: no output.weight
    short = [[{"role": "system", "content": "You are Josi, coach voice of an endurance app."},
              {"role": "user", "content": user}, {"role": "assistant", "content": dumps_intent(answer)}]
             for _, user, answer in BUILTIN_CASES[:2]]
    reference = dataclasses.replace(Reference.load(checkpoint, gold_dir=tmp_path), sequences=short)  # built-in corpus only
    check_metadata(path, reference, F16)
    check_tokenizer(path, reference)
    check_prompts(path, reference)
    result = check_outputs(path, reference, min_agreement=0.99)
    assert result.numbers["positions"] > 50


def test_every_builtin_reference_answer_passes_the_contract_in_its_context():
    """Teacher-forced parity reads these answers; they must be answers a trained model is meant to give."""
    from josi.core.contract import ChatContext, dumps_intent, validate
    from josi.export.reference import BUILTIN_CASES

    assert len(BUILTIN_CASES) == 4
    for context, user, answer in BUILTIN_CASES:
        assert validate(answer, ChatContext.from_dict(context)) == [], user
        assert validate(dumps_intent(answer), ChatContext.from_dict(context)) == [], user  # as serialized for parity
    intents = {answer["intent"] for _, _, answer in BUILTIN_CASES}
    assert {"question", "blocked", "replan"} <= intents
    texts = " ".join(user + answer["message"] for _, user, answer in BUILTIN_CASES)
    assert any(ch.isdigit() for ch in texts) and "🤔" in texts and "Waarom" in texts  # varied text for parity


def test_writer_never_imports_the_checks():
    """What writer and checks share lives in gguf_io; the stage-wide layering (core only, no cycles,
    lazy imports included) is tests/test_layers.py."""
    import ast

    import josi.export.gguf_write

    tree = ast.parse(open(josi.export.gguf_write.__file__, encoding="utf-8").read())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | \
               {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {m for m in imported if m.startswith("josi.")} == {"josi.core.gguf", "josi.core.models", "josi.export.gguf_io"}


@pytest.mark.parametrize("module, command, flag", [("josi.export", "export", "--checkpoint"),
                                                   ("josi.export.merge", "merge", "--adapter")])
def test_python_m_entries_parse_the_stage_flags(module, command, flag):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: josi {command}") and flag in done.stdout
