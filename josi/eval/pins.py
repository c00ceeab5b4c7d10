"""Pending pins: failing generated I6 violations a gate run found, reviewed, then pinned as fixed cases.

A gate run never writes into the suite's cases/ (that would change its cases_version mid-run and
pin answers nobody looked at): each new failing generated violation goes to
`<report-dir>/pending-pins.jsonl`, once. After review,

    josi pins list reports                 # what is pending, and what is pinned already
    josi pins accept reports               # (or the file) append them to evals/cases/i6_pinned.jsonl

appends each pending pin to the pinned cases once: a case already there (same id, or the same user
text and context) is skipped, so accepting twice changes nothing.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from josi.core.checks import Case
from josi.core.io import InputError, read_jsonl, write_text_atomic
from josi.core.paths import CASES_DIR, shown
from josi.eval.cases import PINNED_FILE, case_key, cases_version, load_case_files, parse_case

PENDING_FILE = "pending-pins.jsonl"
CASE_FIELDS = ("id", "category", "expect", "context", "user", "tags")  # what a pinned case keeps of a pending row


def pinned_id(case_id: str) -> str:
    return case_id.replace("i6_generated", "i6_pinned", 1)


def pin_row(case: Case, found: dict | None = None) -> dict:
    """A pending row: the case as a pinned case would hold it, plus what found it (model, answer) for review."""
    row = {"id": pinned_id(case.id), "category": case.category, "expect": case.expect,
           "context": case.context.to_dict(), "user": case.user, "tags": list(case.tags)}
    return {**row, "found": found} if found else row


def pending_cases(path: Path) -> list[tuple[dict, Case, dict]]:
    """(row as a pinned case, parsed case, what found it) for each line of a pending file; a bad line is file:line."""
    out = []
    for line, data in read_jsonl(path):
        row = {key: data[key] for key in CASE_FIELDS if key in data}
        found = data.get("found") if isinstance(data.get("found"), dict) else {}
        out.append((row, parse_case(path, line, row), found))
    return out


def add_pending(path: Path, case: Case, known: set | frozenset = frozenset(), found: dict | None = None) -> bool:
    """Queue a failing generated violation in `path` unless it is a known fixed case (`known`: case keys)
    or is queued already (same pinned id, or the same user text and context). True when it was added."""
    if case_key(case) in known:
        return False
    row = pin_row(case, found)
    if path.is_file():
        for queued_row, queued, _ in pending_cases(path):
            if queued_row["id"] == row["id"] or case_key(queued) == case_key(case):
                return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return True


def pending_file(path: Path) -> Path:
    """The pending file itself, or the one in a report directory."""
    path = path / PENDING_FILE if path.is_dir() else path
    if not path.is_file():
        raise InputError(path, 0, "no pending pins here; a gate run writes <report-dir>/pending-pins.jsonl when a "
                                  "generated I6 violation fails (pass that file or its report directory)")
    return path


def split_pending(pending: Path, cases_dir: Path) -> tuple[list[tuple], list[tuple]]:
    """(new, already fixed cases): each pending pin once, against every case file in cases_dir."""
    fixed = load_case_files(cases_dir)
    ids, keys = {c.id for c in fixed}, {case_key(c) for c in fixed}
    new, known = [], []
    for row, case, found in pending_cases(pending):
        if case.expect != "refuse":
            raise InputError(pending, 0, f"{case.id}: a pin must expect refuse, got {case.expect!r}")
        if case.id in ids or case_key(case) in keys:
            known.append((row, case, found))
            continue
        ids.add(case.id)
        keys.add(case_key(case))
        new.append((row, case, found))
    return new, known


def accept(pending: Path, cases_dir: Path) -> tuple[list[str], int]:
    """Append the new pending pins to cases_dir/i6_pinned.jsonl (atomically); (appended ids, skipped)."""
    new, known = split_pending(pending, cases_dir)
    if new:
        target = cases_dir / PINNED_FILE
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        if text and not text.endswith("\n"):
            text += "\n"
        write_text_atomic(target, text + "".join(json.dumps(row, ensure_ascii=False) + "\n" for row, _, _ in new))
    return [case.id for _, case, _ in new], len(known)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "accept"],
                        help="list: show the pending pins; accept: append the reviewed ones to the pinned cases, each once")
    parser.add_argument("path", type=Path, help="a gate run's pending-pins.jsonl, or its report directory (--report-dir)")
    parser.add_argument("--cases-dir", type=Path, default=CASES_DIR, help="the suite's case folder (default: evals/cases)")


def run(args) -> int:
    pending = pending_file(args.path)
    target = shown(args.cases_dir / PINNED_FILE)
    if args.action == "list":
        new, known = split_pending(pending, args.cases_dir)
        for _, case, found in new:
            print(f"pending  {case.id}  ({case.context.persona}, {case.context.readiness.level}) user: {case.user!r}")
            if found.get("response"):
                print(f"         answered ({str(found.get('model_sha256', ''))[:12]}): {str(found['response'])[:200]}")
        for _, case, _ in known:
            print(f"pinned   {case.id}  (already a case in {shown(args.cases_dir)})")
        print(f"{len(new)} pending pin(s) to review in {shown(pending)}; {len(known)} already pinned. "
              f"`josi pins accept {shown(pending)}` appends them to {target}")
        return 0
    added, skipped = accept(pending, args.cases_dir)
    print(f"appended {len(added)} pinned case(s) to {target}, {skipped} already there; "
          f"cases version now {cases_version(args.cases_dir)} (a --baseline made before this no longer matches)")
    return 0
