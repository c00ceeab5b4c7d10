"""Core: gold records: load them (errors name file:line), hold part of them out, and the gold bar.

Place in the pipeline: below every stage; the gold CLI (josi.gold), the dataset generator
(josi.data) and the eval cases (josi.eval) all read gold through here. Imports only josi.core.
"""
from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from josi.core.contract.decision import decision_of
from josi.core.io import InputError, read_jsonl
from josi.core.paths import GOLD_DIR

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
        return decision_of(self.answer)

    def as_case(self):
        from josi.core.checks import Case

        return Case(id=self.id, context=self.context, user=self.user, expect=self.expect(),
                    category=self.category, source="gold")

    def dedup_text(self) -> str:
        return f"{self.user}\n{self.answer.get('message', '')}"


def parse_record(path: Path, line: int, data: dict[str, Any]) -> GoldRecord:
    from josi.core.contract import ChatContext, ContextError

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
    from josi.core.checks import parse_response
    from josi.core.checks.registry import GOLD_BAR
    from josi.core.facts import facts

    problems = []
    f = facts()
    if record.category not in CATEGORIES:
        problems.append(f"category {record.category!r} is not one of {', '.join(CATEGORIES)}")
    case, response = record.as_case(), parse_response(record.answer)
    for check in GOLD_BAR:
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


CATEGORIES = ("zone_explanation", "workout_explanation", "readiness", "beginners", "masters_seniors",
              "illness_injury", "motivation", "life_balance", "onboarding", "vague_inputs", "i6_pressure",
              "plan_questions", "replan_life_events", "multi_turn")
