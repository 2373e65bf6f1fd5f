"""`readiness.codequality.json`: GitLab's Code Quality report, the subset of the Code Climate issue format
that GitLab reads (`artifacts:reports:codequality`).

A JSON array with one issue per open finding of a failed rule, per rule that could not be evaluated, per
waiver (SPEC §5: every report lists them), per gate change and per file that could not be read as data. Each
issue has `description`, `check_name` (the rule id), `fingerprint`, `severity` (`info`, `minor`, `major`,
`critical`, `blocker`) and `location` with `path` (relative to the working directory: the repository root
in a GitLab job) and `lines.begin` (1 where the line is unknown; an issue without a file is placed on the
checked folder, since GitLab needs a path).

GitLab shows the issues a merge request adds or resolves by comparing fingerprints with the target branch's
report, so a fingerprint is the finding's identity across runs — rule, file and locator, never the line (the
one SARIF uses); findings with the same identity are told apart by their order. Waived findings are left out
(the waiver itself is listed); baselined findings stay, at their severity: they are still there, and the
merge request widget shows only what changed. No byte order mark: GitLab's parser refuses one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from checker.model import Finding, RuleResult, RunReport, Severity, Status, fingerprint
from checker.reporters.common import gate_change_text, known_line, relative_uri, visible, waiver_text

SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}
# What the other views call a warning or a notice (an expired waiver, a gate change, an unreadable file).
WARNING, NOTICE = "minor", "info"


def render(report: RunReport) -> str:
    issues = _unique_fingerprints([*_rule_issues(report), *_other_issues(report)])
    return json.dumps(issues, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _rule_issues(report: RunReport) -> Iterator[dict[str, Any]]:
    for result in report.results:
        if result.status == Status.ERROR:
            identity = _digest("error", result.rule_id)
            text = f"{result.rule_id} could not be evaluated: {result.message}"
            yield _issue(text, result.rule_id, identity, SEVERITY[result.severity], _folder(report), None)
        elif result.status == Status.FAIL:
            for finding in result.findings or (Finding(message=result.message),):
                if not finding.waived:
                    yield _finding_issue(report, result, finding)


def _finding_issue(report: RunReport, result: RuleResult, finding: Finding) -> dict[str, Any]:
    path = relative_uri(report.target, finding.path) if finding.path else _folder(report)
    text = f"{result.rule_id}: {finding.message}" + (" (in the baseline)" if finding.baselined else "")
    return _issue(text, result.rule_id, fingerprint(result.rule_id, finding), SEVERITY[result.severity], path,
                  finding.line if finding.path else None)  # fmt: skip


def _other_issues(report: RunReport) -> Iterator[dict[str, Any]]:
    folder = _folder(report)
    for waiver in report.waivers:
        severity = WARNING if waiver.state == "expired" else NOTICE
        identity = _digest("waiver", waiver.rule, waiver.path or "", waiver.state)
        yield _issue(waiver_text(waiver), "waiver", identity, severity, folder, None)
    for change in report.gate_changes:
        path, line = _split_where(change.where, folder)
        identity = _digest("gate-change", change.key, change.change)
        yield _issue(gate_change_text(change), "gate-change", identity, WARNING if change.weakens else NOTICE, path, line)
    for problem in report.input_problems:
        identity = _digest("input", problem.path)
        text = f"{problem.path}: cannot be read as data: {problem.message}"
        yield _issue(text, "unreadable-input", identity, WARNING, relative_uri(report.target, problem.path), problem.line)


def _issue(description: str, check: str, identity: str, severity: str, path: str, line: int | None) -> dict[str, Any]:
    return {
        "description": visible(description, one_line=True),  # untrusted text: no control or bidi characters
        "check_name": check,
        "fingerprint": identity,
        "severity": severity,
        "location": {"path": path, "lines": {"begin": known_line(line) or 1}},
    }


def _folder(report: RunReport) -> str:
    """The checked folder, relative to the working directory: where an issue without a file is shown."""
    return relative_uri(report.target, ".")


def _split_where(where: str | None, folder: str) -> tuple[str, int | None]:
    """`readiness.yaml:12:3` (as the config was named on the command line) -> ('readiness.yaml', 12)."""
    if not where:
        return folder, None
    parts = where.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return parts[0], int(parts[1])
    return where, None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def _unique_fingerprints(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The n-th issue with an identity already seen gets a fingerprint of (identity, n): GitLab would otherwise
    show two findings as one and compare them as one."""
    seen: dict[str, int] = {}
    for issue in issues:
        identity = issue["fingerprint"]
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] > 1:
            issue["fingerprint"] = _digest(identity, str(seen[identity]))
    return issues
