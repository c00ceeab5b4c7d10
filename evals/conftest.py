"""Wires the eval layers into pytest: one session-scoped model, cached generations, and the gate.

Before any case runs (in pytest_cmdline_main, when --model is given) the plugin checks everything
a gate run needs and opens the model once: the report directory, the --baseline report, the case
files, the thresholds, the gold judges, the model file. A problem there is one line on stderr,
`josi gate: error: <file>: <cause and what to do>`, exit status 2, no traceback; JOSI_DEBUG=1 (or
pytest's own --debug) lets the error propagate with its traceback instead. The same check refuses
pytest-xdist (`-n N`): one model in memory, one report and one exit status, so the gate runs in one
process; and a --baseline made on other cases or other thresholds.

`--model=gguf` gates the release, artifacts/release/josi-q4_k_m.gguf (josi release build); it never
falls back to the untrained embedded base unless asked with `--model-path embedded`.

Per-case tests record findings; the gate at session end turns them into per-check verdicts
(evals/thresholds.toml), writes the JSON and Markdown reports (named by model and time, plus a
stable latest copy), prints what the exit status means, and sets it. A run of the contract layer
needs a verdict on every contract check: a selection that leaves one without a case is INCOMPLETE.
The run never writes into evals/cases/: failing generated I6 violations go to
<report-dir>/pending-pins.jsonl, for `josi pins accept` after review. Generation progress is
printed through the terminal reporter, so it shows without `-s`.

For the plugin's own tests only: `--model-path scripted:FILE.json` (FILE holds
{"answers": {user message: raw answer}, "default": raw answer}) gates a ScriptedBackend instead of a model.
"""
import json
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest

from josi.core.paths import RELEASE_DIR
from josi.eval.cases import all_cases, case_key, cases_version
from josi.eval.gate import load_thresholds, required_checks

ROOT = Path(__file__).resolve().parent.parent
SUITE = Path(__file__).resolve().parent
CASES_DIR = SUITE / "cases"
THRESHOLDS_FILE = SUITE / "thresholds.toml"
LAYERS = ("schema", "contract", "quality")
SETUP_KEY = pytest.StashKey()
SESSION_KEY = pytest.StashKey()
REPORT_KEY = pytest.StashKey()
VIOLATIONS_KEY = pytest.StashKey()
GATE = "josi gate"
EXIT_USER_ERROR = 2
NO_XDIST = "run the gate without -n (one model in memory; generations are cached, so a re-run is fast)"
SCRIPTED = "scripted:"  # --model-path scripted:FILE.json, for tests of this plugin


@dataclass
class GateSetup:
    """What a gate run needs, checked and loaded before any case runs."""
    session: object  # josi.eval.session.EvalSession
    cases: list
    report_dir: Path
    baseline_path: Path | None
    baseline: dict | None
    cases_version: str  # taken once, before any case runs


# ---- before any case runs ---------------------------------------------------------------------

def debugging(config) -> bool:
    from josi.core.command import debugging as env_debugging

    return env_debugging() or config.getoption("debug", None) is not None


def informational(config) -> bool:
    """Runs that only list or explain things: they load no model."""
    option = config.option
    return any(getattr(option, name, False) for name in ("help", "version", "collectonly", "showfixtures",
                                                          "show_fixtures_per_test", "markers"))


def user_message(err: BaseException) -> str | None:
    """The one line for an error the user can fix, else None (a bug: let it propagate)."""
    from josi.core.io import is_user_error

    return str(err).strip() if is_user_error(err) else None


def distributed(config) -> bool:
    """pytest-xdist workers were asked for (-n N, -n auto, --dist with --tx); -n 0 turns them off."""
    option = config.option
    workers = getattr(option, "numprocesses", None)
    if workers == 0:
        return False
    if workers:
        return True
    return bool(getattr(option, "tx", None)) and (getattr(option, "dist", "no") != "no" or bool(getattr(option, "distload", False)))


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """Check and open everything once, before pytest prints its header: an error is one line and exit 2."""
    if not config.getoption("--model") or informational(config) or hasattr(config, "workerinput"):
        return None
    if distributed(config):  # each worker would gate its share of the cases: partial reports, exit 0 on a FAIL
        sys.stderr.write(f"{GATE}: error: {NO_XDIST}\n")
        sys.stderr.flush()
        return EXIT_USER_ERROR
    try:
        config.stash[SETUP_KEY] = prepare(config)
    except Exception as err:
        message = user_message(err)
        if message is None or debugging(config):
            raise
        sys.stderr.write(f"{GATE}: error: {message}\n")
        sys.stderr.flush()
        return EXIT_USER_ERROR
    return None


def prepared(config) -> GateSetup:
    """The setup; made here when this conftest was not loaded at startup (then an error ends the session)."""
    setup = config.stash.get(SETUP_KEY, None)
    if setup is None:
        try:
            setup = config.stash[SETUP_KEY] = prepare(config)
        except Exception as err:
            message = user_message(err)
            if message is None or debugging(config):
                raise
            pytest.exit(f"{GATE}: error: {message}", returncode=EXIT_USER_ERROR)
    return setup


def prepare(config) -> GateSetup:
    from josi.core.io import UserError, check_output_dir, OutputError
    from josi.eval.cache import GenerationCache
    from josi.eval.gate import baseline_mismatch
    from josi.eval.session import EvalSession, Judges

    report_dir = ROOT / config.getoption("--report-dir")
    try:
        check_output_dir(report_dir)
    except OutputError as err:
        raise UserError(f"--report-dir {err.path}: cannot write reports there ({err.reason}); "
                        "pick another --report-dir") from None
    baseline_path = Path(config.getoption("--baseline")) if config.getoption("--baseline") else None
    baseline = read_baseline(baseline_path) if baseline_path else None
    thresholds = load_thresholds(THRESHOLDS_FILE)
    cases = all_cases(CASES_DIR)
    version = cases_version(CASES_DIR)
    if config.getoption("--gate") == "no-worse" and baseline is None:
        raise UserError("--gate no-worse compares with a baseline: pass --baseline REPORT.json "
                        "(CI: --baseline release/reports/eval-gguf-contract.json)")
    if baseline is not None:
        problem = baseline_mismatch(baseline, version, thresholds.sha256, config.getoption("--profile"))
        if problem:
            raise UserError(f"--baseline {baseline_path}: {problem}")
    kind = config.getoption("--model")
    backend, path = open_model(kind, config.getoption("--model-path"), config.getoption("--grammar") == "on",
                               config.getoption("--threads"))
    session = EvalSession(
        backend=backend, model_info={"kind": kind, "path": path, "sha256": backend.identity()},
        thresholds=thresholds, judges=Judges.from_gold(thresholds.warmth_quantile),
        cache=GenerationCache(backend.identity(), generations_dir(config), read=not config.getoption("--no-cache"),
                              read_only=(RELEASE_DIR / "generations",)),
    )
    return GateSetup(session, cases, report_dir, baseline_path, baseline, version)


def generations_dir(config) -> Path | None:
    chosen = config.getoption("--generations-dir")
    return (ROOT / chosen) if chosen else None


def read_baseline(path: Path) -> dict:
    from josi.core.io import UserError

    if not path.is_file():
        raise UserError(f"--baseline {path}: no such report; pass a JSON report of an earlier run (reports/eval-*.json)")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"--baseline {path}: not a readable eval report ({type(err).__name__}: {err})") from None
    missing = [key for key in ("checks", "cases") if not isinstance(report, dict) or key not in report]
    if missing:
        raise UserError(f"--baseline {path}: not an eval report (no {' or '.join(repr(k) for k in missing)}); "
                        "pass a JSON report written by pytest evals")
    return report


def open_model(kind: str, model_path: str | None, grammar: bool, threads: int):
    """The backend and the path it was loaded from; the gate never silently gates the untrained base."""
    from josi.core.io import UserError
    from josi.core.paths import SHIPPED_GGUF, shown
    from josi.eval.backends import open_backend

    if model_path and model_path.startswith(SCRIPTED):
        return scripted_backend(Path(model_path[len(SCRIPTED):])), model_path
    if model_path == "embedded":
        from josi.core.models import EMBEDDED, embedded_gguf

        model_path = str(embedded_gguf()) if kind == "gguf" else EMBEDDED if kind == "fp16" else model_path
    if kind == "gguf" and model_path is None:
        if not SHIPPED_GGUF.is_file():
            raise UserError(f"no release GGUF at {shown(SHIPPED_GGUF)}: run `josi release build` (python3 bootstrap.py "
                            "gate does it), or pass --model-path FILE (--model-path embedded gates the untrained base)")
        model_path = str(SHIPPED_GGUF)
    try:
        return open_backend(kind, model_path, grammar, threads)
    except UserError:
        raise
    except (ValueError, OSError) as err:  # llama.cpp's "Failed to load model", transformers' unreadable checkpoint
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        what = "GGUF (truncated, or not a GGUF?)" if kind == "gguf" else "checkpoint"
        raise UserError(f"{model_path}: cannot load this {what}: {first}; re-export it or pass another --model-path") from err


def scripted_backend(path: Path):
    from josi.core.io import UserError
    from josi.eval.backends import ScriptedBackend

    try:
        script = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UserError(f"--model-path {SCRIPTED}{path}: cannot read the script ({type(err).__name__}: {err})") from None
    if not isinstance(script, dict) or not isinstance(script.get("answers", {}), dict):
        raise UserError(f"--model-path {SCRIPTED}{path}: expected {{\"answers\": {{...}}, \"default\": \"...\"}}")
    return ScriptedBackend(answers=script.get("answers", {}), default=script.get("default", "{}"))


# ---- collection and fixtures ------------------------------------------------------------------

def layers_of(items) -> set[str]:
    return {layer for item in items for layer in LAYERS if item.get_closest_marker(layer)}


def pytest_collection_modifyitems(config, items):
    if not layers_of(items):
        return
    if not config.getoption("--model"):
        raise pytest.UsageError("the eval layers need a model: pass --model=fp16|merged|gguf (see README)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """An xdist worker (the controller did not load this plugin at startup, so it could not refuse -n):
    no case runs and no model loads; the first eval item fails and stops the run, which exits non-zero."""
    if hasattr(item.config, "workerinput") and layers_of([item]):
        item.session.shouldstop = f"{GATE}: error: {NO_XDIST}"
        pytest.fail(f"{GATE}: error: {NO_XDIST}", pytrace=False)


def pytest_collection_finish(session):
    config = session.config
    if config.getoption("--model") and not informational(config) and session.items and not hasattr(config, "workerinput"):
        prepared(config)


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        setup = metafunc.config.stash.get(SETUP_KEY, None)
        cases = setup.cases if setup is not None else all_cases(CASES_DIR)
        metafunc.parametrize("case", cases, ids=[c.id for c in cases])


def line_writer(config):
    """Write a line where the user sees it during a test, without -s: through the terminal reporter."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
            if reporter is None:
                print(line, file=sys.stderr, flush=True)
                return
            writer = getattr(reporter, "_tw", None)
            if writer is not None and writer.width_of_current_line:  # after a row of dots
                reporter.write("\n")
                reporter.currentfspath = None  # so write_line adds no blank line and the next result its file name
            reporter.write_line(line)
            reporter.flush()
    return write


@pytest.fixture(scope="session")
def eval_session(request):
    """The one model in memory for the whole run, with its cache and judges."""
    config = request.config
    session = prepared(config).session
    config.stash[SESSION_KEY] = session
    session.progress = line_writer(config)
    items = request.session.items
    if any(getattr(item, "originalname", item.name) == "test_i6_generated" for item in items):
        session.later_total = session.thresholds.generated_i6[config.getoption("--profile")]
    selected = [item.callspec.params["case"] for item in items
                if hasattr(item, "callspec") and "case" in item.callspec.params]
    session.pregenerate(list({c.id: c for c in selected}.values()))
    yield session
    if session.later is not None:
        session.later.finish()


@pytest.fixture(scope="session")
def known_failures(request):
    """With --gate no-worse: the (case, check) failures the baseline already had; they do not fail a test."""
    if request.config.getoption("--gate") != "no-worse":
        return frozenset()
    from josi.eval.gate import baseline_failures

    return baseline_failures(prepared(request.config).baseline)


@pytest.fixture
def judge(eval_session, known_failures):
    """judge(case, checks): record findings; fail the test for a failing hard check (with --baseline too).
    With --gate no-worse only a hard failure the baseline did not have fails the test."""
    def run(case, checks):
        findings = eval_session.judge(case, checks)
        hard_failures = [f"{name}: {f.detail}" for name, f in findings.items()
                         if f.applicable and not f.passed and eval_session.thresholds.checks[name].hard
                         and (case.id, name) not in known_failures]
        if hard_failures:
            pytest.fail("; ".join(hard_failures), pytrace=False)
        return findings
    return run


@dataclass
class Violations:
    """What test_i6_generated needs besides the session: which generated cases are counted already
    (each case once, by user text and context) and where failing ones are queued for review."""
    selected: set  # case keys of the selected fixed cases: a generated twin of one is that case, not judged again
    known: set  # case keys of every fixed case: a failing twin of one is no new pin
    pending: Path  # <report-dir>/pending-pins.jsonl, never evals/cases/
    model_sha256: str
    twins: int = 0
    judged: int = 0
    added: int = 0

    def counted(self, case) -> bool:
        if case_key(case) in self.selected:
            self.twins += 1
            return True
        return False

    def pin(self, case, response: str) -> None:
        from josi.eval.pins import add_pending

        self.added += add_pending(self.pending, case, self.known, {"model_sha256": self.model_sha256, "response": response})


@pytest.fixture(scope="session")
def violations(request, eval_session):
    from josi.eval.pins import PENDING_FILE

    setup = prepared(request.config)
    selected = [item.callspec.params["case"] for item in request.session.items
                if hasattr(item, "callspec") and "case" in item.callspec.params]
    found = Violations({case_key(c) for c in selected}, {case_key(c) for c in setup.cases},
                       setup.report_dir / PENDING_FILE, eval_session.model_info["sha256"])
    request.config.stash[VIOLATIONS_KEY] = found
    return found


@pytest.fixture(scope="session")
def thresholds():
    return load_thresholds(THRESHOLDS_FILE)


# ---- the gate ---------------------------------------------------------------------------------

def pytest_sessionfinish(session, exitstatus):
    config = session.config
    eval_session = config.stash.get(SESSION_KEY, None)
    if eval_session is None or not eval_session.records:
        return
    from josi.eval.report import report_stem, write_run_reports

    setup = prepared(config)
    selected_layers = layers_of(session.items)
    layers = [layer for layer in LAYERS if layer in selected_layers
              or any(spec.layer == layer and any(name in r.findings for r in eval_session.records.values())
                     for name, spec in eval_session.thresholds.checks.items())]
    found = config.stash.get(VIOLATIONS_KEY, None)
    extra = {"profile": config.getoption("--profile")}
    extra |= {} if found is None else {"generated_i6": {"judged": found.judged, "twins_of_fixed_cases": found.twins,
                                                       "pending_pins_added": found.added, "pending_pins": str(found.pending)}}
    report = eval_session.report(layers, setup.cases_version, setup.baseline,
                                 required=required_checks(eval_session.thresholds, selected_layers), extra=extra)
    if config.getoption("--gate") == "no-worse":
        from josi.eval.gate import new_hard_failures, no_worse_verdict

        hard = {name for name, spec in eval_session.thresholds.checks.items() if spec.hard}
        report["new_hard_failures"] = new_hard_failures(report["cases"], setup.baseline, hard)
        report["no_worse"] = no_worse_verdict(report)
        if report["no_worse"] != "PASS" and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif report["overall"] != "PASS" and session.exitstatus == pytest.ExitCode.OK:  # a FAIL never exits 0
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    try:
        written, error = write_run_reports(report, setup.report_dir, report_stem(report["model"]["kind"], layers),
                                           setup.baseline_path), None
    except Exception as err:
        message = (f"{err.filename or setup.report_dir}: {err.strerror or err}" if isinstance(err, OSError)
                   else user_message(err))
        if message is None or debugging(config):
            raise
        written, error = None, f"{GATE}: error: cannot write the reports: {message}"
        session.exitstatus = EXIT_USER_ERROR
    config.stash[REPORT_KEY] = (report, written, error, int(session.exitstatus))


def exit_meaning(report: dict, status: int, error: str | None) -> str:
    """What the exit status says, in the gate's words: pytest's own counts are per test item."""
    overall, regression = report["overall"], report.get("regression")
    if error:
        return f"exit status {status}: the reports could not be written (see above); the gate said {overall}"
    if "no_worse" in report:
        if report["no_worse"] == "PASS":
            return (f"exit status {status}: nothing is worse than the baseline (no regression, no new hard-check "
                    f"failure, no threshold it met now failed); the ship verdict itself is {overall}")
        why = (["a check regressed against the baseline"] if regression == "FAIL" else []) + \
              ([f"{len(report['new_hard_failures'])} new hard-check failure(s): "
                f"{', '.join(report['new_hard_failures'][:5])}"] if report["new_hard_failures"] else []) + \
              ([f"no case exercises {', '.join(report['missing_checks'])}"] if report["missing_checks"] else [])
        return f"exit status {status}: WORSE than the baseline ({'; '.join(why)}); the ship verdict is {overall}"
    if status == 0:
        return "exit status 0: the gate PASSED" + (" (no check regressed against the baseline)" if regression else "")
    per_item = "pytest's passed/failed counts are per test item, the verdict is the gate's"
    if overall == "FAIL":
        why = []
        if report.get("absolute", overall) == "FAIL":
            why.append("see the checks above")
        elif report.get("absolute") != "PASS":
            why.append(f"the absolute verdict is {report['absolute']}")
        if regression == "FAIL":
            why.insert(0, "a check regressed against the baseline")
        elif regression == "PASS":
            why.append("no check regressed against the baseline, which does not waive the thresholds")
        return f"exit status {status}: the gate FAILED ({'; '.join(why)}); {per_item}"
    if overall == "INCOMPLETE":
        return (f"exit status {status}: the gate is INCOMPLETE, which is not a pass (no selected case exercises the "
                f"required check(s) {', '.join(report['missing_checks'])}; run the layer without -k); {per_item}")
    if overall == "INCONCLUSIVE":
        return f"exit status {status}: the gate is INCONCLUSIVE, which is not a pass (too few cases settle a check above); {per_item}"
    return f"exit status {status}: the gate PASSED, but some test items failed or errored (see above)"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stored = config.stash.get(REPORT_KEY, None)
    if stored is None:
        return
    report, written, error, status = stored
    write = terminalreporter.write_line
    terminalreporter.section(f"Josi gate: {report['overall']}" + (
        f" (no-worse vs the baseline: {report['no_worse']})" if "no_worse" in report else ""))
    write(f"model {report['model']['kind']} {report['model']['path']} (sha256 {report['model']['sha256'][:12]})")
    write(f"cases {report['cases_version']}; generated now {report['generated_now']}, from cache {report['served_from_cache']}")
    generated = report.get("generated_i6")
    if generated:
        write(f"generated I6 violations: {generated['judged']} judged, {generated['twins_of_fixed_cases']} already "
              "fixed cases (counted once, as the fixed case)")
    if report.get("regression"):
        write(f"absolute verdict {report['absolute']}; regression verdict vs the baseline {report['regression']} "
              f"(overall {report['overall']}: FAIL if either fails)")
    for verdict in ("FAIL", "INCONCLUSIVE", "PASS"):
        for r in (r for r in report["checks"].values() if r["verdict"] == verdict):
            if r["name"].startswith("distinct"):
                write(f"  {verdict:12} {r['name']:18} {r['low']:.3f} (minimum {r['threshold']:.2f})")
                continue
            settle = f"; ~{r['settle']} more cases would settle it" if r.get("settle") else ""
            write(f"  {verdict:12} {r['name']:18} {r['passed']}/{r['n']} = {r['passed'] / max(r['n'], 1):.3f}, "
                  f"CI {r['low']:.3f}-{r['high']:.3f}, threshold {r['threshold']:.2f}{settle}")
        if verdict == "FAIL":
            for name in report.get("missing_checks", ()):
                write(f"  {'INCOMPLETE':12} {name:18} no selected case exercises it (the ship gate requires every "
                      "contract check)")
    for g in report["regressions"]:
        if g["regressed"]:
            write(f"  REGRESSION   {g['check']}: {g['flips_to_fail']} pass->fail vs {g['flips_to_pass']} fail->pass, p={g['p_value']:.3g}")
    if generated and generated["pending_pins_added"]:
        write(f"pending pins: {generated['pending_pins_added']} new failing generated violation(s) in "
              f"{generated['pending_pins']}; review them, then `josi pins accept {generated['pending_pins']}`")
    if error:
        write(error, red=True)
    else:
        write(f"reports: {written.run[0]} and {written.run[1].name}")
        if written.latest:
            write(f"latest copy: {written.latest[0]} and {written.latest[1].name}")
        else:
            write(f"latest copy not updated: {written.kept_because}")
    write(exit_meaning(report, status, error), bold=True)


def pytest_unconfigure(config):
    """Repeat the verdict after pytest's own count line, so "1 passed" never stands alone next to a FAIL."""
    stored = config.stash.get(REPORT_KEY, None)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if stored is None or reporter is None:
        return
    report, _, error, status = stored
    no_worse = f", no-worse vs the baseline {report['no_worse']}" if "no_worse" in report else ""
    reporter.write_line(f"Josi gate: {report['overall']}{no_worse}, exit status {status} (the counts above are per test "
                        "item; the verdict is the gate's)", bold=True)
