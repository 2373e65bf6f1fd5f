"""`readiness.md`: a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

GitHub caps both at 65,536 characters, so long findings lists are shortened (with a note saying so) until
the page fits; the full evidence stays in readiness.json.
"""

from __future__ import annotations

import bisect
import re

from checker.model import Finding, RuleResult, RunReport, Status
from checker.reporters.common import (
    CATEGORY_TITLE,
    STATUS_LABEL,
    by_category,
    failing,
    finding_note,
    gate_heading,
    gating,
    location,
    out_of_scope_text,
    score_text,
    visible,
)

MAX_CHARS = 65_000
FINDINGS_LIMITS = (25, 10, 3, 0)  # per rule, tried in turn until the page fits
_ICON = {Status.PASS: "✅", Status.FAIL: "❌", Status.ERROR: "💥", Status.SKIPPED: "⏭️", Status.WAIVED: "🟡"}
_ESCAPED = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})
_PROSE_ESCAPED = str.maketrans({"<": "&lt;", ">": "&gt;", "|": "\\|"})
_BACKTICKS = re.compile("`+")


def render(report: RunReport) -> str:
    for limit in FINDINGS_LIMITS:
        text = "\n".join(_sections(report, limit)) + "\n"
        if len(text) <= MAX_CHARS:
            return text
    cut = text[: MAX_CHARS - 200].rsplit("\n", 1)[0]
    return cut + "\n\n> **Report truncated** to fit a pull-request comment: see readiness.json for everything.\n"


def text(value: str) -> str:
    """Plain text safe in Markdown, tables included: markup characters escaped, one line, controls shown."""
    return visible(" ".join(value.split())).translate(_ESCAPED)


def prose(value: str) -> str:
    """Rule-pack text (titles, remediation) keeps its Markdown (`code`, **bold**), one line, no raw HTML.

    Code spans are kept as written: inside one, Markdown shows `<service>` and `a | b` as they are (an entity
    or a backslash there would be shown too); prose is never put in a table, where `|` would end the cell."""
    value = visible(" ".join(value.split()))
    return "".join(piece if is_code else piece.translate(_PROSE_ESCAPED) for is_code, piece in _code_spans(value))


def _code_spans(value: str) -> list[tuple[bool, str]]:
    """`value` cut into (is a code span, text) pieces as CommonMark reads them, left to right: outside a span a
    backslash escapes the next character; a run of n backticks opens a span that the next run of exactly n
    backticks closes (backslashes do not escape inside one); a run without such a closer is plain text."""
    closers = _Closers(value)
    pieces: list[tuple[bool, str]] = []
    done = i = 0
    while i < len(value):
        if value[i] == "\\":
            i += 2  # an escaped character, a backtick too, is plain text
            continue
        if value[i] != "`":
            i += 1
            continue
        n = len(_BACKTICKS.match(value, i).group())  # type: ignore[union-attr]
        close = closers.after(i + n, n)
        if close is None:
            i += n
            continue
        pieces += [(False, value[done:i]), (True, value[i : close + n])]
        done = i = close + n
    return [*pieces, (False, value[done:])]


class _Closers:
    """Start of every maximal backtick run, by length: finding a span's closer is a binary search, so text full
    of unmatched backticks costs n log n, not n squared."""

    def __init__(self, value: str) -> None:
        self._starts: dict[int, list[int]] = {}
        for run in _BACKTICKS.finditer(value):
            self._starts.setdefault(len(run.group()), []).append(run.start())

    def after(self, position: int, length: int) -> int | None:
        starts = self._starts.get(length, [])
        index = bisect.bisect_left(starts, position)
        return starts[index] if index < len(starts) else None


def code(value: str, in_table: bool = False) -> str:
    """An inline code span, fenced with more backticks than the longest run inside it, so it cannot end early.

    In a table cell `|` ends the cell even inside a code span (GFM), so there it is escaped; and since GitHub
    splits cells before it reads code spans, a backslash could turn that escape into a cell end: such a value
    is shown as escaped plain text instead."""
    value = visible(value, one_line=True)  # a path's line break or tab shown, not folded into a space
    if in_table:
        if "\\" in value:
            return text(value)
        value = value.replace("|", "\\|")
    if "`" not in value:
        return f"`{value}`"
    fence = "`" * (max(len(run) for run in _BACKTICKS.findall(value)) + 1)
    return f"{fence} {value} {fence}"  # the spaces let a value start or end with a backtick


def _sections(report: RunReport, limit: int) -> list[str]:
    lines = _header(report) + _scores(report) + _failures(report, limit) + _coverage(report)
    return lines + _passing(report) + _skipped(report) + _waivers(report) + _gate_changes(report) + _problems(report)


def _header(report: RunReport) -> list[str]:
    verdict = "✅ READY" if report.ready else "❌ NOT READY"
    lines = [
        f"# Readiness: {verdict}",
        "",
        (f"{code(report.target)} · {text(report.tool.name)} {text(report.tool.version)} · "
         f"overall score **{score_text(report.score.overall)}** · fails on **{report.fail_on.value}** and above"),
    ]
    if report.verdict_reasons:
        lines += ["", "Why not ready:", ""] + [f"- {prose(reason)}" for reason in report.verdict_reasons]
    return lines + [""]


def _scores(report: RunReport) -> list[str]:
    lines = ["## Scores by category", "", "| Category | Score | Passed | Failed | Skipped | Waived |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for category, _ in by_category(report):
        s = report.score.categories[category.value]
        name = CATEGORY_TITLE[category] + ("" if s.enabled else " (disabled)")
        lines.append(f"| {name} | {score_text(s.score)} | {s.passed} | {s.failed} | {s.skipped} | {s.waived} |")
    return lines + [""]


def _failures(report: RunReport, limit: int) -> list[str]:
    failed = failing(report)
    if not failed:
        return ["## Failing rules", "", "None.", ""]
    lines = [f"## Failing rules ({len(failed)})", ""]
    for result in failed:
        lines += _failure(result, limit, gating(result, report.fail_on))
    return lines


def _failure(result: RuleResult, limit: int, gates: bool) -> list[str]:
    effect = "" if gates else " — does not fail the gate"
    lines = [f"### {_ICON[result.status]} {result.rule_id} · {result.severity.value} · {prose(result.title)}{effect}", "",
             text(result.message), ""]  # fmt: skip
    shown = result.findings[:limit]
    lines += [_finding(f) for f in shown]
    if len(result.findings) > len(shown):
        lines.append(f"- … {len(result.findings) - len(shown)} more findings not shown (see readiness.json)")
    if shown or len(result.findings) > len(shown):
        lines.append("")
    if result.remediation:
        lines += [f"**Fix:** {prose(result.remediation)}", ""]
    return lines


def _finding(finding: Finding) -> str:
    where = location(finding.path, finding.line)
    note = finding_note(finding)
    return f"- {code(where) + ' — ' if where else ''}{text(finding.message)}{f' *({note})*' if note else ''}"


def _coverage(report: RunReport) -> list[str]:
    c = report.coverage
    counts = (f"{c.evaluated} of {c.total} rules evaluated ({c.passed} passed, {c.failed} failed, {c.errored} errors), "
              f"{c.skipped} skipped, {c.waived} waived.")  # fmt: skip
    lines = ["## Coverage", "", counts, ""]
    if c.out_of_scope:
        lines += [f"{out_of_scope_text(c)}.", ""]
    if c.not_evaluated:
        rows = [f"- {code(n.path)} — {text(n.reason)}" for n in c.not_evaluated]
        lines += _details(f"Not evaluated ({len(c.not_evaluated)})", rows)
    return lines


def _passing(report: RunReport) -> list[str]:
    passed = [r for r in report.results if r.status in (Status.PASS, Status.WAIVED)]
    if not passed:
        return []
    rows = [f"| {_ICON[r.status]} {STATUS_LABEL[r.status]} | {r.rule_id} | {r.severity.value} | {text(r.title)} |" for r in passed]
    return _details(f"Passing rules ({len(passed)})", ["| Status | Rule | Severity | Title |", "|---|---|---|---|", *rows])


def _skipped(report: RunReport) -> list[str]:
    skipped = [r for r in report.results if r.status == Status.SKIPPED]
    if not skipped:
        return []
    rows = [f"| {r.rule_id} | {text(r.title)} | {text(r.message)} |" for r in skipped]
    return _details(f"Skipped rules ({len(skipped)})", ["| Rule | Title | Why |", "|---|---|---|", *rows])


def _details(summary: str, body: list[str]) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", *body, "", "</details>", ""]


def _waivers(report: RunReport) -> list[str]:
    if not report.waivers:
        return []
    lines = ["## Waivers", "", "| Rule | Path | State | Expires | Owner | Findings | Reason |", "|---|---|---|---|---|---:|---|"]
    for w in report.waivers:
        state = "**expired**" if w.state == "expired" else "in force"
        lines.append(f"| {w.rule} | {code(w.path, in_table=True) if w.path else 'all'} | {state} | {w.expires} | "
                     f"{text(w.owner or '')} | {w.matched_findings} | {text(w.reason)} |")  # fmt: skip
    return lines + [""]


def _gate_changes(report: RunReport) -> list[str]:
    if not report.gate_changes and not report.policy:
        return []
    rows = [f"- {'**loosens** — ' if c.weakens else ''}{text(c.change)}{' — ' + code(c.where) if c.where else ''}"
            for c in report.gate_changes] or ["None."]  # fmt: skip
    return [f"## {text(gate_heading(report))}", "", *rows, ""]


def _problems(report: RunReport) -> list[str]:
    if not report.input_problems:
        return []
    rows = [f"- {code(location(p.path, p.line))} — {text(p.message)}" for p in report.input_problems]
    return _details(f"Files that could not be read as data ({len(rows)})", rows)
