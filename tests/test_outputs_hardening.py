"""Report files under stress: signals, unwritable outputs and concurrent writers (issue 7, SPEC §6 and §9).

The previous set of reports must survive anything that stops a run, a run must never leave a half-new set or a
temporary file, and two runs writing one folder must take turns. Signals are sent to a real `python -m checker`
process once a marker file says it reached the phase under test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from checker import output
from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("--format", "markdown", "--format", "json")  # markdown first: it would be renamed before json
TIMEOUT_S = 120  # a safeguard against a hung child, not a timing assertion

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer}
spec:
  replicas: 1
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec: {containers: [{name: scorer, image: scorer:1.0.0}]}
"""
SLOW_PACK = """pack: {name: slow-test}
rules:
  - {id: SLOW001, title: Waits, category: reliability, severity: low, description: d, rationale: r,
     remediation: m, check: {type: wait_for_signal}}
"""
# Runs the real command line with one phase made to wait for the test's signal (or to send one itself).
WRAPPER = r'''
import os, signal, sys, time
from pathlib import Path

marker = Path(os.environ["READINESS_TEST_MARKER"])
phase = os.environ["READINESS_TEST_PHASE"]

def wait_for_signal(*_args):
    marker.write_text(phase)
    while True:  # until the test's signal ends the run
        time.sleep(0.05)

if phase == "rules":  # a check type that never finishes on its own
    from checker.checks import builtin, registry as registry_module
    from checker.checks.base import Params
    from checker.checks.registry import Registry, check_type

    class WaitParams(Params):
        pass

    registry = Registry()
    builtin.register_all(registry)
    check_type(registry, "wait_for_signal", WaitParams, "waits for the test's signal")(wait_for_signal)
    registry_module._default = registry
elif phase == "write":  # every temporary file written, nothing renamed yet
    from checker import output
    output._commit = wait_for_signal
elif phase == "rename":  # the first report renamed, then a SIGINT arrives before the others
    real_replace, renamed = os.replace, []

    def replace_then_interrupt(src, dst, **at):
        real_replace(src, dst, **at)
        renamed.append(dst)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # delivered before kill() returns
            time.sleep(0.5)  # a handler that raises would end the renames here

    os.replace = replace_then_interrupt

from checker.cli import main
main()
'''


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`proj/` with one manifest and a rule pack with a never-ending rule; the working directory is its parent."""
    (tmp_path / "proj" / "k8s").mkdir(parents=True)
    (tmp_path / "proj" / "k8s" / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    (tmp_path / "slow.yaml").write_text(SLOW_PACK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "proj", "--only", "REL001", "--no-cache", *FORMATS, *args])


def _previous_reports(folder: Path) -> dict[str, bytes]:
    """A previous report set in `folder` (from a real run), as bytes."""
    result = _check("--output-dir", str(folder))
    assert result.exit_code == 1, result.output
    return _snapshot(folder)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _temporary_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- unwritable outputs --------------------------------------------------------------------------------------


def test_output_dir_under_a_device_is_a_one_line_error(project: Path) -> None:
    result = _check("--output-dir", "/dev/full/x")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write report /dev/full/x/readiness.md: Not a directory\n"


def test_output_dir_whose_parent_is_a_file_is_a_one_line_error(project: Path) -> None:
    (project / "afile").write_text("not a folder\n", encoding="utf-8")
    result = _check("--output-dir", "afile/reports")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write report afile/reports/readiness.md: Not a directory\n"
    assert (project / "afile").read_text(encoding="utf-8") == "not a folder\n"


def test_a_directory_in_the_way_leaves_every_previous_report_unchanged(project: Path) -> None:
    out = project / "reports"
    before = _previous_reports(out)
    (out / "readiness.json").unlink()
    (out / "readiness.json").mkdir()  # a folder where the JSON report goes
    result = _check("--output-dir", "reports")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write report reports/readiness.json: a directory is in the way\n"
    assert _snapshot(out) == {"readiness.md": before["readiness.md"]}  # not renamed before the failure
    assert _temporary_files(out) == []


def test_a_full_disk_leaves_every_previous_report_unchanged(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project / "reports"
    before = _previous_reports(out)
    create_temp = output._create_temp

    def on_full_disk(*args: object) -> tuple[int, str]:
        fd, name = create_temp(*args)  # the temporary file exists, but every write to it fails with ENOSPC
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, fd)
        os.close(full)
        return fd, name

    monkeypatch.setattr(output, "_create_temp", on_full_disk)
    result = _check("--output-dir", "reports")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write report reports/readiness.md: No space left on device\n"
    assert _snapshot(out) == before
    assert _temporary_files(out) == []


# --- signals ---------------------------------------------------------------------------------------------------


def _start(project: Path, phase: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "READINESS_TEST_MARKER": str(project / "marker"),
           "READINESS_TEST_PHASE": phase}  # fmt: skip
    command = [sys.executable, "-c", WRAPPER, "check", "proj", "--no-cache", "--output-dir", "reports", *FORMATS, *args]
    return subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_marker(process: subprocess.Popen[str], marker: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the run never reached the phase under test: {process.communicate()}")
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("phase", "signum", "code", "message"),
    [
        ("rules", signal.SIGINT, 130, "readiness: interrupted (SIGINT)\n"),
        ("rules", signal.SIGTERM, 143, "readiness: terminated (SIGTERM)\n"),
        ("write", signal.SIGINT, 130, "readiness: interrupted (SIGINT)\n"),
        ("write", signal.SIGTERM, 143, "readiness: terminated (SIGTERM)\n"),
    ],
)
def test_a_signal_leaves_the_previous_reports_and_no_temporary_file(
    project: Path, phase: str, signum: int, code: int, message: str
) -> None:  # fmt: skip
    out = project / "reports"
    before = _previous_reports(out)
    extra = ("--rules", "slow.yaml", "--only", "SLOW001") if phase == "rules" else ("--only", "REL001")
    process = _start(project, phase, *extra)
    _wait_for_marker(process, project / "marker")
    if phase == "write":
        assert len(_temporary_files(out)) == 2  # the new reports are on disk, not yet renamed
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    assert (process.returncode, stderr) == (code, message)
    assert "Traceback" not in stdout
    assert _snapshot(out) == before
    assert _temporary_files(out) == []


def test_a_signal_during_the_renames_is_delivered_after_the_whole_set(project: Path) -> None:
    out = project / "reports"
    before = _previous_reports(out)
    (project / "proj" / "k8s" / "deployment.yaml").write_text(DEPLOYMENT.replace("replicas: 1", "replicas: 3"))
    process = _start(project, "rename", "--only", "REL001")
    stdout, stderr = process.communicate(timeout=TIMEOUT_S)
    assert (process.returncode, stderr) == (130, "readiness: interrupted (SIGINT)\n")
    after = _snapshot(out)
    assert sorted(after) == sorted(before) and _temporary_files(out) == []
    assert all(after[name] != before[name] for name in before)  # both renamed: the new set, not half of it
    assert b'"verdict": "ready"' in after["readiness.json"]


# --- concurrent writers ----------------------------------------------------------------------------------------

WRITER = r'''
import sys, time
from pathlib import Path
from checker.output import write_reports

folder, tag, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
names = [f"report{i:02}.txt" for i in range(24)]
while not go.exists():  # both writers start together
    pass
for round_ in range(15):
    write_reports(folder, {name: f"{tag} round {round_}\n" for name in names})
'''


def test_concurrent_runs_writing_one_folder_never_interleave(tmp_path: Path) -> None:
    folder, go = tmp_path / "reports", tmp_path / "go"
    folder.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), tag, str(go)], env=env)
               for tag in ("run-a", "run-b")]  # fmt: skip
    go.touch()
    seen_during_writes = 0
    while any(w.poll() is None for w in writers):
        with output.folder_lock(folder):  # what a reader holding the lock sees is always one run's whole set
            contents = {p.read_text() for p in folder.iterdir() if not p.name.endswith(".tmp")}
            writing = all(w.poll() is None for w in writers)
        assert len(contents) <= 1, sorted(contents)
        seen_during_writes += bool(contents) and writing
    assert [w.wait(timeout=TIMEOUT_S) for w in writers] == [0, 0]
    final = {p.name: p.read_text() for p in folder.iterdir()}
    assert len(final) == 24 and len(set(final.values())) == 1  # one run's set, nothing else left in the folder
    assert seen_during_writes > 0  # the reader did look while both runs were writing
