"""Eval reports: one JSON (machine-readable, every response and finding), a Markdown summary and the
same summary as a standalone HTML page (for a browser or a CI artifact).

A gate run writes both under a name that says which model and when
(`eval-gguf-contract-<sha12>-<YYYYmmdd-HHMMSS>`, UTC) and refreshes a stable latest copy
(`eval-gguf-contract.json/.md`); the latest copy is left alone when it is the `--baseline` the run read.

Place in the pipeline: eval stage (a model artifact -> findings, gate verdicts, reports); imports josi.core and josi.eval only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from josi.core.io import write_json_atomic, write_text_atomic
from josi.core.checks import Case, Finding, Response
from josi.eval.gate import CheckResult, Regression, absolute_verdict, missing_checks, overall_verdict, regression_verdict

REPORT_VERSION = 2  # 2: thresholds_sha256, required/missing checks, absolute and regression verdicts


@dataclass
class CaseRecord:
    case: Case
    response: Response
    findings: dict[str, Finding] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        c = self.case
        return {
            "id": c.id, "category": c.category, "source": c.source, "expect": c.expect, "tags": list(c.tags),
            "persona": c.context.persona, "readiness": c.context.readiness.level, "user": c.user,
            "response": self.response.raw, "finish_reason": self.response.finish_reason,
            "findings": {name: {"passed": f.passed, "detail": f.detail}
                         for name, f in sorted(self.findings.items()) if f.applicable},
        }


def build_report(model: dict, settings: dict, cases_version: str, records: dict[str, CaseRecord],
                 results: list[CheckResult], regressions: list[Regression] | None, extra: dict,
                 thresholds_sha256: str = "", required: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """regressions: None without a baseline. The overall verdict is FAIL when the absolute verdict
    (thresholds, INCOMPLETE when a required check had no case) or the regression verdict fails."""
    missing = missing_checks(required, results)
    absolute = absolute_verdict([r.verdict for r in results], missing)
    regression = regression_verdict(regressions)
    return {
        "report_version": REPORT_VERSION,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "model": model, "settings": settings, "cases_version": cases_version, "thresholds_sha256": thresholds_sha256,
        **extra,
        "overall": overall_verdict(absolute, regression), "absolute": absolute, "regression": regression,
        "required_checks": list(required), "missing_checks": missing,
        "checks": {r.name: asdict(r) for r in results},
        "regressions": [{**asdict(r), "regressed": r.regressed} for r in regressions or ()],
        "cases": [records[cid].to_dict() for cid in sorted(records)],
    }


def markdown(report: dict[str, Any], max_failures: int = 15) -> str:
    model = report["model"]
    lines = [
        f"# Josi eval report: {report['overall']}", "",
        f"- model: `{model['kind']}` `{model['path']}`", f"- sha256: `{model['sha256']}`",
        f"- cases: {report['cases_version']}, {len(report['cases'])} evaluated; created {report['created']}",
        f"- decoding: {report['settings']}",
        f"- thresholds sha256: `{report.get('thresholds_sha256', '')[:12]}`",
        f"- absolute verdict: {report.get('absolute', report['overall'])}"
        + (f"; regression verdict vs the baseline: {report['regression']}" if report.get("regression") else ""), "",
    ]
    if report.get("missing_checks"):
        lines += [f"**INCOMPLETE**: no selected case exercises the required check(s) {', '.join(report['missing_checks'])}; "
                  "the ship gate needs every check of its layer (run it without -k).", ""]
    lines += [
        "| layer | check | passed / n | rate | 95% CI | threshold | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["checks"].values():
        if r["name"].startswith("distinct"):
            lines.append(f"| {r['layer']} | {r['name']} | - | {r['low']:.3f} | - | >= {r['threshold']:.2f} | {r['verdict']} |")
            continue
        settle = f" (about {r['settle']} more cases would settle it)" if r.get("settle") else ""
        lines.append(f"| {r['layer']} | {r['name']} | {r['passed']} / {r['n']} | {r['passed'] / r['n'] if r['n'] else 0:.3f} | "
                     f"{r['low']:.3f}-{r['high']:.3f} | {'= 1.00 (hard)' if r['threshold'] >= 1 else '>= %.2f' % r['threshold']} | "
                     f"{r['verdict']}{settle} |")
    for name in report.get("missing_checks", ()):
        lines.append(f"| - | {name} | 0 / 0 | - | - | - | INCOMPLETE (no selected case) |")
    if report["regressions"]:
        lines += ["", "## Regression vs baseline", "", "| check | pass->fail | fail->pass | McNemar p | baseline | now | regressed |",
                  "|---|---|---|---|---|---|---|"]
        for g in report["regressions"]:
            lines.append(f"| {g['check']} | {g['flips_to_fail']} | {g['flips_to_pass']} | {g['p_value']:.3g} | "
                         f"{g['baseline_verdict']} | {g['verdict']} | {'yes' if g['regressed'] else 'no'} |")
    lines += breakdown(report)
    by_id = {c["id"]: c for c in report["cases"]}
    for r in report["checks"].values():
        if not r.get("failing"):
            continue
        lines += ["", f"## {r['name']}: {len(r['failing'])} failing case(s)", ""]
        for cid in r["failing"][:max_failures]:
            case = by_id[cid]
            detail = case["findings"][r["name"]]["detail"]
            lines.append(f"- `{cid}` ({case['persona']}, {case['readiness']}) user: {case['user'][:100]!r}")
            lines.append(f"  - {detail[:200]}" if detail else "  - (no detail)")
            lines.append(f"  - response: `{case['response'][:240]}`")
        if len(r["failing"]) > max_failures:
            lines.append(f"- ... and {len(r['failing']) - max_failures} more (see the JSON report)")
    return "\n".join(lines) + "\n"


BREAKDOWN_BY = ("persona", "readiness", "category")


def breakdown(report: dict[str, Any]) -> list[str]:
    """Per check, its pass rate and Wilson interval by persona, readiness and case category: where a check fails."""
    from collections import defaultdict

    from josi.eval.stats import wilson

    lines = ["", "## By persona, readiness and category", "",
             "| check | by | group | passed / n | 95% CI |", "|---|---|---|---|---|"]
    for name in (n for n in report["checks"] if not n.startswith("distinct")):
        for key in BREAKDOWN_BY:
            groups: dict[str, list[bool]] = defaultdict(list)
            for case in report["cases"]:
                if name in case["findings"]:
                    groups[str(case.get(key))].append(case["findings"][name]["passed"])
            for group, results in sorted(groups.items()):
                low, high = wilson(sum(results), len(results))
                lines.append(f"| {name} | {key} | {group} | {sum(results)} / {len(results)} | {low:.2f}-{high:.2f} |")
    return lines


def html(markdown_text: str, title: str) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(markdown_text)
    style = ("body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
             "code{background:#f4f4f4}")
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title><style>{style}</style></head>"
            f"<body>\n{body}</body></html>\n")


def write_reports(report: dict[str, Any], directory: Path, stem: str) -> tuple[Path, Path]:
    """JSON and Markdown (returned), plus the Markdown rendered as HTML beside them."""
    json_path, md_path = directory / f"{stem}.json", directory / f"{stem}.md"
    write_json_atomic(json_path, report)
    text = markdown(report)
    write_text_atomic(md_path, text)
    write_text_atomic(directory / f"{stem}.html", html(text, f"Josi eval {report['overall']}: {stem}"))
    return json_path, md_path


def report_stem(kind: str, layers: list[str] | tuple[str, ...]) -> str:
    """The stable name of a run's latest report: `eval-gguf-contract`."""
    return f"eval-{kind}-{'-'.join(layers)}"


def run_stem(report: dict[str, Any], stem: str) -> str:
    """The name of this run's own report: the stable stem, the model's sha256[:12], the UTC time it was made."""
    created = dt.datetime.fromisoformat(report["created"]).astimezone(dt.timezone.utc)
    return f"{stem}-{report['model']['sha256'][:12]}-{created:%Y%m%d-%H%M%S}"


@dataclass
class WrittenReports:
    run: tuple[Path, Path]  # this run's JSON and Markdown, named by model and time
    latest: tuple[Path, Path] | None  # the stable copy, or None when it was kept (it is the baseline)
    kept_because: str = ""


def write_run_reports(report: dict[str, Any], directory: Path, stem: str,
                      baseline: Path | None = None) -> WrittenReports:
    """This run's reports under a new name (never over an existing file), then the latest copy,
    unless the latest copy is `baseline`: a run never overwrites the report it compares against."""
    name, n = run_stem(report, stem), 1
    while (directory / f"{name}.json").exists() or (directory / f"{name}.md").exists():
        n += 1
        name = f"{run_stem(report, stem)}-{n}"
    run = write_reports(report, directory, name)
    latest = (directory / f"{stem}.json", directory / f"{stem}.md")
    if baseline is not None and any(same_file(baseline, path) for path in latest):
        return WrittenReports(run, None, f"{latest[0]} is the --baseline this run read")
    return WrittenReports(run, write_reports(report, directory, stem))


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False
