"""Alerting rules (MON002), their labels and annotations (MON003), and logging instead of print (MON004)."""

from __future__ import annotations

from pydantic import Field

from checker.checks.base import CheckContext, NoParams, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project.prometheus import PromRule, prometheus_rules
from checker.project.pysource import CallSite, ModuleFacts, PythonSources

_RULE_INPUTS = ("kubernetes", "yaml")
LOGGING_MODULES = frozenset({"logging", "structlog", "loguru"})



class AlertMetadataParams(Params):
    labels: list[str] = Field(default=["severity"], description="labels every alert must carry")
    annotations_any: list[str] = Field(
        default=["runbook_url", "description"],
        description="every alert must carry at least one of these annotations",
    )


def register(registry: Registry) -> None:
    check_type(
        registry, "alert_rules", NoParams, "at least one Prometheus alerting rule exists", inputs=_RULE_INPUTS
    )(alert_rules)  # type: ignore[arg-type]  # the registry stores checks by their base Params type
    check_type(
        registry,
        "alert_metadata",
        AlertMetadataParams,
        "every alert carries the required labels and annotations",
        inputs=_RULE_INPUTS,
    )(alert_metadata)  # type: ignore[arg-type]
    check_type(
        registry,
        "no_print",
        NoParams,
        "service code logs through logging, not print() (read as AST)",
        inputs=("python",),
    )(no_print)  # type: ignore[arg-type]


def alert_rules(ctx: CheckContext, params: NoParams) -> Outcome:
    rules = prometheus_rules(ctx.index)
    alerts = [r for r in rules if r.is_alert]
    if alerts:
        files = ", ".join(sorted({a.path for a in alerts}))
        return Outcome.passed(f"{len(alerts)} alerting rules in {files}")
    if not rules:
        finding = Finding(
            message="no PrometheusRule resource and no Prometheus rules file with an alerting rule",
            locator="no-alert-rules",
        )
        return Outcome.failed("no alerting rules", [finding])
    findings = [
        Finding(
            message=f"{path} holds only recording rules: they compute series but never alert anyone",
            path=path,
            line=next(r.line for r in rules if r.path == path),
            locator=f"{path}:recording-only",
        )
        for path in sorted({r.path for r in rules})
    ]
    return Outcome.failed("only recording rules, no alerting rule", findings)


def alert_metadata(ctx: CheckContext, params: AlertMetadataParams) -> Outcome:
    alerts = [r for r in prometheus_rules(ctx.index) if r.is_alert]
    if not alerts:
        return Outcome.skipped("no alerting rules (see MON002)")
    findings = [f for alert in alerts if (f := _metadata_finding(alert, params))]
    return Outcome.from_findings(
        findings,
        f"{len(alerts)} alerts carry severity and runbook or description",
        "{count} alerts lack routing or triage metadata",
    )


def _metadata_finding(alert: PromRule, params: AlertMetadataParams) -> Finding | None:
    missing = [f"label `{name}`" for name in params.labels if not str(alert.labels.get(name) or "").strip()]
    if params.annotations_any and not any(
        str(alert.annotations.get(n) or "").strip() for n in params.annotations_any
    ):
        missing.append("annotation " + " or ".join(f"`{n}`" for n in params.annotations_any))
    if not missing:
        return None
    return Finding(
        message=f"{alert.label} has no {', no '.join(missing)}",
        path=alert.path,
        line=alert.line,
        locator=f"{alert.path}:{alert.group}:{alert.name}",
    )


def no_print(ctx: CheckContext, params: NoParams) -> Outcome:
    sources = PythonSources.of(ctx.index)
    files = sources.service_files()
    if not files:
        return Outcome.skipped(
            "no service code (Python files outside tests, load tests, scripts, docs, examples)"
        )
    parsed = {path: facts for path in files if (facts := sources.facts(path)) is not None}
    findings = [finding for path, facts in parsed.items() for finding in _prints(path, facts)]
    unparsed = len(files) - len(parsed)
    note = f" ({unparsed} files could not be parsed; see input problems)" if unparsed else ""
    logging_files = sum(1 for facts in parsed.values() if facts.imported_roots & LOGGING_MODULES)
    return Outcome.from_findings(
        findings,
        f"no print() in {len(parsed)} service files; {logging_files} log through logging{note}",
        "{count} print() calls in service code" + note,
    )


def _prints(path: str, facts: ModuleFacts) -> list[Finding]:
    calls = [c for c in facts.calls if c.name == "print" and not c.in_main_guard and not _is_method_call(c)]
    return [
        Finding(
            message="print() in service code: log through a logger (logging.getLogger(__name__)) so output "
            "has a level, a timestamp and reaches the log pipeline",
            path=path,
            line=call.line,
            locator=f"{path}:print#{number}",
        )  # the n-th print of the file: stable when lines shift
        for number, call in enumerate(sorted(calls, key=lambda c: (c.line, c.col)), 1)
    ]


def _is_method_call(call: CallSite) -> bool:
    """`console.print(...)` (rich) or `self.print(...)` is some object's method; `builtins.print` is still print."""
    return call.receiver is not None and call.receiver != "builtins"
