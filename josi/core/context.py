"""Core: ChatContext, what the app hands Josi about today (the model's input contract), and its schema.

Place in the pipeline: below every stage; imports josi.core.cards, facts and io. `sample_context` is
the one example context (for `josi ask`, the export's parity prompts, generated I6 probes and tests).
`field_errors` turns schema errors into (innermost field, problem) pairs, for contexts and (through
josi.core.contract) for answers alike: 'planned_session/zone: ...', never 'planned_session is not valid'.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema

from josi.core.io import UserError

from josi.core.facts import Facts, facts

SPORTS = ("running", "cycling")  # one modifiers_<sport> card each


@dataclass(frozen=True)
class ReadinessToday:
    level: str
    state: str
    confidence: float


@dataclass(frozen=True)
class PlannedSession:
    sport: str
    zone: str
    duration_min: int
    structure: str
    phase: str


@dataclass(frozen=True)
class Profile:
    sport: str
    level: str
    name: str | None = None
    age: int | None = None
    goal: str | None = None


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True)
class ChatContext:
    persona: str
    readiness: ReadinessToday
    profile: Profile
    planned_session: PlannedSession | None = None
    history: tuple[Turn, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["history"] = [asdict(turn) for turn in self.history]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ChatContext":
        """Validate against the ChatContext schema first, so errors name the innermost bad field."""
        errors = field_errors(validator(), data)
        if errors:
            raise ContextError(errors)
        session = data.get("planned_session")
        return cls(
            persona=data["persona"],
            readiness=ReadinessToday(**data["readiness"]),
            profile=Profile(**data["profile"]),
            planned_session=PlannedSession(**session) if session else None,
            history=tuple(Turn(**turn) for turn in data.get("history", [])),
        )


class ContextError(UserError, ValueError):
    """A context that fails the ChatContext schema; `fields` holds (field path, problem) per error and
    `source` the file it came from, when there is one: 'ctx.json: planned_session/zone: ...'."""

    def __init__(self, fields: list[tuple[str, str]] | str, source: str | None = None):
        self.fields = [("(root)", fields)] if isinstance(fields, str) else list(fields)
        self.source = source
        message = fields if isinstance(fields, str) else "; ".join(f"{field}: {problem}" for field, problem in self.fields)
        super().__init__(f"{source}: {message}" if source else message)


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The errors that say what is wrong: inside a oneOf/anyOf, those of the branch the value was meant for.

    A branch is excluded when the value fails its type (a session object against {"type": "null"});
    when exactly one branch is left, its own errors (recursively) replace the "not valid under any" one.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    meant = [subs for subs in branches.values() if not any(s.validator == "type" and not s.relative_path for s in subs)]
    if len(meant) == 1:
        return [leaf for sub in meant[0] for leaf in _leaves(sub)]
    types = [s.validator_value for subs in branches.values() for s in subs if s.validator == "type" and not s.relative_path]
    if len(types) == len(branches):  # the value has none of the types the branches accept
        flat = [t for value in types for t in (value if isinstance(value, list) else [value])]
        error.message = f"{error.instance!r} is not of type {' or '.join(map(repr, flat))}"
    return [error]


def field_errors(schema_validator: jsonschema.protocols.Validator, instance: Any) -> list[tuple[str, str]]:
    """(field path like 'planned_session/zone', problem) for every schema error, naming the innermost field."""
    leaves = [leaf for error in schema_validator.iter_errors(instance) for leaf in _leaves(error)]
    leaves.sort(key=lambda e: [str(part) for part in e.absolute_path])
    return [("/".join(map(str, e.absolute_path)) or "(root)", e.message) for e in leaves]


def _card_column(card: str, table: str, column: str, fallback: tuple[str, ...]) -> list[str]:
    from josi.core.cards import default_cards

    cards = default_cards()
    if card in cards and table in cards[card].tables:
        return list(cards[card].table(table).column(column))
    return list(fallback)


def chat_context_schema(f: Facts | None = None) -> dict[str, Any]:
    f = f or facts()
    zones = list(f.zones)
    phases = _card_column("periodization", "phases", "phase", ("base", "build", "peak", "taper", "recovery"))
    levels = _card_column("modifiers", "levels", "level", ("beginner", "novice", "intermediate", "advanced", "elite"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "josi:chat_context",
        "type": "object",
        "additionalProperties": False,
        "required": ["persona", "readiness", "profile"],
        "properties": {
            "persona": {"enum": list(f.personas)},
            "readiness": {
                "type": "object", "additionalProperties": False,
                "required": ["level", "state", "confidence"],
                "properties": {
                    "level": {"enum": list(f.readiness)},
                    "state": {"enum": list(f.readiness_states)},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                },
            },
            "profile": {
                "type": "object", "additionalProperties": False, "required": ["sport", "level"],
                "properties": {
                    "sport": {"enum": list(SPORTS)},
                    "level": {"enum": levels},
                    "name": {"type": ["string", "null"], "maxLength": 40},
                    "age": {"type": ["integer", "null"], "minimum": 10, "maximum": 100},
                    "goal": {"type": ["string", "null"], "maxLength": 60},
                },
            },
            "planned_session": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object", "additionalProperties": False,
                        "required": ["sport", "zone", "duration_min", "structure", "phase"],
                        "properties": {
                            "sport": {"enum": list(SPORTS)},
                            "zone": {"enum": zones},
                            "duration_min": {"type": "integer", "minimum": 1, "maximum": 600},
                            "structure": {"type": "string", "minLength": 1, "maxLength": 80},
                            "phase": {"enum": phases},
                        },
                    },
                ]
            },
            "history": {
                "type": "array", "maxItems": 12,
                "items": {
                    "type": "object", "additionalProperties": False, "required": ["role", "content"],
                    "properties": {"role": {"enum": ["user", "assistant"]}, "content": {"type": "string", "minLength": 1}},
                },
            },
        },
    }


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(chat_context_schema())


def sample_context(persona: str = "balanced", level: str = "green", *, state: str | None = None,
                   confidence: float = 0.8, zone: str | None = "Z2", minutes: int = 60, sport: str = "running",
                   session_sport: str | None = None, athlete_level: str = "intermediate", name: str | None = None,
                   age: int | None = None, goal: str | None = None, history: tuple[tuple[str, str], ...] = ()) -> ChatContext:
    """An example context: a continuous session in one zone (none when zone is None), base phase.

    `state` defaults to the first readiness state of `level` in the cards; an unknown level is passed
    through as the state too, so validation names the bad field instead of failing here.
    """
    if state is None:
        state = next((s for s, lv in facts().readiness_states.items() if lv == level), level)
    profile: dict[str, Any] = {"sport": sport, "level": athlete_level}
    profile.update({key: value for key, value in (("name", name), ("age", age), ("goal", goal)) if value is not None})
    return ChatContext.from_dict({
        "persona": persona,
        "readiness": {"level": level, "state": state, "confidence": confidence},
        "profile": profile,
        "planned_session": None if zone is None else {
            "sport": session_sport or sport, "zone": zone, "duration_min": minutes,
            "structure": f"continuous {zone} {minutes} min", "phase": "base"},
        "history": [{"role": role, "content": text} for role, text in history],
    })


def dumps(context: ChatContext) -> str:
    return json.dumps(context.to_dict(), sort_keys=True, ensure_ascii=False)
