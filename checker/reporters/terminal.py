"""The terminal view (SPEC §10 *Terminal output*): short by default, every rule with `--verbose`.

Short: the failing and `error` rules with their findings, one line per category, coverage (rules evaluated,
skipped, waived; files out of scope and not evaluated), the waivers and gate changes, then the verdict — last,
so it is what stays on screen. Verbose: a table per category with every rule instead of the failing ones.
"""

from __future__ import annotations

import io
from typing import Any

from checker.model import RuleResult, RunReport, Status
from checker.reporters.common import (
    CATEGORY_TITLE,
    STATUS_LABEL,
    by_category,
    failing,
    gate_change_text,
    gate_heading,
    location,
    not_evaluated_text,
    out_of_scope_text,
    score_text,
    visible,
)

MAX_FINDINGS_SHOWN = 10  # per rule with --verbose, and input problems
SHORT_FINDINGS_SHOWN = 3  # per failing rule in the short view: a real repository has hundreds
MAX_PATHS_SHOWN = 3  # not-evaluated files named in the short view (all of them are in readiness.json)
_STYLE = {Status.PASS: "green", Status.FAIL: "bold red", Status.ERROR: "bold magenta", Status.SKIPPED: "dim", Status.WAIVED: "yellow"}


def render(report: RunReport, color: bool = False, width: int = 110, verbose: bool = False) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    # The view's styles are all in the 16 standard colours; a fixed colour system keeps `--color always` and
    # FORCE_COLOR coloured where rich would detect none (TERM=dumb, common in CI).
    console = Console(file=buffer, force_terminal=color, no_color=not color, color_system="standard" if color else None,
                      width=width, highlight=False)  # fmt: skip
    console.print(f"[bold]readiness[/bold] {_safe(report.tool.version)} — {_safe(report.target, one_line=True)}")
    if verbose:
        for category, results in by_category(report):
            _category_table(console, report, category, results)
    else:
        _failing(console, report)
        _categories(console, report)
    _footer(console, report, verbose)
    return buffer.getvalue()


def _failing(console: Any, report: RunReport) -> None:
    """Each failing or `error` rule, most severe first, with its message and findings."""
    for result in failing(report):
        style = _STYLE[result.status]
        console.print(f"[{style}]{STATUS_LABEL[result.status]}[/] {result.rule_id} {result.severity.value} — "
                      f"{_detail(result, SHORT_FINDINGS_SHOWN)}")  # fmt: skip


def _categories(console: Any, report: RunReport) -> None:
    for category, results in by_category(report):
        score = report.score.categories[category.value]
        counts = {status: sum(r.status == status for r in results) for status in Status}
        shown = ", ".join(f"{n} {status.value}" for status, n in counts.items() if n)
        console.print(f"{CATEGORY_TITLE[category]}: score {score_text(score.score)} ({shown})")


def _category_table(console: Any, report: RunReport, category: Any, results: list[RuleResult]) -> None:
    from rich.table import Table

    score = report.score.categories[category.value]
    table = Table(title=f"{CATEGORY_TITLE[category]} — score {score_text(score.score)}", title_justify="left",
                  show_lines=False, expand=True)  # fmt: skip
    table.add_column("status", width=7, no_wrap=True)
    table.add_column("rule", width=7, no_wrap=True)
    table.add_column("severity", width=8, no_wrap=True)
    table.add_column("check", ratio=1)
    for result in results:
        table.add_row(f"[{_STYLE[result.status]}]{STATUS_LABEL[result.status]}[/]", result.rule_id,
                      result.severity.value, _detail(result))  # fmt: skip
    console.print(table)


def _safe(text: str, one_line: bool = False) -> str:
    """Untrusted text for rich: control characters (ANSI sequences, CR) shown as escapes, markup escaped."""
    from rich.markup import escape

    return escape(visible(text, one_line=one_line))


def _detail(result: RuleResult, limit: int = MAX_FINDINGS_SHOWN) -> str:
    lines = [f"[bold]{_safe(result.title)}[/bold]"]
    if result.status != Status.PASS:
        lines.append(_safe(result.message))
    shown = [f for f in result.findings if not f.waived][:limit]
    for finding in shown:
        where = location(finding.path, finding.line)
        note = " [dim](baselined)[/dim]" if finding.baselined else ""
        lines.append(f"  • {_safe(where, one_line=True) + ': ' if where else ''}{_safe(finding.message)}{note}")
    hidden = len([f for f in result.findings if not f.waived]) - len(shown)
    if hidden > 0:
        lines.append(f"  … and {hidden} more (see readiness.json)")
    return "\n".join(lines)


def _footer(console: Any, report: RunReport, verbose: bool) -> None:
    c = report.coverage
    out = console.print
    out(f"Coverage: {c.evaluated} of {c.total} rules evaluated ({c.passed} passed, {c.failed} failed, "
        f"{c.errored} errors), {c.skipped} skipped, {c.waived} waived")  # fmt: skip
    if c.out_of_scope:
        out(f"Out of scope: {_safe(out_of_scope_text(c))}")
    if c.not_evaluated:
        named = c.not_evaluated if verbose else c.not_evaluated[:MAX_PATHS_SHOWN]
        more = len(c.not_evaluated) - len(named)
        paths = ", ".join(_safe(n.path, one_line=True) for n in named) + (f" and {more} more" if more else "")
        out(f"Not evaluated: {_safe(not_evaluated_text(c))}: {paths}")
    for waiver in report.waivers:
        state = "[yellow]EXPIRED[/yellow]" if waiver.state == "expired" else "active"
        scope = " " + _safe(waiver.path, one_line=True) if waiver.path else ""
        out(f"Waiver {waiver.rule}{scope} ({state}, expires {waiver.expires}): {_safe(waiver.reason)}")
    if report.gate_changes or report.policy:
        out(f"{gate_heading(report)}:" if report.gate_changes else f"{gate_heading(report)}: none")
        for change in report.gate_changes:
            mark = "[yellow]![/yellow]" if change.weakens else "•"
            out(f"  {mark} {_safe(gate_change_text(change), one_line=True)}")
    if report.input_problems:
        out(f"{len(report.input_problems)} files could not be read as data:")
        for problem in report.input_problems[:MAX_FINDINGS_SHOWN]:
            out(f"  • {_safe(location(problem.path, problem.line), one_line=True)}: {_safe(problem.message)}")
    _verdict(out, report)


def _verdict(out: Any, report: RunReport) -> None:
    out(f"Overall score {score_text(report.score.overall)}, fail-on {report.fail_on.value}")
    for reason in report.verdict_reasons:  # before the verdict, which stays the last line on screen
        out(f"  - {_safe(reason)}")
    out("[bold green]Verdict: READY[/bold green]" if report.ready else "[bold red]Verdict: NOT READY[/bold red]")
