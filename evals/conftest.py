"""Wires the eval layers into pytest: one session-scoped model, cached generations, and the gate.

Per-case tests record findings; the gate at session end turns them into per-check verdicts
(evals/thresholds.toml), writes the JSON and Markdown reports, and sets the exit status.
"""
import json
from pathlib import Path

import pytest

from josi.eval.cases import all_cases, cases_version
from josi.eval.gate import load_thresholds

ROOT = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).resolve().parent
CASES_DIR = SUITE / "cases"
THRESHOLDS_FILE = SUITE / "thresholds.toml"
LAYERS = ("schema", "contract", "quality")
SESSION_KEY = pytest.StashKey()
REPORT_KEY = pytest.StashKey()


def pytest_collection_modifyitems(config, items):
    if any(item.get_closest_marker(layer) for item in items for layer in LAYERS) and not config.getoption("--model"):
        raise pytest.UsageError("the eval layers need a model: pass --model=fp16|merged|gguf (see README)")


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        cases = all_cases(CASES_DIR)
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])


@pytest.fixture(scope="session")
def eval_session(request):
    """The one model in memory for the whole run, with its cache and judges."""
    from josi.eval.backends import BackendError, open_backend
    from josi.eval.cache import GenerationCache
    from josi.eval.session import EvalSession, Judges

    config = request.config
    kind = config.getoption("--model")
    try:
        backend, path = open_backend(kind, config.getoption("--model-path"), config.getoption("--grammar") == "on",
                                     config.getoption("--threads"))
    except BackendError as err:
        raise pytest.UsageError(str(err)) from None
    thresholds = load_thresholds(THRESHOLDS_FILE)
    session = EvalSession(
        backend=backend, model_info={"kind": kind, "path": path, "sha256": backend.identity()},
        thresholds=thresholds, judges=Judges.from_gold(thresholds.warmth_quantile),
        cache=GenerationCache(backend.identity(), read=not config.getoption("--no-cache")),
    )
    config.stash[SESSION_KEY] = session
    selected = [item.callspec.params["case"] for item in request.session.items
                if hasattr(item, "callspec") and "case" in item.callspec.params]
    session.pregenerate(list({c.id: c for c in selected}.values()))
    return session


@pytest.fixture
def judge(eval_session, request):
    """judge(case, checks): record findings; fail the test only for hard checks in absolute mode."""
    regression_mode = request.config.getoption("--baseline") is not None

    def run(case, checks):
        findings = eval_session.judge(case, checks)
        hard_failures = [f"{name}: {f.detail}" for name, f in findings.items()
                         if f.applicable and not f.passed and eval_session.thresholds.checks[name].hard]
        if hard_failures and not regression_mode:
            pytest.fail("; ".join(hard_failures), pytrace=False)
        return findings
    return run


@pytest.fixture(scope="session")
def thresholds():
    return load_thresholds(THRESHOLDS_FILE)


def pytest_sessionfinish(session, exitstatus):
    eval_session = session.config.stash.get(SESSION_KEY, None)
    if eval_session is None or not eval_session.records:
        return
    from josi.eval.report import write_reports

    layers = [layer for layer in LAYERS
              if any(spec.layer == layer and any(name in r.findings for r in eval_session.records.values())
                     for name, spec in eval_session.thresholds.checks.items())]
    baseline_path = session.config.getoption("--baseline")
    baseline = json.loads(Path(baseline_path).read_text()) if baseline_path else None
    report = eval_session.report(layers, cases_version(CASES_DIR), baseline)
    stem = f"eval-{report['model']['kind']}-{'-'.join(layers)}"
    paths = write_reports(report, ROOT / session.config.getoption("--report-dir"), stem)
    session.config.stash[REPORT_KEY] = (report, paths)
    if report["overall"] != "PASS":
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif exitstatus == pytest.ExitCode.TESTS_FAILED and baseline is None:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stored = config.stash.get(REPORT_KEY, None)
    if stored is None:
        return
    report, paths = stored
    write = terminalreporter.write_line
    terminalreporter.section(f"Josi gate: {report['overall']}")
    write(f"model {report['model']['kind']} {report['model']['path']} (sha256 {report['model']['sha256'][:12]})")
    write(f"cases {report['cases_version']}; generated now {report['generated_now']}, from cache {report['served_from_cache']}")
    for verdict in ("FAIL", "INCONCLUSIVE", "PASS"):
        for r in (r for r in report["checks"].values() if r["verdict"] == verdict):
            if r["name"].startswith("distinct"):
                write(f"  {verdict:12} {r['name']:18} {r['low']:.3f} (minimum {r['threshold']:.2f})")
                continue
            settle = f"; ~{r['settle']} more cases would settle it" if r.get("settle") else ""
            write(f"  {verdict:12} {r['name']:18} {r['passed']}/{r['n']} = {r['passed'] / max(r['n'], 1):.3f}, "
                  f"CI {r['low']:.3f}-{r['high']:.3f}, threshold {r['threshold']:.2f}{settle}")
    for g in report["regressions"]:
        if g["regressed"]:
            write(f"  REGRESSION   {g['check']}: {g['flips_to_fail']} pass->fail vs {g['flips_to_pass']} fail->pass, p={g['p_value']:.3g}")
    write(f"reports: {paths[0]} and {paths[1]}")
