"""Docker Compose checks: a condition asserted on every compose service."""

from __future__ import annotations

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.conditions import Condition, evaluate
from checker.checks.registry import Registry, check_type
from checker.checks.templates import SubjectMessage, fill
from checker.model import Finding


class ComposeParams(Params):
    where: Condition | None = Field(default=None, description="only services where this holds are judged")
    assert_: Condition = Field(alias="assert", description="must hold for every judged service")
    message: SubjectMessage = Field(default=None, description="finding text; {subject} names the service")


def register(registry: Registry) -> None:
    check_type(registry, "compose", ComposeParams, "assert a condition on every Docker Compose service",
               inputs=("compose",))(compose)  # fmt: skip


def compose(ctx: CheckContext, params: ComposeParams) -> Outcome:  # type: ignore[override]
    services = [s for s in ctx.index.compose.services if params.where is None or evaluate(params.where, s.data) is None]
    if not services:
        return Outcome.skipped("no Docker Compose services")
    findings = []
    for service in services:
        failure = evaluate(params.assert_, service.data)
        if failure:
            text = fill(params.message or "{subject}: {explanation}", subject=service.label, explanation=failure.explanation)
            findings.append(Finding(message=text, path=service.path, line=service.line(*failure.path),
                                    locator=f"{service.path}:{service.name}:{failure.explanation}"))  # fmt: skip
    return Outcome.from_findings(findings, f"{len(services)} compose services checked", "{count} of %d services fail" % len(services))
