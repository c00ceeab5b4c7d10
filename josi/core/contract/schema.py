"""The LLMIntent JSON Schema (draft 2020-12), built from the contract and card ids.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonschema

from josi.core.facts import Facts, facts

# The message cap and the generation budget are set together so that a capped answer always
# closes its JSON: 180 tokens (the largest persona band) x 4 chars = 720 chars; at the densest rate
# measured on gold (3.0 chars/token) that is 240 tokens. The replan reason (120 chars, ~40 tokens),
# keys, punctuation and source_cards (~75 tokens) bring the worst case to ~355 tokens, inside
# GENERATION_MAX_TOKENS. The longest training target is 212 tokens.
CHARS_PER_TOKEN_BOUND = 4
REPLAN_REASON_MAX_CHARS = 120
GENERATION_MAX_TOKENS = 384  # the decode budget of every backend and of training's decoded evaluations
KEY_ORDER = ("intent", "response_type", "message", "source_cards",
             "guardrail_triggered", "guardrail_reason", "replan_request")


def message_max_chars(f: Facts) -> int:
    return max(p.max_message_tokens for p in f.personas.values()) * CHARS_PER_TOKEN_BOUND


def llm_intent_schema(f: Facts | None = None) -> dict[str, Any]:
    f = f or facts()
    c = f.contract
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "josi:llm_intent",
        "title": "LLMIntent",
        "type": "object",
        "additionalProperties": False,
        "required": list(KEY_ORDER),
        "properties": {
            "intent": {"enum": list(c.intents)},
            "response_type": {"enum": list(c.response_types)},
            "message": {"type": "string", "minLength": 1, "maxLength": message_max_chars(f)},
            "source_cards": {"type": "array", "minItems": 1, "maxItems": 3, "uniqueItems": True,
                             "items": {"enum": list(f.card_ids)}},
            "guardrail_triggered": {"type": "boolean"},
            "guardrail_reason": {"anyOf": [{"type": "null"}, {"enum": list(c.guardrail_reasons)}]},
            "replan_request": {
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object", "additionalProperties": False,
                        "required": ["type", "reason", "readiness_at_request"],
                        "properties": {
                            "type": {"enum": list(c.replan_types)},
                            "reason": {"type": "string", "minLength": 1, "maxLength": REPLAN_REASON_MAX_CHARS},
                            "readiness_at_request": {"enum": list(f.readiness)},
                        },
                    },
                ]
            },
        },
    }


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(llm_intent_schema())
