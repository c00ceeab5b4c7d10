"""Core: how a stage command runs: parse its flags, run it, print a user error as one line.

Place in the pipeline: below every stage. `josi <stage>` (josi/cli.py) and `python -m josi.<stage>`
(each stage's __main__) both go through `run_command`, so they share flags, errors and exit codes.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from josi.core.io import is_user_error

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


def debugging(args: argparse.Namespace | None = None) -> bool:
    """Tracebacks for user errors too: `josi --debug ...` or JOSI_DEBUG=1."""
    return bool(getattr(args, "debug", False)) or os.environ.get("JOSI_DEBUG", "").lower() in ("1", "true", "yes", "on")


def add_debug_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show the full traceback of any error (also JOSI_DEBUG=1)")


def run_command(name: str, run: Callable[[argparse.Namespace], int | None], args: argparse.Namespace) -> int:
    try:
        return int(run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # known user-facing errors carry their own fix; others are bugs
        if is_user_error(err) and not debugging(args):
            print(f"josi {name}: error: {err}", file=sys.stderr)
            return EXIT_USER_ERROR
        raise


def main_for(name: str, module, argv: list[str] | None = None) -> int:
    """`python -m` entry of one stage command: `module` defines add_arguments(parser) and run(args)."""
    parser = argparse.ArgumentParser(prog=f"josi {name}", description=(module.__doc__ or name).strip().splitlines()[0])
    module.add_arguments(parser)
    add_debug_flag(parser)
    return run_command(name, module.run, parser.parse_args(argv))
