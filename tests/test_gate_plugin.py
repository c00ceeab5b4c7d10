"""The pytest eval plugin (evals/conftest.py) as a user meets it, run in a subprocess on a scripted model.

A gate run on a model or output it cannot use stops before any case runs with one line naming the
file, exit 2; a run shows its progress without -s, says what its exit status means, names its
reports by model and time beside a stable latest copy, and never overwrites its --baseline.
The scripted model is the plugin's test hook: `--model-path scripted:FILE.json`.
"""
import importlib.util
import json
import re
from pathlib import Path

import pytest

from josi.core.contract import dumps_intent
from josi.core.paths import SHIPPED_GGUF

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
EVALS = ROOT / "evals"
ANSWER = dumps_intent({"intent": "question", "response_type": "QuestionAnswer", "guardrail_triggered": False,
                       "guardrail_reason": None, "source_cards": ["zone_physiology"], "replan_request": None,
                       "message": "Today is easy so your body can absorb the hard work from earlier this week. Enjoy it."})
RUN_STEM = re.compile(r"^eval-gguf-contract-[0-9a-f]{12}-\d{8}-\d{6}(-\d+)?$")


@pytest.fixture
def gate(pytester, tmp_path, monkeypatch):
    """gate(*args): `pytest evals -m contract --model=gguf ARGS` in a subprocess, with its own cache and reports."""
    monkeypatch.setenv("JOSI_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("JOSI_DEBUG", raising=False)

    def run(*args):
        return pytester.runpytest_subprocess(str(EVALS), "-m", "contract", "--model=gguf", "-p", "no:cacheprovider",
                                             *args, timeout=300)
    return run


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"answers": {}, "default": ANSWER}))
    return path


def lines(result) -> list[str]:
    return [line for line in result.outlines + result.errlines if line.strip()]


def truncated_gguf(path: Path) -> Path:
    from josi.core.models import embedded_gguf

    with open(embedded_gguf(), "rb") as source:
        path.write_bytes(source.read(2_000_000))
    return path


BAD_MODELS = {
    "missing": lambda tmp: tmp / "missing.gguf",
    "truncated": lambda tmp: truncated_gguf(tmp / "truncated.gguf"),
    "not a gguf": lambda tmp: (tmp / "notes.gguf", (tmp / "notes.gguf").write_text("not a model\n"))[0],
}


@pytest.mark.parametrize("bad", sorted(BAD_MODELS))
def test_a_model_the_gate_cannot_load_is_one_line_and_exit_2(gate, tmp_path, bad):
    model = BAD_MODELS[bad](tmp_path)
    result = gate("--model-path", str(model), "--report-dir", str(tmp_path / "reports"))
    out = lines(result)
    assert result.ret == 2, out
    assert len(out) <= 5, out
    assert out[0].startswith("josi gate: error: ") and str(model) in out[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "test session starts" not in result.stdout.str()  # before any case runs
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_the_gate_refuses_to_fall_back_to_the_untrained_base(gate, tmp_path):
    if SHIPPED_GGUF.exists():
        pytest.skip("an exported GGUF is present, so the default model is the trained one")
    result = gate("--report-dir", str(tmp_path / "reports"))
    out = lines(result)
    assert result.ret == 2 and len(out) == 1, out
    assert out[0] == ("josi gate: error: no release GGUF at artifacts/release/josi-q4_k_m.gguf: run `josi release build` "
                      "(python3 bootstrap.py gate does it), or pass --model-path FILE (--model-path embedded gates the "
                      "untrained base)")


def test_model_path_embedded_selects_the_embedded_base_gguf():
    from josi.core.models import embedded_gguf

    spec = importlib.util.spec_from_file_location("gate_plugin_under_test", EVALS / "conftest.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    backend, path = plugin.open_model("gguf", "embedded", grammar=False, threads=1)
    assert path == str(embedded_gguf()) and backend.name == "gguf"


BAD_OUTPUTS = {
    "under a file": lambda tmp: ((tmp / "a-file").write_text("x"), tmp / "a-file" / "reports")[1],
    "a file": lambda tmp: ((tmp / "reports.txt").write_text("x"), tmp / "reports.txt")[1],
    "under /proc": lambda tmp: Path("/proc/josi-out"),
}


@pytest.mark.parametrize("bad", sorted(BAD_OUTPUTS))
def test_an_unwritable_report_dir_is_one_line_and_exit_2(gate, tmp_path, script, bad):
    target = BAD_OUTPUTS[bad](tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = gate("--model-path", f"scripted:{script}", "--report-dir", str(target))
    out = lines(result)
    assert result.ret == 2 and len(out) <= 5, out
    assert out[0].startswith(f"josi gate: error: --report-dir {target}: cannot write reports there (")
    assert out[0].endswith("pick another --report-dir")
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert sorted(p.name for p in tmp_path.iterdir()) == before and not target.is_dir()  # nothing written


BAD_BASELINES = {
    "missing": lambda tmp: tmp / "missing.json",
    "not JSON": lambda tmp: ((tmp / "b.json").write_text("{oops"), tmp / "b.json")[1],
    "not a report": lambda tmp: ((tmp / "b.json").write_text('{"overall": "PASS"}'), tmp / "b.json")[1],
}


@pytest.mark.parametrize("bad", sorted(BAD_BASELINES))
def test_a_bad_baseline_is_one_line_and_exit_2(gate, tmp_path, script, bad):
    baseline = BAD_BASELINES[bad](tmp_path)
    result = gate("--model-path", f"scripted:{script}", "--report-dir", str(tmp_path / "reports"), "--baseline", str(baseline))
    out = lines(result)
    assert result.ret == 2 and len(out) <= 5, out
    assert out[0].startswith(f"josi gate: error: --baseline {baseline}: ")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("how", ["JOSI_DEBUG=1", "--debug"])
def test_debug_shows_the_traceback(gate, tmp_path, monkeypatch, how):
    args = ["--model-path", str(tmp_path / "missing.gguf"), "--report-dir", str(tmp_path / "reports")]
    if how == "--debug":
        args.append(f"--debug={tmp_path / 'pytestdebug.log'}")
    else:
        monkeypatch.setenv("JOSI_DEBUG", "1")
    result = gate(*args)
    assert result.ret not in (0, 2)
    assert "Traceback" in result.stderr.str() and "no GGUF at" in result.stderr.str()


def test_a_gate_run_shows_progress_says_what_its_exit_means_and_names_its_reports(gate, tmp_path, script):
    reports = tmp_path / "reports"
    result = gate("--model-path", f"scripted:{script}", "--report-dir", str(reports), "-k", "clarify")  # no -s
    out = result.stdout.str()
    assert result.ret == 1
    assert "josi gate: 12 cases, 0 from the cache, 12 to generate with scripted" in out
    assert re.search(r"josi gate: generated 10/12 cases, \d+s elapsed, ETA \d+s", out)
    assert re.search(r"josi gate: generated 12/12 cases, \d+s elapsed", out)
    assert "Josi gate: FAIL" in out and "12 passed" in out
    assert ("exit status 1: the gate FAILED (see the checks above); pytest's passed/failed counts are per test item, "
            "the verdict is the gate's") in out
    assert out.rstrip().splitlines()[-1].startswith("Josi gate: FAIL, exit status 1")  # after pytest's "12 passed"
    run_reports = sorted(p for p in reports.iterdir() if RUN_STEM.match(p.stem))
    assert [p.suffix for p in run_reports] == [".html", ".json", ".md"]
    latest = reports / "eval-gguf-contract.json"
    assert json.loads(latest.read_text()) == json.loads(run_reports[1].read_text())
    report = json.loads(latest.read_text())
    assert report["model"]["sha256"][:12] in run_reports[1].name and report["overall"] == "FAIL"
    assert sorted(p.name for p in reports.iterdir() if not RUN_STEM.match(p.stem)) == [
        "eval-gguf-contract.html", "eval-gguf-contract.json", "eval-gguf-contract.md"]


def test_the_baseline_is_never_overwritten(gate, tmp_path, script):
    reports = tmp_path / "reports"
    first = gate("--model-path", f"scripted:{script}", "--report-dir", str(reports), "-k", "clarify")
    assert first.ret == 1
    latest, latest_md = reports / "eval-gguf-contract.json", reports / "eval-gguf-contract.md"
    before = latest.read_bytes(), latest_md.read_bytes()
    second = gate("--model-path", f"scripted:{script}", "--report-dir", str(reports), "-k", "clarify",
                  "--baseline", str(latest))
    out = second.stdout.str()
    assert second.ret == 1, out  # nothing regressed, but a baseline never waives the absolute FAIL
    assert (latest.read_bytes(), latest_md.read_bytes()) == before
    assert f"latest copy not updated: {latest} is the --baseline this run read" in out
    assert "absolute verdict FAIL; regression verdict vs the baseline PASS" in out
    assert len([p for p in reports.glob("*.json") if RUN_STEM.match(p.stem)]) == 2  # both runs kept, even in one second
    assert not list(reports.glob(".*"))  # no temp files left


def test_run_reports_keep_the_baseline_and_never_reuse_a_name(tmp_path):
    from josi.eval.report import write_run_reports

    report = {"created": "2026-11-25T10:15:00+00:00", "model": {"kind": "gguf", "path": "m", "sha256": "ab" * 32},
              "overall": "PASS", "settings": {}, "cases_version": "t", "checks": {}, "regressions": [], "cases": []}
    first = write_run_reports(report, tmp_path, "eval-gguf-contract")
    assert first.run[0].name == "eval-gguf-contract-abababababab-20261125-101500.json"
    assert first.latest == (tmp_path / "eval-gguf-contract.json", tmp_path / "eval-gguf-contract.md")
    again = write_run_reports({**report, "overall": "FAIL"}, tmp_path, "eval-gguf-contract", baseline=first.latest[0])
    assert again.run[0].name == "eval-gguf-contract-abababababab-20261125-101500-2.json"
    assert again.latest is None and "--baseline" in again.kept_because
    assert json.loads(first.latest[0].read_text())["overall"] == "PASS"
    assert json.loads(first.run[0].read_text())["overall"] == "PASS"


def test_progress_lines_count_time_and_eta():
    from josi.eval.backends import Generation
    from josi.eval.session import ProgressLines, duration

    written = []
    progress = ProgressLines(written.append, total=25)
    for _ in range(25):
        progress.advance([Generation("{}", "length", 3)])
    assert len(written) == 3  # at 10, 20 and the end
    assert written[0].startswith("josi gate: generated 10/25 cases, ") and "ETA" in written[0]
    assert written[-1].startswith("josi gate: generated 25/25 cases, ") and "ETA" not in written[-1]
    assert "25 hit the token limit" in written[-1]
    assert (duration(42), duration(185), duration(3720)) == ("42s", "3m05s", "1h02m")
