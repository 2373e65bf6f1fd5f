"""Issue 7 §3: a rule that raises, exits the interpreter, hangs (in Python or in C) or exhausts memory is
isolated in a worker process: it is `error` with the reason, the other rules complete, the run ends, and no
process is left behind.

The misbehaving checks (tests/isolation_plugins.py) run in a subprocess with a generous timeout: on a checker
that evaluates rules in a thread, `os._exit` would end the run without a report and the catastrophic regex would
hang it; the timeout turns that into a failure instead of a hung test session.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from report_samples import EXAMPLE, project_copy

from checker.engine.run import RunOptions, run
from checker.reporters import renderer

ROOT = Path(__file__).resolve().parents[1]
HELPER = Path(__file__).resolve().parent / "isolation_plugins.py"
GUARD_S = 120  # far above what the run needs (a few seconds); only there to turn a hang into a failure

CRASHES_AND_HANGS = {  # run with a 1 s budget per rule
    "raise": "internal error: RuntimeError: boom",
    "sys_exit": "internal error: SystemExit: 3",
    "keyboard_interrupt": "internal error: KeyboardInterrupt",
    "os_exit": "the rule's process exited with code 3",
    "sigkill": "the rule's process was killed by signal 9",
    "sleep_forever": "the rule exceeded its time budget of 1 s",
    "catastrophic_regex": "the rule exceeded its time budget of 1 s",
    "spawn_and_hang": "the rule exceeded its time budget of 1 s",
}
MEMORY = {  # run with a generous budget, so that only the memory watch can stop the hog (100 MB cap)
    "memory_hog": "the rule used more than 100 MB of memory",  # allocates 200 MB and holds it
    "memory_spike": "the rule used more than 100 MB of memory",  # allocates 200 MB and returns
}


def _rule(rule_id: str, act: str, note: Path | None = None) -> str:
    extra = f", note: '{note}'" if note else ""
    return (f"  - {{id: {rule_id}, title: {act}, category: reliability, severity: low, description: d,\n"
            f"     rationale: r, remediation: m, check: {{type: misbehave, act: {act}{extra}}}}}\n")  # fmt: skip


def _project(tmp_path: Path, rules: list[str], timeout_s: int) -> tuple[Path, Path]:
    target = tmp_path / "proj"
    target.mkdir()
    (target / "readiness.yaml").write_text(f"limits: {{rule_timeout_s: {timeout_s}, rule_memory_mb: 100}}\n",
                                           encoding="utf-8")  # fmt: skip
    pack = tmp_path / "misbehave.yaml"
    pack.write_text("pack: {name: isolation-test}\nrules:\n" + "".join(rules), encoding="utf-8")
    return target, pack


def _helper(target: Path, pack: Path, *only: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HELPER.parent)])}
    return subprocess.Popen([sys.executable, str(HELPER), str(target), str(pack), *only], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _misbehaving_run(tmp_path: Path, acts: dict[str, str], timeout_s: int) -> None:
    grandchild = tmp_path / "grandchild.pid"
    rules = [_rule("OK000", "pass")]
    for number, act in enumerate(acts, start=1):  # a well-behaved rule after each: it runs in a fresh worker
        rules.append(_rule(f"BAD{number:03}", act, grandchild if act == "spawn_and_hang" else None))
        rules.append(_rule(f"OK{number:03}", "fail" if number % 2 else "pass"))
    target, pack = _project(tmp_path, rules, timeout_s)
    ids = [line.split("id: ")[1].split(",")[0] for line in rules]

    process = _helper(target, pack, *ids)
    stdout, stderr = process.communicate(timeout=GUARD_S)

    assert process.returncode == 0, stderr
    outcome: dict[str, Any] = json.loads(stdout)
    results = outcome["results"]
    for number, (act, reason) in enumerate(acts.items(), start=1):
        assert results[f"BAD{number:03}"] == {"status": "error", "message": reason}, act
        assert results[f"OK{number:03}"]["status"] == ("fail" if number % 2 else "pass")
    assert results["OK000"] == {"status": "pass", "message": "all good"}
    assert outcome["children"] == []  # every worker killed and reaped: no zombie, no orphan
    if grandchild.exists():
        assert not _alive(int(grandchild.read_text(encoding="utf-8")))  # what a worker started went with it


def test_a_rule_that_crashes_or_hangs_is_an_error_with_its_reason_and_the_others_complete(tmp_path: Path) -> None:
    _misbehaving_run(tmp_path, CRASHES_AND_HANGS, timeout_s=1)
    assert (tmp_path / "grandchild.pid").exists()


def test_a_rule_that_exhausts_memory_is_an_error_and_the_others_complete(tmp_path: Path) -> None:
    _misbehaving_run(tmp_path, MEMORY, timeout_s=60)


def test_an_interrupted_run_kills_its_worker(tmp_path: Path) -> None:
    """Ctrl-C (or SIGTERM turned into an exception) in the lead while a rule runs: no orphan worker."""
    note = tmp_path / "worker.pid"
    target, pack = _project(tmp_path, [_rule("HANG001", "note_and_hang", note)], timeout_s=600)
    process = _helper(target, pack)
    try:
        for _ in range(GUARD_S * 10):  # the worker writes its pid once the rule runs
            if note.exists() and note.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        worker = int(note.read_text(encoding="utf-8"))
        assert worker != process.pid  # the rule runs in a process of its own
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=GUARD_S)
    finally:
        process.kill()
    assert "KeyboardInterrupt" in stderr  # the lead stopped as asked ...
    assert not _alive(worker)  # ... after killing its worker


def _json_report(target: Path, isolate: bool) -> str:
    report = run(RunOptions(target=target, isolate=isolate, skip=("data_compatibility",)))
    return renderer("json")(report)


def test_isolated_and_in_process_evaluation_write_identical_reports(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    target = project_copy(EXAMPLE, tmp_path)
    (target / "k8s" / "broken.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nspec: [unclosed\n", encoding="utf-8")

    isolated, in_process = _json_report(target, isolate=True), _json_report(target, isolate=False)

    assert isolated == in_process
    assert '"status": "error"' in isolated and "k8s/broken.yaml" in isolated  # attribution crossed the pipe


def test_the_worker_is_not_stopped_by_a_terminal_with_tostop(tmp_path: Path) -> None:
    """The worker has a process group of its own, so on a terminal set to `stty tostop` its writes (the dataset
    progress bar) would stop it with SIGTTOU, and the run would wait out the rule's budget."""
    import pty
    import select
    import termios

    target = project_copy(EXAMPLE, tmp_path)
    main_fd, terminal = pty.openpty()
    attrs = termios.tcgetattr(terminal)
    attrs[3] |= termios.TOSTOP
    termios.tcsetattr(terminal, termios.TCSANOW, attrs)

    def own_terminal() -> None:  # a session whose controlling terminal is the pty, as in a shell
        import fcntl

        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "check", str(target), "--only", "DAT002", "--no-cache", "--format", "json",
         "--output-dir", str(tmp_path / "out")],
        stdin=terminal, stdout=terminal, stderr=terminal, preexec_fn=own_terminal, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    os.close(terminal)
    deadline = time.monotonic() + GUARD_S
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([main_fd], [], [], 0.2)[0]:
                with contextlib.suppress(OSError):
                    os.read(main_fd, 65536)  # keep the terminal drained
    finally:
        os.close(main_fd)
        if proc.poll() is None:
            proc.kill()
    assert proc.wait() == 0
    assert json.loads((tmp_path / "out" / "readiness.json").read_text(encoding="utf-8"))["results"][0]["status"] == "pass"
