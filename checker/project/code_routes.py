"""HTTP routes declared in Python code, read from the syntax tree (FastAPI, Flask, Starlette, Django,
aiohttp, and the Prometheus helpers that expose a metrics endpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.project.pysource import CallSite, ModuleFacts

# Calls whose first argument (or `path=` / `rule=` keyword) is the URL path of a route.
ROUTE_CALLS = frozenset(
    {
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "route",
        "api_route",
        "websocket",
        "add_route",
        "add_api_route",
        "add_url_rule",
        "add_get",
        "mount",
        "Route",
        "Mount",
        "path",
        "re_path",
    }
)
PATH_KEYWORDS = ("path", "rule", "endpoint")
# prometheus_fastapi_instrumentator: `Instrumentator().instrument(app).expose(app)` serves /metrics by default.
EXPOSE_CALL = "expose"
# prometheus_client.start_http_server / start_wsgi_server serve metrics on their own port, at every path.
METRICS_SERVER_CALLS = frozenset({"start_http_server", "start_wsgi_server"})


@dataclass(frozen=True)
class CodeRoute:
    path: str  # the URL path as declared
    file: str
    line: int


def declared_routes(file: str, facts: ModuleFacts) -> Iterator[CodeRoute]:
    for call in facts.calls:
        url = _route_path(call)
        if url is not None:
            yield CodeRoute(url, file, call.line)


def _route_path(call: CallSite) -> str | None:
    name = call.name
    if name in METRICS_SERVER_CALLS:
        return "/metrics"
    if name == EXPOSE_CALL:
        return call.keyword_string("endpoint") or "/metrics"
    if name not in ROUTE_CALLS:
        return None
    url = call.first_arg or next((v for k in PATH_KEYWORDS if (v := call.keyword_string(k))), None)
    return url if url is not None and _looks_like_path(url) else None


def _looks_like_path(url: str) -> bool:
    # Django paths have no leading slash ("metrics/"), so a slash anywhere will do; a slash-free string is a
    # dict key (`settings.get("port")`), and a URL with a scheme is an HTTP client call, not a route.
    return "/" in url and "://" not in url and not any(c.isspace() for c in url)


def last_segment(url: str) -> str:
    """`metrics` for `/v1/metrics/`, the segment a route is named by."""
    segments = [s for s in url.split("?")[0].split("/") if s]
    return segments[-1] if segments else ""
