"""Answer one coaching question with a model, through the shared prompt builder, as LLMIntent JSON.

The context comes from a JSON file (ChatContext) or from flags for the common fields; persona and
readiness are the cards' own choices. The answer (stdout) is validated against the contract; every
violation, schema and cross-field, is printed on stderr after it and makes the exit status 1. A bad
context, model name or model file is a user error (exit 2) naming the file, field or flag. Notes and
progress go to stderr, so stdout stays the answer alone.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

# the ChatContext field each flag fills, so a schema error on it names the flag too
RELEASE, BASE = "release", "base"  # --model shorthands: the shipped release GGUF, the untrained embedded model
FLAG_OF_FIELD = {"persona": "--persona", "readiness/level": "--readiness", "planned_session/zone": "--zone",
                 "planned_session/duration_min": "--minutes", "planned_session/structure": "--zone/--minutes"}


class CardChoices(Sequence):
    """argparse `choices` read from the cards on first use, so building the CLI parser never parses cards
    (a broken card must not stop `josi knowledge check` from reporting it)."""

    def __init__(self, read: Callable[[], Sequence[str]]):
        self._read, self._values = read, None

    def _all(self) -> list[str]:
        if self._values is None:
            self._values = list(self._read())
        return self._values

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, value) -> bool:
        return value in self._all()


def personas() -> list[str]:
    from josi.core.facts import facts

    return list(facts().personas)


def readiness_levels() -> list[str]:
    from josi.core.facts import facts

    return list(facts().readiness)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: need at least 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", nargs="?", default="Why is today's session so easy?", help="the athlete's message")
    parser.add_argument("--model", default=RELEASE, help="release (default: the shipped GGUF of `josi release build`), "
                                                         "base (the untrained embedded smollm2-135m), or a model name, hub id, "
                                                         "checkpoint directory or .gguf file")
    parser.add_argument("--context", type=Path, help="ChatContext JSON file; overrides the flags below")
    # a metavar, so argparse reads the choices only to check a value or print the help
    parser.add_argument("--persona", default="balanced", choices=CardChoices(personas), metavar="PERSONA",
                        help="%(choices)s: a persona of the josi_personas card (default: %(default)s)")
    parser.add_argument("--readiness", default="green", choices=CardChoices(readiness_levels), metavar="LEVEL",
                        help="%(choices)s: today's readiness level, from the load_monitoring card (default: %(default)s)")
    parser.add_argument("--zone", default="Z2", help="planned session zone, or 'none' for no session")
    parser.add_argument("--minutes", type=int, default=60, help="planned session duration")
    parser.add_argument("--threads", type=positive_int, default=2, help="CPU threads for the model (default: %(default)s)")
    parser.add_argument("--no-grammar", action="store_true", help="decode without the LLMIntent JSON grammar")


def read_context(path: Path) -> "ChatContext":
    """A ChatContext JSON file; bad JSON names the line and column, a schema failure the file and field."""
    from josi.core.context import ChatContext, ContextError
    from josi.core.io import InputError, json_problem

    if path.is_dir():
        raise InputError(path, 0, "is a directory; expected a ChatContext JSON file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, 0, "file not found") from None
    except UnicodeDecodeError as err:
        raise InputError(path, 0, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, json_problem(err)) from None
    if not isinstance(data, dict):
        raise InputError(path, 1, f"expected a ChatContext JSON object, got {type(data).__name__}")
    try:
        return ChatContext.from_dict(data)
    except ContextError as err:
        raise ContextError(err.fields, source=str(path)) from None


def context_from_args(args) -> "ChatContext":
    from josi.core.context import ContextError, sample_context

    if args.context:
        return read_context(args.context)
    try:
        return sample_context(args.persona, args.readiness, zone=None if args.zone == "none" else args.zone,
                              minutes=args.minutes)
    except ContextError as err:
        raise ContextError([(f"{field} (from {FLAG_OF_FIELD[field]})" if field in FLAG_OF_FIELD else field, problem)
                            for field, problem in err.fields]) from None


def model_argument(model: str) -> str:
    """`release` -> the shipped GGUF (built by `josi release build`); `base` -> the embedded untrained model."""
    from josi.core.io import UserError
    from josi.core.paths import SHIPPED_GGUF, shown

    if model == BASE:
        return "smollm2-135m"
    if model != RELEASE:
        return model
    if not SHIPPED_GGUF.is_file():
        raise UserError(f"the release GGUF {shown(SHIPPED_GGUF)} is not built yet: run `josi release build` "
                        f"(a few minutes, once), or pass --model {BASE} for the untrained model")
    return str(SHIPPED_GGUF)


def base_model_note(model: str) -> str | None:
    """When `model` is an untrained base (a model name, or the embedded GGUF itself): what to use instead."""
    from josi.core.models import NAMES, embedded_gguf
    from josi.core.paths import SHIPPED_GGUF, shown

    if model not in NAMES:
        path = Path(model).expanduser()
        if not (path.suffix == ".gguf" and path.is_file() and path.resolve() == embedded_gguf().resolve()):
            return None
    return (f"note: {model} is the untrained base model, so expect a poor, often invalid answer; "
            f"the trained release is the default (--model {RELEASE}, {shown(SHIPPED_GGUF)})")


def stderr_console():
    """A rich console on the terminal's stderr. It writes to its own copy of file descriptor 2, so a spinner
    keeps turning while llama.cpp's load log is captured (josi.core.gguf.captured_stderr swaps fd 2)."""
    import os

    from rich.console import Console

    try:
        if sys.stderr.isatty():
            return Console(file=open(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", closefd=True))
    except (AttributeError, OSError, ValueError):  # a stderr with no file descriptor (a test's capture)
        pass
    return Console(stderr=True)


@contextmanager
def progress(console, text: str) -> Iterator[None]:
    """A spinner on a terminal, a plain line otherwise; then how long it took."""
    start = time.perf_counter()
    if console.is_terminal:
        with console.status(f"{text} ..."):
            yield
    else:
        console.print(f"{text} ...", highlight=False)
        yield
    console.print(f"{text}: done in {time.perf_counter() - start:.1f} s", highlight=False)


def run(args) -> int:
    from josi.core.contract import validate
    from josi.core.prompt import build_messages
    from josi.eval.backends import backend_for_model

    context = context_from_args(args)
    args.model = model_argument(args.model)
    note = base_model_note(args.model)
    if note:
        print(note, file=sys.stderr)
    console = stderr_console()
    with progress(console, f"loading {args.model} ({args.threads} threads)"):
        backend = backend_for_model(args.model, grammar=not args.no_grammar, threads=args.threads)
    with progress(console, "generating the answer"):
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
