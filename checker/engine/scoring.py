"""Scores per category, coverage, and the verdict."""

from __future__ import annotations

from checker.model import (
    CATEGORY_ORDER,
    Category,
    CategoryScore,
    Coverage,
    RuleResult,
    Score,
    Severity,
    SkippedRule,
    Status,
)

PASSING = (Status.PASS, Status.WAIVED)
FAILING = (Status.FAIL, Status.ERROR)


def score(results: list[RuleResult], disabled: set[Category]) -> Score:
    categories = {}
    for category in CATEGORY_ORDER:
        mine = [r for r in results if r.category == category]
        if mine:
            categories[category.value] = _category_score(mine, category not in disabled)
    passed = sum(1 for r in results if r.status in PASSING)
    evaluated = sum(1 for r in results if r.status in PASSING + FAILING)
    return Score(overall=_percent(passed, evaluated), categories=categories)


def _category_score(results: list[RuleResult], enabled: bool) -> CategoryScore:
    passed = sum(1 for r in results if r.status in PASSING)
    failed = sum(1 for r in results if r.status in FAILING)
    return CategoryScore(
        score=_percent(passed, passed + failed),
        passed=passed,
        failed=failed,
        evaluated=passed + failed,
        skipped=sum(1 for r in results if r.status == Status.SKIPPED),
        waived=sum(1 for r in results if r.status == Status.WAIVED),
        enabled=enabled,
    )


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def coverage(results: list[RuleResult]) -> Coverage:
    def count(status: Status) -> int:
        return sum(1 for r in results if r.status == status)

    skipped = tuple(SkippedRule(rule_id=r.rule_id, reason=r.message) for r in results if r.status == Status.SKIPPED)
    return Coverage(
        total=len(results),
        evaluated=sum(1 for r in results if r.status in PASSING + FAILING),
        passed=count(Status.PASS),
        failed=count(Status.FAIL),
        errored=count(Status.ERROR),
        skipped=count(Status.SKIPPED),
        waived=count(Status.WAIVED),
        skipped_rules=skipped,
    )


def verdict(results: list[RuleResult], fail_on: Severity, disabled: set[Category]) -> tuple[str, list[str]]:
    """`ready` or `not_ready`, with the reasons for the latter."""
    reasons = [
        f"{r.rule_id} ({r.severity.value}) {'errored' if r.status == Status.ERROR else 'failed'}: {r.title}"
        for r in results if r.status in FAILING and r.severity.rank >= fail_on.rank
    ]  # fmt: skip
    for category in CATEGORY_ORDER:
        mine = [r for r in results if r.category == category]
        if mine and category not in disabled and all(r.status == Status.SKIPPED for r in mine):
            reasons.append(f"no evidence for {category.value}: all {len(mine)} rules were skipped")
    return ("not_ready" if reasons else "ready"), reasons
