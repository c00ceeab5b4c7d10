"""One SFT row = the shared prompt builder's messages + the target LLMIntent (format: docs/data.md)."""
from __future__ import annotations

from typing import Any

from josi.core.contract import ChatContext, dumps_intent
from josi.core.prompt import build_messages


def make_row(context: ChatContext, user: str, answer: dict[str, Any], **meta: Any) -> dict[str, Any]:
    messages = build_messages(context, user)
    messages.append({"role": "assistant", "content": dumps_intent(answer)})
    return {"messages": messages,
            "meta": {**meta, "persona": context.persona, "readiness": context.readiness.level,
                     "context": context.to_dict(), "user": user}}


def split_prompt_completion(row: dict[str, Any]) -> dict[str, Any]:
    """Conversational prompt/completion form for trl: loss only on the final assistant turn."""
    messages = row["messages"]
    if messages[-1]["role"] != "assistant":
        raise ValueError(f"row {row.get('meta', {}).get('id')}: last message must be the assistant target")
    return {"prompt": messages[:-1], "completion": messages[-1:]}
