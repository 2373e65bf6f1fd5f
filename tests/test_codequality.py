"""`--format codequality`: GitLab's Code Quality report — golden files, the shape GitLab reads, the mapping.

GitLab documents the format as a JSON array of objects with `description`, `check_name`, `fingerprint`,
`severity` (info, minor, major, critical, blocker), `location.path` (relative) and `location.lines.begin`,
no byte order mark; findings with the same fingerprint are shown as one. CODE_QUALITY_SCHEMA is that page
written as a JSON Schema (nothing else is emitted, so nothing else is allowed).

Regenerate the golden files after an intended change with
`UPDATE_GOLDEN=1 python -m pytest tests/test_codequality.py` and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_samples import FAILING_PROJECT, GOLDEN, example_report, failing_report, sample_report

from checker.cli import main
from checker.model import Finding, GateChange, RunReport
from checker.reporters import FILENAMES, codequality

CODE_QUALITY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^/"}},
                    "lines": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def _issues(report: RunReport) -> list[dict[str, Any]]:
    text = codequality.render(report)
    assert not text.startswith("\ufeff")  # GitLab's parser refuses a byte order mark
    issues = json.loads(text)
    import jsonschema

    problems = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft202012Validator(CODE_QUALITY_SCHEMA).iter_errors(issues)]
    assert not problems, problems
    prints = [issue["fingerprint"] for issue in issues]
    assert len(set(prints)) == len(prints), "GitLab shows issues with one fingerprint as one"
    return issues


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} differs: rerun with UPDATE_GOLDEN=1 and review the diff"


def test_sample_report_matches_golden() -> None:
    _check_golden("sample.codequality.json", codequality.render(sample_report()))


def test_failing_project_matches_golden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check_golden("failing-project.codequality.json", codequality.render(failing_report(tmp_path, monkeypatch)))


def test_the_shape_gitlab_reads_on_every_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for report in (sample_report(), failing_report(tmp_path / "failing", monkeypatch), example_report(tmp_path / "ok")):
        _issues(report)


def test_failing_project_issues_name_rule_file_line_and_severity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issues = _issues(failing_report(tmp_path, monkeypatch))
    replicas = next(i for i in issues if i["check_name"] == "REL001")
    assert replicas["description"] == "REL001: Deployment 'scorer' can run with fewer than 2 replicas (spec.replicas is 1)"
    assert replicas["severity"] == "critical"  # high
    assert replicas["location"] == {"path": "failing-project/k8s/deployment.yaml", "lines": {"begin": 7}}
    startup = [i for i in issues if i["check_name"] == "REL010"]
    assert startup and all("worker" not in i["description"] for i in startup)  # the waived finding is left out
    assert {i["severity"] for i in startup} == {"major"}  # medium
    waivers = [i["description"] for i in issues if i["check_name"] == "waiver"]
    assert "waiver REL002: EXPIRED on 2020-01-01, no longer applies: temporary exception that has run out" in waivers


def test_sample_maps_every_status_severity_and_state() -> None:
    by_check: dict[str, list[dict[str, Any]]] = {}
    for issue in _issues(sample_report()):
        by_check.setdefault(issue["check_name"], []).append(issue)
    assert [i["severity"] for i in by_check["SEC007"]] == ["blocker"]  # critical
    assert [i["severity"] for i in by_check["VER001"]] == ["minor"]  # low
    assert "REL002" not in by_check and "REL003" not in by_check and "MON002" not in by_check  # waived, pass, skipped
    error = by_check["MON001"][0]
    assert error["description"] == "MON001 could not be evaluated: internal error: ValueError: boom"
    assert error["location"] == {"path": "services/scorer", "lines": {"begin": 1}}  # no file: the checked folder
    baselined = next(i for i in by_check["REL001"] if "'b'" in i["description"])
    assert baselined["description"].endswith("(in the baseline)") and baselined["location"]["lines"]["begin"] == 9
    hostile = by_check["SEC007"][0]
    assert "\n" not in hostile["description"] and hostile["location"]["lines"]["begin"] == 1  # line unknown
    assert hostile["location"]["path"] == "services/scorer/deploy/app, v2.yaml"
    assert [i["severity"] for i in by_check["waiver"]] == ["info", "minor"]  # in force, expired
    assert by_check["unreadable-input"][0]["location"] == {"path": "services/scorer/k8s/broken.yaml", "lines": {"begin": 3}}


def test_fingerprints_ignore_the_line_and_tell_twins_apart() -> None:
    report = sample_report()
    first = report.results[0]
    twin = Finding(message="Deployment 'a' has 1 replica", path="k8s/a.yaml", line=30, locator="Deployment/ns/a")
    moved = tuple(f.model_copy(update={"line": (f.line or 0) + 40}) for f in first.findings)
    shifted = report.model_copy(update={"results": (first.model_copy(update={"findings": moved}), *report.results[1:])})
    doubled = report.model_copy(update={"results": (first.model_copy(update={"findings": (*first.findings, twin)}),
                                                    *report.results[1:])})  # fmt: skip

    def prints(r: RunReport) -> list[str]:
        return [i["fingerprint"] for i in _issues(r)]

    assert prints(report) == prints(shifted)
    assert prints(doubled)[:2] == prints(report)[:2] and prints(doubled)[2] not in prints(report)


def test_gate_changes_are_issues_at_their_config_key() -> None:
    change = GateChange(key="categories.security.enabled", change="category security disabled",
                        where="proj/readiness.yaml:12:3", weakens=True)  # fmt: skip
    issues = _issues(sample_report().model_copy(update={"gate_changes": (change,)}))
    issue = next(i for i in issues if i["check_name"] == "gate-change")
    assert issue["description"] == "category security disabled by proj/readiness.yaml:12:3 (loosens the gate)"
    assert issue["severity"] == "minor"
    assert issue["location"] == {"path": "proj/readiness.yaml", "lines": {"begin": 12}}


def test_check_writes_the_codequality_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert FILENAMES["codequality"] == "readiness.codequality.json"
    project = tmp_path / "failing-project"
    import shutil

    shutil.copytree(FAILING_PROJECT, project)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "failing-project", "--only", "REL001", "--format", "codequality",
                                       "--output-dir", "out", "--no-cache"])  # fmt: skip
    assert result.exit_code == 1, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["readiness.codequality.json"]
    issues = _issues_of(tmp_path / "out" / "readiness.codequality.json")
    assert [(i["check_name"], i["location"]["path"]) for i in issues if i["check_name"] == "REL001"] == [
        ("REL001", "failing-project/k8s/deployment.yaml")
    ]


def _issues_of(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_the_command_line_offers_every_registered_format() -> None:
    from checker.reporters import FORMATS

    option = next(p for p in main.commands["check"].params if p.name == "formats")
    assert set(option.type.choices) == set(FORMATS)  # type: ignore[attr-defined]
