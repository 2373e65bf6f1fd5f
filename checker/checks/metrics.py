"""MON001: the service's metrics are scraped, or at least exposed.

Exposure counts in three ways (SPEC §7 scope words): a ServiceMonitor / PodMonitor that covers a workload of
the project, a `prometheus.io/scrape: "true"` annotation on a workload's pods or on a Service that selects
them, or a `/metrics` route (OpenAPI spec or code) backed by a metrics client dependency. A server that
serves metrics natively (vLLM, Triton, MLServer, …) brings its route with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from checker.checks.base import CheckContext, Outcome, Params
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import monitors, openapi
from checker.project.code_routes import declared_routes, last_segment
from checker.project.dependencies import Dependency, declared_dependencies
from checker.project.index import InputError
from checker.project.pysource import PythonSources

METRICS_CLIENTS = [
    "prometheus-client",
    "prometheus-fastapi-instrumentator",
    "prometheus-flask-exporter",
    "starlette-exporter",
    "starlette-prometheus",
    "django-prometheus",
    "aioprometheus",
    "opentelemetry-exporter-prometheus",
]
NATIVE_METRICS_SERVERS = [
    "vllm",
    "tritonserver",
    "nvidia-pytriton",
    "mlserver",
    "torchserve",
    "bentoml",
    "ray[serve]",
]
_ROUTE_HINTS = ("metrics", "start_http_server", "start_wsgi_server", ".expose(")


class MetricsExposedParams(Params):
    metrics_clients: list[str] = Field(
        default=METRICS_CLIENTS, description="packages that serve a /metrics route"
    )
    native_servers: list[str] = Field(
        default=NATIVE_METRICS_SERVERS,
        description="model servers that expose Prometheus metrics by themselves",
    )


@dataclass(frozen=True)
class Route:
    url: str
    path: str
    line: int | None
    where: str  # "code" or "OpenAPI spec"


def register(registry: Registry) -> None:
    check_type(
        registry,
        "metrics_exposed",
        MetricsExposedParams,
        "metrics are scraped (ServiceMonitor/PodMonitor, scrape annotation) or a /metrics route is backed by a "
        "metrics client",
        inputs=("kubernetes", "openapi", "python", "pyproject", "requirements"),
    )(metrics_exposed)  # type: ignore[arg-type]  # the registry stores checks by their base Params type


def metrics_exposed(ctx: CheckContext, params: MetricsExposedParams) -> Outcome:
    scraping = monitors.scrape_coverage(ctx.index.kube)
    if scraping.covered:
        return Outcome.passed(scraping.covered[0])
    deps = declared_dependencies(ctx.index)
    native = _named(deps, params.native_servers)
    if native:
        first = native[0]
        return Outcome.passed(f"{first.name} serves Prometheus metrics natively ({first.path}:{first.line})")
    routes = _metrics_routes(ctx)
    clients = _named(deps, params.metrics_clients)
    if routes and clients:
        route, client = routes[0], clients[0]
        return Outcome.passed(
            f"{route.where} route {route.url} ({route.path}:{route.line}) backed by {client.name}"
        )
    findings = scraping.findings + _half_exposures(routes, clients, params)
    if not findings:
        findings = [
            Finding(
                message="no metrics exposure: no ServiceMonitor or PodMonitor, no prometheus.io/scrape "
                "annotation, and no /metrics route backed by a metrics client",
                locator="no-metrics",
            )
        ]
    return Outcome.failed("metrics are not exposed to Prometheus", findings)


def _named(deps: list[Dependency], names: list[str]) -> list[Dependency]:
    return [d for d in deps if any(d.satisfies(name) for name in names)]


def _half_exposures(
    routes: list[Route], clients: list[Dependency], params: MetricsExposedParams
) -> list[Finding]:
    """A route without a client to serve it, or a client without a route: say which half is missing."""
    findings = [
        Finding(
            message=f"{r.where} declares {r.url}, but no metrics client (such as "
            f"{', '.join(params.metrics_clients[:3])}) is a dependency",
            path=r.path,
            line=r.line,
            locator=f"{r.path}:{r.url}",
        )
        for r in routes
    ]
    findings += [
        Finding(
            message=f"{c.name} is a dependency, but no /metrics route is declared in code or the OpenAPI spec, "
            "and nothing scrapes the service",
            path=c.path,
            line=c.line,
            locator=f"{c.path}:{c.name}",
        )
        for c in clients
        if not routes
    ]
    return findings


def _metrics_routes(ctx: CheckContext) -> list[Route]:
    return _spec_routes(ctx) + _code_routes(ctx)


def _spec_routes(ctx: CheckContext) -> list[Route]:
    found: dict[tuple[str, str], Route] = {}
    for spec in openapi.model_of(ctx.index, ctx.config).specs:
        for operation in spec.operations():
            if _is_metrics(operation.path):
                at = operation.path_item
                found.setdefault(
                    (spec.path, operation.path), Route(operation.path, at.file, at.line, "OpenAPI spec")
                )
    return list(found.values())


def _code_routes(ctx: CheckContext) -> list[Route]:
    sources = PythonSources.of(ctx.index)
    found = []
    for path in sources.service_files():
        try:
            if not any(hint in ctx.index.text(path) for hint in _ROUTE_HINTS):
                continue  # cheap text filter: most files declare no metrics route and need no parse
        except InputError:
            continue
        facts = sources.facts(path)
        if facts is not None:
            found += [
                Route(r.path, path, r.line, "code")
                for r in declared_routes(path, facts)
                if _is_metrics(r.path)
            ]
    return found


def _is_metrics(url: str) -> bool:
    return last_segment(url) == "metrics"
