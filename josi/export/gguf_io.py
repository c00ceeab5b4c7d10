"""Export stage: reading a GGUF back, and the few rules the writer and the checks share.

Place in the pipeline: the bottom of josi.export. Imports josi.core only (gguf and llama_cpp lazily);
gguf_write, gguf_checks, reference and cli build on it, never the other way round.

- `GGUFError`: an unreadable GGUF, a failed check, or a checkpoint that cannot be exported
  (a `josi.core.io.UserError`, so the CLI prints it as one line).
- `read_gguf`, `field_value`, `raw_string`: the `gguf` package's reader and its fields.
- `open_llama`: llama-cpp-python's Llama, with llama.cpp's stderr captured (`captured_stderr`)
  so a load failure carries llama.cpp's own reason.
- `head_dim`, `pre_tokenizer_name`: read off the HF config / tokenizer by the writer (to write)
  and by the metadata check (to expect), so both agree by construction.
"""
from __future__ import annotations

import json
import logging
import os
import struct
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from josi.core.io import UserError


class GGUFError(UserError):
    """A GGUF that is unreadable or fails a check, or a checkpoint that cannot be exported."""

    def __init__(self, path: Path | str, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


# ---- reading a GGUF -------------------------------------------------------------------------

def read_gguf(path: Path | str):
    """GGUFReader, with any parse error turned into 'PATH: not a valid GGUF (...)'."""
    import gguf

    if not Path(path).is_file():
        raise GGUFError(path, "no such file")
    try:
        return gguf.GGUFReader(path)
    except (ValueError, IndexError, KeyError, OSError, UnicodeDecodeError, struct.error) as err:
        raise GGUFError(path, f"not a valid GGUF ({type(err).__name__}: {err})") from None


def field_value(reader, key: str) -> Any:
    found = reader.fields.get(key)
    return None if found is None else found.contents()


def raw_string(reader, key: str) -> bytes | None:
    found = reader.fields.get(key)
    return None if found is None else bytes(found.parts[found.data[0]])


# ---- loading a GGUF with llama.cpp ----------------------------------------------------------

@contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Collect what llama.cpp logs during the block, both from C (file descriptor 2) and through
    llama-cpp-python's Python log callback (sys.stderr); the lines land in the yielded list."""
    lines: list[str] = []
    sys.stderr.flush()
    saved_fd, saved_stream = os.dup(2), sys.stderr
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        sys.stderr = stream = open(log.fileno(), "w", encoding="utf-8", errors="replace", closefd=False)
        try:
            yield lines
        finally:
            stream.close()
            sys.stderr = saved_stream
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            log.seek(0)
            lines += log.read().decode("utf-8", "replace").splitlines()


@contextmanager
def open_llama(path: Path | str, **kwargs) -> Iterator[Any]:
    """llama-cpp-python's Llama; a load failure becomes a GGUFError carrying llama.cpp's own reason."""
    from llama_cpp import Llama

    if not Path(path).is_file():
        raise GGUFError(path, "no such file")
    try:
        with captured_stderr() as log:  # verbose only into the capture: on failure it holds llama.cpp's reason
            llm = Llama(model_path=str(path), verbose=True, **kwargs)
    except ValueError as err:
        reasons = [line.strip() for line in log if "error" in line.lower()]
        raise GGUFError(path, f"llama.cpp cannot load it ({reasons[-1] if reasons else err})") from None
    llm.verbose = False
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    try:
        yield llm
    finally:
        llm.close()


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
