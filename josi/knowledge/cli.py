"""Check the knowledge cards, or rebuild the generated modules (josi/generated/) from them.

`josi knowledge check` parses every card and the typed facts; `josi knowledge build` writes
josi/generated/tables.py and context.py for consumers that must not parse Markdown.

Place in the pipeline: knowledge stage, the first; imports josi.core only.
"""
from __future__ import annotations

import argparse

from josi.core.cards import KNOWLEDGE_DIR


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["check", "build"], help="check: parse and validate; build: write josi/generated/")
    parser.add_argument("--cards", default=str(KNOWLEDGE_DIR), help="card directory (default: knowledge/)")


def run(args) -> int:
    from josi.core.facts import build_facts
    from josi.knowledge.generate import write_generated
    from josi.core.cards import load_cards

    cards = load_cards(args.cards)
    f = build_facts(cards)
    print(f"{len(cards)} cards, {sum(len(c.tables) for c in cards.values())} tables; "
          f"{len(f.zones)} zones, {len(f.personas)} personas, readiness {', '.join(f.readiness)}")
    if args.action == "build":
        for path in write_generated(cards):
            print(f"wrote {path}")
    return 0
