"""Build the SFT dataset (`josi data build`) or print its manifest as tables (`josi data stats`).

    josi data build [--seed 0] [--size 4700] [--out artifacts/data]
    josi data stats [--out artifacts/data]
    josi data measure [--seed 0] [--size 4700]   near-duplicate Jaccard distributions (docs/data.md)
    josi data voice [--out artifacts/data]       persona classifier with markers and closers stripped
    josi data sample [--n 40] [--seed 0]         rows across every task to read as the athlete would

Place in the pipeline: data stage (cards + gold -> SFT dataset); imports josi.core and josi.data only.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from josi.data.config import DataConfig

DEFAULT_OUT = Path("artifacts/data")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = DataConfig()
    parser.add_argument("action", choices=["build", "stats", "measure", "voice", "sample"],
                        help="build the dataset, print its manifest, measure near-duplicate distributions, "
                             "score the voices with markers and closers stripped, or print rows to read")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=defaults.seed, help=f"random seed (default: {defaults.seed})")
    parser.add_argument("--size", type=int, default=defaults.size,
                        help=f"generated rows over all splits before gold (default: {defaults.size})")
    parser.add_argument("--n", type=int, default=40, help="sample: how many rows (default: 40)")
    parser.add_argument("--gold", default=defaults.gold_dir, help=f"gold directory (default: {defaults.gold_dir})")
    parser.add_argument("--knowledge", default=defaults.knowledge_dir,
                        help=f"knowledge card directory, checked before anything is built (default: {defaults.knowledge_dir})")
    parser.add_argument("--threshold", type=float, default=defaults.near_dup_threshold,
                        help=f"near-duplicate Jaccard threshold (default: {defaults.near_dup_threshold})")


def config_from(args) -> DataConfig:
    return replace(DataConfig(), seed=args.seed, size=args.size, gold_dir=str(args.gold),
                   knowledge_dir=str(args.knowledge), near_dup_threshold=args.threshold)


def run(args) -> int:
    from josi.data.manifest import balance_checks, load_manifest, print_stats

    if args.action == "stats":
        return 0 if print_stats(load_manifest(args.out)) else 1
    if args.action == "voice":
        return print_voice(args.out, args.gold)
    if args.action == "sample":
        from josi.data.sample import describe, sample_rows

        load_manifest(args.out)  # no build yet: one line saying to run `josi data build`
        print("\n".join(describe(row) for row in sample_rows(args.out, args.n, args.seed)))
        return 0
    config = config_from(args)
    if args.action == "measure":
        from josi.data.measure import measure

        return measure(config)
    from josi.core.manifest import print_config
    from josi.data.build import build, check_out, write

    check_out(args.out)  # a bad --out fails now, not after the build
    print_config(config, "josi data build")
    started = time.perf_counter()
    dataset = build(config, quiet=False)
    out = write(dataset, args.out)
    elapsed = time.perf_counter() - started
    failed = [name for name, _, ok in balance_checks(dataset.manifest) if not ok]
    splits = dataset.manifest["counts"]["splits"]
    print(f"{out}: train {splits['train']['rows']}, val {splits['val']['rows']}, test {splits['test']['rows']} rows; "
          f"I6 share {dataset.manifest['balance']['i6_share_train']:.3f}; {elapsed:.1f}s")
    for name in failed:
        print(f"balance rule not met: {name}")
    return 1 if failed else 0


def print_voice(out: Path, gold_dir) -> int:
    from josi.core.io import read_jsonl
    from josi.data.manifest import load_manifest
    from josi.data.voice import TARGETS, heldout_gold_messages, marker_free_scores

    load_manifest(out)  # no build yet: one line saying to run `josi data build`
    train, val = ([row for _, row in read_jsonl(Path(out) / f"{split}.jsonl")] for split in ("train", "val"))
    result = marker_free_scores(train, val, heldout_gold_messages(Path(gold_dir)))
    met = True
    for name, score in result["scores"].items():
        ok = score >= TARGETS[name]
        met &= ok
        print(f"{name:14} {score:.3f} (n {result['n'][name]}; target >= {TARGETS[name]}) {'met' if ok else 'NOT MET'}")
    print(f"trained on {result['n']['train']} stripped train messages ({result['emptied']} left empty)")
    return 0 if met else 1

