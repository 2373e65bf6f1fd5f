"""Loading and running the table of per-rule cases in tests/rule_cases/*.yaml.

Each file maps a rule id to a list of cases. A case is a mini-project written inline (`files:`), or a
fixture folder (`fixture:` relative to tests/fixtures/), plus an optional `config:` (readiness.yaml text)
and what to expect:

    REL002:
      - name: fail_missing_probe
        files:
          k8s/deploy.yaml: |
            apiVersion: apps/v1
            ...
        expect:
          status: fail
          findings:                       # each must match one finding (path, line, message substring)
            - {path: k8s/deploy.yaml, line: 17, message: readinessProbe}
          count: 1                        # optional: exact number of findings
          message: substring of the rule's message (optional)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from checker.engine.run import RunOptions, run
from checker.model import RuleResult

CASES_DIR = Path(__file__).parent / "rule_cases"
FIXTURES = Path(__file__).parent / "fixtures"
FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


@dataclass
class RuleCase:
    rule: str
    name: str
    expect: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    fixture: str | None = None
    config: str | None = None
    binary_files: dict[str, str] = field(default_factory=dict)  # path -> hex

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"


def load_cases() -> list[RuleCase]:
    cases = []
    # Several files may hold cases of one rule (e.g. security_containers.yaml and security_code.yaml).
    for file in sorted(CASES_DIR.rglob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for rule, entries in data.items():
            for entry in entries:
                cases.append(RuleCase(rule=rule, **entry))
    return cases


def materialise(case: RuleCase, target: Path) -> None:
    if case.fixture:
        shutil.copytree(FIXTURES / case.fixture, target, dirs_exist_ok=True)
    for rel, text in case.files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for rel, hexdata in case.binary_files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes.fromhex(hexdata))
    if case.config is not None:
        (target / "readiness.yaml").write_text(case.config, encoding="utf-8")


def run_case(case: RuleCase, target: Path) -> RuleResult:
    materialise(case, target)
    report = run(RunOptions(target=target, only=(case.rule,), clock=lambda: FIXED_NOW))
    (result,) = [r for r in report.results if r.rule_id == case.rule]
    return result


def check_expectations(case: RuleCase, result: RuleResult) -> None:
    expect = case.expect
    shown = "\n".join(f"  {f.path}:{f.line}: {f.message}" for f in result.findings)
    assert result.status.value == expect["status"], f"{case.id}: {result.status} ({result.message})\n{shown}"
    if "message" in expect:
        assert expect["message"] in result.message, f"{case.id}: message {result.message!r}"
    if "count" in expect:
        assert len(result.findings) == expect["count"], f"{case.id}: {len(result.findings)} findings\n{shown}"
    for wanted in expect.get("findings", []):
        assert any(_matches(wanted, f) for f in result.findings), f"{case.id}: no finding like {wanted}\n{shown}"


def _matches(wanted: dict[str, Any], finding: Any) -> bool:
    if "path" in wanted and finding.path != wanted["path"]:
        return False
    if "line" in wanted and finding.line != wanted["line"]:
        return False
    return "message" not in wanted or wanted["message"] in finding.message
