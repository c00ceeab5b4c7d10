"""Gold stage: check the hand-written gold examples against the quality bar, print counts, merge drafts.

    josi gold check            every record in gold/*.jsonl (or --drafts DIR), file:line per problem
    josi gold stats            counts per category, persona, readiness and split
    josi gold merge            gold/drafts/<persona>/<category>.jsonl -> gold/<category>.jsonl

Place in the pipeline: after the knowledge cards, before the dataset. Imports only josi.core.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from josi.core.gold import GOLD_DIR, MIN_HELDOUT, GoldRecord, load_gold, parse_record, record_problems, split_gold
from josi.core.io import read_jsonl


def duplicate_problems(records: list[GoldRecord]) -> list[tuple[GoldRecord, str]]:
    from josi.core.dedup import drop_exact, drop_near

    texts = [r.dedup_text() for r in records]
    _, exact = drop_exact(texts)
    problems = [(records[i], "exact duplicate (canonical text) of an earlier record") for i in exact]
    exact_set = set(exact)
    remaining = [i for i in range(len(records)) if i not in exact_set]
    _, near = drop_near([texts[i] for i in remaining])
    problems += [(records[remaining[d]], f"near-duplicate of {records[remaining[k]].where}") for d, k in near]
    return problems


def check(directory: Path) -> int:
    from rich.progress import track

    records = load_gold(directory)
    bad = 0
    for record in track(records, description="checking gold", transient=True):
        for problem in record_problems(record):
            print(f"{record.where}: {record.id}: {problem}")
            bad += 1
    for record, problem in duplicate_problems(records):
        print(f"{record.where}: {record.id}: {problem}")
        bad += 1
    _, held = split_gold(records)
    print(f"{len(records)} records, {len(held)} held out, {bad} problems")
    if len(held) < MIN_HELDOUT and directory == GOLD_DIR:
        print(f"held-out part has {len(held)} records, at least {MIN_HELDOUT} are needed")
        return 1
    return 1 if bad else 0


def stats(directory: Path) -> int:
    from rich.console import Console
    from rich.table import Table

    records = load_gold(directory)
    _, held = split_gold(records)
    held_ids = {r.id for r in held}
    console = Console()
    for title, key in (("category", lambda r: r.category), ("persona", lambda r: r.persona),
                       ("readiness", lambda r: r.context.readiness.level), ("decision", lambda r: r.expect())):
        counts, held_counts = Counter(map(key, records)), Counter(key(r) for r in records if r.id in held_ids)
        table = Table(title=f"gold by {title}")
        for column in (title, "records", "held out"):
            table.add_column(column, justify="left" if column == title else "right")
        for value, count in sorted(counts.items()):
            table.add_row(str(value), str(count), str(held_counts[value]))
        table.add_row("total", str(len(records)), str(len(held)), style="bold")
        console.print(table)
    return 0


def merge(drafts: Path, target: Path) -> int:
    from josi.core.io import write_text_atomic

    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(drafts.rglob("*.jsonl")):
        for line, data in read_jsonl(path):
            record = parse_record(path, line, data)
            by_category[record.category].append(data)
    for category, rows in sorted(by_category.items()):
        rows.sort(key=lambda row: row["id"])
        write_text_atomic(target / f"{category}.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        print(f"{target / (category + '.jsonl')}: {len(rows)} records")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["check", "stats", "merge"], help="check the quality bar, print counts, or merge drafts")
    parser.add_argument("--dir", type=Path, default=GOLD_DIR, help="gold directory (default: gold/)")
    parser.add_argument("--drafts", type=Path, help="check/merge this drafts directory instead")


def run(args) -> int:
    if args.action == "merge":
        return merge(args.drafts or args.dir / "drafts", args.dir)
    directory = args.drafts or args.dir
    return check(directory) if args.action == "check" else stats(directory)
