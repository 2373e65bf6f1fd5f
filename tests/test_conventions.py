"""Command-line conventions (SPEC §11): colour by NO_COLOR / FORCE_COLOR / --color, one report on standard output
with `--output-dir -`, exit codes and examples in --help, shell completion."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from report_samples import EXAMPLE, FAILING_PROJECT

from checker.cli import main
from checker.colors import use_color

ROOT = Path(__file__).resolve().parents[1]
ESC = "\x1b["
# Colour variables of the test runner's own environment must not decide these tests.
CLEAN = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm"}


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FAILING_PROJECT, tmp_path / "failing-project")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _terminal(*args: str, env: dict[str, str] | None = None) -> Result:
    command = ["check", "failing-project", "--only", "REL001", "--format", "terminal", "--no-cache", *args]
    return CliRunner().invoke(main, command, env={**CLEAN, **(env or {})})


# --- colour ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "tty", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),  # no-color.org: NO_COLOR wins over a terminal
        ("auto", False, {"FORCE_COLOR": "1"}, True),  # force-color.org: colour in a CI log without a TTY
        ("auto", False, {"FORCE_COLOR": "0"}, True),  # "regardless of its value"
        ("auto", True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # empty is unset, for both
        ("auto", False, {"FORCE_COLOR": ""}, False),
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),  # the command line wins over the environment
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_use_color(choice: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    assert use_color(choice, _Stream(tty), {"TERM": "xterm", **env}) is expected


def test_no_colour_without_a_terminal_by_default(failing: Path) -> None:
    result = _terminal()
    assert result.exit_code == 1 and "FAIL" in result.stdout
    assert ESC not in result.stdout


def test_force_color_colours_a_log_without_a_terminal(failing: Path) -> None:
    assert ESC in _terminal(env={"FORCE_COLOR": "1"}).stdout
    assert ESC in _terminal(env={"FORCE_COLOR": "1", "TERM": "dumb"}).stdout  # CI runners often say TERM=dumb
    assert ESC not in _terminal(env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_color_flag_wins_over_the_environment(failing: Path) -> None:
    assert ESC in _terminal("--color", "always", env={"NO_COLOR": "1"}).stdout
    assert ESC not in _terminal("--color", "never", env={"FORCE_COLOR": "1"}).stdout
    assert _terminal("--color", "sometimes").exit_code == 2


def _on_a_terminal(cwd: Path, env: dict[str, str]) -> str:
    """The terminal view of a real process whose standard output is a pseudo-terminal."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "checker", "check", "failing-project", "--only", "REL001", "--format", "terminal",
               "--no-cache"]  # fmt: skip
    process = subprocess.Popen(command, cwd=cwd, stdout=follower, stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(ROOT), **CLEAN, **env})  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 1
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_gets_colour_unless_no_color_is_set(failing: Path) -> None:
    assert ESC in _on_a_terminal(failing, {})
    plain = _on_a_terminal(failing, {"NO_COLOR": "1"})
    assert "FAIL" in plain and ESC not in plain


# --- one report on standard output -------------------------------------------------------------------


def test_output_dir_dash_writes_the_one_report_to_stdout_and_nothing_else(tmp_path: Path) -> None:
    """A real process on the example project, data rules included: standard output is the JSON report alone."""
    shutil.copytree(EXAMPLE, tmp_path / "fraud-scorer", ignore=shutil.ignore_patterns(".readiness-cache"))
    command = [sys.executable, "-m", "checker", "check", "fraud-scorer", "--format", "json", "--output-dir", "-",
               "--no-cache"]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **CLEAN})  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    report = json.loads(done.stdout.decode("utf-8"))
    assert report["verdict"] == "ready" and report["target"] == "fraud-scorer"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fraud-scorer"]  # no `-` folder, no reports/


def test_output_dir_dash_defaults_to_json_and_takes_any_one_file_format(failing: Path) -> None:
    base = ["check", "failing-project", "--only", "REL001", "--no-cache", "--output-dir", "-"]
    alone = CliRunner().invoke(main, base, env=CLEAN)
    assert alone.exit_code == 1
    assert json.loads(alone.stdout)["verdict"] == "not_ready"  # json, and no terminal table
    sarif = CliRunner().invoke(main, [*base, "--format", "sarif"], env=CLEAN)
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    junit = CliRunner().invoke(main, [*base, "--format", "junit"], env=CLEAN)
    assert junit.stdout.startswith("<?xml") and "REL001" in junit.stdout
    quality = CliRunner().invoke(main, [*base, "--format", "codequality"], env=CLEAN)
    assert json.loads(quality.stdout)[0]["check_name"] == "REL001"
    assert sorted(p.name for p in failing.iterdir()) == ["failing-project"]


@pytest.mark.parametrize(
    ("formats", "given"),
    [(["terminal", "json"], "terminal, json"), (["json", "sarif"], "json, sarif"), (["github"], "github")],
)
def test_output_dir_dash_refuses_more_than_one_report(failing: Path, formats: list[str], given: str) -> None:
    args = [arg for name in formats for arg in ("--format", name)]
    result = CliRunner().invoke(main, ["check", "failing-project", "--output-dir", "-", *args], env=CLEAN)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: --output-dir - writes one report to standard output and nothing else: give one --format of "
        f"json, sarif, junit, markdown, html, codequality alone (given: {given})\n"
    )


# --- help and completion -------------------------------------------------------------------------------


def test_help_lists_exit_codes_examples_and_completion() -> None:
    top = CliRunner().invoke(main, ["--help"]).output
    for line in ("Exit codes:", "0    ready: nothing at or above --fail-on failed", "1    not ready",
                 "2    usage or configuration error", "130  interrupted (SIGINT)", "143  terminated (SIGTERM)",
                 "Examples:", "readiness check . --format json --output-dir - > readiness.json",
                 'eval "$(_READINESS_COMPLETE=bash_source readiness)"'):  # fmt: skip
        assert line in top, line
    check = CliRunner().invoke(main, ["check", "--help"]).output
    assert "Exit codes:" in check and "Examples:" in check
    assert "readiness check . --format sarif --output-dir -" in check
    assert "--color [auto|always|never]" in check and "codequality" in check


def test_shell_completion_script_and_candidates() -> None:
    script = CliRunner().invoke(main, [], prog_name="readiness", env={"_READINESS_COMPLETE": "bash_source"})
    assert script.exit_code == 0
    assert "_readiness_completion()" in script.output and "complete -o nosort -F _readiness_completion readiness" in script.output
    env = {"_READINESS_COMPLETE": "bash_complete", "COMP_WORDS": "readiness check --format c", "COMP_CWORD": "3"}
    candidates = CliRunner().invoke(main, [], prog_name="readiness", env=env).output.splitlines()
    assert "plain,codequality" in candidates
    env = {"_READINESS_COMPLETE": "bash_complete", "COMP_WORDS": "readiness check --co", "COMP_CWORD": "2"}
    assert "plain,--color" in CliRunner().invoke(main, [], prog_name="readiness", env=env).output.splitlines()


def test_readme_documents_the_conventions() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for text in ("NO_COLOR", "FORCE_COLOR", "--color auto|always|never", "--output-dir -", "readiness schema --config",
                 "_READINESS_COMPLETE=bash_source readiness", "_READINESS_COMPLETE=zsh_source readiness"):  # fmt: skip
        assert text in readme, text
