"""SEC001: bandit finds nothing at or above the configured severity and confidence.

Tests are left out by default (`exclude`): bandit's B101 flags every `assert`, which is how pytest works.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import Field

from checker.checks.bandit_runner import BanditIssue, BanditRun, masked_text, run_bandit
from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import classify as kinds
from checker.project.index import InputError

Threshold = Literal["low", "medium", "high"]
_RANK = {"UNDEFINED": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}
CACHE_SUBDIR = Path(".readiness-cache") / "bandit"
DEFAULT_EXCLUDE = ["tests/", "test/", "test_*.py", "*_test.py", "conftest.py"]


class BanditParams(Params):
    severity: Threshold = Field("medium", description="lowest bandit issue severity that fails the rule")
    confidence: Threshold = Field("medium", description="lowest bandit issue confidence that fails the rule")
    skip_tests: list[str] = Field(default_factory=list, description="bandit test ids not run, e.g. [B101, B311]")
    exclude: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDE),
        description="gitignore-style patterns of Python files not scanned (tests by default)",
    )


def register(registry: Registry) -> None:
    check_type(
        registry, "bandit", BanditParams,
        "bandit (run in-process, cached by content) finds no issue at or above the thresholds", inputs=("python",),
        time_budget_s=1800.0,  # bandit's own cost on a cold run of a large tree (≈ 5,000 lines/s per worker)
    )(bandit)  # fmt: skip


def bandit(ctx: CheckContext, params: BanditParams) -> Outcome:  # type: ignore[override]
    paths = _scanned_files(ctx, params.exclude)
    if not paths:
        return Outcome.skipped("no Python files to scan")
    cache_dir = ctx.index.root / CACHE_SUBDIR if ctx.use_cache else None
    result = run_bandit(ctx.index.root, paths, params.skip_tests, jobs=ctx.jobs, cache_dir=cache_dir,
                        ignore_nosec=not ctx.inline_waivers)  # fmt: skip
    for path, analysis in sorted(result.files.items()):
        if analysis.skipped:  # fail closed: a file bandit could not analyse makes a pass an `error`
            ctx.index.record_problem(path, f"bandit could not analyse it: {analysis.skipped}")
    findings = [
        _finding(ctx, path, issue) for path, analysis in sorted(result.files.items())
        for issue in analysis.issues if _at_or_above(issue, params)
    ]  # fmt: skip
    return Outcome.from_findings(findings, _summary(result), "{count} bandit issues at or above "
                                 f"{params.severity} severity and {params.confidence} confidence")  # fmt: skip


def _scanned_files(ctx: CheckContext, exclude: list[str]) -> list[str]:
    python = [f.path for f in ctx.index.of_kind(kinds.PYTHON)]
    if not exclude:
        return sorted(python)
    import pathspec

    spec = pathspec.GitIgnoreSpec.from_lines(exclude)
    return sorted(p for p in python if not spec.match_file(p))


def _at_or_above(issue: BanditIssue, params: BanditParams) -> bool:
    if issue.test_id in params.skip_tests:  # also filters cache entries written before a skip was added
        return False
    return _RANK[issue.severity] >= _RANK[params.severity.upper()] and _RANK[issue.confidence] >= _RANK[params.confidence.upper()]


def _finding(ctx: CheckContext, path: str, issue: BanditIssue) -> Finding:
    text = masked_text(issue.test_id, issue.text)  # already masked by the runner; this holds for any cache too
    message = (f"{issue.test_id} {issue.test_name}: {text} "
               f"(severity {issue.severity.lower()}, confidence {issue.confidence.lower()})")  # fmt: skip
    return Finding(message=message, path=path, line=issue.line or None, locator=_locator(ctx, path, issue))


def _locator(ctx: CheckContext, path: str, issue: BanditIssue) -> str:
    """Rule, file and the flagged source line's text: stable when unrelated lines move."""
    try:
        lines = ctx.index.text(path).splitlines()
    except InputError:
        lines = []
    source = lines[issue.line - 1].strip() if 0 < issue.line <= len(lines) else ""
    return f"{path}:{issue.test_id}:{hashlib.sha256(source.encode()).hexdigest()[:12]}"


def _summary(result: BanditRun) -> str:
    skipped = sorted(p for p, a in result.files.items() if a.skipped)
    # No cache counts here: a warm and a cold run must write identical reports.
    text = f"bandit found nothing in {len(result.files)} Python file(s)"
    if skipped:
        text += f"; {len(skipped)} could not be analysed: {', '.join(skipped[:5])}"
    return text
