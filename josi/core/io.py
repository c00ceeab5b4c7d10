"""Core: reading inputs and writing artifacts, with one error type for what the user must fix.

Place in the pipeline: below every stage. Imports only the standard library.

- `UserError` is the base of every error the CLI prints as one line without a traceback
  (bad card, gold line, config, GGUF, missing model); `InputError` names the file and line,
  `OutputError` an output directory that cannot be written. `check_output_dir` is called by every
  command that writes a directory, before any work, so a bad --out fails in a second, not an hour.
- Artifacts are written atomically: a file through `atomic_path`, a directory through
  `replace_dir_atomic`; a failed write leaves the previous artifact untouched.
- `sha256_file` and `checkpoint_sha256` are the only hashes of files and checkpoints, so a hash in
  an eval report can be matched to the manifest of the stage that wrote the artifact.
"""
from __future__ import annotations

import errno
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
    """A problem in an input file: `PATH:LINE: problem`, or `PATH: problem` (line 0) for the whole file."""

    def __init__(self, path: Path | str, line: int, problem: str):
        self.path, self.line, self.problem = Path(path), line, problem
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")


class OutputError(UserError):
    """An output directory (--out) that cannot be written: `PATH: cannot write here (reason); pick another --out`."""

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{path}: cannot write here ({reason}); pick another --out")


WANTED = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list",
          dict: "an object", type(None): "null"}
GOT = {str: "string", bool: "boolean", int: "integer", float: "number", list: "list", dict: "object", type(None): "null"}


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, as an error message says it."""
    return GOT.get(type(value), type(value).__name__)


def check_types(path: Path | str, line: int, data: dict[str, Any], types: dict[str, Any], where: str = "") -> None:
    """InputError `<where><key> must be a string, got integer 123` for the first present key of the wrong type.

    `types` maps a key to a type or a tuple of types (a missing key is the caller's concern); a
    boolean is never taken for an integer, an integer is taken for a number.
    """
    for key, wanted in types.items():
        if key not in data:
            continue
        wanted = wanted if isinstance(wanted, tuple) else (wanted,)
        value, kind = data[key], type(data[key])
        if kind in wanted or (kind is int and float in wanted):
            continue
        text = json.dumps(value, ensure_ascii=False, default=str)
        got = json_type(value) if value is None else f"{json_type(value)} {text if len(text) <= 40 else text[:37] + '...'}"
        raise InputError(path, line, f"{where}{key} must be {' or '.join(WANTED.get(k, k.__name__) for k in wanted)}, got {got}")


def is_user_error(err: BaseException) -> bool:
    return isinstance(err, (UserError, FileNotFoundError))


def read_jsonl(path: Path | str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line (not UTF-8, not JSON, not an object) raises InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, 0, "file not found")
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(path, number, utf8_problem(raw[err.start], err.start + 1)) from None
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(path, number, json_problem(err)) from None
            if not isinstance(value, dict):
                raise InputError(path, number, f"expected a JSON object, got {json_type(value)}")
            yield number, value


def read_json(path: Path | str) -> Any:
    """A whole JSON file; missing, not UTF-8 or not JSON raises InputError at the line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, 0, "file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        raise InputError(path, data.count(b"\n", 0, err.start) + 1,
                         utf8_problem(data[err.start], err.start - line_start + 1)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, json_problem(err)) from None


def utf8_problem(byte: int, position: int) -> str:
    return f"not UTF-8 text (invalid byte 0x{byte:02x} at byte {position} of this line); save the file as UTF-8"


def json_problem(err: json.JSONDecodeError, what: str = "invalid JSON") -> str:
    """`invalid JSON (Expecting value at column 3)`; some of json's messages end in "at" already
    ("Unterminated string starting at"), which must not read "at at"."""
    return f"{what} ({err.msg} {'' if err.msg.endswith(' at') else 'at '}column {err.colno})"


def check_output_dir(path: Path | str, replaced: bool = False) -> Path:
    """Path, once it is sure the command can write there; else OutputError, before any work is done.

    The directory must exist or be creatable (its nearest existing ancestor is a directory), must
    not be a file, and must take a new file: a temp file is created and removed in it (or in that
    ancestor). With `replaced` (the directory is swapped in whole, from a staging directory
    beside it) its parent must take one too. Nothing is created or left behind.
    """
    path = Path(path)
    try:
        if path.exists() and not path.is_dir():
            raise OutputError(path, "it is a file, not a directory")
        probes = [path] if path.is_dir() else []
        if replaced or not probes:
            ancestor = path.parent if path.is_dir() else path
            while not ancestor.exists() and ancestor != ancestor.parent:
                ancestor = ancestor.parent
            if not ancestor.is_dir():
                raise OutputError(path, f"{ancestor} is a file, not a directory")
            probes.append(ancestor)
    except OSError as err:  # e.g. a parent that cannot even be looked into
        raise OutputError(path, err.strerror or type(err).__name__) from None
    for directory in probes:
        try:
            fd, tmp = tempfile.mkstemp(prefix=".josi-write-check-", dir=directory)
        except OSError as err:  # ENOENT in a directory that exists: a virtual file system such as /proc
            why = "it takes no new files" if err.errno == errno.ENOENT else (err.strerror or type(err).__name__).lower()
            raise OutputError(path, f"cannot create a file in {directory}: {why}") from None
        os.close(fd)
        os.unlink(tmp)
    return path


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
