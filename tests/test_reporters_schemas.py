"""SARIF and JUnit outputs validated against the official schemas, plus their mapping.

The schemas are read from $READINESS_SCHEMAS_DIR, by default ../shared/schemas beside the clone. Where they
are absent, the tests that need them are skipped with that reason in the summary: never a silent pass.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import SCHEMAS, SCHEMAS_ENV
from report_samples import example_report, failing_report, sample_report

from checker.model import Finding, RunReport
from checker.reporters import junit, sarif



def _schema_file(name: str) -> Path:
    path = SCHEMAS / name
    if not path.is_file():
        pytest.skip(f"official schema {name} not found in {SCHEMAS}: set {SCHEMAS_ENV} to a folder that has it")
    return path


@lru_cache(maxsize=1)
def _sarif_validator():
    import jsonschema

    return jsonschema.Draft4Validator(json.loads(_schema_file("sarif-schema-2.1.0.json").read_text(encoding="utf-8")))


@lru_cache(maxsize=2)
def _xsd(name: str):
    import xmlschema

    return xmlschema.XMLSchema(str(_schema_file(name)))


def _assert_valid(report: RunReport) -> tuple[dict, ET.Element]:
    log = json.loads(sarif.render(report))
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in _sarif_validator().iter_errors(log)]
    assert not problems, problems
    xml = junit.render(report)
    for name in ("JUnit.xsd", "junit-10.xsd"):
        errors = [str(e).splitlines()[0] for e in _xsd(name).iter_errors(xml)]
        assert not errors, (name, errors)
    return log, ET.fromstring(xml)


def test_schemas_accept_the_example_project(tmp_path: Path) -> None:
    report = example_report(tmp_path)
    log, suites = _assert_valid(report)
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(report.results)
    assert sum(int(s.get("tests")) for s in suites) == len(report.results)


def test_schemas_accept_the_failing_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log, suites = _assert_valid(failing_report(tmp_path, monkeypatch))
    results = log["runs"][0]["results"]
    replicas = next(r for r in results if r["ruleId"] == "REL001")
    location = replicas["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "failing-project/k8s/deployment.yaml", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 7}}  # fmt: skip
    assert replicas["level"] == "error"
    assert next(r for r in results if r["ruleId"] == "REL010")["level"] == "warning"
    reliability = next(s for s in suites if s.get("name") == "readiness.reliability")
    assert (reliability.get("tests"), reliability.get("failures"), reliability.get("errors")) == ("4", "4", "0")


def test_schemas_accept_every_status_and_hostile_text() -> None:
    report = sample_report()
    report = report.model_copy(update={"results": (*report.results[:-1], report.results[-1].model_copy(
        update={"findings": (Finding(message="control \x00\x1b chars", path="a.yaml", line=2),)}))})  # fmt: skip
    log, _ = _assert_valid(report)
    run = log["runs"][0]
    note, *problems = run["invocations"][0]["toolExecutionNotifications"]
    assert [p["level"] for p in problems] == ["warning"] * len(problems)  # input problems come after rule errors
    assert note["associatedRule"]["id"] == "MON001" and "boom" in note["message"]["text"]
    assert not [r for r in run["results"] if r["ruleId"] == "MON001"]  # an error is not a finding


def test_sarif_locations_fingerprints_and_states() -> None:
    run = json.loads(sarif.render(sample_report()))["runs"][0]
    by_message = {r["message"]["text"]: r for r in run["results"]}
    pathless = by_message["no version declared"]["locations"][0]["physicalLocation"]
    assert pathless == {"artifactLocation": {"uri": "services/scorer/", "uriBaseId": "%SRCROOT%"}}
    no_line = next(r for r in run["results"] if r["ruleId"] == "SEC007")["locations"][0]["physicalLocation"]
    assert "region" not in no_line and no_line["artifactLocation"]["uri"] == "services/scorer/deploy/app,%20v2.yaml"
    assert by_message["Deployment 'b' has 1 replica"]["baselineState"] == "unchanged"
    assert "baselineState" not in by_message["Deployment 'a' has 1 replica"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["REL001"]["help"]["text"] == "Fix REL001: set `x: 1`."
    assert rules["SEC007"]["defaultConfiguration"]["level"] == "error"
    assert rules["VER001"]["defaultConfiguration"]["level"] == "note"


def test_sarif_fingerprint_ignores_the_line() -> None:
    report = sample_report()
    first = report.results[0]
    shifted = first.model_copy(update={"findings": tuple(f.model_copy(update={"line": (f.line or 0) + 40})
                                                         for f in first.findings)})  # fmt: skip
    moved = report.model_copy(update={"results": (shifted, *report.results[1:])})

    def prints(r: RunReport) -> list[str]:
        return [x["partialFingerprints"]["readinessFinding/v1"] for x in json.loads(sarif.render(r))["runs"][0]["results"]]

    assert prints(report) == prints(moved)
    assert len(set(prints(report))) == len(prints(report))


def test_junit_maps_statuses() -> None:
    suites = ET.fromstring(junit.render(sample_report()))
    cases = {c.get("classname").rsplit(".", 1)[1]: c for c in suites.iter("testcase")}
    failure = cases["REL001"].find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert "- k8s/b.yaml:9: Deployment 'b' has 1 replica (baselined)" in failure.text
    assert cases["MON001"].find("error").get("message") == "internal error: ValueError: boom"
    assert cases["MON002"].find("skipped").get("message") == "no alerting rules found"
    assert list(cases["REL002"]) == [] and list(cases["REL003"]) == []  # waived and passing rules pass
    monitoring = next(s for s in suites if s.get("name") == "readiness.monitoring")
    assert (monitoring.get("errors"), monitoring.get("skipped"), monitoring.get("timestamp")) == ("1", "1", "2026-11-25T12:00:00")
