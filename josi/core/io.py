"""Core: reading inputs and writing artifacts, with one error type for what the user must fix.

Place in the pipeline: below every stage. Imports only the standard library.

- `UserError` is the base of every error the CLI prints as one line without a traceback
  (bad card, gold line, config, GGUF, missing model); `InputError` names the file and line.
- Artifacts are written atomically: a file through `atomic_path`, a directory through
  `replace_dir_atomic`; a failed write leaves the previous artifact untouched.
- `sha256_file` and `checkpoint_sha256` are the only hashes of files and checkpoints, so a hash in
  an eval report can be matched to the manifest of the stage that wrote the artifact.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator


class UserError(Exception):
    """An error the user can fix from its message alone; the CLI prints it without a traceback."""


class InputError(UserError, ValueError):
    def __init__(self, path: Path | str, line: int, problem: str):
        self.path, self.line, self.problem = Path(path), line, problem
        super().__init__(f"{path}:{line}: {problem}")


def is_user_error(err: BaseException) -> bool:
    return isinstance(err, (UserError, FileNotFoundError))


def read_jsonl(path: Path | str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line raises InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, 0, "file not found")
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(path, number, f"invalid JSON ({err.msg} at column {err.colno})") from None
            if not isinstance(value, dict):
                raise InputError(path, number, f"expected a JSON object, got {type(value).__name__}")
            yield number, value


# ---- atomic writes --------------------------------------------------------------------------

@contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside target; it replaces target only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes files private; artifacts are shared like any file
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(target: Path | str, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(target: Path | str, data: Any) -> None:
    write_text_atomic(target, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n")


def replace_dir_atomic(target: Path | str, fill: Callable[[Path], Any], keep_old: bool = False) -> Any:
    """Build a directory with `fill(staging)` beside target, then swap it into place in one rename.

    The old target is moved aside first and deleted only after the swap (or kept and returned
    under `.old` when keep_old); if `fill` fails, target is untouched and the staging is removed.
    Returns whatever `fill` returned.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes directories private; artifacts are shared like any directory
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    try:
        result = fill(staging)
        if target.exists():
            os.replace(target, old)
        os.replace(staging, target)
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not keep_old:
            shutil.rmtree(old, ignore_errors=True)


# ---- hashes ---------------------------------------------------------------------------------

def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checkpoint_sha256(directory: Path | str) -> str:
    """The hash of an HF checkpoint: its weight files, by name and content (configs excluded)."""
    digest = hashlib.sha256()
    for file in sorted(Path(directory).glob("*.safetensors")):
        digest.update(f"{file.name}:{sha256_file(file)}\n".encode())
    return digest.hexdigest()


def checkpoint_files_sha256(directory: Path | str) -> str:
    """One hash over every file of the checkpoint: weights, config, tokenizer and chat template.

    Wider than josi.core.io.checkpoint_sha256 (weights only) on purpose: the GGUF bakes in the
    tokenizer and the chat template, so a change to either must change the export's input hash.
    The export manifest records both; `checkpoint_weights` is the one that matches the merge
    manifest's `checkpoint_sha256` and an eval report's model hash.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(directory).iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix != ".lock"):
        digest.update(f"{file.name}\t{sha256_file(file)}\n".encode())
    return digest.hexdigest()
