"""Every subcommand has --help, and user errors print one line instead of a traceback."""
import subprocess
import sys

import pytest

from josi.cli import available_commands, main


@pytest.mark.parametrize("command", sorted(available_commands()))
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: josi " + command in capsys.readouterr().out


def test_malformed_card_is_a_clean_error(tmp_path):
    (tmp_path / "broken.md").write_text("no front matter\n")
    result = subprocess.run([sys.executable, "-m", "josi.cli", "knowledge", "check", "--cards", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert f"{tmp_path / 'broken.md'}:1:" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_traceback_of_a_user_error(tmp_path, how):
    (tmp_path / "broken.md").write_text("no front matter\n")
    argv = [sys.executable, "-m", "josi.cli", *(["--debug"] if how == "flag" else []), "knowledge", "check", "--cards", str(tmp_path)]
    env = {**__import__("os").environ, **({"JOSI_DEBUG": "1"} if how == "env" else {})}
    result = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "CardError" in result.stderr
