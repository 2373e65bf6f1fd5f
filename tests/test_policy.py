"""A trusted policy (`--policy`, SPEC §9): the gate comes from outside the checked tree, the project's config
supplies facts and waivers, and every loosening it tries is a config error at its key unless `project_may:`
allows it. Without a policy, every gate change of the project's config is listed in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import sample_report

from checker.cli import main
from checker.model import GateChange, RunReport
from checker.reporters import renderers

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: scorer}
spec:
  replicas: 1
  selector: {matchLabels: {app: scorer}}
  template:
    metadata: {labels: {app: scorer}}
    spec:
      containers:
        - name: scorer
          image: registry.example.com/ml/scorer:1.4.0
"""

LOOSENING_CONFIG = """\
service: scorer
fail_on: critical
exclude: [k8s/legacy/**]
inline_waivers: true
categories:
  security: {enabled: false}
rules:
  REL001: {enabled: false}
  SEC003: {severity: low}
  DAT006: {params: {max_psi: 5.0}}
limits: {max_file_mb: 64}
"""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "proj"
    (project / "k8s").mkdir(parents=True)
    (project / "k8s" / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(*args: str) -> tuple[int, str, dict | None]:
    result = CliRunner().invoke(main, ["check", "proj", "--output-dir", "out", "--format", "json", "--no-cache",
                                       "--only", "reliability", "--only", "security", *args])  # fmt: skip
    assert "Traceback" not in result.output
    report = Path("out/readiness.json")
    return result.exit_code, result.stderr, json.loads(report.read_text(encoding="utf-8")) if report.exists() else None


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_policy_the_report_lists_every_gate_change(workspace: Path) -> None:
    _write(workspace / "proj" / "readiness.yaml", LOOSENING_CONFIG)
    (workspace / "proj" / "k8s" / "legacy").mkdir()
    _, _, report = _check()
    assert report is not None and report["policy"] is None
    changes = [(c["change"], c["where"], c["weakens"]) for c in report["gate_changes"]]
    assert changes == [
        ("fail_on raised from high to critical", "proj/readiness.yaml:2:1", True),
        ("category security disabled", "proj/readiness.yaml:6:14", True),
        ("REL001 disabled", "proj/readiness.yaml:8:12", True),
        ("SEC003 severity lowered from high to low", "proj/readiness.yaml:9:12", True),
        ("DAT006 parameter max_psi changed from 0.2 to 5.0", "proj/readiness.yaml:10:21", True),
        ("files matching 'k8s/legacy/**' excluded", "proj/readiness.yaml:3:11", True),
        ("limit max_file_mb raised from 8 to 64", "proj/readiness.yaml:11:10", True),
    ]  # inline_waivers: true is the built-in setting: no change


def test_a_config_without_gate_keys_changes_nothing(workspace: Path) -> None:
    _write(workspace / "proj" / "readiness.yaml", "service: scorer\n")
    _, _, report = _check()
    assert report is not None and report["gate_changes"] == []


def test_every_loosening_is_refused_at_its_key(workspace: Path) -> None:
    _write(workspace / "proj" / "readiness.yaml", LOOSENING_CONFIG)
    policy = _write(workspace / "policy.yaml", "inline_waivers: false\n")
    code, stderr, report = _check("--policy", policy.name)
    assert (code, report) == (2, None)
    tail = ": the policy policy.yaml does not let the project config weaken the gate (its `project_may:` would need"
    assert stderr.splitlines() == [
        f"proj/readiness.yaml:2:1: fail_on: fail_on raised from high to critical{tail} 'fail_on')",
        f"proj/readiness.yaml:3:11: exclude[0]: files matching 'k8s/legacy/**' excluded{tail} 'exclude')",
        "proj/readiness.yaml:4:1: inline_waivers: inline waivers (# nosec, pragma: allowlist secret) turned on"
        f"{tail} 'inline_waivers')",
        f"proj/readiness.yaml:6:14: categories.security.enabled: category security disabled{tail} 'categories')",
        f"proj/readiness.yaml:8:12: rules.REL001.enabled: REL001 disabled{tail} 'rules.enabled')",
        f"proj/readiness.yaml:9:12: rules.SEC003.severity: SEC003 severity lowered from high to low{tail} 'rules.severity')",
        f"proj/readiness.yaml:10:21: rules.DAT006.params.max_psi: DAT006 parameter max_psi changed from 0.2 to 5.0"
        f"{tail} 'rules.params')",
        f"proj/readiness.yaml:11:10: limits.max_file_mb: limit max_file_mb raised from 8 to 64{tail} 'limits')",
    ]


def test_project_may_lets_a_listed_loosening_through_and_the_report_says_so(workspace: Path) -> None:
    _write(workspace / "proj" / "readiness.yaml", "categories:\n  security: {enabled: false}\n")
    policy = _write(workspace / "policy.yaml", "project_may: [categories]\n")
    code, _, report = _check("--policy", policy.name)
    assert report is not None and report["policy"] == "policy.yaml"
    assert [c["change"] for c in report["gate_changes"]] == ["category security disabled"]
    security = [r for r in report["results"] if r["category"] == "security"]
    assert security and {r["status"] for r in security} == {"skipped"}
    assert code == 1  # REL001 and friends still fail the deployment


def test_the_policy_gate_applies_and_the_project_may_tighten_it(workspace: Path) -> None:
    _write(workspace / "proj" / "readiness.yaml", "rules:\n  REL008: {severity: critical}\n")
    policy = _write(workspace / "policy.yaml", "fail_on: medium\nrules:\n  REL001: {enabled: false}\n")
    _, _, report = _check("--policy", policy.name)
    assert report is not None and report["fail_on"] == "medium"
    by_id = {r["rule_id"]: r for r in report["results"]}
    assert by_id["REL001"]["status"] == "skipped"  # the policy's own choice
    assert by_id["REL008"]["severity"] == "critical"
    assert [(c["change"], c["weakens"]) for c in report["gate_changes"]] == [
        ("REL008 severity raised from low to critical", False)
    ]


def test_a_project_cannot_re_enable_what_counts_as_loosening_only_by_name(workspace: Path) -> None:
    """The project's `fail_on: high` matches the built-in default but not the policy's stricter one."""
    _write(workspace / "proj" / "readiness.yaml", "fail_on: high\n")
    policy = _write(workspace / "policy.yaml", "fail_on: medium\n")
    code, stderr, _ = _check("--policy", policy.name)
    assert code == 2 and stderr.startswith("proj/readiness.yaml:1:1: fail_on: fail_on raised from medium to high")


def test_waivers_the_policy_does_not_allow_are_refused(workspace: Path) -> None:
    _write(workspace / "proj" / "readiness.yaml", """\
waivers:
  - {rule: REL001, reason: single replica on purpose (OPS-1), expires: 2099-01-01}
  - {rule: SEC005, reason: writable root (OPS-2), expires: 2099-01-01}
""")
    policy = _write(workspace / "policy.yaml", "waivers: {allow: [reliability]}\n")
    code, stderr, _ = _check("--policy", policy.name)
    assert (code, stderr.splitlines()) == (2, [
        "proj/readiness.yaml:3:6: waivers[1].rule: the policy policy.yaml does not allow waiving SEC005 "
        "(waivers.allow: reliability)"
    ])  # fmt: skip


def test_the_policy_must_come_from_outside_the_tree(workspace: Path) -> None:
    _write(workspace / "proj" / "policy.yaml", "fail_on: info\n")
    code, stderr, report = _check("--policy", "proj/policy.yaml")
    assert (code, report) == (2, None)
    assert stderr == "proj/policy.yaml:1:1: (policy): the policy must come from outside the checked tree, not from it\n"


def test_a_symlink_out_of_the_tree_is_still_inside(workspace: Path) -> None:
    (workspace / "proj" / "ci").mkdir()
    _write(workspace / "proj" / "ci" / "real.yaml", "project_may: [categories]\n")
    (workspace / "link.yaml").symlink_to(workspace / "proj" / "ci" / "real.yaml")
    code, stderr, _ = _check("--policy", "link.yaml")
    assert code == 2 and "must come from outside the checked tree" in stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("limits: {max_file_mb: 100}\n", "policy.yaml:1:1: limits: a policy can only lower limits; raised: max_file_mb"),
        ("projct_may: [limits]\n", "policy.yaml:1:1: projct_may: unknown key (did you mean 'project_may'?)"),
        ("project_may: [everything]\n", "policy.yaml:1:15: project_may[0]: 'everything' is not one of"),
        ("fail_on: [\n", "policy.yaml:2:1: (yaml): syntax error (parser: "),
    ],
)
def test_a_broken_policy_is_a_config_error(workspace: Path, text: str, expected: str) -> None:
    policy = _write(workspace / "policy.yaml", text)
    code, stderr, _ = _check("--policy", policy.name)
    assert code == 2 and stderr.startswith(expected), stderr


def test_pre_commit_takes_the_policy_too(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(workspace / "proj" / "readiness.yaml", "categories:\n  reliability: {enabled: false}\n")
    policy = _write(workspace / "policy.yaml", "fail_on: high\n")
    monkeypatch.chdir(workspace / "proj")
    result = CliRunner().invoke(main, ["pre-commit", "k8s/deployment.yaml", "--policy", str(policy), "--no-cache"])
    assert result.exit_code == 2
    assert "categories.reliability.enabled: category reliability disabled: the policy" in result.stderr


# --- every view lists the gate changes under one heading -----------------------------------------------


def _with_gate_changes(policy: str | None = None) -> RunReport:
    changes = (
        GateChange(key="categories.security.enabled", change="category security disabled",
                   where="readiness.yaml:12:14", weakens=True),
        GateChange(key="rules.REL008.severity", change="REL008 severity raised from low to critical",
                   where="readiness.yaml:15:12", weakens=False),
    )  # fmt: skip
    return sample_report().model_copy(update={"gate_changes": changes, "policy": policy})


@pytest.mark.parametrize("name", sorted(renderers()))
def test_every_format_lists_the_gate_changes(name: str) -> None:
    text = renderers()[name](_with_gate_changes())
    assert "category security disabled" in text and "readiness.yaml:12" in text, name
    assert "REL008 severity raised from low to critical" in text, name


@pytest.mark.parametrize("name", ["markdown", "html", "terminal", "junit"])
def test_a_policy_run_names_the_policy(name: str) -> None:
    text = renderers()[name](_with_gate_changes(policy="ci/policy.yaml"))
    assert "ci/policy.yaml" in text, name


def test_the_terminal_marks_loosening_changes() -> None:
    from checker.reporters.terminal import render

    lines = render(_with_gate_changes(), color=False).splitlines()
    start = lines.index("Gate changes by the project config:")
    assert lines[start + 1 : start + 3] == [
        "  ! category security disabled by readiness.yaml:12:14 (loosens the gate)",
        "  • REL008 severity raised from low to critical by readiness.yaml:15:12",
    ]
