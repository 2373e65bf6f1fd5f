"""SPEC §10 *Terminal output*: short by default — failing and `error` rules with their findings, one line per
category, coverage (evaluated, skipped, waived, out of scope, not evaluated), the verdict last; `--verbose` lists
every rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from report_samples import sample_report

from checker.cli import main
from checker.reporters.terminal import render


def test_the_short_view_shows_what_fails_and_ends_with_the_verdict() -> None:
    lines = render(sample_report()).splitlines()
    rules = [line.split()[:3] for line in lines if line.startswith(("FAIL ", "ERROR "))]
    assert rules == [["FAIL", "SEC007", "critical"], ["FAIL", "REL001", "high"], ["ERROR", "MON001", "high"],
                     ["FAIL", "VER001", "low"]]  # most severe first  # fmt: skip
    assert "  • k8s/a.yaml:7: Deployment 'a' has 1 replica" in lines
    assert not [line for line in lines if "REL002" in line and not line.startswith("Waiver")]  # waived: not listed
    assert [line for line in lines if line.startswith(("Reliability:", "Monitoring:", "Versioning:", "Security:"))] == [
        "Reliability: score 66.7% (1 pass, 1 fail, 1 waived)",
        "Monitoring: score 0% (1 error, 1 skipped)",
        "Versioning: score 0% (1 fail)",
        "Security: score 0% (1 fail)",
    ]
    assert "Coverage: 6 of 7 rules evaluated (1 passed, 3 failed, 1 errors), 1 skipped, 1 waived" in lines
    assert "Out of scope: 15 files out of scope (docs 3, tests 12), read by SEC002 only" in lines
    assert "Not evaluated: 1 file not evaluated (template): deploy/job.yaml" in lines
    assert lines[-1] == "Verdict: NOT READY"
    assert len(lines) < 40


def test_the_short_view_names_three_findings_per_rule_and_counts_the_rest() -> None:
    from checker.model import Finding

    report = sample_report()
    many = tuple(Finding(message=f"Deployment 'd{i}' has 1 replica", path=f"k8s/d{i}.yaml", line=1) for i in range(7))
    results = tuple(r.model_copy(update={"findings": many}) if r.rule_id == "REL001" else r for r in report.results)
    report = report.model_copy(update={"results": results})
    short, verbose = render(report), render(report, verbose=True)
    assert "k8s/d2.yaml" in short and "k8s/d3.yaml" not in short and "… and 4 more (see readiness.json)" in short
    assert "k8s/d6.yaml" in verbose


def test_verbose_lists_every_rule_and_still_ends_with_the_verdict() -> None:
    short, verbose = render(sample_report()), render(sample_report(), verbose=True)
    listed = [line for line in short.splitlines() if not line.startswith("Waiver")]
    for rule_id in ("REL002", "MON002"):  # waived and skipped rules: only in the verbose tables
        assert rule_id in verbose and not [line for line in listed if rule_id in line]
    assert "Reliability — score 66.7%" in verbose
    assert verbose.splitlines()[-1] == "Verdict: NOT READY"


def test_not_evaluated_files_are_all_named_only_when_verbose() -> None:
    from checker.model import NotEvaluated

    report = sample_report()
    many = tuple(NotEvaluated(path=f"deploy/t{i}.yaml", reason="template") for i in range(5))
    report = report.model_copy(update={"coverage": report.coverage.model_copy(update={"not_evaluated": many})})
    assert "deploy/t0.yaml, deploy/t1.yaml, deploy/t2.yaml and 2 more" in render(report)
    assert "deploy/t4.yaml" in render(report, verbose=True)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "proj" / "k8s").mkdir(parents=True)
    (tmp_path / "proj" / "k8s" / "api.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n"
        "    spec:\n      containers:\n        - {name: api, image: 'registry.example.com/api:1.0.0'}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path / "proj"


def test_check_verbose_flag(project: Path) -> None:
    args = ["check", "proj", "--output-dir", "out", "--no-cache", "--only", "reliability", "--format", "terminal"]
    short = CliRunner().invoke(main, args).output
    verbose = CliRunner().invoke(main, [*args, "--verbose"]).output
    assert "FAIL REL002 high" in short and "REL005" not in short  # REL005 passes
    assert "REL005" in verbose and "Rollouts never replace all pods at once" in verbose
    assert short.rstrip().splitlines()[-1] == verbose.rstrip().splitlines()[-1] == "Verdict: NOT READY"
