"""Core: reading a GGUF file and loading it in llama.cpp, with one error for a file that will not do.

Place in the pipeline: below every stage; imports josi.core.io only (gguf and llama_cpp lazily). The
export stage validates what it writes with these, and the eval stage (the gate, `josi ask`) opens
a model with them, so a truncated or foreign file gets the same one-line `GGUFError` everywhere.
"""
from __future__ import annotations

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


def checked_gguf(path: Path | str) -> str:
    """The file's sha256, after `read_gguf` parsed it once for this exact content: parsing a 135M file's
    metadata takes ~3 s (its 49k-token vocabulary), more than a cached re-run of the whole gate, so a
    marker named by the sha256 in the user cache records that these bytes passed."""
    from josi.core.io import sha256_file
    from josi.core.paths import cache_root

    if not Path(path).is_file():
        raise GGUFError(path, "no such file")
    sha = sha256_file(path)
    marker = cache_root() / "gguf-checked" / sha
    if not marker.exists():
        read_gguf(path)
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:  # a read-only cache only costs the parse next time
            pass
    return sha


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


def metadata_value(path: Path | str, key: str) -> Any:
    """One metadata field of a GGUF file, or None when the file has no such key."""
    return field_value(read_gguf(path), key)


def chat_template(path: Path | str) -> str | None:
    return metadata_value(path, "tokenizer.chat_template")
