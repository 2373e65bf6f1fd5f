"""`readiness diff OLD.json NEW.json`: what got fixed, what regressed, how the scores moved.

Statuses are compared rule by rule; findings by fingerprint with multiplicity (as baselines match them), so
a rule that keeps failing but gained or lost findings shows up too. Always exit 0: a diff informs, the
gate is `readiness check`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from checker.baseline import PastReport, PastResult, load_report
from checker.model import Finding, fingerprint

FAILING = ("fail", "error")
PASSING = ("pass", "waived")


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str
    severity: str
    old: str  # status, or "absent"
    new: str
    new_findings: int = 0
    fixed_findings: int = 0


class ScoreChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # "overall" or a category
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else round(self.new - self.old, 1)


class ReportDiff(BaseModel):
    model_config = ConfigDict(frozen=True)

    old_verdict: str
    new_verdict: str
    fixed: tuple[Change, ...]
    new: tuple[Change, ...]
    changed: tuple[Change, ...]  # other status changes (e.g. pass -> skipped) and rules added or removed
    findings: tuple[Change, ...]  # still failing, with findings gained or lost
    scores: tuple[ScoreChange, ...]


def diff_reports(old_path: Path, new_path: Path, fmt: str = "terminal") -> str:
    result = compare(load_report(old_path), load_report(new_path))
    return render_markdown(result) if fmt == "markdown" else render_text(result)


def compare(old: PastReport, new: PastReport) -> ReportDiff:
    before = {r.rule_id: r for r in old.results}
    after = {r.rule_id: r for r in new.results}
    changes = [_change(before.get(rule), after.get(rule)) for rule in sorted(before.keys() | after.keys())]
    fixed = [c for c in changes if c.old in FAILING and c.new not in FAILING]
    regressed = [c for c in changes if c.new in FAILING and c.old not in FAILING]
    moved = [c for c in changes if c.old != c.new and c not in fixed and c not in regressed]
    findings = [c for c in changes if c.old == c.new and (c.new_findings or c.fixed_findings)]
    return ReportDiff(old_verdict=old.verdict, new_verdict=new.verdict, fixed=tuple(fixed), new=tuple(regressed),
                      changed=tuple(moved), findings=tuple(findings), scores=tuple(_scores(old, new)))  # fmt: skip


def _change(old: PastResult | None, new: PastResult | None) -> Change:
    either = new or old
    assert either is not None
    gained, lost = _finding_delta(old, new)
    return Change(rule_id=either.rule_id, title=either.title, severity=either.severity,
                  old=old.status if old else "absent", new=new.status if new else "absent",
                  new_findings=gained, fixed_findings=lost)  # fmt: skip


def _finding_delta(old: PastResult | None, new: PastResult | None) -> tuple[int, int]:
    before, after = _prints(old), _prints(new)
    return sum((after - before).values()), sum((before - after).values())


def _prints(result: PastResult | None) -> Counter[str]:
    if result is None:
        return Counter()
    return Counter(fingerprint(result.rule_id, Finding(message=f.message, path=f.path, locator=f.locator))
                   for f in result.findings if not f.waived)  # fmt: skip


def _scores(old: PastReport, new: PastReport) -> list[ScoreChange]:
    rows = [ScoreChange(name="overall", old=old.score.overall, new=new.score.overall)]
    names = list(dict.fromkeys([*old.score.categories, *new.score.categories]))
    for name in names:
        before, after = old.score.categories.get(name), new.score.categories.get(name)
        rows.append(ScoreChange(name=name, old=before.score if before else None, new=after.score if after else None))
    return rows


# --- views -----------------------------------------------------------------------------------------


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"


def _delta(change: ScoreChange) -> str:
    if change.delta is None:
        return ""
    return "±0" if change.delta == 0 else f"{change.delta:+g}"


def _finding_counts(change: Change) -> str:
    parts = [f"+{change.new_findings} new" if change.new_findings else "",
             f"-{change.fixed_findings} fixed" if change.fixed_findings else ""]  # fmt: skip
    shown = ", ".join(p for p in parts if p)
    return f" (findings: {shown})" if shown else ""


def _line(change: Change) -> str:
    return f"{change.rule_id} [{change.severity}] {change.title}: {change.old} → {change.new}{_finding_counts(change)}"


def render_text(diff: ReportDiff) -> str:
    lines = [f"Verdict: {diff.old_verdict} → {diff.new_verdict}"]
    for title, group in (("Fixed", diff.fixed), ("New failures", diff.new), ("Other status changes", diff.changed),
                         ("Findings changed", diff.findings)):  # fmt: skip
        lines.append(f"{title} ({len(group)}):")
        lines += [f"  {_line(c)}" for c in group] or ["  none"]
    lines.append("Scores:")
    lines += [f"  {s.name}: {_score(s.old)} → {_score(s.new)} {_delta(s)}".rstrip() for s in diff.scores]
    return "\n".join(lines) + "\n"


def render_markdown(diff: ReportDiff) -> str:
    lines = ["# Readiness diff", "", f"Verdict: **{diff.old_verdict}** → **{diff.new_verdict}**", ""]
    for title, group in (("✅ Fixed", diff.fixed), ("❌ New failures", diff.new),
                         ("↔️ Other status changes", diff.changed), ("🔎 Findings changed", diff.findings)):  # fmt: skip
        lines += [f"## {title} ({len(group)})", ""]
        lines += [f"- **{c.rule_id}** `{c.severity}` {_md(c.title)}: {c.old} → {c.new}{_finding_counts(c)}" for c in group]
        lines += ["None."] if not group else []
        lines.append("")
    lines += ["## Scores", "", "| | Before | After | Change |", "|---|---:|---:|---:|"]
    lines += [f"| {s.name} | {_score(s.old)} | {_score(s.new)} | {_delta(s)} |" for s in diff.scores]
    return "\n".join(lines) + "\n"


def _md(value: str) -> str:
    from checker.reporters.markdown import text

    return text(value)
