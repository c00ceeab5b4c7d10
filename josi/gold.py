"""Gold examples: load, check against the quality bar, split off the held-out part, print stats.

    josi gold check            every record in gold/*.jsonl (or --drafts DIR), file:line per problem
    josi gold stats            counts per category, persona, readiness and split
    josi gold merge            gold/drafts/<persona>/<category>.jsonl -> gold/<category>.jsonl
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from josi.inputs import InputError, read_jsonl

GOLD_DIR = Path(__file__).resolve().parent.parent / "gold"
HELDOUT_SHARE = 0.25
MIN_HELDOUT = 150
# Categories whose decision is fixed; the rest are judged by the checks alone.
REQUIRED_DECISION = {"i6_pressure": "refuse", "plan_questions": "answer", "vague_inputs": "clarify",
                     "replan_life_events": "replan"}


@dataclass(frozen=True)
class GoldRecord:
    id: str
    category: str
    context: Any  # ChatContext
    user: str
    answer: dict[str, Any]
    path: Path
    line: int

    @property
    def persona(self) -> str:
        return self.context.persona

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def expect(self) -> str:
        intent, kind = self.answer.get("intent"), self.answer.get("response_type")
        if intent == "blocked":
            return "refuse"
        if intent == "replan":
            return "replan"
        if intent == "medical_red_flag":
            return "medical"
        return "clarify" if kind == "ClarifyingQuestion" else "answer"

    def as_case(self):
        from josi.checks import Case

        return Case(id=self.id, context=self.context, user=self.user, expect=self.expect(),
                    category=self.category, source="gold")

    def dedup_text(self) -> str:
        return f"{self.user}\n{self.answer.get('message', '')}"


def parse_record(path: Path, line: int, data: dict[str, Any]) -> GoldRecord:
    from josi.contracts import ChatContext, ContextError

    missing = [key for key in ("id", "category", "context", "user", "answer") if key not in data]
    if missing:
        raise InputError(path, line, f"missing keys {', '.join(missing)} (format in docs/gold.md)")
    if not isinstance(data["answer"], dict):
        raise InputError(path, line, "answer must be an LLMIntent object")
    try:
        context = ChatContext.from_dict(data["context"])
    except ContextError as err:
        raise InputError(path, line, f"context: {err}") from None
    return GoldRecord(data["id"], data["category"], context, data["user"], data["answer"], path, line)


def gold_files(directory: Path) -> list[Path]:
    files = sorted(directory.rglob("*.jsonl"))
    if directory == GOLD_DIR:
        files = [f for f in files if "drafts" not in f.parts]
    return files


def load_gold(directory: Path = GOLD_DIR) -> list[GoldRecord]:
    records = [parse_record(path, line, data) for path in gold_files(directory) for line, data in read_jsonl(path)]
    if not records:
        raise InputError(directory, 0, "no gold records found (*.jsonl)")
    seen: dict[str, str] = {}
    for record in records:
        if record.id in seen:
            raise InputError(record.path, record.line, f"duplicate id {record.id} (first at {seen[record.id]})")
        seen[record.id] = record.where
    return records


def heldout_ids(records: Iterable[GoldRecord]) -> set[str]:
    """Stratified by category x persona; within a stratum the lowest id hashes are held out."""
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in records:
        strata[(record.category, record.persona)].append(record.id)
    held = set()
    for ids in strata.values():
        ranked = sorted(ids, key=lambda i: hashlib.sha256(i.encode()).hexdigest())
        held.update(ranked[: math.ceil(len(ranked) * HELDOUT_SHARE)])
    return held


def split_gold(records: list[GoldRecord]) -> tuple[list[GoldRecord], list[GoldRecord]]:
    held = heldout_ids(records)
    return [r for r in records if r.id not in held], [r for r in records if r.id in held]


def record_problems(record: GoldRecord) -> list[str]:
    from josi.checks import parse_response
    from josi.checks.contract import schema_valid
    from josi.checks.gating import readiness_gating
    from josi.checks.length import length_in_band
    from josi.checks.numbers import invented_numbers
    from josi.checks.repetition import repetition
    from josi.checks.wording import forbidden_words, jargon
    from josi.facts import facts

    problems = []
    f = facts()
    if record.category not in CATEGORIES:
        problems.append(f"category {record.category!r} is not one of {', '.join(CATEGORIES)}")
    case, response = record.as_case(), parse_response(record.answer)
    for check in (schema_valid, forbidden_words, jargon, invented_numbers, readiness_gating, length_in_band, repetition):
        finding = check(response, case)
        if finding.applicable and not finding.passed:
            problems.append(f"{finding.check}: {finding.detail}")
    wanted = REQUIRED_DECISION.get(record.category)
    if wanted and case.expect != wanted:
        problems.append(f"category {record.category} needs decision {wanted}, answer decides {case.expect}")
    session = record.context.planned_session
    if session and not f.zone_allowed(session.zone, record.context.readiness.level):
        problems.append(f"planned session {session.zone} exceeds the {record.context.readiness.level} cap")
    if f.readiness_states.get(record.context.readiness.state) != record.context.readiness.level:
        problems.append(f"readiness state {record.context.readiness.state} does not belong to level {record.context.readiness.level}")
    return problems


def duplicate_problems(records: list[GoldRecord]) -> list[tuple[GoldRecord, str]]:
    from josi.data.dedup import drop_exact, drop_near

    texts = [r.dedup_text() for r in records]
    _, exact = drop_exact(texts)
    problems = [(records[i], "exact duplicate (canonical text) of an earlier record") for i in exact]
    exact_set = set(exact)
    remaining = [i for i in range(len(records)) if i not in exact_set]
    _, near = drop_near([texts[i] for i in remaining])
    problems += [(records[remaining[d]], f"near-duplicate of {records[remaining[k]].where}") for d, k in near]
    return problems


CATEGORIES = ("zone_explanation", "workout_explanation", "readiness", "beginners", "masters_seniors",
              "illness_injury", "motivation", "life_balance", "onboarding", "vague_inputs", "i6_pressure",
              "plan_questions", "replan_life_events", "multi_turn")


def check(directory: Path) -> int:
    from rich.progress import track

    records = load_gold(directory)
    bad = 0
    for record in track(records, description="checking gold", transient=True):
        for problem in record_problems(record):
            print(f"{record.where}: {record.id}: {problem}")
            bad += 1
    for record, problem in duplicate_problems(records):
        print(f"{record.where}: {record.id}: {problem}")
        bad += 1
    _, held = split_gold(records)
    print(f"{len(records)} records, {len(held)} held out, {bad} problems")
    if len(held) < MIN_HELDOUT and directory == GOLD_DIR:
        print(f"held-out part has {len(held)} records, at least {MIN_HELDOUT} are needed")
        return 1
    return 1 if bad else 0


def stats(directory: Path) -> int:
    from rich.console import Console
    from rich.table import Table

    records = load_gold(directory)
    _, held = split_gold(records)
    held_ids = {r.id for r in held}
    console = Console()
    for title, key in (("category", lambda r: r.category), ("persona", lambda r: r.persona),
                       ("readiness", lambda r: r.context.readiness.level), ("decision", lambda r: r.expect())):
        counts, held_counts = Counter(map(key, records)), Counter(key(r) for r in records if r.id in held_ids)
        table = Table(title=f"gold by {title}")
        for column in (title, "records", "held out"):
            table.add_column(column, justify="left" if column == title else "right")
        for value, count in sorted(counts.items()):
            table.add_row(str(value), str(count), str(held_counts[value]))
        table.add_row("total", str(len(records)), str(len(held)), style="bold")
        console.print(table)
    return 0


def merge(drafts: Path, target: Path) -> int:
    from josi.artifacts import write_text_atomic

    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(drafts.rglob("*.jsonl")):
        for line, data in read_jsonl(path):
            record = parse_record(path, line, data)
            by_category[record.category].append(data)
    for category, rows in sorted(by_category.items()):
        rows.sort(key=lambda row: row["id"])
        write_text_atomic(target / f"{category}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        print(f"{target / (category + '.jsonl')}: {len(rows)} records")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["check", "stats", "merge"], help="check the quality bar, print counts, or merge drafts")
    parser.add_argument("--dir", type=Path, default=GOLD_DIR, help="gold directory (default: gold/)")
    parser.add_argument("--drafts", type=Path, help="check/merge this drafts directory instead")


def run(args) -> int:
    if args.action == "merge":
        return merge(args.drafts or args.dir / "drafts", args.dir)
    directory = args.drafts or args.dir
    return check(directory) if args.action == "check" else stats(directory)
