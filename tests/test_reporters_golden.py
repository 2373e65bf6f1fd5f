"""Golden files for the Markdown and JSON views (clock and version injected).

Regenerate after an intended change with `UPDATE_GOLDEN=1 python -m pytest tests/test_reporters_golden.py`
and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_samples import GOLDEN, failing_report, sample_report

from checker.model import RunReport
from checker.reporters import json_report, markdown


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} differs: rerun with UPDATE_GOLDEN=1 and review the diff"


@pytest.mark.parametrize(("name", "render"), [("sample.md", markdown.render), ("sample.json", json_report.render)])
def test_sample_report_matches_golden(name: str, render) -> None:
    _check_golden(name, render(sample_report()))


@pytest.mark.parametrize(("name", "render"), [("failing-project.md", markdown.render),
                                              ("failing-project.json", json_report.render)])  # fmt: skip
def test_failing_project_matches_golden(name: str, render, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check_golden(name, render(failing_report(tmp_path, monkeypatch)))


def test_failing_project_golden_shows_what_a_reviewer_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report: RunReport = failing_report(tmp_path, monkeypatch)
    text = markdown.render(report)
    assert text.startswith("# Readiness: ❌ NOT READY\n")
    assert "- `k8s/deployment.yaml:7` — Deployment 'scorer' can run with fewer than 2 replicas" in text
    assert "### ❌ REL010 · medium · Serving containers have a startup probe — does not fail the gate" in text
    assert "has no startupProbe *(waived)*" in text
    assert "| REL002 | all | **expired** | 2020-01-01 |" in text
    assert "6 of 7 rules evaluated" in text
    assert "&lt;b&gt;" not in text and "\\<b\\>not bold\\</b\\>" in text  # waiver reasons are untrusted text


def test_markdown_escapes_untrusted_text_and_keeps_rule_markdown() -> None:
    text = markdown.render(sample_report())
    assert "<script>" not in text
    assert "\\<script\\>alert('x')\\</script\\> 100% \\| \\*bold\\* \\`tick\\` second line, a:b" in text
    assert "**Fix:** Fix SEC007: set `x: 1`." in text
    assert "- `k8s/b.yaml:9` — Deployment 'b' has 1 replica *(baselined)*" in text


def test_markdown_fits_a_pull_request_comment() -> None:
    from checker.model import Finding

    report = sample_report()
    many = tuple(Finding(message="x" * 150, path=f"k8s/f{i}.yaml", line=i + 1, locator=str(i)) for i in range(3000))
    big = report.model_copy(update={"results": (report.results[0].model_copy(update={"findings": many}),
                                                *report.results[1:])})  # fmt: skip
    text = markdown.render(big)
    assert len(text) <= markdown.MAX_CHARS
    assert "- … 2975 more findings not shown (see readiness.json)" in text
    assert "## Coverage" in text  # shortened findings, not a cut-off page
