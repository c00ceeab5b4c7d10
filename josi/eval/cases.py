"""Eval stage: cases are versioned JSONL files (the suite's cases/ folder) plus the held-out gold, as `Case` objects.

Place in the pipeline: the eval stage; imports josi.core and josi.eval only. The folder of case files
is always passed in by the caller (evals/conftest.py knows where its suite lives).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from josi.core.checks import Case
from josi.core.io import InputError, check_types, read_jsonl

PINNED_FILE = "i6_pinned.jsonl"  # failing generated violations, replayed as fixed cases
# A field of another JSON type is a malformed line (file:line names the field), never a crash in a check.
CASE_TYPES = {"id": str, "expect": str, "context": dict, "user": str, "category": str, "tags": list}


def parse_case(path: Path, line: int, data: dict) -> Case:
    from josi.core.contract import ChatContext, ContextError

    missing = [k for k in ("id", "expect", "context", "user") if k not in data]
    if missing:
        raise InputError(path, line, f"missing keys {', '.join(missing)}")
    check_types(path, line, data, CASE_TYPES)
    for i, tag in enumerate(data.get("tags", ())):
        check_types(path, line, {f"tags[{i}]": tag}, {f"tags[{i}]": str})
    try:
        context = ChatContext.from_dict(data["context"])
        return Case(id=data["id"], context=context, user=data["user"], expect=data["expect"],
                    category=data.get("category", "general"), source=path.stem, tags=tuple(data.get("tags", ())))
    except (ContextError, ValueError) as err:
        raise InputError(path, line, str(err)) from None


def case_key(case: Case) -> tuple[str, str]:
    """What makes two cases the same case: the user text and the whole context (ids may differ, e.g. a
    generated violation and its pinned twin). Each case is counted once by this key."""
    return case.user, json.dumps(case.context.to_dict(), sort_keys=True, ensure_ascii=False)


def load_case_files(directory: Path) -> list[Case]:
    cases = [parse_case(path, line, data) for path in sorted(directory.glob("*.jsonl"))
             for line, data in read_jsonl(path)]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise InputError(directory, 0, f"duplicate case id {case.id}")
        seen.add(case.id)
    return cases


def gold_heldout_cases() -> list[Case]:
    from josi.core.gold import GOLD_DIR, gold_files, load_gold, split_gold

    if not gold_files(GOLD_DIR):
        return []
    _, held = split_gold(load_gold())
    return [record.as_case() for record in held]


def all_cases(directory: Path) -> list[Case]:
    return load_case_files(directory) + gold_heldout_cases()


def cases_version(directory: Path) -> str:
    """A label plus a content hash of every case file and of the gold, so reports say exactly what ran."""
    from josi.core.gold import GOLD_DIR, gold_files

    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.jsonl")) + gold_files(GOLD_DIR):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    label = (directory / "VERSION").read_text().strip() if (directory / "VERSION").exists() else "unversioned"
    return f"{label}+{digest.hexdigest()[:12]}"
