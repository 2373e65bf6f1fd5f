"""Evaluate one rule's check tree. A crashing or overrunning check becomes status `error`, never a crash.

`evaluate_rule` runs the check in a daemon thread under a time budget (in-process evaluation, where no worker
process can be forked); `evaluate_here` runs it in the calling thread, for the isolated worker process
(`checker.engine.sandbox`), whose lead enforces the budget by killing the worker.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry
from checker.extras import missing_engine_message
from checker.model import Finding, InputProblem, Status
from checker.packs.model import AllChecks, CheckNode, NotCheck, TypedCheck, leaves

MAX_NAMED_INPUTS = 3  # unreadable inputs named in a rule's message; every one is a finding


def time_budget(node: CheckNode, registry: Registry, override_s: float | None = None) -> float:
    """A rule may take as long as its slowest kind of check may (bandit and Spark need more than a manifest),
    unless the project's `limits.rule_timeout_s` sets one budget for every rule."""
    if override_s is not None:
        return override_s
    return max(registry.get(leaf.type).time_budget_s for leaf in leaves(node))


def evaluate_rule(
    node: CheckNode, ctx: CheckContext, registry: Registry, params: dict[str, Any], budget_s: float | None = None
) -> tuple[Outcome, float]:
    """The rule's outcome and its duration. Runs in a daemon thread so an overrun cannot hang the run."""
    if budget_s is None:
        try:
            budget_s = time_budget(node, registry)
        except Exception as exc:  # noqa: BLE001 - e.g. a plugin module that fails to import
            return Outcome(status=Status.ERROR, message=f"internal error: {describe(exc)}"), 0.0
    box: dict[str, Outcome] = {}
    started = time.perf_counter()
    worker = threading.Thread(target=lambda: box.setdefault("out", _safe(node, ctx, registry, params)), daemon=True)
    worker.start()
    worker.join(budget_s)
    elapsed = time.perf_counter() - started
    if "out" not in box:
        return Outcome(status=Status.ERROR, message=f"the rule exceeded its time budget of {budget_s:g} s"), elapsed
    return box["out"], elapsed


def evaluate_here(node: CheckNode, ctx: CheckContext, registry: Registry, params: dict[str, Any]) -> tuple[Outcome, float]:
    """The rule's outcome and its duration, evaluated in this thread (the budget is someone else's job)."""
    started = time.perf_counter()
    outcome = _safe(node, ctx, registry, params)
    return outcome, time.perf_counter() - started


def _safe(node: CheckNode, ctx: CheckContext, registry: Registry, params: dict[str, Any]) -> Outcome:
    try:
        return _evaluate(node, ctx, registry, params)
    # A rule that raises is a result, not a crash: SystemExit or KeyboardInterrupt raised by a check, MemoryError
    # and RecursionError included (a real Ctrl-C reaches the lead, never the thread or worker running a check).
    except BaseException as exc:  # noqa: BLE001
        missing = missing_engine_message(exc)  # the core install has no data engines: say how to get them
        return Outcome(status=Status.ERROR, message=missing or f"internal error: {describe(exc)}")


def describe(exc: BaseException) -> str:
    detail = str(exc)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def with_unreadable_inputs(outcome: Outcome, problems: list[InputProblem]) -> Outcome:
    """Fail closed: a rule that met files it could not read never passes (or is skipped) as if they were fine.

    A pass or skip becomes `error`; a failure or error keeps its status. Either way each problem is a finding,
    unless the check already reported a finding on that file (its own words for the same problem).
    """
    if not problems:
        return outcome
    reported = {f.path for f in outcome.findings}
    added = tuple(Finding(message=p.message, path=p.path, line=p.line) for p in problems if p.path not in reported)
    if outcome.status in (Status.FAIL, Status.ERROR):
        return outcome.model_copy(update={"findings": (*outcome.findings, *added)})
    return Outcome(status=Status.ERROR, message=unreadable_message(problems), findings=(*outcome.findings, *added))


def unreadable_message(problems: list[InputProblem]) -> str:
    named = ", ".join(f"{p.path} ({p.message})" for p in problems[:MAX_NAMED_INPUTS])
    more = f" and {len(problems) - MAX_NAMED_INPUTS} more" if len(problems) > MAX_NAMED_INPUTS else ""
    return f"could not read {len(problems)} input file(s): {named}{more}"


def _evaluate(node: CheckNode, ctx: CheckContext, registry: Registry, params: dict[str, Any]) -> Outcome:
    if isinstance(node, TypedCheck):
        check = registry.get(node.type)
        return check.run(ctx, with_params(node.params, params))
    if isinstance(node, NotCheck):
        return _negate(_evaluate(node.child, ctx, registry, params))
    outcomes = [_evaluate(child, ctx, registry, params) for child in node.children]
    return _all(outcomes) if isinstance(node, AllChecks) else _any(outcomes)


def with_params(params: Params, overrides: dict[str, Any]) -> Params:
    """The check's parameters with the rule's (possibly project-overridden) parameters of the same name."""
    fields = type(params).model_fields
    update = {k: v for k, v in overrides.items() if k in fields}
    if not update:
        return params
    return type(params).model_validate({**params.model_dump(by_alias=True, exclude_unset=True), **update})


def _all(outcomes: list[Outcome]) -> Outcome:
    # Several clauses over one scope report in the same words: each message is said once.
    judged = [o for o in outcomes if o.status != Status.SKIPPED]
    if not judged:
        return Outcome.skipped("; ".join(dict.fromkeys(o.message for o in outcomes)))
    errors = [o for o in judged if o.status == Status.ERROR]
    if errors:
        return errors[0]
    failed = [o for o in judged if o.status == Status.FAIL]
    if failed:
        findings = [f for o in failed for f in o.findings]
        return Outcome.failed("; ".join(dict.fromkeys(o.message for o in failed)), findings)
    return Outcome.passed("; ".join(dict.fromkeys(o.message for o in judged)))


def _any(outcomes: list[Outcome]) -> Outcome:
    passed = [o for o in outcomes if o.status == Status.PASS]
    if passed:
        return passed[0]
    return _all(outcomes)


def _negate(outcome: Outcome) -> Outcome:
    if outcome.status == Status.PASS:
        finding = Finding(message=f"this must not hold: {outcome.message}")
        return Outcome.failed(outcome.message, [finding])
    if outcome.status == Status.FAIL:
        return Outcome.passed(outcome.message)
    return outcome
