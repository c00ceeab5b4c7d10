"""The one contract module shared by data generation, training, evaluation and deployment.

`validate(intent, context)` returns violations with stable codes: NOT_JSON, SCHEMA_INVALID, and
the cross-field codes listed in the josi_contract card (implemented in `rules.py`). An answer that
fails the schema still gets every cross-field rule whose fields are present and valid, so all of
its violations are reported at once.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from josi.core.context import ChatContext, ContextError, PlannedSession, Profile, ReadinessToday, Turn, field_errors
from josi.core.contract.rules import RULE_FIELDS, RULES
from josi.core.contract.schema import KEY_ORDER, llm_intent_schema, validator

__all__ = ["ChatContext", "ContextError", "PlannedSession", "Profile", "ReadinessToday", "Turn",
           "Violation", "validate", "parse_intent", "dumps_intent", "llm_intent_schema", "KEY_ORDER", "RULES", "RULE_FIELDS"]


@dataclass(frozen=True)
class Violation:
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def parse_intent(raw: str | dict[str, Any]) -> tuple[dict[str, Any] | None, list[Violation]]:
    if isinstance(raw, dict):
        return raw, []
    try:
        value = json.loads(raw)
    except (json.JSONDecodeError, TypeError) as err:
        return None, [Violation("NOT_JSON", f"not a JSON object: {err}")]
    if not isinstance(value, dict):
        return None, [Violation("NOT_JSON", f"expected a JSON object, got {type(value).__name__}")]
    return value, []


def validate(intent: str | dict[str, Any], context: ChatContext) -> list[Violation]:
    """All contract violations of one answer in its context; an empty list means valid."""
    obj, violations = parse_intent(intent)
    if obj is None:
        return violations
    schema_errors = field_errors(validator(), obj)
    violations += [Violation("SCHEMA_INVALID", f"{field}: {problem}") for field, problem in schema_errors]
    invalid = {field.split("/")[0] for field, _ in schema_errors}
    for code, rule in RULES.items():
        if any(name not in obj or name in invalid for name in RULE_FIELDS[code]):
            continue  # the schema violation already names that field; the rule cannot judge it
        message = rule(obj, context)
        if message:
            violations.append(Violation(code, message))
    return violations


def dumps_intent(obj: dict[str, Any]) -> str:
    """The one serialization of an LLMIntent used in training targets: fixed key order, no spacing.

    Without spaces a target is about 10 tokens shorter to learn and to decode; the grammar allows both."""
    return json.dumps({key: obj.get(key) for key in KEY_ORDER}, ensure_ascii=False, separators=(",", ":"))
