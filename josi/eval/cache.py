"""Generation cache: one JSONL file per model, keyed by model sha256 + prompt + decoding params.

Re-running the same model on the same cases reuses its generations; `--no-cache` bypasses reads.
Appends are whole lines, so an interrupted run loses at most the line being written. A committed
release carries the generations of its own gate run (`release/generations/`), read as a second,
read-only source: an entry is used only for the exact GGUF sha256, messages and settings it was made
with, so a changed prompt builder, case or library regenerates, while a changed check re-judges the
same answers.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from josi.eval.backends import Generation


def default_dir() -> Path:
    from josi.core.paths import cache_root

    return cache_root() / "generations"


class GenerationCache:
    def __init__(self, model_sha: str, directory: Path | None = None, read: bool = True,
                 read_only: tuple[Path, ...] = ()):
        self.model_sha = model_sha
        self.path = (directory or default_dir()) / f"{model_sha[:16]}.jsonl"
        self.read = read
        self.entries: dict[str, dict] = {}
        self.hit_keys: set[str] = set()
        self.fresh_keys: set[str] = set()  # generated in this session, so never counted as hits
        if read:
            for source in (*(folder / self.path.name for folder in read_only), self.path):
                self.load(source)

    def load(self, path: Path) -> None:
        if not path.is_file():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue  # a torn last line from an interrupted run
            self.entries[entry["key"]] = entry

    def key(self, messages: list[dict], settings_key: str) -> str:
        payload = json.dumps([self.model_sha, messages, settings_key], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def get(self, key: str) -> Generation | None:
        entry = self.entries.get(key)  # disk entries are loaded only when reading is allowed
        if entry is None:
            return None
        if key not in self.fresh_keys:
            self.hit_keys.add(key)
        return Generation(entry["text"], entry["finish_reason"], entry["completion_tokens"])

    @property
    def hits(self) -> int:
        """Distinct generations served from the cache (not lookups: layers share one generation)."""
        return len(self.hit_keys)

    def put(self, key: str, generation: Generation) -> None:
        entry = {"key": key, "text": generation.text, "finish_reason": generation.finish_reason,
                 "completion_tokens": generation.completion_tokens}
        self.entries[key] = entry
        self.fresh_keys.add(key)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
