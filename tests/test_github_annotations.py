"""`--format github` within GitHub's limits (SPEC §11): at most 10 errors, 10 warnings and 10 notices per step,
most severe first, and one notice saying how many were left out and where the full report is."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from report_samples import sample_report

from checker.cli import main
from checker.model import Category, Finding, RuleResult, RunReport, Severity, Status
from checker.reporters import github


def _failing(rule_id: str, severity: Severity, count: int) -> RuleResult:
    findings = tuple(Finding(message=f"{rule_id} finding {n}", path=f"k8s/{rule_id}.yaml", line=n + 1)
                     for n in range(count))  # fmt: skip
    return RuleResult(rule_id=rule_id, title=f"Title of {rule_id}", category=Category.SECURITY, severity=severity,
                      status=Status.FAIL, message=f"{count} findings", findings=findings)  # fmt: skip


def _report(*results: RuleResult) -> RunReport:
    return sample_report().model_copy(update={"results": results, "waivers": (), "input_problems": ()})


def _levels(text: str) -> list[str]:
    return [re.match(r"::(\w+) ", line).group(1) for line in text.splitlines()]  # type: ignore[union-attr]


def test_many_findings_keep_ten_of_each_level_most_severe_first() -> None:
    # The high findings come first in the report: the critical secret must still be shown, and first.
    report = _report(_failing("REL001", Severity.HIGH, 12), _failing("SEC002", Severity.CRITICAL, 1),
                     _failing("REL005", Severity.MEDIUM, 11), _failing("MON003", Severity.LOW, 12))  # fmt: skip
    text = github.render(report, reports=["reports/readiness.json", "reports/readiness.md"])
    lines = text.splitlines()
    levels = _levels(text)
    assert (levels.count("error"), levels.count("warning"), levels.count("notice")) == (10, 10, 10)
    assert levels == sorted(levels, key=("error", "warning", "notice").index)
    assert "SEC002 (critical)" in lines[0] and all("REL001 (high)" in line for line in lines[1:10])
    assert sum("MON003 (low)" in line for line in lines) == 8  # the left-out and verdict notices take two places
    assert lines[-2] == ("::notice title=readiness%3A annotations left out::3 errors, 1 warning, 4 notices not shown "
                         "as annotations (GitHub shows at most 10 of each level per step, most severe first here); "
                         "the full report is reports/readiness.md")  # fmt: skip
    assert lines[-1].startswith("::notice title=readiness::NOT READY")


def test_without_a_report_file_the_notice_says_how_to_write_one() -> None:
    text = github.render(_report(_failing("REL001", Severity.HIGH, 11)))
    assert "1 error not shown as annotations" in text
    assert "no report file was written: add --format markdown (or json, sarif)" in text


def test_nine_notices_fit_with_the_verdict_and_nothing_is_left_out() -> None:
    text = github.render(_report(_failing("MON003", Severity.LOW, 9)))
    assert _levels(text).count("notice") == 10 and "left out" not in text


def test_check_names_the_report_files_it_writes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "svc"
    (project / "k8s").mkdir(parents=True)
    containers = "".join(f"        - {{name: c{n}, image: 'registry.example.com/c:1.0.0'}}\n" for n in range(12))
    (project / "k8s" / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n{containers}", encoding="utf-8")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    outcome = CliRunner().invoke(main, ["check", "svc", "--no-cache", "--only", "REL002", "--format", "github",
                                        "--format", "json", "--format", "markdown", "--output-dir", "out"])  # fmt: skip
    assert outcome.exit_code == 1, outcome.output
    assert _levels(outcome.output).count("error") == 10
    assert "2 errors not shown as annotations" in outcome.output
    assert "the full report is out/readiness.md" in outcome.output
