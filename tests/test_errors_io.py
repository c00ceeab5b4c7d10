"""Bad inputs and bad outputs of `josi gold`, `josi data build`, `josi train`, `josi merge` and `josi export`:
each gives exit code 2 and one message naming the file (and the line and field where there is one),
no traceback, and leaves nothing half-written: the previous output intact, no temp files behind.

Tests run as root, where a chmod-ed directory still takes writes; an unwritable --out is a path that is
an existing file, a path under a file (NotADirectoryError), or a path under /proc.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from josi.cli import main
from josi.core.io import InputError, OutputError, check_output_dir

REPO = Path(__file__).resolve().parents[1]
TINY = "160"
DATASET_FILES = ("train.jsonl", "val.jsonl", "test.jsonl", "manifest.json")


def cli(capsys, *argv: str) -> tuple[int, str]:
    """Exit code and stderr of `josi ARGV`; a user error is never a traceback."""
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def error_line(err: str, command: str) -> str:
    """The one error line the command printed (it must be there, once)."""
    lines = [line for line in err.splitlines() if line.startswith(f"josi {command}: error: ")]
    assert len(lines) == 1, err
    return lines[0]


def old_dataset(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    for name in DATASET_FILES:
        (out / name).write_text(f"old {name}\n")
    return out


def assert_dataset_untouched(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == sorted(DATASET_FILES)
    for name in DATASET_FILES:
        assert (out / name).read_text() == f"old {name}\n"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == [], "no temp files left behind"


# ------------------------------------------------------------------------------ records and rows

def gold_record(**overrides) -> dict:
    record = {
        "id": "zone_explanation-balanced-901", "category": "zone_explanation",
        "context": {"persona": "balanced", "readiness": {"level": "green", "state": "productive", "confidence": 0.8},
                    "profile": {"sport": "running", "level": "intermediate", "name": "Sam", "age": 34, "goal": "10k"},
                    "planned_session": None, "history": []},
        "user": "What is zone 2 for?",
        "answer": {"intent": "question", "response_type": "ExplainZone",
                   "message": "Good question! Zone 2 builds your endurance base so you can keep going longer with "
                              "less effort. Keep it conversational the whole time.",
                   "source_cards": ["zone_physiology"], "guardrail_triggered": False, "guardrail_reason": None,
                   "replan_request": None},
    }
    record.update(overrides)
    return record


def with_answer(**fields) -> dict:
    return {"answer": {**gold_record()["answer"], **fields}}


def gold_dir(tmp_path: Path, second_line: bytes) -> tuple[Path, Path]:
    """A gold directory whose file holds one good record, then `second_line` (line 2)."""
    folder = tmp_path / "gold"
    folder.mkdir()
    path = folder / "zone_explanation.jsonl"
    path.write_bytes(json.dumps(gold_record()).encode() + b"\n" + second_line)
    return folder, path


def train_row() -> dict:
    from josi.core.context import sample_context
    from josi.data.rows import make_row

    return make_row(sample_context(), "What is zone 2 for?", gold_record()["answer"], id="row-1", task="zone_explanation",
                    expect="answer", source="fixture", family="zone_explanation/fixture")


def dataset_dir(tmp_path: Path, second_line: bytes) -> tuple[Path, Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    line = json.dumps(train_row()).encode() + b"\n"
    (folder / "train.jsonl").write_bytes(line + second_line)
    (folder / "val.jsonl").write_bytes(line)
    return folder, folder / "train.jsonl"


# ------------------------------------------------------------------- 1. field types of a gold line

GOLD_TYPE_CASES = [
    pytest.param({"user": 123}, "user must be a string, got integer 123", id="user"),
    pytest.param({"id": 7}, "id must be a string, got integer 7", id="id"),
    pytest.param({"category": ["x"]}, 'category must be a string, got list ["x"]', id="category"),
    pytest.param({"context": "balanced"}, 'context must be an object, got string "balanced"', id="context"),
    pytest.param({"answer": "Zone 2 is easy."}, 'answer must be an object, got string "Zone 2 is easy."', id="answer"),
    pytest.param(with_answer(message=5), "answer.message must be a string, got integer 5", id="answer.message"),
    pytest.param(with_answer(source_cards=["zone_physiology", 3]), "answer.source_cards[1] must be a string, got integer 3",
                 id="answer.source_cards"),
    pytest.param(with_answer(guardrail_triggered="no"), 'answer.guardrail_triggered must be true or false, got string "no"',
                 id="answer.guardrail_triggered"),
    pytest.param(with_answer(guardrail_reason=1), "answer.guardrail_reason must be a string or null, got integer 1",
                 id="answer.guardrail_reason"),
    pytest.param(with_answer(replan_request={"type": 1, "reason": "cold", "readiness_at_request": "green"}),
                 "answer.replan_request.type must be a string, got integer 1", id="answer.replan_request.type"),
]


@pytest.mark.parametrize("overrides, problem", GOLD_TYPE_CASES)
def test_gold_check_names_the_field_of_the_wrong_type(tmp_path, capsys, overrides, problem):
    folder, path = gold_dir(tmp_path, json.dumps(gold_record(**{"id": "zone_explanation-balanced-902", **overrides})).encode()
                            + b"\n")
    code, err = cli(capsys, "gold", "check", "--dir", str(folder))
    assert code == 2
    assert error_line(err, "gold") == f"josi gold: error: {path}:2: {problem}"


@pytest.mark.parametrize("overrides, problem", GOLD_TYPE_CASES[:1] + GOLD_TYPE_CASES[5:6])
def test_data_build_names_the_gold_field_of_the_wrong_type_and_keeps_the_old_output(tmp_path, capsys, overrides, problem):
    folder, path = gold_dir(tmp_path, json.dumps(gold_record(**{"id": "zone_explanation-balanced-902", **overrides})).encode() + b"\n")
    out = old_dataset(tmp_path)
    code, err = cli(capsys, "data", "build", "--gold", str(folder), "--out", str(out), "--size", TINY)
    assert code == 2
    assert error_line(err, "data") == f"josi data: error: {path}:2: {problem}"
    assert_dataset_untouched(out)


@pytest.mark.parametrize("overrides, problem", [
    ({"user": 5}, "user must be a string, got integer 5"),
    ({"id": 5}, "id must be a string, got integer 5"),
    ({"expect": 1}, "expect must be a string, got integer 1"),
    ({"category": None}, "category must be a string, got null"),
    ({"tags": ["i6", 2]}, "tags[1] must be a string, got integer 2"),
    ({"context": []}, "context must be an object, got list []"),
])
def test_a_case_file_line_of_the_wrong_type_names_file_line_and_field(tmp_path, overrides, problem):
    from josi.eval.cases import load_case_files

    case = {"id": "case-1", "expect": "answer", "context": gold_record()["context"], "user": "What is zone 2 for?",
            "category": "zone_explanation", "tags": ["z2"]}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(case) + "\n" + json.dumps({**case, "id": "case-2", **overrides}) + "\n")
    with pytest.raises(InputError) as caught:
        load_case_files(tmp_path)
    assert (caught.value.path, caught.value.line) == (path, 2)
    assert str(caught.value) == f"{path}:2: {problem}"


# ------------------------------------------------------------------------------- 2. not UTF-8 text

BAD_UTF8 = b'{"user": "caf\xe9"}\n'  # Latin-1, as a spreadsheet export writes it


def test_train_names_the_line_that_is_not_utf8_and_writes_no_run(tmp_path, capsys):
    data, path = dataset_dir(tmp_path, BAD_UTF8)
    run = tmp_path / "run"
    code, err = cli(capsys, "train", "--data", str(data), "--out", str(run), "--tracking", "none", "--budget", "smoke")
    assert code == 2
    line = error_line(err, "train")
    assert line.startswith(f"josi train: error: {path}:2: not UTF-8 text (invalid byte 0xe9 at byte 14 of this line)")
    assert not run.exists()


@pytest.mark.parametrize("command", ["gold check", "data build"])
def test_gold_that_is_not_utf8_names_file_and_line(tmp_path, capsys, command):
    folder, path = gold_dir(tmp_path, BAD_UTF8)
    out = old_dataset(tmp_path)
    argv = ["gold", "check", "--dir", str(folder)] if command == "gold check" else \
        ["data", "build", "--gold", str(folder), "--out", str(out), "--size", TINY]
    code, err = cli(capsys, *argv)
    assert code == 2
    assert f"{path}:2: not UTF-8 text" in error_line(err, argv[0])
    assert_dataset_untouched(out)


def test_read_json_names_the_line_that_is_not_utf8(tmp_path):
    from josi.core.io import read_json

    path = tmp_path / "bank.json"
    path.write_bytes(b'{\n  "a": "ok",\n  "b": "caf\xe9"\n}\n')
    with pytest.raises(InputError) as caught:
        read_json(path)
    assert (caught.value.line, caught.value.problem.split(" (")[0]) == (3, "not UTF-8 text")
    assert "at byte 12 of this line" in str(caught.value)


# ---------------------------------------------------------------------- 3. + 5. an unwritable --out

def unwritable(tmp_path: Path, kind: str) -> tuple[Path, str]:
    """(an --out no command can write, the reason the error must give)."""
    occupied = tmp_path / "occupied"
    occupied.write_text("precious")
    if kind == "a file":
        return occupied, "it is a file, not a directory"
    if kind == "under a file":
        return occupied / "out", f"{occupied} is a file, not a directory"
    return Path("/proc/josi-out"), "cannot create a file in /proc: it takes no new files"


def command_line(command: str, out: Path, tmp_path: Path) -> list[str]:
    if command == "data build":
        return ["data", "build", "--size", TINY, "--out", str(out)]
    if command == "train":  # the run directory is checked before the base or the data is loaded
        return ["train", "--data", str(tmp_path / "no-data"), "--out", str(out), "--tracking", "none"]
    if command == "export":
        return ["export", "--checkpoint", "smollm2-135m", "--out", str(out)]
    adapter = tmp_path / "adapter"  # merge: only the adapter's presence is checked before --out
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    return ["merge", "--adapter", str(adapter), "--out", str(out)]


@pytest.mark.parametrize("kind", ["a file", "under a file", "under /proc"])
@pytest.mark.parametrize("command", ["data build", "train", "export", "merge"])
def test_an_unwritable_out_fails_before_any_work_and_names_the_out_given(tmp_path, capsys, command, kind):
    out, reason = unwritable(tmp_path, kind)
    argv = command_line(command, out, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, err = cli(capsys, *argv)
    assert code == 2
    name = argv[0]
    assert error_line(err, name) == f"josi {name}: error: {out}: cannot write here ({reason}); pick another --out"
    assert ".tmp-" not in err and ".josi-write-check-" not in err  # the --out given, never a temp path
    assert f"josi {command}" not in err.replace(f"josi {name}: error", "")  # failed before the config table
    assert "inputs:" not in err  # data build: before the cards are even read
    assert (tmp_path / "occupied").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created, no temp file left
    assert not Path("/proc/josi-out").exists()


def test_data_build_refuses_a_directory_of_other_files_before_building(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.tex").write_text("precious")
    code, err = cli(capsys, "data", "build", "--size", TINY, "--out", str(home))
    assert code == 2
    assert error_line(err, "data") == (f"josi data: error: {home}: cannot write here (it holds files that are not a "
                                       "dataset, which replacing it would delete: thesis.tex); pick another --out")
    assert "inputs:" not in err
    assert [p.name for p in home.iterdir()] == ["thesis.tex"] and (home / "thesis.tex").read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["home"]


def test_the_real_cli_exits_2_on_an_unwritable_out(tmp_path):
    occupied = tmp_path / "occupied"
    occupied.write_text("precious")
    result = subprocess.run([sys.executable, "-m", "josi.cli", "data", "build", "--size", TINY, "--out", str(occupied / "out")],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (f"josi data: error: {occupied / 'out'}: cannot write here ({occupied} is a file, "
                                     "not a directory); pick another --out")
    assert [p.name for p in tmp_path.iterdir()] == ["occupied"]


def test_check_output_dir_creates_nothing_and_leaves_nothing(tmp_path):
    new = tmp_path / "a" / "b"
    assert check_output_dir(new) == new and not (tmp_path / "a").exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    assert check_output_dir(existing, replaced=True) == existing
    assert list(existing.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["existing"]
    with pytest.raises(OutputError) as caught:
        check_output_dir(Path("/proc/josi-out"), replaced=True)
    assert caught.value.path == Path("/proc/josi-out")


# ------------------------------------------------------------------- 4. a whole-file error has no line

def test_a_whole_file_error_names_the_file_without_line_0(tmp_path, capsys):
    error = InputError(tmp_path / "x.jsonl", 0, "file not found")
    assert str(error) == f"{tmp_path / 'x.jsonl'}: file not found" and error.line == 0
    assert str(InputError("x.jsonl", 3, "bad")) == "x.jsonl:3: bad"

    empty = tmp_path / "gold"
    empty.mkdir()
    code, err = cli(capsys, "gold", "check", "--dir", str(empty))
    assert code == 2
    assert error_line(err, "gold") == f"josi gold: error: {empty}: no gold records found (*.jsonl)"

    run = tmp_path / "run"
    code, err = cli(capsys, "train", "--data", str(tmp_path / "nowhere"), "--out", str(run), "--tracking", "none")
    assert code == 2
    assert error_line(err, "train").startswith(f"josi train: error: {tmp_path / 'nowhere' / 'train.jsonl'}: file not found: ")
    assert ":0:" not in err and not run.exists()


# ------------------------------------------------------------------------------ 6. no "at at" in JSON errors

@pytest.mark.parametrize("bad, problem", [
    (b'{"id": "abc', "invalid JSON (Unterminated string starting at column 8)"),
    (b"{not json\n", "invalid JSON (Expecting property name enclosed in double quotes at column 2)"),
])
def test_gold_json_error_reads_once_at(tmp_path, capsys, bad, problem):
    folder, path = gold_dir(tmp_path, bad)
    code, err = cli(capsys, "gold", "check", "--dir", str(folder))
    assert code == 2
    assert error_line(err, "gold") == f"josi gold: error: {path}:2: {problem}"
    assert "at at" not in err


def test_train_target_json_error_reads_once_at(tmp_path, capsys):
    row = train_row()
    row["messages"][-1]["content"] = '{"intent": "quest'
    data, path = dataset_dir(tmp_path, json.dumps(row).encode() + b"\n")
    run = tmp_path / "run"
    code, err = cli(capsys, "train", "--data", str(data), "--out", str(run), "--tracking", "none", "--budget", "smoke")
    assert code == 2
    assert error_line(err, "train") == (f"josi train: error: {path}:2: assistant target is not JSON "
                                        "(Unterminated string starting at column 12)")
    assert "at at" not in err and not run.exists()
