"""Answer one coaching question with a model, through the shared prompt builder, as LLMIntent JSON.

The context comes from a JSON file (ChatContext) or from flags for the common fields. The answer is
validated against the contract; violations are printed after the JSON and make the exit status 1.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", nargs="?", default="Why is today's session so easy?", help="the athlete's message")
    parser.add_argument("--model", default="smollm2-135m", help="model name, hub id, checkpoint directory or .gguf file (default: embedded smollm2-135m GGUF)")
    parser.add_argument("--context", type=Path, help="ChatContext JSON file; overrides the flags below")
    parser.add_argument("--persona", default="balanced", help="balanced | drill_sergeant | dutch_directness | science_nerd")
    parser.add_argument("--readiness", default="green", help="green | amber | red")
    parser.add_argument("--zone", default="Z2", help="planned session zone, or 'none' for no session")
    parser.add_argument("--minutes", type=int, default=60, help="planned session duration")
    parser.add_argument("--no-grammar", action="store_true", help="decode without the LLMIntent JSON grammar")


def context_from_args(args) -> "ChatContext":
    from josi.contracts import ChatContext
    from josi.facts import facts

    if args.context:
        return ChatContext.from_dict(json.loads(args.context.read_text(encoding="utf-8")))
    f = facts()
    state = next(s for s, level in f.readiness_states.items() if level == args.readiness) if args.readiness in f.readiness else args.readiness
    data = {
        "persona": args.persona,
        "readiness": {"level": args.readiness, "state": state, "confidence": 0.8},
        "profile": {"sport": "running", "level": "intermediate"},
        "planned_session": None if args.zone == "none" else {
            "sport": "running", "zone": args.zone, "duration_min": args.minutes,
            "structure": f"continuous {args.zone} {args.minutes} min", "phase": "base"},
    }
    return ChatContext.from_dict(data)


def load_backend(model: str, grammar: bool):
    from josi.backends import DecodeSettings, LlamaCppBackend, TransformersBackend
    from josi.models import resolve

    if model.endswith(".gguf"):
        return LlamaCppBackend(model, DecodeSettings(grammar=grammar))
    resolved = resolve(model)
    if resolved.gguf is not None:
        return LlamaCppBackend(resolved.gguf, DecodeSettings(grammar=grammar))
    return TransformersBackend(resolved.checkpoint)


def run(args) -> int:
    from josi.contracts import validate
    from josi.prompt import build_messages

    context = context_from_args(args)
    backend = load_backend(args.model, grammar=not args.no_grammar)
    generation = backend.generate(build_messages(context, args.question))
    try:
        print(json.dumps(json.loads(generation.text), indent=2, ensure_ascii=False))
    except json.JSONDecodeError:
        print(generation.text)
    violations = validate(generation.text, context)
    for violation in violations:
        print(f"contract violation: {violation}", file=sys.stderr)
    if generation.finish_reason == "length":
        print(f"note: generation stopped at the {backend.settings.max_tokens}-token budget", file=sys.stderr)
    return 1 if violations else 0
