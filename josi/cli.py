"""`josi` command line: one subcommand per pipeline stage, each with its own --help.

Stage modules are imported lazily so `josi --help` stays instant and a stage's heavy
dependencies (torch, llama.cpp) load only when that stage runs.

Place in the pipeline: the top; the only module that imports every stage (lazily, per command).
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from josi.core.command import add_debug_flag, run_command

# name -> (module, one-line help). Each module defines add_arguments(parser) and run(args) -> int.
COMMANDS = {
    "ask": ("josi.eval.ask", "answer one coaching question with a model and print the LLMIntent JSON"),
    "knowledge": ("josi.knowledge.cli", "check the knowledge cards or rebuild the generated modules"),
    "models": ("josi.core.models_cli", "list model names, or prepare one (converts the embedded GGUF once)"),
    "gold": ("josi.gold.cli", "check the gold examples or print their statistics"),
    "data": ("josi.data.cli", "build the SFT dataset or print its manifest"),
    "train": ("josi.train.run", "LoRA fine-tune a base model on the dataset"),
    "sweep": ("josi.train.sweep", "run a LoRA sweep (one josi train per arm of a grid file) and rank the arms"),
    "merge": ("josi.export.merge", "merge a LoRA adapter into its base model"),
    "export": ("josi.export.cli", "write GGUF (F16 + quantized) from a merged checkpoint and validate it"),
    "release": ("josi.export.release", "rebuild the shipped GGUF from the committed release (build), or pack a run into release/"),
    "compare": ("josi.eval.compare", "compare two eval reports case by case with paired tests"),
    "decide": ("josi.eval.decide", "apply the plan's deployment rule (small default, large for 'Explain more' if the gap is real) to two reports"),
    "pins": ("josi.eval.pins", "list or accept the failing generated I6 violations a gate run left in <report-dir>/pending-pins.jsonl"),
    "judges": ("josi.eval.calibration", "measure the message judges on the calibration set and on gold"),
}


def available_commands() -> dict[str, tuple[str, str]]:
    return {name: spec for name, spec in COMMANDS.items() if importlib.util.find_spec(spec[0]) is not None}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="josi", description="Josi: build, train, export and gate the on-device coaching model.")
    add_debug_flag(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in available_commands().items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=help_text, description=(module.__doc__ or help_text).strip().splitlines()[0])
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args.command, args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
