"""Reports the reporter tests render: a hand-built one with every status and finding state, and real runs."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from checker.engine.run import RunOptions, run
from checker.model import (
    Category,
    CategoryScore,
    Coverage,
    Finding,
    InputProblem,
    NotEvaluated,
    RuleResult,
    RunReport,
    Score,
    Severity,
    SkippedRule,
    Status,
    ToolInfo,
    WaiverRecord,
)

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
FAILING_PROJECT = GOLDEN / "failing-project"
EXAMPLE = ROOT / "examples" / "fraud-scorer"
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# The golden run of the failing project is limited to these rules, so new built-in rules do not churn it.
GOLDEN_RULES = ("REL001", "REL002", "REL006", "REL010", "SEC007", "VER001", "VER004")
HOSTILE = "<script>alert('x')</script> 100% | *bold* `tick`\nsecond line, a:b"


def _result(rule_id: str, category: Category, severity: Severity, status: Status, message: str,
            findings: tuple[Finding, ...] = ()) -> RuleResult:  # fmt: skip
    return RuleResult(rule_id=rule_id, title=f"Title of {rule_id}", category=category, severity=severity, status=status,
                      message=message, findings=findings, remediation=f"Fix {rule_id}: set `x: 1`.",
                      description=f"What {rule_id} checks.", duration_s=0.0)  # fmt: skip


def sample_report() -> RunReport:
    """Every status, waived and baselined findings, a finding without a file, hostile text, both waiver states."""
    results = (
        _result("REL001", Category.RELIABILITY, Severity.HIGH, Status.FAIL, "2 workloads fail", (
            Finding(message="Deployment 'a' has 1 replica", path="k8s/a.yaml", line=7, locator="Deployment/ns/a"),
            Finding(message="Deployment 'b' has 1 replica", path="k8s/b.yaml", line=9, locator="Deployment/ns/b",
                    baselined=True),
        )),
        _result("REL002", Category.RELIABILITY, Severity.HIGH, Status.WAIVED, "waived: no probe", (
            Finding(message="no readinessProbe", path="k8s/a.yaml", line=12, locator="a:probe", waived=True),
        )),
        _result("REL003", Category.RELIABILITY, Severity.MEDIUM, Status.PASS, "3 containers checked"),
        _result("MON001", Category.MONITORING, Severity.HIGH, Status.ERROR, "internal error: ValueError: boom"),
        _result("MON002", Category.MONITORING, Severity.HIGH, Status.SKIPPED, "no alerting rules found"),
        _result("SEC007", Category.SECURITY, Severity.CRITICAL, Status.FAIL, "1 inline secret", (
            Finding(message=HOSTILE, path="deploy/app, v2.yaml", line=None, locator="env.TOKEN"),
        )),
        _result("VER001", Category.VERSIONING, Severity.LOW, Status.FAIL, "no version", (Finding(message="no version declared"),)),
    )
    categories = {
        "reliability": CategoryScore(score=66.7, passed=2, failed=1, evaluated=3),
        "monitoring": CategoryScore(score=0.0, passed=0, failed=1, evaluated=1, skipped=1),
        "versioning": CategoryScore(score=0.0, passed=0, failed=1, evaluated=1),
        "security": CategoryScore(score=0.0, passed=0, failed=1, evaluated=1),
    }
    return RunReport(
        tool=ToolInfo(name="readiness-checker", version="9.9.9"), target="services/scorer",
        started_at=FIXED_NOW.isoformat(timespec="seconds"), duration_s=0.0, verdict="not_ready",
        verdict_reasons=("MON001 (high) errored: Title of MON001", "SEC007 (critical) failed: Title of SEC007"),
        fail_on=Severity.HIGH, score=Score(overall=33.3, categories=categories),
        coverage=Coverage(total=7, evaluated=6, passed=1, failed=3, errored=1, skipped=1, waived=1,
                          skipped_rules=(SkippedRule(rule_id="MON002", reason="no alerting rules found"),),
                          out_of_scope={"docs": 3, "tests": 12},
                          not_evaluated=(NotEvaluated(path="deploy/job.yaml", reason="template"),)),
        results=results,
        waivers=(
            WaiverRecord(rule="REL002", path="k8s/*.yaml", reason="legacy <b>chart</b> (OPS-1)", owner="platform",
                         expires=date(2099, 1, 1), state="active", matched_findings=1),
            WaiverRecord(rule="SEC005", reason="ran out", expires=date(2020, 1, 1), state="expired"),
        ),
        input_problems=(InputProblem(path="k8s/broken.yaml", line=3, message="invalid YAML: bad indentation"),),
    )  # fmt: skip


def write_tree(root: Path, files: dict[str, str] | dict[str, str | bytes]) -> Path:
    """Files (relative path -> text or bytes) written under `root`, folders created; returns `root`."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def project_copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".readiness-cache"))
    return target


def failing_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunReport:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIXED_NOW.timestamp())))  # zeroes durations
    target = project_copy(FAILING_PROJECT, tmp_path)
    return run(RunOptions(target=target, only=GOLDEN_RULES, clock=lambda: FIXED_NOW, tool_version="9.9.9",
                          display_target="failing-project"))  # fmt: skip


def example_report(tmp_path: Path) -> RunReport:
    target = project_copy(EXAMPLE, tmp_path)
    return run(RunOptions(target=target, clock=lambda: FIXED_NOW, display_target="examples/fraud-scorer"))
