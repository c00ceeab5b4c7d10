"""Small readers for GGUF metadata fields (the chat template, string and integer keys)."""
from __future__ import annotations

from pathlib import Path


def field_value(path: Path | str, key: str):
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    field = reader.fields.get(key)
    if field is None:
        return None
    return field.contents()


def chat_template(path: Path | str) -> str | None:
    return field_value(path, "tokenizer.chat_template")
