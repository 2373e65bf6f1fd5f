"""Each selected rule's result: replayed from the result cache, or evaluated.

Evaluation happens in one forked worker process (`checker.engine.sandbox`) unless the caller asks for
in-process evaluation or the platform cannot fork; both give the same results. Either way a rule that met
files it could not read never passes as if they were fine (`evaluate.with_unreadable_inputs`), and every
result is bounded (`bounds.bounded`: messages of 2,000 characters, 1,000 findings) before it is cached,
sent from the worker or rendered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import Any

from checker.cache import RuleKeys
from checker.checks.base import CheckContext
from checker.checks.registry import Registry
from checker.config import LoadedConfig
from checker.engine import sandbox
from checker.engine.bounds import bounded
from checker.engine.evaluate import describe, evaluate_here, evaluate_rule, time_budget, with_unreadable_inputs
from checker.model import Finding, RuleResult, Status
from checker.packs.model import Rule
from checker.project.index import ProjectIndex


@dataclass(frozen=True)
class Evaluation:
    """What every rule of one run is evaluated with."""

    index: ProjectIndex
    loaded: LoadedConfig
    registry: Registry
    today: date
    jobs: int | None = None
    keys: RuleKeys | None = None  # the result cache, when enabled
    isolate: bool = True  # False: evaluate in this process (tests that instrument it, benchmarks)
    zero_durations: bool = False  # reproducible reports (SOURCE_DATE_EPOCH)


@dataclass(frozen=True)
class _Job:
    """A rule ready to evaluate: its parameters, its time budget and the fixed fields of its result."""

    rule: Rule
    base: dict[str, Any]
    params: dict[str, Any]
    budget_s: float

    def error(self, reason: str) -> RuleResult:
        return bounded(RuleResult(**self.base, status=Status.ERROR, message=reason))


def results(rules: list[Rule], run: Evaluation) -> list[RuleResult]:
    """One result per rule, in order: cached results are looked up here, only the others are evaluated."""
    keys = [run.keys.for_rule(rule) for rule in rules] if run.keys else []
    found: list[RuleResult | None] = [run.keys.cache.get(key) for key in keys] if run.keys else [None] * len(rules)
    todo = [i for i, result in enumerate(found) if result is None]
    for i, result in zip(todo, _evaluate([rules[i] for i in todo], run)):
        found[i] = result = bounded(result)
        if run.keys:
            run.keys.cache.put(keys[i], result)
    return [bounded(result) for result in found if result is not None]  # a cache entry too


def _evaluate(rules: list[Rule], run: Evaluation) -> list[RuleResult]:
    prepared = [_prepare(rule, run) for rule in rules]
    jobs = [p for p in prepared if isinstance(p, _Job)]
    if run.isolate and jobs and sandbox.available():
        plan = sandbox.Plan(
            budgets=[job.budget_s for job in jobs], evaluate=lambda i: _result(jobs[i], run, isolated=True),
            failed=lambda i, reason: jobs[i].error(reason), index=run.index,
            memory_mb=run.loaded.config.limits.rule_memory_mb,
        )  # fmt: skip
        done = iter(sandbox.evaluate_isolated(plan))
    else:
        done = iter([_result(job, run, isolated=False) for job in jobs])
    return [next(done) if isinstance(p, _Job) else p for p in prepared]


def _prepare(rule: Rule, run: Evaluation) -> _Job | RuleResult:
    """The rule's job, or its result already: skipped when disabled, `error` when its check type cannot load."""
    override = run.loaded.config.rules.get(rule.id)
    severity = override.severity if override and override.severity else rule.severity
    base: dict[str, Any] = dict(
        rule_id=rule.id, title=rule.title, category=rule.category, severity=severity,
        remediation=rule.remediation, description=rule.description,
    )  # fmt: skip
    disabled = _disabled_reason(rule, run.loaded)
    if disabled:
        return RuleResult(**base, status=Status.SKIPPED, message=disabled)
    params = run.loaded.config.params_for(rule.id, rule.params)
    try:  # here, before any fork: the worker inherits the imported check modules
        budget = time_budget(rule.check, run.registry, run.loaded.config.limits.rule_timeout_s)
    except Exception as exc:  # noqa: BLE001 - e.g. a plugin module that fails to import
        return RuleResult(**base, status=Status.ERROR, message=f"internal error: {describe(exc)}")
    return _Job(rule, base, params, budget)


def _result(job: _Job, run: Evaluation, isolated: bool) -> RuleResult:
    ctx = CheckContext(index=run.index, config=run.loaded.config, rule_id=job.rule.id, today=run.today,
                       jobs=run.jobs or os.cpu_count() or 1, use_cache=run.keys is not None,
                       inline_waivers=run.loaded.config.inline_waivers)  # fmt: skip
    with run.index.problems_met() as met:
        if isolated:  # the lead enforces the budget
            outcome, elapsed = evaluate_here(job.rule.check, ctx, run.registry, job.params)
        else:
            outcome, elapsed = evaluate_rule(job.rule.check, ctx, run.registry, job.params, job.budget_s)
    outcome = with_unreadable_inputs(outcome, sorted(met.values(), key=lambda p: p.path))
    findings = tuple(sorted(outcome.findings, key=_finding_order))
    message = job.rule.message if job.rule.message and outcome.status == Status.FAIL else outcome.message
    duration = 0.0 if run.zero_durations else round(elapsed, 4)
    # Bounded here too, in the worker: a rule's million findings never cross the pipe.
    return bounded(RuleResult(**job.base, status=outcome.status, message=message, findings=findings, duration_s=duration))


def _finding_order(finding: Finding) -> tuple[str, int, str]:
    return (finding.path or "", finding.line or 0, finding.message)


def _disabled_reason(rule: Rule, loaded: LoadedConfig) -> str | None:
    where = loaded.file or "the config"
    override = loaded.config.rules.get(rule.id)
    if not loaded.config.category_enabled(rule.category):
        return f"category {rule.category.value} is disabled in {where}"
    if override and override.enabled is False:
        return f"disabled in {where}"
    if override is None or override.enabled is None:
        return None if rule.enabled else f"disabled by default in rule pack {rule.pack}"
    return None
