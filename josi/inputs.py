"""Reading line-oriented inputs (JSONL, TOML configs) with errors that name file and line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator


class InputError(ValueError):
    def __init__(self, path: Path | str, line: int, problem: str):
        self.path, self.line, self.problem = Path(path), line, problem
        super().__init__(f"{path}:{line}: {problem}")


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
