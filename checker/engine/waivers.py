"""Governed waivers: each names a rule, optionally a path glob, a reason and an expiry date."""

from __future__ import annotations

import fnmatch
from datetime import date

from checker.config import Waiver
from checker.engine.bounds import omitted
from checker.model import Finding, RuleResult, Status, WaiverRecord


def active(waivers: list[Waiver], today: date) -> list[Waiver]:
    return [w for w in waivers if w.expires >= today]


def apply(result: RuleResult, waivers: list[Waiver]) -> tuple[RuleResult, dict[int, int]]:
    """The result with waived findings marked; status `waived` when nothing unwaived is left.

    Returns also how many findings each waiver (by position in `waivers`) matched.
    """
    matched: dict[int, int] = {}
    relevant = [(i, w) for i, w in enumerate(waivers) if w.rule == result.rule_id]
    if result.status != Status.FAIL or not relevant:
        return result, matched
    findings = []
    for finding in result.findings:
        hit = next((i for i, w in relevant if _covers(w, finding)), None)
        if hit is not None:
            matched[hit] = matched.get(hit, 0) + 1
        findings.append(finding.model_copy(update={"waived": hit is not None}))
    whole_rule = next((i for i, w in relevant if w.path is None), None)
    if not findings and whole_rule is not None:
        matched[whole_rule] = 0
    remaining = [f for f in findings if not f.waived]
    # Findings left out of the list (bounds) are not known to match a path glob: only a whole-rule waiver covers them.
    unlisted = omitted(result) > 0 and whole_rule is None
    if remaining or unlisted or (not findings and whole_rule is None):
        return result.model_copy(update={"findings": tuple(findings)}), matched
    message = f"waived: {result.message}"
    return result.model_copy(update={"findings": tuple(findings), "status": Status.WAIVED, "message": message}), matched


def _covers(waiver: Waiver, finding: Finding) -> bool:
    if waiver.path is None:
        return True
    return finding.path is not None and fnmatch.fnmatch(finding.path, waiver.path)


def records(waivers: list[Waiver], today: date, matched: dict[int, int]) -> list[WaiverRecord]:
    return [
        WaiverRecord(
            rule=w.rule, path=w.path, reason=w.reason, owner=w.owner, expires=w.expires,
            state="active" if w.expires >= today else "expired", matched_findings=matched.get(i, 0),
        )
        for i, w in enumerate(waivers)
    ]  # fmt: skip
