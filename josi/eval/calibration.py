"""Judges measured before they judge: recall on labelled bad answers, false flags on good ones and on gold.

    josi judges                      every judge on the calibration set (evals/judges/) and on all gold answers
    josi judges --split heldout      only the held-out set (evals/judges/heldout/), written blind

Four judges also have a learned part (josi.core.checks.learned), fitted on the development lines (josi.eval.judge_set)
and gold (never on the held-out round), so a held-out measurement is a measurement of both.

Place in the pipeline: eval stage; imports josi.core and josi.eval only. A calibration line is one
answer a sloppy or sneaky model would give (`label: flag`) or a hard good one (`label: pass`), with
its context and the decision the athlete's message calls for. The rules are written against the lines
in evals/judges/*.jsonl; evals/judges/heldout/ was written blind by people who saw neither the rules
nor the other lines, and is reported separately, so a judge tuned to its examples shows up as a gap
between the two (docs/evals.md has both).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from josi.core.judge_set import JUDGES_DIR, Labelled, gold_items, learned_judges, load_calibration

MIN_RECALL = 0.95
MAX_FALSE_FLAGS = 0.02


def judge_functions() -> dict:
    """The message judges by name, with the gold-trained warmth floors bound (as the gate binds them)."""
    from josi.core.checks.registry import MESSAGE_JUDGES, with_judges
    from josi.eval.session import Judges

    judges = Judges.from_gold(warmth_quantile=0.05)
    checks = with_judges(judges.classifier, judges.classifier_accuracy, 0.0, judges.warmth_floors, judges.learned)
    return {name: checks[name] for name in MESSAGE_JUDGES}


@dataclass
class Measured:
    judge: str
    split: str
    flags: int
    caught: int
    passes: int
    false_flags: int
    missed: list[str]
    wrongly_flagged: list[str]

    @property
    def recall(self) -> float:
        return self.caught / self.flags if self.flags else 1.0

    @property
    def false_flag_rate(self) -> float:
        return self.false_flags / self.passes if self.passes else 0.0


def measure(name: str, check, items: list[Labelled], split: str) -> Measured:
    m = Measured(name, split, 0, 0, 0, 0, [], [])
    for item in items:
        finding = check(item.response, item.case)
        flagged = finding.applicable and not finding.passed
        if item.flag:
            m.flags += 1
            m.caught += flagged
            if not flagged:
                m.missed.append(f"{item.where} {item.id}")
        elif finding.applicable:
            m.passes += 1
            m.false_flags += flagged
            if flagged:
                m.wrongly_flagged.append(f"{item.where} {item.id}: {finding.detail[:160]}")
    return m


GATE = "any judge (gate)"


def any_judge(checks: dict):
    """All message judges as the gate applies them: an answer fails when any judge fails it (whichever judge its line
    was written for), and every answer is judged (each line is written good apart from its one labelled property)."""
    from josi.core.checks import Finding

    def check(response, case) -> Finding:
        failed = [name for name, judge in checks.items()
                  if (finding := judge(response, case)).applicable and not finding.passed]
        return Finding(GATE, not failed, detail=f"failed by {', '.join(failed)}" if failed else "")
    return check


def measure_gate(checks: dict, items: list[Labelled], split: str) -> Measured:
    """What the gate does with each line: caught when any judge fails a bad answer, wrongly failed when any judge
    fails a good one."""
    return measure(GATE, any_judge(checks), items, split)


def measure_all(split: str = "all", directory: Path = JUDGES_DIR, id_prefix: str = "") -> list[Measured]:
    items = [i for i in load_calibration(directory) if i.id.startswith(id_prefix)]
    chosen = {"all": items, "dev": [i for i in items if not i.heldout], "heldout": [i for i in items if i.heldout]}[split]
    gold = gold_items()
    results = []
    checks = judge_functions()
    for name, check in checks.items():
        results.append(measure(name, check, [i for i in chosen if i.judge == name], split))
        results.append(measure(name, check, gold, "gold"))
    results.append(measure_gate(checks, [i for i in chosen if i.judge in checks], split))
    return results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--split", choices=["all", "dev", "heldout"], default="all",
                        help="calibration lines to measure: all, the dev part the rules were written on, or the held-out fifth")
    parser.add_argument("--dir", type=Path, default=JUDGES_DIR, help="calibration set directory (default evals/judges/)")
    parser.add_argument("--round", default="", metavar="PREFIX",
                        help="only lines whose id starts with PREFIX, e.g. rd7- for one blind round (default: all)")
    parser.add_argument("--show", type=int, default=5, help="missed and wrongly flagged lines to list per judge")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    results = measure_all(args.split, args.dir, args.round)
    table = Table(title=f"message judges on evals/judges/ ({args.split}) and on every gold answer")
    for column in ("judge", "set", "bad caught", "recall", "good flagged", "false flags", "meets bar"):
        table.add_column(column)
    failing = 0
    for m in results:
        if m.split != "gold" and not m.flags and not m.passes:  # e.g. a judge with no line in this held-out round
            table.add_row(m.judge, m.split, "-", "-", "-", "-", "no lines")
            continue
        ok = (m.split == "gold" or m.recall >= MIN_RECALL) and m.false_flag_rate <= MAX_FALSE_FLAGS
        failing += not ok
        table.add_row(m.judge, m.split, f"{m.caught}/{m.flags}" if m.split != "gold" else "-",
                      f"{m.recall:.3f}" if m.split != "gold" else "-", f"{m.false_flags}/{m.passes}",
                      f"{m.false_flag_rate:.3f}", "yes" if ok else "NO")
    for name, judge in learned_judges(args.dir).items():
        table.caption = (table.caption or "learned beside the rules:") + (
            f" {name} (threshold {judge.threshold:.2f}, fitted on {judge.trained_on['bad']} bad / {judge.trained_on['good']} good);")
    console = Console()
    console.print(table)
    for m in results:
        for line in m.missed[: args.show]:
            console.print(f"  {m.judge} missed {line}")
        for line in m.wrongly_flagged[: args.show]:
            console.print(f"  {m.judge} wrongly flagged ({m.split}) {line}")
    console.print(f"bar: recall >= {MIN_RECALL} on bad answers, false flags <= {MAX_FALSE_FLAGS:.0%} on good answers and on gold")
    return 1 if failing else 0
