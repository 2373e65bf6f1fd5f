"""`github` format: GitHub Actions workflow commands, one annotation per finding, printed to standard output.

`::error file=k8s/deploy.yaml,line=17,title=REL002 …::message` shows up on the pull request's diff. Values are
escaped as the runner expects: `%`, CR and LF everywhere, and also `:` and `,` inside properties. Other control
characters are shown as `\\xNN` (an ANSI sequence must not colour the log); a file name keeps its line breaks
(escaped as the runner expects), so that the annotation lands on the file. Files that could not be read as data
are warnings on those files.

GitHub shows at most 10 annotations of each level per step and drops the rest without a word, so the lines are
ordered most severe first, at most 10 of each level are printed, and when some are left out a notice says how
many and where the full report is; the closing verdict notice counts among the 10 notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.model import Finding, InputProblem, RuleResult, RunReport, Severity, Status
from checker.reporters.common import (
    SEVERITY_ORDER,
    gate_change_text,
    inputs_text,
    known_line,
    relative_uri,
    visible,
    waiver_text,
)

LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "notice",
         Severity.INFO: "notice"}  # fmt: skip
LEVELS = ("error", "warning", "notice")
PER_LEVEL = 10  # annotations of one level GitHub shows per step
# Report files named as "the full report", most readable first.
FULL_REPORT_PREFERENCE = ("readiness.md", "readiness.html", "readiness.json", "readiness.sarif", "readiness.junit.xml")
_NO_SEVERITY = len(SEVERITY_ORDER)  # waivers, gate changes, unreadable files: after the rules' findings


@dataclass(frozen=True)
class _Line:
    level: str
    rank: int  # the rule's severity (0 = critical), for "most severe first"
    text: str


def render(report: RunReport, reports: Sequence[str] = ()) -> str:
    """The annotations; `reports` are the report files this run writes (for the left-out notice)."""
    lines = sorted(_lines(report), key=lambda line: (LEVELS.index(line.level), line.rank))  # stable: report order
    shown, left_out = _within_limits(lines)
    closing = [_left_out_notice(left_out, reports)] if left_out else []
    return "".join(line.text + "\n" for line in shown) + "".join(text + "\n" for text in (*closing, _summary(report)))


def _lines(report: RunReport) -> list[_Line]:
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    lines: list[_Line] = []
    for result in report.results:
        if result.status == Status.ERROR:
            title = {"title": f"{result.rule_id} could not be evaluated"}
            lines.append(_Line("error", rank[result.severity], _command("error", title, result.message)))
        elif result.status == Status.FAIL:
            lines += [_annotation(report, result, f, rank[result.severity])
                      for f in result.findings or (Finding(message=result.message),) if not f.waived]  # fmt: skip
    return lines + _other_lines(report)


def _other_lines(report: RunReport) -> list[_Line]:
    """Waivers, gate changes and unreadable files: after the rules' findings of the same level."""
    lines = [_plain("warning" if w.state == "expired" else "notice", {"title": f"waiver {w.rule}"}, waiver_text(w))
             for w in report.waivers]  # fmt: skip
    lines += [_plain("warning" if c.weakens else "notice", {"title": "gate change"}, gate_change_text(c))
              for c in report.gate_changes]  # fmt: skip
    return lines + [_Line("warning", _NO_SEVERITY, _problem(report, p)) for p in report.input_problems]


def _plain(level: str, properties: dict[str, str], message: str) -> _Line:
    return _Line(level, _NO_SEVERITY, _command(level, properties, message))


def _within_limits(lines: list[_Line]) -> tuple[list[_Line], dict[str, int]]:
    """At most PER_LEVEL lines of each level; the verdict notice, and the left-out notice when one is needed,
    take their places among the notices."""
    counts = {level: sum(1 for line in lines if line.level == level) for level in LEVELS}
    overflow = counts["error"] > PER_LEVEL or counts["warning"] > PER_LEVEL or counts["notice"] > PER_LEVEL - 1
    budget = {"error": PER_LEVEL, "warning": PER_LEVEL, "notice": PER_LEVEL - (2 if overflow else 1)}
    shown = [line for level in LEVELS for line in [x for x in lines if x.level == level][: budget[level]]]
    left_out = {level: counts[level] - budget[level] for level in LEVELS if counts[level] > budget[level]}
    return shown, left_out


def _left_out_notice(left_out: dict[str, int], reports: Sequence[str]) -> str:
    counts = ", ".join(f"{count} {level}{'s' if count > 1 else ''}" for level, count in left_out.items())
    return _command("notice", {"title": "readiness: annotations left out"},
                    f"{counts} not shown as annotations (GitHub shows at most {PER_LEVEL} of each level per step, most "
                    f"severe first here); {_full_report(reports)}")  # fmt: skip


def _full_report(reports: Sequence[str]) -> str:
    named = sorted(reports, key=lambda p: next((i for i, n in enumerate(FULL_REPORT_PREFERENCE) if p.endswith(n)), 99))
    if named:
        return f"the full report is {named[0]}"
    return "no report file was written: add --format markdown (or json, sarif) to write the full report to --output-dir"


def _summary(report: RunReport) -> str:
    """One closing notice with the verdict and the coverage, so a green run still says what it checked."""
    c = report.coverage
    verdict = "READY" if report.ready else "NOT READY"
    inputs = inputs_text(c)
    text = (f"{verdict}: {c.evaluated} of {c.total} rules evaluated ({c.failed} failed, {c.errored} errors), "
            f"{c.skipped} skipped, {c.waived} waived; {inputs + '; ' if inputs else ''}"
            f"fail-on {report.fail_on.value}")  # fmt: skip
    return _command("notice", {"title": "readiness"}, text)


def _annotation(report: RunReport, result: RuleResult, finding: Finding, rank: int) -> _Line:
    properties = _where(report, finding)
    properties["title"] = f"{result.rule_id} ({result.severity.value}): {result.title}"
    level = "notice" if finding.baselined else LEVEL[result.severity]
    message = finding.message + (" (in the baseline)" if finding.baselined else "")
    if result.remediation:
        message += f"\nFix: {result.remediation.strip()}"
    return _Line(level, rank, _command(level, properties, message))


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
