"""Answer one coaching question with a model, through the shared prompt builder, as LLMIntent JSON.

The context comes from a JSON file (ChatContext) or from flags for the common fields. The answer is
validated against the contract; violations are printed after the JSON and make the exit status 1.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
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
    from josi.core.context import ChatContext, sample_context

    if args.context:
        return ChatContext.from_dict(json.loads(args.context.read_text(encoding="utf-8")))
    return sample_context(args.persona, args.readiness, zone=None if args.zone == "none" else args.zone, minutes=args.minutes)


def run(args) -> int:
    from josi.core.contract import validate
    from josi.core.prompt import build_messages
    from josi.eval.backends import backend_for_model

    context = context_from_args(args)
    backend = backend_for_model(args.model, grammar=not args.no_grammar)
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
