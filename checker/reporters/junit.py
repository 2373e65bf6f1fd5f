"""`readiness.junit.xml`: a testsuite per category, a testcase per rule (GitLab, Jenkins, Azure test tabs).

`fail` is a <failure> listing the findings, `error` an <error>, `skipped` a <skipped> with the reason; `pass`
and `waived` are passing testcases (the strict schema allows no output per testcase). Project files that could
not be read as data are skipped testcases of a last suite, `readiness.input_problems`: the file was not checked. The layout satisfies both the strict Ant schema (JUnit.xsd: no
attributes on <testsuites>, every suite with package/id/timestamp/hostname and its properties and output
elements) and the Surefire schema the Jenkins xUnit plugin uses.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from checker.model import Category, InputProblem, RuleResult, RunReport, Status, WaiverRecord
from checker.reporters.common import by_category, finding_note, gate_change_text, location, visible, waiver_text

HOSTNAME = "readiness-checker"  # a report must not depend on the machine that wrote it
# Characters XML 1.0 cannot carry at all, even escaped (a finding may quote a binary-ish snippet).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(report: RunReport) -> str:
    root = ET.Element("testsuites")
    groups = by_category(report)
    for number, (category, results) in enumerate(groups):
        root.append(_suite(report, number, category, results))
    if report.input_problems:
        root.append(_problems_suite(report, len(groups)))
    _scrub(root)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(report: RunReport, number: int, category: Category, results: list[RuleResult]) -> ET.Element:
    counts = {"failures": sum(r.status == Status.FAIL for r in results),
              "errors": sum(r.status == Status.ERROR for r in results),
              "skipped": sum(r.status == Status.SKIPPED for r in results)}  # fmt: skip
    suite = _suite_element(report, number, f"readiness.{category.value}", len(results), counts,
                           sum(r.duration_s for r in results))  # fmt: skip
    properties = suite[0]
    for waiver in _waivers_of(report, category, first=number == 0):
        ET.SubElement(properties, "property", {"name": "waiver", "value": waiver_text(waiver)})
    if number == 0:  # the gate is the run's, not a category's: listed once, in the first suite
        if report.policy:
            ET.SubElement(properties, "property", {"name": "policy", "value": report.policy})
        for change in report.gate_changes:
            ET.SubElement(properties, "property", {"name": "gate_change", "value": gate_change_text(change)})
        for folder, files in report.coverage.out_of_scope.items():  # what the verdict is not about
            ET.SubElement(properties, "property", {"name": f"out_of_scope.{folder}", "value": str(files)})
        for item in report.coverage.not_evaluated:
            ET.SubElement(properties, "property", {"name": "not_evaluated", "value": f"{item.path} ({item.reason})"})
    suite.extend(_testcase(category, r) for r in results)
    return _closed(suite)


def _suite_element(report: RunReport, number: int, name: str, tests: int, counts: dict[str, int],
                   seconds: float) -> ET.Element:  # fmt: skip
    """A <testsuite> with the attributes and run properties both schemas require (the order is the Ant one)."""
    suite = ET.Element("testsuite", {
        "name": name,
        "package": "readiness",
        "id": str(number),
        "timestamp": _timestamp(report.started_at),
        "hostname": HOSTNAME,
        "tests": str(tests),
        **{key: str(value) for key, value in counts.items()},
        "time": _seconds(seconds),
    })  # fmt: skip
    properties = ET.SubElement(suite, "properties")
    for key, value in (("target", report.target), ("verdict", report.verdict), ("fail_on", report.fail_on.value),
                       ("tool_version", report.tool.version)):  # fmt: skip
        ET.SubElement(properties, "property", {"name": key, "value": value})
    return suite


def _closed(suite: ET.Element) -> ET.Element:
    ET.SubElement(suite, "system-out").text = ""
    ET.SubElement(suite, "system-err").text = ""
    return suite


def _problems_suite(report: RunReport, number: int) -> ET.Element:
    problems = report.input_problems
    counts = {"failures": 0, "errors": 0, "skipped": len(problems)}
    suite = _suite_element(report, number, "readiness.input_problems", len(problems), counts, 0.0)
    suite.extend(_problem_case(p) for p in problems)
    return _closed(suite)


def _problem_case(problem: InputProblem) -> ET.Element:
    case = ET.Element("testcase", {"name": location(problem.path, problem.line),
                                   "classname": "readiness.input_problems", "time": _seconds(0.0)})  # fmt: skip
    ET.SubElement(case, "skipped", {"message": f"cannot be read as data: {problem.message}"})
    return case


def _waivers_of(report: RunReport, category: Category, first: bool) -> list[WaiverRecord]:
    """Every report lists the waivers (SPEC §5): each under its rule's category, unknown ones in the first suite."""
    categories = {r.rule_id: r.category for r in report.results}
    return [w for w in report.waivers if categories.get(w.rule) == category or (first and w.rule not in categories)]


def _testcase(category: Category, result: RuleResult) -> ET.Element:
    case = ET.Element("testcase", {
        "name": f"{result.rule_id} {result.title}",
        "classname": f"readiness.{category.value}.{result.rule_id}",
        "time": _seconds(result.duration_s),
    })  # fmt: skip
    if result.status == Status.FAIL:
        child = ET.SubElement(case, "failure", {"message": result.message, "type": result.severity.value})
        child.text = _evidence(result)
    elif result.status == Status.ERROR:
        child = ET.SubElement(case, "error", {"message": result.message, "type": "rule-error"})
        child.text = result.message
    elif result.status == Status.SKIPPED:
        ET.SubElement(case, "skipped", {"message": result.message})
    return case


def _evidence(result: RuleResult) -> str:
    lines = [f"[{result.severity.value}] {result.title}: {result.message}"]
    for finding in result.findings:
        where = location(finding.path, finding.line)
        note = finding_note(finding)
        lines.append(f"- {where + ': ' if where else ''}{finding.message}{f' ({note})' if note else ''}")
    if result.remediation:
        lines.append(f"Fix: {result.remediation.strip()}")
    return "\n".join(lines)


def _scrub(root: ET.Element) -> None:
    """Control characters shown as escapes (an ANSI sequence must not colour a CI log), then whatever XML 1.0
    cannot carry at all replaced."""
    for element in root.iter():
        if element.text:
            element.text = _xml_text(element.text)
        for key, value in element.attrib.items():
            element.attrib[key] = _xml_text(value)


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", visible(value))


def _timestamp(stamp: str) -> str:
    """ISO 8601 in UTC without a zone designator, as the Ant schema requires."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        moment = datetime(1970, 1, 1, tzinfo=UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _seconds(value: float) -> str:
    return f"{value:.3f}"
