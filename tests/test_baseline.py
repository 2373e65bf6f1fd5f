"""Baselines: known findings do not fail the gate; new ones do, counted with multiplicity, whatever the line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from report_samples import FIXED_NOW

from checker import baseline
from checker.cli import main
from checker.engine.run import RunOptions, run
from checker.model import Category, Finding, RuleResult, Severity, Status, fingerprint

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: app
          image: registry.example.com/{name}:1.0.0
"""


def _result(*findings: Finding) -> RuleResult:
    return RuleResult(rule_id="REL002", title="t", category=Category.RELIABILITY, severity=Severity.HIGH,
                      status=Status.FAIL, message="m", findings=findings)  # fmt: skip


def _finding(locator: str, line: int) -> Finding:
    return Finding(message="no readinessProbe", path="k8s/app.yaml", line=line, locator=locator)


def test_one_baselined_finding_never_hides_a_second_identical_one() -> None:
    known = Counter({fingerprint("REL002", _finding("Deployment/app:app", 1)): 1})
    (marked,) = baseline.apply([_result(_finding("Deployment/app:app", 10), _finding("Deployment/app:app", 30))], known)
    assert [f.baselined for f in marked.findings] == [True, False]
    assert not baseline.only_baselined(marked)
    assert baseline.gate_view(marked).status == Status.FAIL


def test_baseline_survives_line_shifts_but_not_a_new_locator() -> None:
    known = Counter({fingerprint("REL002", _finding("Deployment/app:app", 5)): 1})
    (moved,) = baseline.apply([_result(_finding("Deployment/app:app", 50))], known)
    assert moved.findings[0].baselined and baseline.gate_view(moved).status == Status.PASS
    (other,) = baseline.apply([_result(_finding("Deployment/other:app", 5))], known)
    assert not other.findings[0].baselined


def _write_project(root: Path, names: list[str]) -> None:
    (root / "k8s").mkdir(parents=True, exist_ok=True)
    for name in names:
        (root / "k8s" / f"{name}.yaml").write_text(DEPLOYMENT.format(name=name), encoding="utf-8")


def _run(root: Path, previous: Path | None = None):
    return run(RunOptions(target=root, only=("REL002",), clock=lambda: FIXED_NOW, baseline=previous))


def test_gate_fails_only_on_findings_not_in_the_baseline(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _write_project(project, ["api"])
    first = _run(project)
    assert first.verdict == "not_ready"
    previous = tmp_path / "previous.json"
    previous.write_text(first.model_dump_json(), encoding="utf-8")

    # Unrelated lines above the finding: same fingerprint, still baselined, gate passes.
    text = (project / "k8s" / "api.yaml").read_text(encoding="utf-8")
    (project / "k8s" / "api.yaml").write_text("# a comment\n# another\n" + text, encoding="utf-8")
    again = _run(project, previous)
    (result,) = again.results
    assert result.status == Status.FAIL and result.findings[0].baselined and result.findings[0].line == 13
    assert again.verdict == "ready"

    _write_project(project, ["api", "batch"])
    regressed = _run(project, previous)
    (result,) = regressed.results
    assert [(f.path, f.baselined) for f in result.findings] == [("k8s/api.yaml", True), ("k8s/batch.yaml", False)]
    assert regressed.verdict == "not_ready"
    assert regressed.verdict_reasons == ("REL002 (high) failed: Containers have a readiness probe",)


def test_findings_waived_in_the_previous_run_are_not_baselined(tmp_path: Path) -> None:
    previous = tmp_path / "previous.json"
    finding = {"message": "no readinessProbe", "path": "k8s/app.yaml", "locator": "Deployment/app:app", "waived": True}
    previous.write_text(json.dumps({"results": [{"rule_id": "REL002", "status": "waived", "findings": [finding]}]}))
    assert baseline.fingerprints(baseline.load_report(previous)) == Counter()


def test_an_unusable_baseline_is_a_usage_error(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _write_project(project, ["api"])
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    outcome = CliRunner().invoke(main, ["check", str(project), "--baseline", str(bad), "--format", "json",
                                        "--output-dir", str(tmp_path / "out"), "--no-cache"])  # fmt: skip
    assert outcome.exit_code == 2
    assert outcome.output.startswith(f"error: {bad}: not a readiness.json report: Expecting property name")


def test_cli_baseline_turns_a_known_failure_into_a_pass(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _write_project(project, ["api"])
    out = tmp_path / "out"
    args = ["check", str(project), "--only", "REL002", "--format", "json", "--format", "sarif", "--output-dir", str(out),
            "--no-cache"]  # fmt: skip
    assert CliRunner().invoke(main, args).exit_code == 1
    (tmp_path / "previous.json").write_bytes((out / "readiness.json").read_bytes())
    outcome = CliRunner().invoke(main, [*args, "--baseline", str(tmp_path / "previous.json")])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "ready" and report["results"][0]["findings"][0]["baselined"] is True
    sarif = json.loads((out / "readiness.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"][0]["baselineState"] == "unchanged"


def test_a_baseline_nested_beyond_reading_is_a_usage_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--baseline", str(deep), "--output-dir", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{deep}: not a readiness.json report: nested too deeply" in result.output
