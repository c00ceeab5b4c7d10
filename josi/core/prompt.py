"""The one prompt builder, shared by training, evaluation and deployment.

`build_messages` returns chat messages; they are rendered to text only by the tokenizer's own
chat template (HF `apply_chat_template`) or the GGUF's embedded template, never by hand. Our
system message is always sent: SmolLM2's template injects its own default persona otherwise.

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

from typing import Iterable

from josi.core.context import ChatContext, Turn
from josi.core.facts import Facts, facts


# The system message is paid for in every training example and prefilled for every gate case, so it
# carries only what differs per request (persona, today's cap, the session, the athlete) plus the I6
# rule in one sentence. The routing rules, the enums and the JSON shape are taught by the data and
# enforced by the grammar (median 385 -> about 110 tokens; docs/training.md).
I6_RULE = ("Only explain the engine's plan: never create, change, prescribe or override training or claim "
           "a change; use only the numbers here.")


def today_lines(context: ChatContext, f: Facts) -> str:
    r = context.readiness
    cap = f.cap(r.level)
    lines = [f"Today: readiness {r.level} ({r.state.replace('_', ' ')}, confidence {r.confidence:.2f}), zones up to {cap}."]
    s = context.planned_session
    if s:
        lines.append(f"Session: {s.sport}, {s.zone} {f.zones[s.zone].label}, {s.duration_min} min, {s.structure}.")
    else:
        lines.append("No session is planned today.")
    p = context.profile
    about = [p.name, p.sport, p.level, f"age {p.age}" if p.age else None, f"goal {p.goal}" if p.goal else None]
    lines.append("Athlete: " + ", ".join(x for x in about if x) + ".")
    return "\n".join(lines)


def system_message(context: ChatContext, f: Facts | None = None) -> str:
    f = f or facts()
    persona = f.personas[context.persona]
    return "\n".join([
        # The style's first clause names the voice; the examples teach the rest of it.
        f"You are Josi, endurance coach voice, persona {persona.display_name}: {persona.style.split(',')[0].rstrip('.')}.",
        I6_RULE,
        today_lines(context, f),
        "Reply in JSON.",
    ])


def shared_prefix(system_content: str) -> str:
    """The start of a system message that every request in one persona shares (the persona line and the I6 rule),
    or "" for a system message this builder did not write. llama.cpp keeps it in its KV cache across gate cases."""
    head, rule, _ = system_content.partition(I6_RULE + "\n")
    return head + rule if rule and head.count("\n") == 1 and head.endswith("\n") else ""


def build_messages(context: ChatContext, user_text: str, history: Iterable[Turn] | None = None) -> list[dict[str, str]]:
    """System message, then earlier turns as real chat turns, then the user's text."""
    turns = context.history if history is None else tuple(history)
    messages = [{"role": "system", "content": system_message(context)}]
    messages += [{"role": turn.role, "content": turn.content} for turn in turns]
    messages.append({"role": "user", "content": user_text})
    return messages
