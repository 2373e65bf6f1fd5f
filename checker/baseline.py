"""Baselines: a previous readiness.json whose findings are known and accepted for now.

A finding is matched by its fingerprint (rule id, file and locator — never the line, so unrelated edits
above it do not turn it into a new finding). Matching counts multiplicity: a baseline holding one finding
with a given fingerprint absorbs one such finding of this run, and a second, identical one is new.
Findings that were waived in the previous run are not part of the baseline: once their waiver expires
they must be dealt with, not silently carried over.

Previous reports are read leniently (unknown fields ignored) so a report of an older or newer version works.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from checker.model import Finding, RuleResult, Status, fingerprint


class BaselineError(Exception):
    """The baseline file cannot be used; the message names the file."""


class Lenient(BaseModel):
    # Every run imports this module, few pass --baseline: build the validators only when one is read.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


class PastFinding(Lenient):
    message: str = ""
    path: str | None = None
    line: int | None = None
    locator: str | None = None
    waived: bool = False
    baselined: bool = False


class PastResult(Lenient):
    rule_id: str
    title: str = ""
    category: str = ""
    severity: str = ""
    status: str
    message: str = ""
    findings: tuple[PastFinding, ...] = ()


class PastCategoryScore(Lenient):
    score: float | None = None


class PastScore(Lenient):
    overall: float | None = None
    categories: dict[str, PastCategoryScore] = {}


class PastReport(Lenient):
    """The parts of a readiness.json that baselines and `readiness diff` use."""

    verdict: str = ""
    started_at: str = ""
    score: PastScore = PastScore()
    results: tuple[PastResult, ...] = ()


MAX_REPORT_BYTES = 512 * 1024 * 1024  # a readiness.json of a very large monorepo fits many times over


def load_report(path: Path) -> PastReport:
    from checker.yamlpos import YamlError, read_text  # never blocks on a FIFO, never reads a device

    try:
        data = json.loads(read_text(path, max_bytes=MAX_REPORT_BYTES))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except YamlError as exc:
        raise BaselineError(f"{path}: {exc.message}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a readiness.json report: {exc}") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a readiness.json report: nested too deeply") from None
    try:
        return PastReport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BaselineError(f"{path}: not a readiness.json report: {where}: {first['msg']}") from None


def fingerprints(report: PastReport) -> Counter[str]:
    """How many times each fingerprint occurs among the previous run's unwaived findings."""
    counts: Counter[str] = Counter()
    for result in report.results:
        for past in result.findings:
            if not past.waived:
                counts[fingerprint(result.rule_id, Finding(message=past.message, path=past.path, locator=past.locator))] += 1
    return counts


def apply(results: list[RuleResult], baseline: Counter[str]) -> list[RuleResult]:
    """Results with the findings present in the baseline marked `baselined`, multiplicity respected."""
    remaining = Counter(baseline)
    return [_mark(result, remaining) for result in results]


def _mark(result: RuleResult, remaining: Counter[str]) -> RuleResult:
    if result.status != Status.FAIL or not result.findings:
        return result
    marked = []
    for finding in result.findings:
        key = fingerprint(result.rule_id, finding)
        known = not finding.waived and remaining[key] > 0
        if known:
            remaining[key] -= 1
        marked.append(finding.model_copy(update={"baselined": True}) if known else finding)
    return result.model_copy(update={"findings": tuple(marked)})


def only_baselined(result: RuleResult) -> bool:
    """A failed rule all of whose unwaived findings are in the baseline: it does not fail the gate.
    Findings left out of the list (a rule reports at most 1,000) may be new: such a rule still fails."""
    from checker.engine.bounds import omitted

    if result.status != Status.FAIL or not result.findings or omitted(result):
        return False
    return all(f.baselined or f.waived for f in result.findings)


def gate_view(result: RuleResult) -> RuleResult:
    """The result as the verdict sees it: a rule failing only on baselined findings counts as passing."""
    return result.model_copy(update={"status": Status.PASS}) if only_baselined(result) else result
