"""OpenAPI contract checks: the spec exists and is valid (API001), and lint rules on every operation
(API002 success schema, API003 error responses, API004 request required fields, API006 unique operationIds,
VER006 semantic `info.version`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from checker.apidiff import request_body, response_media, schema_view
from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project.openapi import Located, Operation, Spec, SpecProblem, model_of

SPEC_INPUTS = ("openapi",)  # specs and what their `$ref`s reach: a content kind (checker/engine/changed.py)
# Semantic Versioning 2.0.0 (semver.org), without a `v` prefix.
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                     r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                     r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")  # fmt: skip
NO_CONTENT = ("204", "205")



def register(registry: Registry) -> None:
    for name, summary, func in (
        ("openapi_valid", "an OpenAPI 3.x / Swagger 2.0 spec exists and is valid", openapi_valid),
        ("openapi_success_responses", "every operation documents a 2xx response with a schema", success_responses),
        ("openapi_error_responses", "every operation documents 4xx, 5xx or default responses", error_responses),
        ("openapi_request_schemas", "every request body has a schema listing its required fields", request_schemas),
        ("openapi_operation_ids", "every operation has an operationId, unique in its spec", operation_ids),
        ("openapi_semver", "the spec's info.version is a semantic version", semver_version),
    ):
        check_type(registry, name, NoParams, summary, inputs=SPEC_INPUTS)(func)


def finding_at(at: Located, message: str, locator: str | None = None) -> Finding:
    return Finding(message=message, path=at.file, line=at.line, locator=locator or at.pointer or "/")


def problem_finding(problem: SpecProblem) -> Finding:
    return Finding(message=problem.message, path=problem.path, line=problem.line,
                   locator=f"{problem.path}#{problem.pointer}" if problem.pointer else problem.path)  # fmt: skip


def specs_of(ctx: CheckContext) -> list[Spec]:
    return model_of(ctx.index, ctx.config).specs


NO_SPEC = "no OpenAPI spec (see API001)"


# --- API001 ------------------------------------------------------------------------------------------


def openapi_valid(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    from checker.project.openapi_validity import validate

    model = model_of(ctx.index, ctx.config)
    findings = [problem_finding(p) for p in model.problems]
    if not model.specs and not findings:
        return Outcome.failed("no OpenAPI spec found", [Finding(
            message="no OpenAPI 3.x / Swagger 2.0 spec found (a YAML/JSON file with a top-level `openapi:` or "
                    "`swagger:` key); add one, or name it in the config as api.spec")])  # fmt: skip
    for spec in model.specs:
        findings += [problem_finding(p) for p in validate(spec)]
    names = ", ".join(f"{s.path} ({s.version})" for s in model.specs)
    return Outcome.from_findings(findings, f"valid: {names}", "{count} spec problems")


# --- per-operation lint ---------------------------------------------------------------------------------


def _per_operation(ctx: CheckContext, judge: Callable[[Spec, Operation], list[Finding]], passed: str) -> Outcome:
    specs = specs_of(ctx)
    if not specs:
        return Outcome.skipped(NO_SPEC)
    operations = [(spec, op) for spec in specs for op in spec.operations()]
    if not operations:
        return Outcome.skipped("the spec declares no operations")
    findings = [f for spec, op in operations for f in judge(spec, op)]
    return Outcome.from_findings(findings, passed.format(count=len(operations)), "{count} operations fall short")


def success_responses(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    return _per_operation(ctx, _success_findings, "all {count} operations document a 2xx response with a schema")


def _success_findings(spec: Spec, op: Operation) -> list[Finding]:
    responses = dict(spec.items(spec.child(op.at, "responses")))
    success = {status: r for status, r in responses.items() if status.startswith("2")}
    for status, response in success.items():
        if status in NO_CONTENT or any(_has_schema(m) for m in response_media(spec, op, response).values()):
            return []
    what = "no 2xx response" if not success else f"2xx response {', '.join(success)} without a schema"
    return [finding_at(op.at, f"{op.label} documents {what}", f"{op.at.pointer}/responses")]


def _has_schema(media: Located) -> bool:
    return media.node is not None and media.node != {}


def error_responses(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    return _per_operation(ctx, _error_findings, "all {count} operations document error responses")


def _error_findings(spec: Spec, op: Operation) -> list[Finding]:
    statuses = [status for status, _ in spec.items(spec.child(op.at, "responses"))]
    if any(s.startswith(("4", "5")) or s == "default" for s in statuses):
        return []
    return [finding_at(op.at, f"{op.label} documents no error response (4xx, 5xx or default)",
                       f"{op.at.pointer}/responses")]  # fmt: skip


def request_schemas(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    return _per_operation(ctx, _request_findings, "every request body of the {count} operations lists its required fields")


def _request_findings(spec: Spec, op: Operation) -> list[Finding]:
    body = request_body(spec, op)
    if body is None:
        return []
    if not body.media:
        return [finding_at(body.at, f"{op.label}: the request body declares no content and no schema")]
    findings = []
    for media, schema in body.media.items():
        if not _has_schema(schema):
            findings.append(finding_at(schema, f"{op.label}: request body ({media}) has no schema"))
            continue
        view = schema_view(spec, schema)
        if view.properties and not view.required and (not view.types or "object" in view.types):
            findings.append(finding_at(schema, f"{op.label}: request body ({media}) schema has properties "
                                       f"({', '.join(list(view.properties)[:5])}…) but no `required` list"))  # fmt: skip
    return findings


def operation_ids(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    specs = specs_of(ctx)
    if not specs:
        return Outcome.skipped(NO_SPEC)
    findings = [f for spec in specs for f in _operation_id_findings(spec)]
    return Outcome.from_findings(findings, "every operation has a unique operationId", "{count} missing or duplicate operationIds")


def _operation_id_findings(spec: Spec) -> list[Finding]:
    seen: dict[str, Operation] = {}
    findings = []
    for op in spec.operations():
        op_id = op.operation_id
        if not op_id:
            findings.append(finding_at(op.at, f"{op.label} has no operationId"))
        elif op_id in seen:
            first = seen[op_id]
            findings.append(finding_at(op.at, f"{op.label} repeats operationId {op_id!r} of {first.label} "
                                       f"({first.at.where()})", f"{spec.path}#operationId/{op_id}/{op.label}"))  # fmt: skip
        else:
            seen[op_id] = op
    return findings


def semver_version(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    specs = specs_of(ctx)
    if not specs:
        return Outcome.skipped(NO_SPEC)
    findings = []
    for spec in specs:
        version = spec.info_version
        if version is None:
            info = spec.child(spec.top(), "info") or spec.top()
            findings.append(finding_at(info, f"{spec.path} has no info.version", f"{spec.path}#/info/version"))
        elif not _SEMVER.match(str(version.node)):
            findings.append(finding_at(version, f"info.version {str(version.node)!r} is not a semantic version "
                                       "(MAJOR.MINOR.PATCH, e.g. 1.4.0)", f"{spec.path}#/info/version"))  # fmt: skip
    shown = ", ".join(str(s.info_version.node) for s in specs if s.info_version is not None)
    return Outcome.from_findings(findings, f"info.version {shown}", "{count} specs without a semantic info.version")
