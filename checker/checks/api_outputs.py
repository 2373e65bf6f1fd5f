"""API008: the prediction response schema carries every output of the MLflow model signature.

The operation is `api.prediction_operation` (no guessing: a response says less about the model than a request
does); its success response is the first 2xx one with a schema. Each named output is a property of that schema or
of an object nested in it (`predictions: [{…}]`), with a type compatible with the signature's (the same table
as API007); an unnamed output — a tensor, as most models log their predictions — needs a property that is a
number or an array of numbers (of the tensor's element type, or of the unnamed column's type).
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.apidiff import SchemaView, response_media, schema_view
from checker.checks.api_signature import describe, incompatible, nested_objects
from checker.checks.base import CheckContext, NoParams, Outcome
from checker.checks.openapi import NO_SPEC, SPEC_INPUTS, finding_at, specs_of
from checker.checks.registry import Registry, check_type
from checker.model import Finding
from checker.project import classify as kinds
from checker.project import mlmodel
from checker.project.openapi import Located, Operation, Spec

JSON = "application/json"
MAX_NESTING = 8  # arrays of arrays of … one column value per row



def register(registry: Registry) -> None:
    check_type(registry, "openapi_model_outputs", NoParams,
               "the prediction response schema carries every output of the MLflow model signature",
               inputs=(*SPEC_INPUTS, kinds.MLMODEL))(model_outputs)  # fmt: skip


@dataclass(frozen=True)
class Response:
    spec: Spec
    op: Operation
    status: str
    objects: list[SchemaView]  # the response schema's objects, outermost first

    @property
    def label(self) -> str:
        return f"the {self.status} response schema of {self.op.label}"


def model_outputs(ctx: CheckContext, params: NoParams) -> Outcome:  # type: ignore[override]
    wanted = ctx.config.api.prediction_operation
    specs = specs_of(ctx)
    paths = mlmodel.discover(ctx.index, ctx.config)
    if not wanted or not specs or not paths:
        return Outcome.skipped("no prediction operation configured (api.prediction_operation)" if not wanted else
                               NO_SPEC if not specs else "no MLmodel file (model.metadata or a file named MLmodel)")  # fmt: skip
    try:
        model = mlmodel.load(ctx.index, paths[0])
    except mlmodel.MLModelError as exc:
        return Outcome.failed("MLmodel unusable", [Finding(message=exc.message, path=exc.path, line=exc.line)])
    if not model.has_signature or not model.outputs:
        return Outcome.skipped(f"{model.path} has no {'output ' if model.has_signature else ''}signature")
    response = _response(specs, wanted)
    if isinstance(response, Finding):
        return Outcome.failed("no prediction response to compare", [response])
    findings = [f for field in model.outputs if (f := _judge(response, field)) is not None]
    label = f"{response.op.label} ({wanted})"
    return Outcome.from_findings(findings, f"the {response.status} response of {label} carries all {len(model.outputs)} "
                                 f"outputs of {model.path}", f"{{count}} model outputs not carried by {label}")  # fmt: skip


def _response(specs: list[Spec], wanted: str) -> Response | Finding:
    found = [(spec, op) for spec in specs for op in spec.operations() if op.operation_id == wanted]
    if not found:
        return finding_at(specs[0].top(), f"operationId {wanted!r} (api.prediction_operation) is not in {specs[0].path}")
    spec, op = found[0]
    responses = sorted((status, r) for status, r in spec.items(spec.child(op.at, "responses")) if status.startswith("2"))
    for status, response in responses:
        media = response_media(spec, op, response)
        schema = media.get(JSON) or next(iter(media.values()), None)
        if schema is not None and schema.node not in (None, {}):
            root = schema_view(spec, schema)
            return Response(spec, op, status, [root, *[v for v in nested_objects(spec, root, 0) if v.at != root.at]])
    return finding_at(op.at, f"{op.label} documents no 2xx response with a schema to carry the model outputs",
                      f"{op.at.pointer}/responses")  # fmt: skip


def _judge(response: Response, field: mlmodel.SignatureField) -> Finding | None:
    subject = f"model output '{field.label}' ({describe(field)})"
    if field.name is None:
        return None if _carried_unnamed(response, field) else finding_at(
            response.objects[0].at, f"{subject}: no property of {response.label} is a number or an array of numbers to carry it")
    carrier = _carrier(response, field.name)
    prop = carrier.properties.get(field.name)
    if prop is None:
        return finding_at(carrier.at, f"{subject} is missing from {response.label}", f"{carrier.at.pointer}/properties/{field.name}")
    problem = incompatible(response.spec, prop, field)
    return finding_at(prop, f"{subject} is not carried by response property '{field.name}': {problem}") if problem else None


def _carrier(response: Response, name: str) -> SchemaView:
    """The object that has the output as a property, else the outermost one (where it would be added)."""
    return next((view for view in response.objects if name in view.properties), response.objects[0])


def _carried_unnamed(response: Response, field: mlmodel.SignatureField) -> bool:
    """An unnamed output is carried by a typed property of a compatible type (an untyped one says nothing);
    a column's values may come as an array of them, one per input row."""
    props: list[Located] = [p for view in response.objects for p in view.properties.values()]
    return any(_element_fits(response.spec, p, field) for p in props)


def _element_fits(spec: Spec, prop: Located, field: mlmodel.SignatureField) -> bool:
    view = schema_view(spec, prop)
    if not view.types:
        return False
    if field.kind == "tensor":
        return incompatible(spec, prop, field) is None
    for _ in range(MAX_NESTING):
        if "array" not in view.types or view.items is None:
            break
        view = schema_view(spec, view.items)
    return bool(view.types) and incompatible(spec, view.at, field) is None
