"""Inline suppressions (`# nosec`, `pragma: allowlist secret`) count by default; `--no-inline-waivers` or
`inline_waivers: false` leave the central waiver list as the only way to waive (SPEC §5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.engine.run import RunOptions, run
from checker.model import Status

TOKEN = "ghp_" + "Z7q2Lm9Xc4Vb8Nn1Kp5Rt3Wy6Hs0Jd2Fg4Ae"  # a GitHub token format, split so no scanner flags this file

CODE = f"""import subprocess


def run(cmd):
    return subprocess.call(cmd, shell=True)  # nosec B602 - reviewed: cmd is a constant


GITHUB_TOKEN = "{TOKEN}"  # pragma: allowlist secret
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    root = tmp_path / "svc"
    (root / "svc").mkdir(parents=True)
    (root / "svc" / "jobs.py").write_text(CODE, encoding="utf-8")
    return root


def _statuses(root: Path, **options: object) -> dict[str, tuple[Status, list[int | None]]]:
    report = run(RunOptions(target=root, only=("SEC001", "SEC002"), **options))  # type: ignore[arg-type]
    return {r.rule_id: (r.status, [f.line for f in r.findings]) for r in report.results}


def test_inline_suppressions_count_by_default(project: Path) -> None:
    assert _statuses(project) == {"SEC001": (Status.PASS, []), "SEC002": (Status.PASS, [])}


def test_no_inline_waivers_flag_reports_what_the_comments_hid(project: Path) -> None:
    found = _statuses(project, inline_waivers=False)
    assert found["SEC001"] == (Status.FAIL, [5])
    assert found["SEC002"] == (Status.FAIL, [8])


def test_the_config_can_turn_inline_waivers_off(project: Path) -> None:
    (project / "readiness.yaml").write_text("inline_waivers: false\n", encoding="utf-8")
    found = _statuses(project)
    assert found["SEC001"][0] == found["SEC002"][0] == Status.FAIL
