"""API007: the prediction request schema accepts every input of the MLflow model signature, with a
compatible type (MLflow double/float -> number, long/integer -> integer or number, string -> string,
boolean -> boolean, binary -> string with format byte/binary, datetime -> string with format date-time)."""

from __future__ import annotations

from dataclasses import dataclass

from checker.apidiff import SchemaView, request_body, schema_view
from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.openapi import NO_SPEC, SPEC_INPUTS, finding_at, specs_of
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import classify as kinds
from checker.project import mlmodel
from checker.project.openapi import Located, Operation, Spec

# MLflow type -> (JSON Schema types that accept it, formats required or None for any).
COLUMN_TYPES: dict[str, tuple[frozenset[str], frozenset[str] | None]] = {
    "double": (frozenset({"number"}), None),
    "float": (frozenset({"number"}), None),
    "long": (frozenset({"integer", "number"}), None),
    "integer": (frozenset({"integer", "number"}), None),
    "string": (frozenset({"string"}), None),
    "boolean": (frozenset({"boolean"}), None),
    "binary": (frozenset({"string"}), frozenset({"byte", "binary"})),
    "datetime": (frozenset({"string"}), frozenset({"date-time"})),
}
TENSOR_KIND = {"float": "double", "int": "long", "uint": "long", "bool": "boolean", "str": "string", "object": "string",
               "bytes": "binary", "double": "double"}  # fmt: skip
MAX_DEPTH = 4



def register(registry: Registry) -> None:
    check_type(registry, "openapi_model_signature", NoParams,
               "the prediction request schema accepts every input of the MLflow model signature",
               inputs=(*SPEC_INPUTS, kinds.MLMODEL))(model_signature)  # fmt: skip


@dataclass(frozen=True)
class Target:
    spec: Spec
    op: Operation
    schema: SchemaView  # the object whose properties carry the model inputs


def model_signature(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    specs = specs_of(ctx)
    paths = mlmodel.discover(ctx.index, ctx.config)
    if not specs or not paths:
        return Outcome.skipped(NO_SPEC if not specs else "no MLmodel file (model.metadata or a file named MLmodel)")
    try:
        model = mlmodel.load(ctx.index, paths[0])
    except mlmodel.MLModelError as exc:
        return Outcome.failed("MLmodel unusable", [Finding(message=exc.message, path=exc.path, line=exc.line)])
    if not model.has_signature:
        return Outcome.skipped(f"{model.path} has no input signature")
    target = _target(ctx, specs, model)
    if isinstance(target, Finding):
        return Outcome.failed("no prediction operation to compare", [target])
    findings = [f for field in model.inputs if (f := _judge(target, field)) is not None]
    label = f"{target.op.label} ({target.op.operation_id or 'no operationId'})"
    return Outcome.from_findings(findings, f"{label} accepts all {len(model.inputs)} inputs of {model.path}",
                                 f"{{count}} model inputs not accepted by {label}")  # fmt: skip


# --- which operation ---------------------------------------------------------------------------------


def _target(ctx: CheckContext, specs: list[Spec], model: mlmodel.MLModel) -> Target | Finding:
    names: set[str] = {f.name for f in model.inputs if f.name}
    wanted = ctx.config.api.prediction_operation
    ops = [(spec, op) for spec in specs for op in spec.operations()]
    if wanted:
        chosen = [(s, op) for s, op in ops if op.operation_id == wanted]
        if not chosen:
            spec = specs[0]
            return finding_at(spec.top(), f"operationId {wanted!r} (api.prediction_operation) is not in {spec.path}")
        spec, op = chosen[0]
        found = _carrier(spec, op, names)
        return Target(spec, op, found[1]) if found else finding_at(op.at, f"{op.label} has no request body schema "
                                                                          "with properties for the model inputs")
    scored = [(found[0], spec, op, found[1]) for spec, op in ops if (found := _carrier(spec, op, names)) and found[0]]
    best = max((s[0] for s in scored), default=0)
    top = [s for s in scored if s[0] == best]
    if len(top) == 1:
        return Target(top[0][1], top[0][2], top[0][3])
    spec = specs[0]
    what = "several operations carry" if top else "no operation's request body carries"
    return finding_at(spec.top(), f"{what} the model inputs of {model.path}; name the prediction operation in the "
                      "config as api.prediction_operation")  # fmt: skip


def _carrier(spec: Spec, op: Operation, names: set[str]) -> tuple[int, SchemaView] | None:
    """The object in the request body with the most model input names among its properties."""
    body = request_body(spec, op)
    if body is None:
        return None
    best: tuple[int, SchemaView] | None = None
    for schema in body.media.values():
        if schema.node is None:
            continue
        for view in nested_objects(spec, schema_view(spec, schema), 0):
            score = len(names & set(view.properties))
            if best is None or score > best[0]:
                best = (score, view)
    return best


def nested_objects(spec: Spec, view: SchemaView, depth: int) -> list[SchemaView]:
    """The schema and the objects nested in it (properties, array items), a few levels deep."""
    found = [view] if view.properties else []
    if depth >= MAX_DEPTH:
        return found
    children = list(view.properties.values()) + ([view.items] if view.items else [])
    for child in children:
        found += nested_objects(spec, schema_view(spec, child), depth + 1)
    return found


# --- does a property accept an input ----------------------------------------------------------------


def _judge(target: Target, field: mlmodel.SignatureField) -> Finding | None:
    prop = target.schema.properties.get(field.name or "")
    subject = f"model input '{field.label}' ({describe(field)})"
    if prop is None:
        where = target.schema.at
        return finding_at(where, f"{subject} is missing from the request schema of {target.op.label}",
                          f"{where.pointer}/properties/{field.label}")  # fmt: skip
    problem = incompatible(target.spec, prop, field)
    return finding_at(prop, f"{subject} is not accepted by request property '{field.name}': {problem}") if problem else None


def describe(field: mlmodel.SignatureField) -> str:
    if field.kind == "tensor":
        return f"tensor {field.type}{list(field.shape) if field.shape else ''}"
    return f"array of {describe(field.items)}" if field.type == "array" and field.items else field.type


def incompatible(spec: Spec, at: Located, field: mlmodel.SignatureField) -> str | None:
    view = schema_view(spec, at)
    if field.kind == "tensor":
        return _tensor_problem(spec, view, field)
    if field.type == "array":
        if view.types and "array" not in view.types:
            return f"expected an array, the schema says {_show(view)}"
        return incompatible(spec, view.items, field.items) if view.items and field.items else None
    return _scalar_problem(view, field.type)


def _tensor_problem(spec: Spec, view: SchemaView, field: mlmodel.SignatureField) -> str | None:
    """A tensor is accepted as a scalar or (nested) arrays of a compatible element type."""
    depth = 0
    while "array" in view.types and view.items is not None and depth < 8:
        view, depth = schema_view(spec, view.items), depth + 1
    base = next((kind for prefix, kind in TENSOR_KIND.items() if field.type.startswith(prefix)), None)
    return _scalar_problem(view, base) if base else None


def _scalar_problem(view: SchemaView, mlflow_type: str) -> str | None:
    accepted = COLUMN_TYPES.get(mlflow_type)
    if accepted is None or not view.types:
        return None  # object/map/any inputs, or an untyped schema that accepts anything
    types, formats = accepted
    if not types & view.types:
        return f"expected {' or '.join(sorted(types))}, the schema says {_show(view)}"
    if formats and view.format not in formats:
        return f"expected a string with format {' or '.join(sorted(formats))}, the schema says {_show(view)}"
    return None


def _show(view: SchemaView) -> str:
    shown = "|".join(sorted(view.types)) or "any"
    return f"{shown} ({view.format})" if view.format else shown
