"""`github` format: GitHub Actions workflow commands, one annotation per finding, printed to standard output.

`::error file=k8s/deploy.yaml,line=17,title=REL002 …::message` shows up on the pull request's diff. Values are
escaped as the runner expects: `%`, CR and LF everywhere, and also `:` and `,` inside properties. Other control
characters are shown as `\\xNN` (an ANSI sequence must not colour the log); a file name keeps its line breaks
(escaped as the runner expects), so that the annotation lands on the file. Files that could not be read as data
are warnings on those files.
"""

from __future__ import annotations

from checker.model import Finding, InputProblem, RuleResult, RunReport, Severity, Status
from checker.reporters.common import gate_change_text, known_line, relative_uri, visible, waiver_text

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice",
         Severity.INFO: "notice"}  # fmt: skip


def render(report: RunReport) -> str:
    lines: list[str] = []
    for result in report.results:
        if result.status == Status.ERROR:
            lines.append(_command("error", {"title": f"{result.rule_id} could not be evaluated"}, result.message))
        elif result.status == Status.FAIL:
            lines += [_annotation(report, result, f) for f in result.findings or (Finding(message=result.message),)
                      if not f.waived]  # fmt: skip
    lines += [_command("warning" if w.state == "expired" else "notice", {"title": f"waiver {w.rule}"}, waiver_text(w))
              for w in report.waivers]  # fmt: skip
    lines += [_command("warning" if c.weakens else "notice", {"title": "gate change"}, gate_change_text(c))
              for c in report.gate_changes]  # fmt: skip
    lines += [_problem(report, p) for p in report.input_problems]
    lines.append(_summary(report))
    return "".join(line + "\n" for line in lines)


def _summary(report: RunReport) -> str:
    """One closing notice with the verdict and the coverage, so a green run still says what it checked."""
    c = report.coverage
    verdict = "READY" if report.ready else "NOT READY"
    text = (f"{verdict}: {c.evaluated} of {c.total} rules evaluated ({c.failed} failed, {c.errored} errors), "
            f"{c.skipped} skipped, {c.waived} waived; fail-on {report.fail_on.value}")  # fmt: skip
    return _command("notice", {"title": "readiness"}, text)


def _annotation(report: RunReport, result: RuleResult, finding: Finding) -> str:
    properties = _where(report, finding)
    properties["title"] = f"{result.rule_id} ({result.severity.value}): {result.title}"
    level = "notice" if finding.baselined else LEVEL[result.severity]
    message = finding.message + (" (in the baseline)" if finding.baselined else "")
    if result.remediation:
        message += f"\nFix: {result.remediation.strip()}"
    return _command(level, properties, message)


def _problem(report: RunReport, problem: InputProblem) -> str:
    properties = {**_where(report, problem), "title": "readiness: file not checked"}
    return _command("warning", properties, f"cannot be read as data: {problem.message}")


def _where(report: RunReport, item: Finding | InputProblem) -> dict[str, str]:
    properties: dict[str, str] = {}
    if item.path:
        properties["file"] = relative_uri(report.target, item.path)
        line = known_line(item.line)
        if line:
            properties["line"] = str(line)
    return properties


def _command(level: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={escape_property(_shown(key, value))}" for key, value in properties.items())
    text = message.replace("\r\n", "\n").replace("\r", "\n")  # a line break, not a `\x0d` escape
    return f"::{level} {props}::{escape_data(visible(text))}"


def _shown(key: str, value: str) -> str:
    return visible(value) if key == "file" else visible(value, one_line=True)


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
