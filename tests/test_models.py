"""Model resolution: the embedded checkpoint is a plain HF model with the right special tokens."""
import json
import threading
from pathlib import Path

import pytest

from josi.core import models


def test_embedded_checkpoint_has_chatml_eos_and_distinct_pad(embedded, tokenizer):
    assert tokenizer.eos_token == "<|im_end|>"
    assert tokenizer.pad_token is not None and tokenizer.pad_token_id != tokenizer.eos_token_id
    config = json.loads((Path(embedded.checkpoint) / "config.json").read_text())
    assert "quantization_config" not in config
    assert config["eos_token_id"] == tokenizer.eos_token_id and config["pad_token_id"] == tokenizer.pad_token_id
    assert "<|im_start|>" in tokenizer.chat_template
    assert list(Path(embedded.checkpoint).glob("*.safetensors"))


def test_second_resolve_is_fast(embedded):
    import time

    start = time.perf_counter()
    again = models.resolve()
    assert again.checkpoint == embedded.checkpoint and time.perf_counter() - start < 5


def test_concurrent_first_use_converts_once(tmp_path, monkeypatch):
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path))
    calls = []

    def slow_convert(gguf_path, target):
        calls.append(target)
        import time

        (target / "model.safetensors").write_bytes(b"w" * 10)
        time.sleep(0.5)  # a second caller arrives mid-conversion
        (target / "config.json").write_text("{}")

    monkeypatch.setattr(models, "convert_embedded", slow_convert)
    results = []
    threads = [threading.Thread(target=lambda: results.append(models.embedded_checkpoint())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(set(results)) == 1
    assert (results[0] / "config.json").exists() and (results[0] / "model.safetensors").read_bytes() == b"w" * 10
    assert not [p for p in results[0].parent.iterdir() if p.name.startswith(".")]  # no staging directory left


def test_failed_conversion_leaves_no_half_written_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path))

    def broken(gguf_path, target):
        (target / "config.json").write_text("{}")
        raise RuntimeError("disk full")

    monkeypatch.setattr(models, "convert_embedded", broken)
    with pytest.raises(RuntimeError):
        models.embedded_checkpoint()
    assert not list((tmp_path / "models").glob("smollm2-135m-*/config.json"))


def test_unreachable_hub_model_says_what_to_download(tmp_path, monkeypatch):
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(models.ModelNotFound) as err:
        models.resolve("smollm2-360m")
    message = str(err.value)
    assert "HuggingFaceTB/SmolLM2-360M-Instruct" in message and "huggingface-cli download" in message
    assert str(tmp_path / "models" / "smollm2-360m") in message


def test_local_path_and_unknown_names(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert models.resolve(str(tmp_path)).checkpoint == str(tmp_path)
    with pytest.raises(models.ModelNotFound, match="config.json"):
        models.resolve(str(tmp_path.parent))
    with pytest.raises(models.ModelNotFound, match="Unknown model"):
        models.resolve("gpt-17")


def test_tokenizer_only_path_matches_the_converted_checkpoint(tmp_path, monkeypatch, embedded):
    """The length check reads the tokenizer without a weight conversion; it must count the same tokens."""
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path))  # nothing converted here yet
    path = models.embedded_tokenizer_file()
    assert path.parent.name.endswith("-tokenizer")
    assert not list((tmp_path / "models").glob("*/model.safetensors"))
    converted = Path(embedded.checkpoint) / "tokenizer.json"
    assert json.loads(path.read_text()) == json.loads(converted.read_text())


@pytest.mark.parametrize("name", ["./nope", "../nope", "~/nope-josi", "/nope/at/all", "a/b/c"])
def test_a_missing_path_is_a_missing_directory_not_a_hub_id(name, monkeypatch, tmp_path):
    from josi.core.runtime import resolve_base

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert models.looks_like_path(name)
    for lookup in (lambda: models.resolve(name), lambda: resolve_base(name)):  # one rule for ask, export, train, merge
        with pytest.raises(models.ModelNotFound) as err:
            lookup()
        assert str(err.value).startswith(f"directory {name} does not exist")
        assert "huggingface-cli" not in str(err.value)


@pytest.mark.parametrize("name", ["HuggingFaceTB/SmolLM2-360M-Instruct", "smollm2-1.7b", "org/name"])
def test_hub_ids_are_not_paths(name, monkeypatch, tmp_path):
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert not models.looks_like_path(name)
    with pytest.raises(models.ModelNotFound, match="huggingface-cli download"):
        models.resolve(name)


def test_a_file_is_not_a_checkpoint_directory(tmp_path):
    weights = tmp_path / "josi.gguf"
    weights.write_bytes(b"x")
    with pytest.raises(models.ModelNotFound, match=f"{weights} is a file, not a directory"):
        models.resolve(str(weights))
