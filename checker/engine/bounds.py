"""Bounded output: what one rule can put into the reports, whatever its check type and whatever the tree holds.

A hostile tree can make a check produce a finding per line of a huge file, or a message that quotes a megabyte
of it. So every result the engine stamps is cut here, once, before it is cached or rendered: a message (the
rule's and each finding's) is at most MAX_MESSAGE_CHARS characters, and a rule lists at most MAX_FINDINGS
findings, the rest counted at the end of its message. Waivers and baselines cannot vouch for findings that
are not listed, so a rule with omitted findings is never `waived` by a path-scoped waiver nor passed by a
baseline (`omitted`).
"""

from __future__ import annotations

import hashlib
import re

from checker.model import Finding, RuleResult

MAX_MESSAGE_CHARS = 2_000
MAX_FINDINGS = 1_000
MAX_LOCATOR_CHARS = 2_000  # a locator is an identity: a longer one is shortened to a prefix plus its hash
ELLIPSIS = "…"
_OMITTED = re.compile(r" \((\d+) more findings? not listed: a rule reports at most [\d,]+\)\Z")


def bounded(result: RuleResult) -> RuleResult:
    """The result within the bounds (the same object when it already is)."""
    findings = result.findings
    extra = max(0, len(findings) - MAX_FINDINGS) + omitted(result)
    message = _OMITTED.sub("", result.message) if extra else result.message
    cut = tuple(_bounded_finding(f) for f in findings[:MAX_FINDINGS])
    trailer = _trailer(extra) if extra else ""
    message = cut_text(message, MAX_MESSAGE_CHARS - len(trailer)) + trailer
    if message == result.message and len(cut) == len(findings) and all(a is b for a, b in zip(cut, findings)):
        return result
    return result.model_copy(update={"message": message, "findings": cut})


def omitted(result: RuleResult) -> int:
    """How many findings of the rule were left out of its list (counted in its message)."""
    found = _OMITTED.search(result.message)
    return int(found[1]) if found else 0


def cut_text(text: str, limit: int) -> str:
    """`text`, or its first `limit` - 1 characters and an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def _trailer(count: int) -> str:
    noun = "finding" if count == 1 else "findings"
    return f" ({count} more {noun} not listed: a rule reports at most {MAX_FINDINGS:,})"


def _bounded_finding(finding: Finding) -> Finding:
    message = cut_text(finding.message, MAX_MESSAGE_CHARS)
    locator = finding.locator
    if locator is not None and len(locator) > MAX_LOCATOR_CHARS:
        digest = hashlib.sha256(locator.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        locator = f"{locator[:MAX_LOCATOR_CHARS - 17]}#{digest}"
    if message == finding.message and locator == finding.locator:
        return finding
    return finding.model_copy(update={"message": message, "locator": locator})
