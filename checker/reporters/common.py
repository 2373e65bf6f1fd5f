"""Helpers shared by reporters: ordering, labels, counts."""

from __future__ import annotations

from checker.model import CATEGORY_ORDER, Category, RuleResult, RunReport, Status

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
    return f"{path}:{line}" if line else path


def score_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}%"
