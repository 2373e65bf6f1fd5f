"""A rule's `files`/`paths` come from its check, unless the rule's `params` (or the project's override of them)
name other globs: pre-commit selection and cache keys must follow what the check is actually given."""

from __future__ import annotations

from pathlib import Path

from report_samples import FIXED_NOW

from checker.engine.run import RunOptions, run
from checker.model import Status

PACK = """pack: {name: team}
rules:
  - id: TEAM010
    title: Feature flags are off in production
    category: reliability
    severity: high
    description: d
    rationale: r
    remediation: m
    params: {files: [config/flags.yaml]}
    check:
      type: document_query
      files: [config/flags.yaml]
      assert: {path: experimental, op: '==', value: false}
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "config").mkdir(parents=True)
    (root / "ops").mkdir()
    (root / "ops" / "team.yaml").write_text(PACK, encoding="utf-8")
    (root / "config" / "flags.yaml").write_text("experimental: false\n", encoding="utf-8")
    (root / "config" / "prod-flags.yaml").write_text("experimental: false\n", encoding="utf-8")
    (root / "readiness.yaml").write_text(
        "rule_packs: [ops/team.yaml]\nrules:\n  TEAM010: {params: {files: [config/prod-flags.yaml]}}\n", encoding="utf-8"
    )
    return root


def _team010(root: Path, changed: tuple[str, ...] | None = None, use_cache: bool = False) -> list[Status]:
    report = run(RunOptions(target=root, only=("TEAM010",), changed=changed, use_cache=use_cache, clock=lambda: FIXED_NOW))
    return [r.status for r in report.results]


def test_pre_commit_selects_the_rule_for_a_file_of_its_overridden_globs(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _team010(root, changed=("config/prod-flags.yaml",)) == [Status.PASS]
    assert _team010(root, changed=("config/flags.yaml",)) == []  # the override replaced this glob


def test_a_cached_result_is_not_replayed_after_the_overridden_file_changed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _team010(root, use_cache=True) == [Status.PASS]
    (root / "config" / "prod-flags.yaml").write_text("experimental: true\n", encoding="utf-8")
    assert _team010(root, use_cache=True) == [Status.FAIL]
