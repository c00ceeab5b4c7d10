"""`josi ask`: every bad input is one line naming the file, field or flag (exit 2); the answer is checked in full.

No test here generates with a real model: a bad model file fails before any generation, and the
answer path runs on a ScriptedBackend.
"""
import json
import os
from pathlib import Path

import pytest

from josi.cli import main
from josi.core.facts import facts
from josi.core.gguf import GGUFError
from josi.core.io import is_user_error
from josi.core.models import embedded_gguf

ANSWER = {"intent": "question", "response_type": "QuestionAnswer", "message": "Easy aerobic work today.",
          "source_cards": ["zone_physiology"], "guardrail_triggered": False, "guardrail_reason": None, "replan_request": None}


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ---- a model file that will not load ---------------------------------------------------------

def truncated(path: Path) -> None:
    with open(embedded_gguf(), "rb") as source:
        path.write_bytes(source.read(1_000_000))


def no_tensors(path: Path) -> None:
    """A well-formed GGUF header for a llama model with no hyperparameters or tensors: llama.cpp refuses it."""
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


BAD_GGUFS = {
    "truncated": (truncated, "not a valid GGUF (ValueError"),
    "random-bytes": (lambda p: p.write_bytes(os.urandom(4096)), "not a valid GGUF (ValueError: GGUF magic invalid)"),
    "text": (lambda p: p.write_text("this is not a model\n"), "not a valid GGUF (ValueError: GGUF magic invalid)"),
    "empty": (lambda p: p.write_bytes(b""), "not a valid GGUF (ValueError"),
    "llama-refuses": (no_tensors, "llama.cpp cannot load it (llama_model_load: error loading model"),
}


@pytest.mark.parametrize("kind", sorted(BAD_GGUFS))
def test_bad_gguf_is_one_user_error_naming_the_file(kind, tmp_path, capsys):
    from josi.eval.backends import LlamaCppBackend

    make, problem = BAD_GGUFS[kind]
    path = tmp_path / f"{kind}.gguf"
    make(path)
    with pytest.raises(GGUFError) as caught:  # what the gate's plugin relies on
        LlamaCppBackend(path)
    assert is_user_error(caught.value) and str(caught.value).startswith(f"{path}: {problem}")
    capsys.readouterr()
    assert main(["ask", "--model", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"josi ask: error: {path}: {problem}" in err
    assert "Traceback" not in err and len([line for line in err.splitlines() if "error" in line]) == 1
    assert files_in(tmp_path) == {path.name}  # nothing written beside it


def test_missing_gguf_says_which_command_writes_one(tmp_path, capsys):
    missing = tmp_path / "josi-q4_k_m.gguf"
    assert main(["ask", "--model", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"josi ask: error: {missing}: no such GGUF file" in err and "josi export" in err
    assert not missing.exists()


# ---- a model directory that is not there ----------------------------------------------------

@pytest.mark.parametrize("argv", [["ask", "--model", "./nope"], ["export", "--checkpoint", "./nope", "--out", "out"]],
                         ids=["ask", "export"])
def test_missing_local_directory_is_reported_as_missing_not_as_a_hub_id(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"josi {argv[0]}: error: directory ./nope does not exist" in err
    assert "huggingface-cli download" not in err and "Traceback" not in err
    assert files_in(tmp_path) == set()  # no export directory, no manifest


# ---- a bad context ---------------------------------------------------------------------------

def good_context() -> dict:
    from josi.core.context import sample_context

    return sample_context().to_dict()


def session_zone(value):
    data = good_context()
    data["planned_session"]["zone"] = value
    return json.dumps(data, indent=1)


BAD_CONTEXTS = {
    # name -> (file text, what the message says after the path)
    "bad-json": ('{"persona": "balanced",\n "readiness": {"level": "green"\n "profile": {}}\n',
                 ":3: invalid JSON (Expecting ',' delimiter at column 2)"),
    "not-an-object": ("[1, 2]\n", ":1: expected a ChatContext JSON object, got list"),
    "zone": (session_zone("Z99"), ": planned_session/zone: 'Z99' is not one of ["),
    "session-type": (json.dumps({**good_context(), "planned_session": 5}),
                     ": planned_session: 5 is not of type 'null' or 'object'"),
    "readiness": (json.dumps({**good_context(), "readiness": {"level": "purple", "state": "recovered", "confidence": 0.5}}),
                  ": readiness/level: 'purple' is not one of ['green', 'amber', 'red']"),
}


@pytest.mark.parametrize("name", sorted(BAD_CONTEXTS))
def test_bad_context_file_names_the_file_and_the_line_or_field(name, tmp_path, capsys, monkeypatch):
    import josi.eval.backends

    monkeypatch.setattr(josi.eval.backends, "backend_for_model", lambda *a, **k: pytest.fail("model loaded for a bad context"))
    text, problem = BAD_CONTEXTS[name]
    path = tmp_path / "ctx.json"
    path.write_text(text)
    assert main(["ask", "--context", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"josi ask: error: {path}{problem}" in err, err
    assert "Traceback" not in err and files_in(tmp_path) == {"ctx.json"}


def test_missing_context_file(tmp_path, capsys):
    assert main(["ask", "--context", str(tmp_path / "nope.json")]) == 2
    assert f"{tmp_path / 'nope.json'}" in capsys.readouterr().err


@pytest.mark.parametrize("flags, field", [
    (["--zone", "Z99"], "planned_session/zone (from --zone): 'Z99' is not one of ['R', 'Z1'"),
    (["--minutes", "-5"], "planned_session/duration_min (from --minutes): -5 is less than the minimum of 1"),
    (["--minutes", "601"], "planned_session/duration_min (from --minutes): 601 is greater than the maximum of 600"),
])
def test_bad_flag_names_the_field_not_the_whole_session(flags, field, capsys):
    assert main(["ask", *flags]) == 2
    err = capsys.readouterr().err
    assert f"josi ask: error: {field}" in err
    assert "is not valid under any of the given schemas" not in err


@pytest.mark.parametrize("flag, value, choices", [
    ("--readiness", "purple", lambda f: f.readiness), ("--persona", "pirate", lambda f: f.personas),
])
def test_persona_and_readiness_are_choices_from_the_cards(flag, value, choices, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["ask", flag, value])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    named = ", ".join(repr(c) for c in choices(facts()))
    assert f"argument {flag}: invalid choice: '{value}' (choose from {named})" in err
    assert "state" not in err  # nothing about a readiness state the user never set


@pytest.mark.parametrize("threads", ["0", "-1", "two"])
def test_threads_must_be_a_positive_number(threads, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["ask", "--threads", threads])
    assert caught.value.code == 2 and "argument --threads" in capsys.readouterr().err


# ---- the answer path, on a scripted model ---------------------------------------------------

@pytest.fixture
def scripted(monkeypatch, tmp_path):
    """Replace model loading with a ScriptedBackend answering `answer`; records the loading arguments.
    A stand-in release GGUF exists, so the default `--model release` resolves."""
    import josi.core.paths
    import josi.eval.backends
    from josi.eval.backends import ScriptedBackend

    shipped = tmp_path / "release" / "josi-q4_k_m.gguf"
    shipped.parent.mkdir()
    shipped.write_bytes(b"stand-in")
    monkeypatch.setattr(josi.core.paths, "SHIPPED_GGUF", shipped)

    loaded = {}

    def fake(model, grammar=True, threads=2):
        loaded.update(model=model, grammar=grammar, threads=threads)
        return ScriptedBackend(default=loaded["answer"])

    loaded["answer"] = json.dumps(ANSWER)
    monkeypatch.setattr(josi.eval.backends, "backend_for_model", fake)
    return loaded


def test_every_violation_is_reported_schema_and_cross_field(scripted, capsys):
    answer = {**ANSWER, "source_cards": ["zone_physiology", "zone_physiology"], "replan_request":
              {"type": "travel", "reason": "away", "readiness_at_request": "red"}}
    scripted["answer"] = json.dumps(answer)
    assert main(["ask", "--readiness", "green"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out) == answer  # stdout is the answer alone
    assert "contract violation: SCHEMA_INVALID: source_cards:" in err
    assert "contract violation: REPLAN_REQUEST_WITHOUT_REPLAN:" in err
    assert "contract violation: REPLAN_READINESS_MISMATCH: readiness_at_request red differs from today's green" in err


def test_the_default_is_the_release_and_base_is_the_untrained_model(scripted, capsys, monkeypatch, tmp_path):
    import josi.core.paths

    shipped = tmp_path / "josi-q4_k_m.gguf"
    monkeypatch.setattr(josi.core.paths, "SHIPPED_GGUF", shipped)
    assert main(["ask"]) == 2  # no release built yet: one line saying how to build it
    err = capsys.readouterr().err
    assert "is not built yet: run `josi release build`" in err and "--model base" in err and "Traceback" not in err

    assert main(["ask", "--model", "base", "--threads", "3"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == ANSWER
    assert "note: smollm2-135m is the untrained base model" in err and "--model release" in err
    assert scripted["threads"] == 3 and scripted["model"] == "smollm2-135m"
    assert "loading smollm2-135m (3 threads) ..." in err and "generating the answer: done in" in err  # progress

    shipped.write_bytes(b"built")  # once the release is built, it answers by default, with no base-model note
    assert main(["ask"]) == 0
    assert scripted["model"] == str(shipped) and "untrained" not in capsys.readouterr().err


def test_no_base_model_note_for_a_trained_artifact(scripted, capsys, tmp_path):
    trained = tmp_path / "josi-q4_k_m.gguf"
    trained.write_bytes(b"stand-in")
    assert main(["ask", "--model", str(trained)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == ANSWER and "untrained" not in err
    assert scripted["threads"] == 2  # the default


def test_building_the_cli_does_not_read_the_cards(monkeypatch):
    """A broken card must not stop `josi knowledge check` (or `josi --help`) from running: the choices are lazy."""
    import josi.core.facts
    from josi.cli import build_parser

    def broken():
        raise AssertionError("cards read while building the parser")

    monkeypatch.setattr(josi.core.facts, "facts", broken)
    args = build_parser().parse_args(["knowledge", "check"])
    assert args.command == "knowledge"
