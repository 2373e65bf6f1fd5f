"""Evaluate one rule's check tree. A crashing or overrunning check becomes status `error`, never a crash."""

from __future__ import annotations

import threading
import time
from typing import Any

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry
from checker.model import Finding, Status
from checker.packs.model import AllChecks, CheckNode, NotCheck, TypedCheck, leaves


def time_budget(node: CheckNode, registry: Registry) -> float:
    """A rule may take as long as its slowest kind of check may (bandit and Spark need more than a manifest)."""
    return max(registry.get(leaf.type).time_budget_s for leaf in leaves(node))


def evaluate_rule(
    node: CheckNode, ctx: CheckContext, registry: Registry, params: dict[str, Any], budget_s: float | None = None
) -> tuple[Outcome, float]:
    """The rule's outcome and its duration. Runs in a daemon thread so an overrun cannot hang the run."""
    if budget_s is None:
        try:
            budget_s = time_budget(node, registry)
        except Exception as exc:  # noqa: BLE001 - e.g. a plugin module that fails to import
            return Outcome(status=Status.ERROR, message=f"internal error: {type(exc).__name__}: {exc}"), 0.0
    box: dict[str, Outcome] = {}
    started = time.perf_counter()
    worker = threading.Thread(target=lambda: box.setdefault("out", _safe(node, ctx, registry, params)), daemon=True)
    worker.start()
    worker.join(budget_s)
    elapsed = time.perf_counter() - started
    if "out" not in box:
        return Outcome(status=Status.ERROR, message=f"the rule exceeded its time budget of {budget_s:g} s"), elapsed
    return box["out"], elapsed


def _safe(node: CheckNode, ctx: CheckContext, registry: Registry, params: dict[str, Any]) -> Outcome:
    try:
        return _evaluate(node, ctx, registry, params)
    except Exception as exc:  # noqa: BLE001 - a rule that raises is a result, not a crash
        return Outcome(status=Status.ERROR, message=f"internal error: {type(exc).__name__}: {exc}")


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
    judged = [o for o in outcomes if o.status != Status.SKIPPED]
    if not judged:
        return Outcome.skipped("; ".join(dict.fromkeys(o.message for o in outcomes)))
    errors = [o for o in judged if o.status == Status.ERROR]
    if errors:
        return errors[0]
    failed = [o for o in judged if o.status == Status.FAIL]
    if failed:
        findings = [f for o in failed for f in o.findings]
        return Outcome.failed("; ".join(o.message for o in failed), findings)
    return Outcome.passed("; ".join(o.message for o in judged))


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
