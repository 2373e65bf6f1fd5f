"""SCA006: load-test evidence (k6 summary or Locust stats) meets the p95 latency and throughput SLOs."""

from __future__ import annotations

import posixpath

from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.registry import Registry, check_type
from checker.config import SloConfig
from checker.model import Finding
from checker.project import loadtest
from checker.project.loadtest import LoadTestResult

EVIDENCE_FORMATS = "k6 `--summary-export` JSON or Locust `--csv` *_stats.csv"



def register(registry: Registry) -> None:
    check_type(
        registry,
        "load_test_slo",
        NoParams,
        "load-test evidence meets the configured p95 latency and throughput SLOs",
        inputs=("config", "json", "dataset"),
    )(load_test_slo)  # type: ignore[arg-type]  # the registry stores checks by their base Params type


def load_test_slo(ctx: CheckContext, params: NoParams) -> Outcome:
    slo = ctx.config.slo
    if slo.p95_latency_ms is None and slo.throughput_rps is None:
        return Outcome.skipped("no SLO configured (slo.p95_latency_ms, slo.throughput_rps in the config)")
    configured = posixpath.normpath(slo.evidence) if slo.evidence else None
    if configured and configured not in ctx.index.files:
        finding = Finding(
            message=f"slo.evidence names {configured}, which is not a tracked file of the project",
            path=configured,
            locator="slo.evidence",
        )
        return Outcome.failed("configured load-test evidence is missing", [finding])
    paths = [configured] if configured else loadtest.discover(ctx.index)
    if not paths:
        finding = Finding(
            message=f"SLOs are configured but no load-test result was found ({EVIDENCE_FORMATS}); "
            "commit the summary of the last load test and name it in slo.evidence",
            locator="no-evidence",
        )
        return Outcome.failed("no load-test evidence", [finding])
    results = [loadtest.read(ctx.index, path) for path in paths]
    findings = [finding for result in results for finding in _judge(result, slo)]
    return Outcome.from_findings(
        findings,
        "; ".join(_summary(r, slo) for r in results),
        "load-test evidence does not meet the SLOs ({count} findings)",
    )


def _judge(result: LoadTestResult, slo: SloConfig) -> list[Finding]:
    if result.problem:
        message = f"{result.tool} result {result.path} cannot be read: {result.problem}"
        return [Finding(message=message, path=result.path, line=result.problem_line, locator=f"{result.path}:unreadable")]
    return _judge_latency(result, slo.p95_latency_ms) + _judge_throughput(result, slo.throughput_rps)


def _judge_latency(result: LoadTestResult, target_ms: float | None) -> list[Finding]:
    if target_ms is None:
        return []
    if result.p95_ms is None:
        return [_missing(result, "p95 latency", "http_req_duration p(95)" if result.tool == "k6" else "95%")]
    if result.p95_ms.value <= target_ms:
        return []
    message = f"p95 latency {_ms(result.p95_ms.value)} exceeds the SLO of {_ms(target_ms)} ({result.tool}, {result.path})"
    return [Finding(message=message, path=result.path, line=result.p95_ms.line, locator=f"{result.path}:p95")]


def _judge_throughput(result: LoadTestResult, target_rps: float | None) -> list[Finding]:
    if target_rps is None:
        return []
    if result.rps is None:
        return [_missing(result, "throughput", "http_reqs rate" if result.tool == "k6" else "Requests/s")]
    if result.rps.value >= target_rps:
        return []
    message = f"throughput {_rps(result.rps.value)} is below the SLO of {_rps(target_rps)} ({result.tool}, {result.path})"
    return [
        Finding(message=message, path=result.path, line=result.rps.line, locator=f"{result.path}:throughput")
    ]


def _missing(result: LoadTestResult, what: str, field: str) -> Finding:
    return Finding(
        message=f"{result.tool} result {result.path} has no {field}: the {what} SLO cannot be verified",
        path=result.path,
        locator=f"{result.path}:missing:{field}",
    )


def _summary(result: LoadTestResult, slo: SloConfig) -> str:
    parts = []
    if slo.p95_latency_ms is not None and result.p95_ms is not None:
        parts.append(f"p95 {_ms(result.p95_ms.value)} ≤ {_ms(slo.p95_latency_ms)}")
    if slo.throughput_rps is not None and result.rps is not None:
        parts.append(f"{_rps(result.rps.value)} ≥ {_rps(slo.throughput_rps)}")
    return f"{', '.join(parts)} ({result.tool}, {result.path})"


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def _rps(value: float) -> str:
    return f"{value:.1f} req/s"
