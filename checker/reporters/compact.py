"""The pre-commit view: plain text, one line per failing finding and one summary line.

A commit hook prints to a terminal or a git GUI's log, on every commit; it needs to say what blocks the
commit and where, in lines an editor can jump to, not a table (and not the cost of a table renderer).
"""

from __future__ import annotations

from checker.model import RuleResult, RunReport, Status
from checker.reporters.common import (
    failing,
    gate_change_text,
    inputs_text,
    is_open,
    location,
    score_text,
    visible,
    waiver_text,
)


def render(report: RunReport) -> str:
    lines = [line for result in failing(report) for line in _result_lines(result)]
    lines += [
        f"{visible(location(p.path, p.line), one_line=True)}: cannot be read as data: {_one_line(p.message)}"
        for p in report.input_problems
    ]
    lines += [_one_line(waiver_text(w)) for w in report.waivers]  # every view lists the waivers, in force and expired
    lines += [_one_line(f"gate change: {gate_change_text(c)}") for c in report.gate_changes]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _result_lines(result: RuleResult) -> list[str]:
    """`path:line: RULE severity message` per open finding; the rule's own message when it has none."""
    head = f"{result.rule_id} {result.severity.value}"
    if result.status == Status.ERROR:
        return [f"{head} error: {_one_line(result.message)}"]
    findings = [f for f in result.findings if is_open(f)]
    if not findings:
        return [f"{head} {_one_line(result.message)}"]
    return [_located(visible(location(f.path, f.line), one_line=True), f"{head} {_one_line(f.message)}") for f in findings]


def _located(where: str, text: str) -> str:
    return f"{where}: {text}" if where else text


def _one_line(text: str) -> str:
    """One line of plain text: line breaks joined, other control characters (ANSI sequences) shown as escapes."""
    return visible(" ".join(text.splitlines()), one_line=True)


def _summary(report: RunReport) -> str:
    c = report.coverage
    verdict = "READY" if report.ready else "NOT READY"
    inputs = inputs_text(c)
    return (f"readiness: {verdict} (fail-on {report.fail_on.value}) — {c.evaluated} of {c.total} rules evaluated: "
            f"{c.passed} passed, {c.failed} failed, {c.errored} errors, {c.skipped} skipped, {c.waived} waived; "
            f"{inputs + '; ' if inputs else ''}score {score_text(report.score.overall)}")  # fmt: skip
