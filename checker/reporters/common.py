"""Helpers shared by reporters: ordering, labels, counts, finding states and paths."""

from __future__ import annotations

import posixpath
import re

from checker.model import (
    CATEGORY_ORDER,
    Category,
    Coverage,
    Finding,
    GateChange,
    RuleResult,
    RunReport,
    Severity,
    Status,
    WaiverRecord,
)

STATUS_LABEL = {
    Status.PASS: "PASS",
    Status.FAIL: "FAIL",
    Status.ERROR: "ERROR",
    Status.SKIPPED: "SKIP",
    Status.WAIVED: "WAIVED",
}

CATEGORY_TITLE = {
    Category.SCALABILITY: "Scalability",
    Category.RELIABILITY: "Reliability",
    Category.MONITORING: "Monitoring",
    Category.VERSIONING: "Versioning",
    Category.API_CONTRACTS: "API contracts",
    Category.DATA_COMPATIBILITY: "Data compatibility",
    Category.SECURITY: "Security",
}


def by_category(report: RunReport) -> list[tuple[Category, list[RuleResult]]]:
    """Results grouped in the fixed category order, categories without results left out."""
    groups = []
    for category in CATEGORY_ORDER:
        results = [r for r in report.results if r.category == category]
        if results:
            groups.append((category, results))
    return groups


def location(path: str | None, line: int | None) -> str:
    if not path:
        return ""
    line = known_line(line)
    return f"{path}:{line}" if line else path


def known_line(line: int | None) -> int | None:
    """A 1-based line, or None where a check could not tell (0 and negatives mean unknown, not line 0)."""
    return line if line is not None and line >= 1 else None


# Characters that would act on a terminal, a log viewer or the reader's eye instead of being shown: C0 and C1
# controls (ANSI escape sequences start with ESC), DEL, and the bidirectional overrides of "Trojan Source".
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str, one_line: bool = False) -> str:
    """Untrusted text (file names, quoted file content) with control characters shown as `\\xNN` escapes;
    `one_line` also escapes tabs and line breaks, for values that must stay on one line (paths, annotations)."""
    pattern = _CONTROL_OR_BREAK if one_line else _CONTROL
    return pattern.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point:02x}" if point <= 0xFF else f"\\u{point:04x}"


def score_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


SEVERITY_ORDER = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO]
FAILING = (Status.FAIL, Status.ERROR)


def failing(report: RunReport) -> list[RuleResult]:
    """Failed and errored rules, most severe first, then in report order."""
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return sorted((r for r in report.results if r.status in FAILING), key=lambda r: rank[r.severity])


def gating(result: RuleResult, fail_on: Severity) -> bool:
    """Does this result fail the gate? Rules whose findings are all baselined do not."""
    if result.status not in FAILING or result.severity.rank < fail_on.rank:
        return False
    return result.status == Status.ERROR or not result.findings or any(is_open(f) for f in result.findings)


def is_open(finding: Finding) -> bool:
    """Neither waived nor in the baseline: a finding that counts against the gate."""
    return not finding.waived and not finding.baselined


def finding_note(finding: Finding) -> str:
    """'' for an open finding, else why it does not count."""
    if finding.waived:
        return "waived"
    return "baselined" if finding.baselined else ""


def relative_uri(target: str, path: str) -> str:
    """`path` (relative to the target) as seen from the working directory, when the target is relative to it."""
    if posixpath.isabs(target) or target in ("", "."):
        return path
    joined = posixpath.normpath(posixpath.join(target, path))
    return path if joined.startswith("../") else joined


GATE_HEADING = "Gate changes by the project config"


def gate_heading(report: RunReport) -> str:
    """The one heading every view lists the gate changes under (SPEC §9), naming the policy when there is one."""
    return f"Gate from the policy {report.policy}; changes the project config may make" if report.policy else GATE_HEADING


def gate_change_text(change: GateChange) -> str:
    """`category security disabled by readiness.yaml:12:3 (loosens the gate)`: one line per change."""
    where = f" by {change.where}" if change.where else ""
    return f"{change.change}{where}{' (loosens the gate)' if change.weakens else ''}"


def waiver_text(waiver: WaiverRecord) -> str:
    """One line per waiver for the plain-text formats: rule, scope, state, expiry, reason, owner."""
    scope = f" {waiver.path}" if waiver.path else ""
    state = f"in force until {waiver.expires}" if waiver.state == "active" else f"EXPIRED on {waiver.expires}"
    owner = f" (owner: {waiver.owner})" if waiver.owner else ""
    matched = f", {waiver.matched_findings} finding(s) waived" if waiver.state == "active" else ", no longer applies"
    return f"waiver {waiver.rule}{scope}: {state}{matched}: {waiver.reason}{owner}"


def out_of_scope_text(coverage: Coverage) -> str:
    """`142 files out of scope (tests 120, docs 14, vendor 8), read by SEC002 only`; '' when there are none."""
    total = coverage.out_of_scope_files
    if not total:
        return ""
    folders = ", ".join(f"{folder} {count}" for folder, count in coverage.out_of_scope.items())
    return f"{total} file{'s' if total != 1 else ''} out of scope ({folders}), read by SEC002 only"


def not_evaluated_text(coverage: Coverage) -> str:
    """`3 files not evaluated (template)`; '' when every in-scope file was evaluated."""
    reasons: dict[str, int] = {}
    for item in coverage.not_evaluated:
        reasons[item.reason] = reasons.get(item.reason, 0) + 1
    return "; ".join(f"{n} file{'s' if n != 1 else ''} not evaluated ({reason})" for reason, n in reasons.items())


def inputs_text(coverage: Coverage) -> str:
    """Out of scope and not evaluated in one clause (', '-joined), for one-line summaries; '' when neither."""
    return "; ".join(t for t in (out_of_scope_text(coverage), not_evaluated_text(coverage)) if t)
