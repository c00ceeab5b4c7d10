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
from josi.core.io import InputError, check_types, read_jsonl
from josi.core.paths import GOLD_DIR

HELDOUT_SHARE = 0.25
MIN_HELDOUT = 150
# Categories whose decision is fixed; the rest are judged by the checks alone.
REQUIRED_DECISION = {"i6_pressure": "refuse", "plan_questions": "answer", "vague_inputs": "clarify",
                     "replan_life_events": "replan"}
# The JSON types of a record and of its answer (an LLMIntent): a value of another type is a malformed
# line (file:line, the field named), not something for the checks to trip over. Values of the right
# type that break the contract (an unknown intent, a missing key) are the quality bar's to report.
RECORD_TYPES = {"id": str, "category": str, "context": dict, "user": str, "answer": dict}
ANSWER_TYPES = {"intent": str, "response_type": str, "message": str, "source_cards": list,
                "guardrail_triggered": bool, "guardrail_reason": (str, type(None)), "replan_request": (dict, type(None))}
REPLAN_TYPES = {"type": str, "reason": str, "readiness_at_request": str}


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

        request = self.answer.get("replan_request")
        tags = (request["type"],) if isinstance(request, dict) and request.get("type") else ()  # the event's replan type
        return Case(id=self.id, context=self.context, user=self.user, expect=self.expect(),
                    category=self.category, source="gold", tags=tags)

    def dedup_text(self) -> str:
        return f"{self.user}\n{self.answer.get('message', '')}"


def parse_record(path: Path, line: int, data: dict[str, Any]) -> GoldRecord:
    from josi.core.contract import ChatContext, ContextError

    missing = [key for key in ("id", "category", "context", "user", "answer") if key not in data]
    if missing:
        raise InputError(path, line, f"missing keys {', '.join(missing)} (format in docs/gold.md)")
    check_types(path, line, data, RECORD_TYPES)
    check_answer_types(path, line, data["answer"])
    try:
        context = ChatContext.from_dict(data["context"])
    except ContextError as err:
        raise InputError(path, line, f"context: {err}") from None
    return GoldRecord(data["id"], data["category"], context, data["user"], data["answer"], path, line)


def check_answer_types(path: Path, line: int, answer: dict[str, Any]) -> None:
    check_types(path, line, answer, ANSWER_TYPES, where="answer.")
    for i, card in enumerate(answer.get("source_cards", ())):
        check_types(path, line, {f"source_cards[{i}]": card}, {f"source_cards[{i}]": str}, where="answer.")
    if isinstance(answer.get("replan_request"), dict):
        check_types(path, line, answer["replan_request"], REPLAN_TYPES, where="answer.replan_request.")


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
    from josi.core.dose import dose_problem
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
    dose = dose_problem(session)
    if dose:
        problems.append(dose)
    if f.readiness_states.get(record.context.readiness.state) != record.context.readiness.level:
        problems.append(f"readiness state {record.context.readiness.state} does not belong to level {record.context.readiness.level}")
    return problems


CATEGORIES = ("zone_explanation", "workout_explanation", "readiness", "beginners", "masters_seniors",
              "illness_injury", "motivation", "life_balance", "onboarding", "vague_inputs", "i6_pressure",
              "plan_questions", "replan_life_events", "multi_turn")
