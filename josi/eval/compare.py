"""Compare two eval reports: per-check rates side by side, McNemar on paired cases, flipped cases,
and how often the two models made the same decision.

    josi compare reports/base.json reports/new.json      # e.g. merged (A) vs q4_k_m (B)

Exit status 1 when B is significantly worse than A on a contract-layer check (`regressed` of
josi.eval.gate.paired: McNemar p < 0.05 with more pass->fail than fail->pass flips, or A PASSed and
B FAILs), else 0; so a quantization can be gated on the merged checkpoint.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from josi.core.checks import parse_response
from josi.core.io import InputError
from josi.eval.gate import paired

GATED_LAYERS = ("contract",)  # a regression on one of these layers' checks fails the comparison


def load_report(path: Path) -> dict:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, 0, "report not found") from None
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, f"not a JSON report ({err.msg})") from None
    if not isinstance(report, dict) or "checks" not in report or "cases" not in report:
        raise InputError(path, 1, "not a josi eval report (no 'checks'/'cases')")
    return report


def case_passes(report: dict) -> dict[str, dict[str, bool]]:
    return {c["id"]: {k: v["passed"] for k, v in c["findings"].items()} for c in report["cases"]}


def decision(raw: str | None) -> str:
    """intent/response_type of an answer, `unparsed` when it is not a JSON object."""
    response = parse_response(raw or "")
    if response.obj is None:
        return "unparsed"
    return f"{response.get('intent')}/{response.get('response_type')}"


def decisions(report: dict) -> dict[str, str]:
    return {c["id"]: decision(c.get("response")) for c in report["cases"]}


def agreement(a: dict, b: dict) -> tuple[int, int, list[tuple[str, str, str]]]:
    """(same, common, disagreements as (case id, A's decision, B's)) over the cases both reports hold."""
    da, db = decisions(a), decisions(b)
    common = sorted(set(da) & set(db))
    differ = [(cid, da[cid], db[cid]) for cid in common if da[cid] != db[cid]]
    return len(common) - len(differ), len(common), differ


def gated_regressions(a: dict, b: dict) -> list:
    """The paired comparisons of the contract-layer checks both reports judged that regressed from A to B."""
    pa, pb = case_passes(a), case_passes(b)
    out = []
    for name in sorted(set(a["checks"]) & set(b["checks"])):
        ra, rb = a["checks"][name], b["checks"][name]
        if name.startswith("distinct") or (ra.get("layer") or rb.get("layer")) not in GATED_LAYERS:
            continue
        g = paired(name, pa, pb, ra["verdict"], rb["verdict"])
        if g.regressed:
            out.append(g)
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=Path, help="baseline report JSON (e.g. the merged checkpoint's)")
    parser.add_argument("b", type=Path, help="candidate report JSON (e.g. the q4_k_m GGUF's)")
    parser.add_argument("--show", type=int, default=10, help="flipped cases (and decision disagreements) to list per check")


def run(args) -> int:
    from rich.console import Console
    from rich.table import Table

    a, b = load_report(args.a), load_report(args.b)
    pa, pb = case_passes(a), case_passes(b)
    console = Console()
    console.print(f"A: {a['model']['kind']} {a['model']['path']} ({a['model']['sha256'][:12]})  "
                  f"B: {b['model']['kind']} {b['model']['path']} ({b['model']['sha256'][:12]})", highlight=False, markup=False)
    for key in ("cases_version", "thresholds_sha256"):
        if a.get(key) != b.get(key):
            print(f"note: the reports differ in {key} ({a.get(key)} vs {b.get(key)}); only their common cases are paired")
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
            print(f"  {name}: {cid} {'PASS->FAIL' if pa[cid][name] else 'FAIL->PASS'}")
    same, common, differ = agreement(a, b)
    print(f"decision agreement (intent/response_type): {same}/{common} common cases = {same / common if common else 0:.3f}")
    for cid, da, db in differ[: args.show]:
        print(f"  {cid}: A {da}, B {db}")
    if len(differ) > args.show:
        print(f"  ... and {len(differ) - args.show} more cases where A and B decided differently")
    regressed = gated_regressions(a, b)
    if regressed:
        print(f"josi compare: B is worse than A on {', '.join(g.check for g in regressed)} (contract layer; "
              "McNemar p < 0.05, or A PASSed and B FAILs): exit status 1")
        return 1
    print("josi compare: no contract-layer check of B regressed against A: exit status 0")
    return 0
