"""The shapes every check shares: a Case (what was asked), a Response (what came back), a Finding.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from josi.core.contract import ChatContext
from josi.core.contract.decision import DECISIONS



@dataclass(frozen=True)
class Case:
    id: str
    context: ChatContext
    user: str
    expect: str
    category: str = "general"
    source: str = "handwritten"
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def athlete_messages(self) -> tuple[str, ...]:
        """What the athlete wrote: this message and their earlier turns (not Josi's)."""
        return (self.user, *(turn.content for turn in self.context.history if turn.role == "user"))

    def __post_init__(self):
        if self.expect not in DECISIONS:  # the decision the case expects; drives which checks apply
            raise ValueError(f"case {self.id}: expect must be one of {DECISIONS}, got {self.expect!r}")


@dataclass(frozen=True)
class Response:
    raw: str
    obj: dict[str, Any] | None  # the parsed JSON object, None when it did not parse
    finish_reason: str = "stop"

    @property
    def message(self) -> str:
        if self.obj and isinstance(self.obj.get("message"), str):
            return self.obj["message"]
        return ""

    def get(self, key: str, default: Any = None) -> Any:
        return (self.obj or {}).get(key, default)


def parse_response(raw: str | dict[str, Any], finish_reason: str = "stop") -> Response:
    if isinstance(raw, dict):
        return Response(json.dumps(raw, ensure_ascii=False), raw, finish_reason)
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, TypeError):
        obj = None
    return Response(raw, obj if isinstance(obj, dict) else None, finish_reason)


@dataclass(frozen=True)
class Finding:
    check: str
    passed: bool
    applicable: bool = True
    detail: str = ""

    @classmethod
    def skip(cls, check: str, why: str) -> "Finding":
        return cls(check, True, applicable=False, detail=why)


def no_message(check: str, response: Response) -> Finding | None:
    """An unparsed or empty answer fails every message check: there is nothing to clear it."""
    if response.obj is None or not response.message.strip():
        return Finding(check, False, detail="no message to judge (the answer did not parse or its message is empty)")
    return None
