"""One SFT row = the shared prompt builder's messages + the target LLMIntent (format: docs/data.md).

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import json
from typing import Any

from josi.core.contract import ChatContext, dumps_intent
from josi.core.prompt import build_messages


def make_row(context: ChatContext, user: str, answer: dict[str, Any], **meta: Any) -> dict[str, Any]:
    messages = build_messages(context, user)
    messages.append({"role": "assistant", "content": dumps_intent(answer)})
    return {"messages": messages,
            "meta": {**meta, "persona": context.persona, "readiness": context.readiness.level,
                     "context": context.to_dict(), "user": user}}


def target(row: dict[str, Any]) -> dict[str, Any]:
    """The row's training target: the LLMIntent of its last (assistant) message."""
    return json.loads(row["messages"][-1]["content"])
