"""Export stage: the few rules the GGUF writer and the checks share.

Place in the pipeline: the bottom of josi.export. Imports josi.core only; gguf_write, gguf_checks,
reference and cli build on it, never the other way round. Reading and loading a GGUF
(`GGUFError`, `read_gguf`, `field_value`, `raw_string`, `open_llama`, `captured_stderr`) live in
josi.core.gguf, which the eval stage shares.

- `head_dim`, `pre_tokenizer_name`: read off the HF config / tokenizer by the writer (to write)
  and by the metadata check (to expect), so both agree by construction.
"""
from __future__ import annotations

import json

from josi.core.gguf import GGUFError


# ---- rules shared by the writer and the checks ----------------------------------------------

def head_dim(config) -> int:
    return getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads


def pre_tokenizer_name(tokenizer) -> str:
    """The llama.cpp pre-tokenizer that splits text exactly like this HF tokenizer:
    "smollm" for SmolLM2's hub tokenizer (digits one by one, then the GPT-2 byte-level split), and
    "gpt-2" for the plain byte-level split (what transformers builds when it converts a GGUF)."""
    pre = json.loads(tokenizer.backend_tokenizer.to_str())["pre_tokenizer"] or {"type": "none"}
    steps = pre["pretokenizers"] if pre["type"] == "Sequence" else [pre]
    kinds = [step["type"] for step in steps]
    last = steps[-1]
    if kinds[-1] == "ByteLevel" and last.get("use_regex") and not last.get("add_prefix_space"):
        if kinds == ["ByteLevel"]:
            return "gpt-2"
        if kinds == ["Digits", "ByteLevel"] and steps[0].get("individual_digits"):
            return "smollm"
    raise GGUFError(tokenizer.name_or_path, f"no known llama.cpp pre-tokenizer splits like {pre}; pass --pre-tokenizer")
