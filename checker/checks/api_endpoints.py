"""Endpoint checks: operations require authentication (SEC006) and the service exposes a health endpoint
(REL009, from the OpenAPI spec, probe `httpGet.path`s and route declarations in code read as text)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.openapi import NO_SPEC, SPEC_INPUTS, finding_at, specs_of
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import classify as kinds
from checker.project.index import InputError
from checker.project.openapi import Located, Operation, Spec
from checker.project.pysource import is_service_code

# SPEC §7 REL009: a path is a health endpoint when one of its segments is one of these.
HEALTH_SEGMENTS = frozenset({"health", "healthz", "ready", "readyz", "live", "livez"})
OPEN_SEGMENTS = HEALTH_SEGMENTS | {"metrics"}  # SEC006: probes and scrapes may be unauthenticated
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")

# Route declarations as written in FastAPI/Flask/Starlette/Litestar decorators and aiohttp/Flask registrations.
_DECORATOR = re.compile(r"""^[ \t]*@[\w.]+\.(?:get|post|put|patch|delete|head|options|route|api_route|websocket)"""
                        r"""\(\s*[rRuU]?(["'])(/[^"'\n]*)\1""", re.MULTILINE)  # fmt: skip
_REGISTRATION = re.compile(r"""\.(?:add_url_rule|add_api_route|add_route|add_get|add_post)\(\s*"""
                           r"""(?:["'][A-Z*]+["']\s*,\s*)?[rRuU]?(["'])(/[^"'\n]*)\1""")  # fmt: skip



def register(registry: Registry) -> None:
    check_type(registry, "openapi_security", NoParams, "API operations require authentication (health/metrics may be open)",
               inputs=SPEC_INPUTS)(api_security)  # fmt: skip
    check_type(registry, "health_endpoint", NoParams, "the service exposes a health endpoint (spec, probes or code)",
               inputs=(*SPEC_INPUTS, "kubernetes", kinds.PYTHON))(health_endpoint)  # fmt: skip


def segments(path: str) -> set[str]:
    return {s.lower() for s in path.split("/") if s}


def is_health_path(path: str) -> bool:
    return bool(segments(path) & HEALTH_SEGMENTS)


# --- SEC006 ------------------------------------------------------------------------------------------


def api_security(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    specs = specs_of(ctx)
    if not specs:
        return Outcome.skipped(NO_SPEC)
    findings = [f for spec in specs for f in _security_findings(spec)]
    return Outcome.from_findings(findings, "every operation requires authentication (health and metrics may be open)",
                                 "{count} operations without authentication")  # fmt: skip


def _security_findings(spec: Spec) -> list[Finding]:
    schemes = _scheme_names(spec)
    findings = []
    if not schemes:
        where = spec.child(spec.top(), "components") or spec.top()
        key = "securityDefinitions" if spec.is_swagger2 else "components.securitySchemes"
        findings.append(finding_at(where, f"{spec.path} defines no security schemes ({key})", f"{spec.path}#securitySchemes"))
    for op in spec.operations():
        if not segments(op.path) & OPEN_SEGMENTS:
            findings += _operation_security(spec, op, schemes)
    return findings


def _scheme_names(spec: Spec) -> set[str]:
    holder = spec.child(spec.top(), "securityDefinitions") if spec.is_swagger2 else \
        spec.child(spec.child(spec.top(), "components"), "securitySchemes")  # fmt: skip
    return {name for name, _ in spec.items(holder)}


def _operation_security(spec: Spec, op: Operation, schemes: set[str]) -> list[Finding]:
    own = spec.child(op.at, "security")
    requirement: Located = own or spec.child(spec.top(), "security") or op.at
    value: Any = requirement.node if requirement is not op.at else None
    if not isinstance(value, list) or not value:
        why = "sets `security: []`" if own is not None else "has no security requirement (none global either)"
        return [finding_at(own or op.at, f"{op.label} {why}: it requires no authentication", f"{op.at.pointer}/security")]
    if any(isinstance(item, dict) and not item for item in value):
        return [finding_at(requirement, f"{op.label} makes authentication optional (an empty requirement `{{}}`)",
                           f"{op.at.pointer}/security")]  # fmt: skip
    undefined = sorted({str(n) for item in value if isinstance(item, dict) for n in item} - schemes)
    if undefined:
        return [finding_at(requirement, f"{op.label} requires undefined security scheme(s) {', '.join(undefined)}",
                           f"{op.at.pointer}/security")]  # fmt: skip
    return []


# --- REL009 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    path: str
    file: str
    line: int | None
    origin: str  # "spec", "probe" or "code"


def health_endpoint(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    endpoints = _spec_endpoints(ctx) + _probe_endpoints(ctx) + _code_endpoints(ctx)
    if not endpoints:
        return Outcome.skipped("no endpoints found (no OpenAPI spec, probe httpGet path or route in code)")
    healthy = [e for e in endpoints if is_health_path(e.path)]
    if healthy:
        first = healthy[0]
        return Outcome.passed(f"health endpoint {first.path} ({first.origin}: {first.file}:{first.line})")
    shown = ", ".join(sorted({e.path for e in endpoints})[:6])
    anchor = endpoints[0]
    finding = Finding(message=f"no health endpoint among {len(endpoints)} endpoints ({shown}): add e.g. GET /healthz "
                      "and /readyz", path=anchor.file, line=anchor.line, locator="health-endpoint")  # fmt: skip
    return Outcome.failed("no health endpoint", [finding])


def _spec_endpoints(ctx: CheckContext) -> list[Endpoint]:
    found = []
    for spec in specs_of(ctx):
        for path, item in spec.items(spec.child(spec.top(), "paths")):
            found.append(Endpoint(path, item.file, item.line, "spec"))
    return found


def _probe_endpoints(ctx: CheckContext) -> list[Endpoint]:
    found = []
    for workload in ctx.index.kube.workloads:
        for container in workload.containers(init=False):
            for probe in PROBES:
                path = container.source.get(*container.path, probe, "httpGet", "path")
                if isinstance(path, str):
                    line = container.source.line((*container.path, probe, "httpGet", "path"))
                    found.append(Endpoint(path, container.source.path, line, "probe"))
    return found


def _code_endpoints(ctx: CheckContext) -> list[Endpoint]:
    found = []
    for source in sorted(ctx.index.of_kind(kinds.PYTHON), key=lambda f: f.path):
        if not is_service_code(source.path):  # tests, docs, examples are out of scope already
            continue
        try:
            text = ctx.index.text(source.path)
        except InputError:
            continue
        found += _routes(source.path, text)
    return found


def _routes(path: str, text: str) -> list[Endpoint]:
    found = []
    for pattern in (_DECORATOR, _REGISTRATION):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start(2)) + 1
            found.append(Endpoint(match.group(2), path, line, "code"))
    if posixpath.basename(path) == "urls.py":  # Django: path("healthz/", view)
        for match in re.finditer(r"""\b(?:re_)?path\(\s*r?["']\^?([^"'\n]*)["']""", text):
            found.append(Endpoint("/" + match.group(1), path, text.count("\n", 0, match.start(1)) + 1, "code"))
    return found
