"""Compare two eval reports: per-check rates side by side, McNemar on paired cases, flipped cases.

    josi compare reports/base.json reports/new.json

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from josi.eval.gate import paired
from josi.core.io import InputError


def load_report(path: Path) -> dict:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, 0, "report not found") from None
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, f"not a JSON report ({err.msg})") from None
    if "checks" not in report or "cases" not in report:
        raise InputError(path, 1, "not a josi eval report (no 'checks'/'cases')")
    return report


def case_passes(report: dict) -> dict[str, dict[str, bool]]:
    return {c["id"]: {k: v["passed"] for k, v in c["findings"].items()} for c in report["cases"]}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=Path, help="baseline report JSON")
    parser.add_argument("b", type=Path, help="candidate report JSON")
    parser.add_argument("--show", type=int, default=10, help="flipped cases to list per check")


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    a, b = load_report(args.a), load_report(args.b)
    pa, pb = case_passes(a), case_passes(b)
    console = Console()
    console.print(f"A: {a['model']['kind']} {a['model']['path']} ({a['model']['sha256'][:12]})  "
                  f"B: {b['model']['kind']} {b['model']['path']} ({b['model']['sha256'][:12]})")
    table = Table(title=f"paired on {len(set(pa) & set(pb))} common cases")
    for column in ("check", "A rate", "A verdict", "B rate", "B verdict", "pass->fail", "fail->pass", "McNemar p", "regressed"):
        table.add_column(column)
    flips = {}
    for name in sorted(set(a["checks"]) | set(b["checks"])):
        ra, rb = a["checks"].get(name), b["checks"].get(name)
        rate = lambda r: "-" if r is None else (f"{r['low']:.3f}" if name.startswith("distinct") else f"{r['passed']}/{r['n']}")
        if ra is None or rb is None or name.startswith("distinct"):
            table.add_row(name, rate(ra), ra["verdict"] if ra else "-", rate(rb), rb["verdict"] if rb else "-", "", "", "", "")
            continue
        g = paired(name, pa, pb, ra["verdict"], rb["verdict"])
        table.add_row(name, rate(ra), ra["verdict"], rate(rb), rb["verdict"], str(g.flips_to_fail),
                      str(g.flips_to_pass), f"{g.p_value:.3g}", "yes" if g.regressed else "no")
        flips[name] = sorted(cid for cid in set(pa) & set(pb)
                             if name in pa[cid] and name in pb[cid] and pa[cid][name] != pb[cid][name])
    console.print(table)
    for name, ids in flips.items():
        for cid in ids[: args.show]:
            console.print(f"  {name}: {cid} {'PASS->FAIL' if pa[cid][name] else 'FAIL->PASS'}")
    return 0
