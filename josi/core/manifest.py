"""Core: the manifest every artifact carries, and the config table every run prints first.

Place in the pipeline: below every stage. Imports only the standard library (rich when printing).

A manifest records what produced an artifact: input hashes, the run config, library versions
and the git SHA, so any file in a run directory can be traced and reproduced.
"""
from __future__ import annotations

import dataclasses
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

TRACKED_LIBRARIES = ("torch", "transformers", "peft", "trl", "datasets", "accelerate", "gguf",
                     "llama-cpp-python", "jsonschema", "datasketch")


def git_sha() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parent)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                               cwd=Path(__file__).resolve().parent).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def library_versions() -> dict[str, str]:
    versions = {}
    for name in TRACKED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def config_dict(config: Any) -> dict[str, Any]:
    return dataclasses.asdict(config) if dataclasses.is_dataclass(config) else dict(config)


def manifest(config: Any, inputs: dict[str, str], **extra: Any) -> dict[str, Any]:
    """inputs: name -> sha256 of each input the artifact was built from."""
    return {"config": config_dict(config), "inputs": inputs, "libraries": library_versions(),
            "git_sha": git_sha(), **extra}


def print_config(config: Any, title: str) -> None:
    """Every run starts by showing its full config (nanochat style), so logs are self-describing."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_header=False)
    for key, value in config_dict(config).items():
        table.add_row(key, str(value))
    Console(stderr=True).print(table)
