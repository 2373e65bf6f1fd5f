"""`readiness diff OLD NEW`: fixed, new, other status changes, findings gained or lost, score change."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main


def _result(rule: str, status: str, *findings: tuple[str, str]) -> dict:
    return {"rule_id": rule, "title": f"Title {rule}", "category": "reliability", "severity": "high", "status": status,
            "message": "", "findings": [{"message": m, "path": "k8s/a.yaml", "locator": loc} for m, loc in findings]}  # fmt: skip


def _write(path: Path, verdict: str, overall: float, results: list[dict]) -> Path:
    report = {"verdict": verdict, "score": {"overall": overall, "categories": {"reliability": {"score": overall}}},
              "results": results, "tool": {"name": "readiness-checker", "version": "0"}}  # fmt: skip
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def _reports(tmp_path: Path) -> tuple[Path, Path]:
    old = _write(tmp_path / "old.json", "not_ready", 50.0, [
        _result("REL001", "fail", ("one replica", "Deployment/a")),
        _result("REL002", "pass"),
        _result("REL003", "fail", ("no probe", "a:c1")),
        _result("REL004", "pass"),
        _result("REL009", "pass"),
    ])  # fmt: skip
    new = _write(tmp_path / "new.json", "not_ready", 62.5, [
        _result("REL001", "pass"),
        _result("REL002", "error"),
        _result("REL003", "fail", ("no probe", "a:c1"), ("no probe", "a:c1"), ("no probe", "a:c2")),
        _result("REL004", "skipped"),
        _result("SEC001", "pass"),
    ])  # fmt: skip
    return old, new


def test_terminal_diff(tmp_path: Path) -> None:
    old, new = _reports(tmp_path)
    outcome = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert outcome.exit_code == 0
    assert outcome.output == (
        "Verdict: not_ready → not_ready\n"
        "Fixed (1):\n  REL001 [high] Title REL001: fail → pass (findings: -1 fixed)\n"
        "New failures (1):\n  REL002 [high] Title REL002: pass → error\n"
        "Other status changes (3):\n  REL004 [high] Title REL004: pass → skipped\n"
        "  REL009 [high] Title REL009: pass → absent\n  SEC001 [high] Title SEC001: absent → pass\n"
        "Findings changed (1):\n  REL003 [high] Title REL003: fail → fail (findings: +2 new)\n"
        "Scores:\n  overall: 50% → 62.5% +12.5\n  reliability: 50% → 62.5% +12.5\n"
    )


def test_markdown_diff(tmp_path: Path) -> None:
    old, new = _reports(tmp_path)
    outcome = CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "markdown"])
    assert outcome.exit_code == 0
    assert "## ❌ New failures (1)\n\n- **REL002** `high` Title REL002: pass → error\n" in outcome.output
    assert "## ✅ Fixed (1)\n\n- **REL001** `high` Title REL001: fail → pass (findings: -1 fixed)\n" in outcome.output
    assert "| overall | 50% | 62.5% | +12.5 |" in outcome.output


def test_diff_of_a_file_that_is_not_a_report_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    old, _ = _reports(tmp_path)
    outcome = CliRunner().invoke(main, ["diff", str(old), str(bad)])
    assert outcome.exit_code == 2
    assert outcome.output.startswith(f"error: {bad}: not a readiness.json report:")
