"""Core: where things live. Every stage finds the repository's inputs and the user cache through here.

Place in the pipeline: below every stage. Imports only the standard library.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # josi/
REPO_ROOT = PACKAGE_DIR.parent
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"  # the cards: the one source of every constant
GOLD_DIR = REPO_ROOT / "gold"  # hand-written gold examples
CASES_DIR = REPO_ROOT / "evals" / "cases"  # the gate's hand-written cases (versioned data files)
GENERATED_DIR = PACKAGE_DIR / "generated"  # the cards rendered as Python, for the app
RELEASE_DIR = REPO_ROOT / "release"  # the committed release: adapter, manifest, reports (josi release pack)
RELEASE_OUT = REPO_ROOT / "artifacts" / "release"  # what josi release build rebuilds from it
SHIPPED_GGUF = RELEASE_OUT / "josi-q4_k_m.gguf"  # the file an app ships; the gate's default --model=gguf
MERGED_DIR = RELEASE_OUT / "merged"  # the release's merged checkpoint; the gate's default --model=merged


def cache_root() -> Path:
    """The user cache (converted models, eval generations); JOSI_CACHE moves it."""
    base = os.environ.get("JOSI_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"), "josi")
    return Path(base)


def from_repo(path: str | Path) -> Path:
    """A path given relative to the repository root (configs use such paths), or an absolute one."""
    path = Path(path)
    return path if path.is_absolute() else REPO_ROOT / path


def shown(path: Path) -> str:
    """A path as a person reads it in a log: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)
