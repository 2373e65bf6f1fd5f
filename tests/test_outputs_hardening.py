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
from checker.engine import bounds
from checker.engine.run import RunOptions, run
from checker.model import Category, Finding, RuleResult, Severity, Status
from checker.reporters import renderers

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


# --- bounded output (SPEC §9 "Bounded output") -----------------------------------------------------------

NOISY_PACK = """pack: {name: noisy}
rules:
  - id: TEAM001
    title: No FIXME
    category: reliability
    severity: low
    description: d
    rationale: r
    remediation: m
    check: {type: file_content, files: ["notes.txt"], pattern: "FIXME"}
"""


def _noisy_project(tmp_path: Path, config: str = "") -> tuple[Path, Path]:
    root = tmp_path / "noisy"
    root.mkdir(parents=True)
    (root / "notes.txt").write_text("FIXME\n" * 5000, encoding="utf-8")
    if config:
        (root / "readiness.yaml").write_text(config, encoding="utf-8")
    pack = tmp_path / "noisy.yaml"
    pack.write_text(NOISY_PACK, encoding="utf-8")
    return root, pack


def _only_result(root: Path, pack: Path, rule: str = "TEAM001") -> RuleResult:
    report = run(RunOptions(target=root, extra_packs=(pack,), only=(rule,)))
    (result,) = report.results
    return result


def test_a_rule_with_5000_findings_lists_1000_and_counts_the_rest(tmp_path: Path) -> None:
    result = _only_result(*_noisy_project(tmp_path))
    assert result.status == Status.FAIL and len(result.findings) == bounds.MAX_FINDINGS == 1000
    assert result.message == "5000 findings (4000 more findings not listed: a rule reports at most 1,000)"
    assert [f.line for f in result.findings] == list(range(1, 1001))  # the first ones, in order


def test_a_path_waiver_cannot_waive_findings_that_are_not_listed(tmp_path: Path) -> None:
    waiver = "waivers:\n  - {rule: TEAM001, path: notes.txt, reason: legacy notes, expires: 2999-01-01}\n"
    result = _only_result(*_noisy_project(tmp_path, waiver))
    assert result.status == Status.FAIL and all(f.waived for f in result.findings)  # 4000 are not known to match
    whole = "waivers:\n  - {rule: TEAM001, reason: legacy notes, expires: 2999-01-01}\n"
    assert _only_result(*_noisy_project(tmp_path / "whole", whole)).status == Status.WAIVED


def test_a_baseline_cannot_absorb_findings_that_are_not_listed() -> None:
    from checker.baseline import only_baselined

    listed = tuple(Finding(message="m", path="a", locator=str(i), baselined=True) for i in range(3))
    base = dict(rule_id="TEAM001", title="t", category=Category.RELIABILITY, severity=Severity.LOW, status=Status.FAIL)
    assert only_baselined(RuleResult(**base, message="3 findings", findings=listed))
    cut = bounds.bounded(RuleResult(**base, message="9 findings", findings=listed * 400))
    assert bounds.omitted(cut) == 200 and not only_baselined(cut)


def test_a_megabyte_finding_message_is_cut_to_2000_characters(tmp_path: Path) -> None:
    name = "x" * 1_000_000  # a Deployment named with a megabyte: its label is in every finding's message
    root = tmp_path / "big"
    (root / "k8s").mkdir(parents=True)
    (root / "k8s" / "deployment.yaml").write_text(DEPLOYMENT.replace("name: scorer}", f"name: {name}}}", 1), encoding="utf-8")
    report = run(RunOptions(target=root, only=("REL001",)))
    (result,) = report.results
    (finding,) = result.findings
    assert result.status == Status.FAIL and len(finding.message) == bounds.MAX_MESSAGE_CHARS == 2000
    assert finding.message.startswith("Deployment 'xxxx") and finding.message.endswith("…")
    for render in renderers().values():
        assert len(render(report)) < 100_000  # each format holds the cut message a few times at most


def test_bounding_is_idempotent_and_keeps_short_results_as_they_are() -> None:
    base = dict(rule_id="TEAM001", title="t", category=Category.RELIABILITY, severity=Severity.LOW, status=Status.FAIL)
    short = RuleResult(**base, message="1 finding", findings=(Finding(message="short", locator="l"),))
    assert bounds.bounded(short) is short
    long = RuleResult(**base, message="m" * 5000, findings=(Finding(message="f" * 5000, locator="l" * 5000),) * 1500)
    once = bounds.bounded(long)
    assert bounds.bounded(once) == once and len(once.message) == 2000 and bounds.omitted(once) == 500
    assert len(once.findings[0].locator or "") == bounds.MAX_LOCATOR_CHARS


@pytest.mark.parametrize("template", ["{subject:>300000000}", "{subject.__class__}", "{subject[0]}", "{subject!r}"])
def test_a_padding_or_attribute_template_is_a_pack_error_and_no_report_is_written(
    project: Path, template: str
) -> None:
    pack = project / "padded.yaml"
    pack.write_text(NOISY_PACK.replace('check: {type: file_content, files: ["notes.txt"], pattern: "FIXME"}', (
        "check: {type: kubernetes, scope: workloads, assert: {path: $min_replicas, op: '>=', value: 2},"
        f" message: '{template} has one replica'}}")), encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["check", "proj", "--rules", str(pack), "--output-dir", "reports"])
    assert result.exit_code == 2
    assert result.stderr.startswith("padded.yaml:10:") and f"rules[0].check.message: {template}" in result.stderr
    assert not (project / "reports").exists()


LEAD_CAP = r'''
import os
from checker.engine import memory

def allocates(megabytes):
    try:
        bytearray(megabytes * 1024 * 1024)  # zero pages: reserved, never touched
        return True
    except MemoryError:
        return False

with memory.lead_capped(64):
    print("capped" if not allocates(512) else "not capped")
    pid = os.fork()
    if pid == 0:  # what the rule worker does first
        memory.lift()
        os._exit(0 if allocates(512) else 3)
    print("worker", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
print("restored" if allocates(512) else "still capped")
'''


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lead's cap needs Linux's RLIMIT_DATA")
def test_the_lead_is_capped_for_the_run_and_the_worker_is_not() -> None:
    done = subprocess.run([sys.executable, "-c", LEAD_CAP], env={**os.environ, "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=TIMEOUT_S)  # fmt: skip
    assert done.stdout.splitlines() == ["capped", "worker 0", "restored"], done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lead's cap needs Linux's RLIMIT_DATA")
def test_a_lead_that_outgrows_its_budget_is_a_one_line_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.engine import run as engine_run

    (project / "proj" / "readiness.yaml").write_text("limits: {rule_memory_mb: 256}\n", encoding="utf-8")
    build = engine_run.ProjectIndex.build

    def greedy_build(*args: object, **kwargs: object) -> object:
        hoard = bytearray(4 * 1024**3)  # what an input that makes the lead allocate without end amounts to
        return build(*args, **kwargs) if not hoard else None  # type: ignore[arg-type]

    monkeypatch.setattr(engine_run.ProjectIndex, "build", greedy_build)
    result = _check("--output-dir", "reports")
    assert result.exit_code == 2
    assert result.stderr == "error: the run needed more than 256 MB of memory beyond its start (limits.rule_memory_mb)\n"
    assert bytearray(512 * 1024 * 1024)  # the cap ended with the run
