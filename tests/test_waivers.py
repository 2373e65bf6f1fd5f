"""Governed waivers: path globs, whole-rule waivers, expiry, and their listing in readiness.json."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.engine.run import RunOptions, run
from checker.model import RuleResult, RunReport, Status

TEAM_PACK = Path(__file__).parent / "fixtures" / "packs" / "team.yaml"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _project(root: Path, waivers: str) -> Path:
    (root / "k8s").mkdir(parents=True)
    (root / "ops").mkdir()
    shutil.copy(TEAM_PACK, root / "ops" / "team.yaml")
    (root / "k8s" / "api.yaml").write_text("kind: ConfigMap\n# TODO: set limits\n", encoding="utf-8")
    (root / "k8s" / "legacy-worker.yaml").write_text("kind: ConfigMap\n\n# TODO: remove\n", encoding="utf-8")
    (root / "readiness.yaml").write_text(
        f"fail_on: medium\nrule_packs: [ops/team.yaml]\nwaivers:\n{waivers}", encoding="utf-8"
    )
    return root


def _run(root: Path) -> RunReport:
    return run(RunOptions(target=root, only=("TEAM101",), clock=lambda: NOW))


def _team101(report: RunReport) -> RuleResult:
    return next(r for r in report.results if r.rule_id == "TEAM101")


def test_path_glob_waives_only_matching_findings(tmp_path: Path) -> None:
    waiver = "  - {rule: TEAM101, path: 'k8s/legacy-*.yaml', reason: OPS-1, expires: 2027-01-31}\n"
    report = _run(_project(tmp_path, waiver))
    result = _team101(report)
    assert result.status == Status.FAIL
    assert [(f.path, f.line, f.waived) for f in result.findings] == [
        ("k8s/api.yaml", 2, False),
        ("k8s/legacy-worker.yaml", 3, True),
    ]
    assert report.verdict == "not_ready"
    assert [(w.rule, w.state, w.matched_findings) for w in report.waivers] == [("TEAM101", "active", 1)]


def test_all_findings_waived_gives_status_waived(tmp_path: Path) -> None:
    waiver = "  - {rule: TEAM101, path: 'k8s/*.yaml', reason: OPS-2, owner: platform, expires: 2027-01-31}\n"
    report = _run(_project(tmp_path, waiver))
    result = _team101(report)
    assert result.status == Status.WAIVED
    assert result.message == "waived: 2 findings"
    assert all(f.waived for f in result.findings)
    assert report.verdict == "ready"
    assert report.coverage.waived == 1


def test_waiver_without_path_waives_the_whole_rule(tmp_path: Path) -> None:
    report = _run(_project(tmp_path, "  - {rule: TEAM101, reason: OPS-3, expires: 2027-01-31}\n"))
    assert _team101(report).status == Status.WAIVED
    assert report.waivers[0].matched_findings == 2


def test_expired_waiver_does_not_apply_and_is_reported(tmp_path: Path) -> None:
    waiver = "  - {rule: TEAM101, reason: OPS-4, expires: 2026-11-24}\n"
    report = _run(_project(tmp_path, waiver))
    result = _team101(report)
    assert result.status == Status.FAIL
    assert not any(f.waived for f in result.findings)
    assert [(w.rule, w.state, w.matched_findings) for w in report.waivers] == [("TEAM101", "expired", 0)]


def test_waiver_expiring_today_still_applies(tmp_path: Path) -> None:
    report = _run(_project(tmp_path, "  - {rule: TEAM101, reason: OPS-5, expires: 2026-11-25}\n"))
    assert _team101(report).status == Status.WAIVED
    assert report.waivers[0].state == "active"


def test_json_report_lists_waivers_in_force_and_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waivers = (
        "  - {rule: TEAM101, path: 'k8s/legacy-*.yaml', reason: legacy, owner: platform, expires: 2999-12-31}\n"
        "  - {rule: TEAM101, reason: old exception, expires: 2001-01-01}\n"
    )
    _project(tmp_path / "proj", waivers)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["check", "proj", "--only", "TEAM101", "--format", "json", "--output-dir", "out"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads((tmp_path / "out" / "readiness.json").read_text(encoding="utf-8"))
    assert data["waivers"] == [
        {"rule": "TEAM101", "path": "k8s/legacy-*.yaml", "reason": "legacy", "owner": "platform",
         "expires": "2999-12-31", "state": "active", "matched_findings": 1},
        {"rule": "TEAM101", "path": None, "reason": "old exception", "owner": None,
         "expires": "2001-01-01", "state": "expired", "matched_findings": 0},
    ]  # fmt: skip
    team = next(r for r in data["results"] if r["rule_id"] == "TEAM101")
    assert team["status"] == "fail"
    assert [(f["path"], f["waived"]) for f in team["findings"]] == [
        ("k8s/api.yaml", False),
        ("k8s/legacy-worker.yaml", True),
    ]


def test_waiver_does_not_touch_other_rules(tmp_path: Path) -> None:
    root = _project(tmp_path, "  - {rule: TEAM100, reason: r, expires: 2027-01-31}\n")
    (root / "readiness.yaml").write_text(
        "rule_packs: [ops/team.yaml]\nwaivers:\n  - {rule: REL001, reason: r, expires: 2027-01-31}\n",
        encoding="utf-8",
    )
    report = _run(root)
    assert _team101(report).status == Status.FAIL
    assert report.waivers[0].matched_findings == 0
