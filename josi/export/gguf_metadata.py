"""Export stage: small readers for GGUF metadata fields (the chat template, string and integer keys),
taking a path (gguf_io.field_value takes an open reader).

Place in the pipeline: josi.export, above gguf_io. Imports josi.export.gguf_io only.
"""
from __future__ import annotations

from pathlib import Path

from josi.export import gguf_io


def field_value(path: Path | str, key: str):
    return gguf_io.field_value(gguf_io.read_gguf(path), key)


def chat_template(path: Path | str) -> str | None:
    return field_value(path, "tokenizer.chat_template")
