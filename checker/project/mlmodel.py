"""MLflow `MLmodel` files as data: identity, creation time and the model signature.

Read as YAML through the project index — never through mlflow, never by loading the model. The signature's
`inputs`/`outputs` are JSON strings: column-based (`{"name", "type", "required"}`) or tensor-based
(`{"type": "tensor", "tensor-spec": {"dtype", "shape"}, "name"?}`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from checker.model import Finding
from checker.project import classify as kinds

if TYPE_CHECKING:
    from checker.config import ProjectConfig
    from checker.project.index import ProjectIndex


class MLModelError(Exception):
    def __init__(self, message: str, path: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.path, self.line = message, path, line


class SignatureField(BaseModel):
    """One input or output: a column (`type` is an MLflow data type) or a tensor (`dtype`, `shape`)."""

    model_config = ConfigDict(frozen=True)

    name: str | None = None
    kind: Literal["column", "tensor"]
    type: str  # MLflow column type (double, long, string, …, array, object) or the tensor dtype
    required: bool = True
    shape: tuple[int, ...] | None = None
    items: SignatureField | None = None  # element type of an `array` column

    @property
    def label(self) -> str:
        return self.name or f"unnamed {self.kind}"


class MLModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    run_id: str | None = None
    model_uuid: str | None = None
    utc_time_created: str | None = None
    metadata: dict[str, Any] = {}
    inputs: tuple[SignatureField, ...] = ()
    outputs: tuple[SignatureField, ...] = ()
    has_signature: bool = False
    signature_line: int | None = None


def discover(index: ProjectIndex, config: ProjectConfig) -> list[str]:
    """The configured MLmodel file, else every file named MLmodel."""
    if config.model.metadata:
        return [config.model.metadata]
    return sorted(f.path for f in index.of_kind(kinds.MLMODEL))


def load_discovered(index: ProjectIndex, config: ProjectConfig) -> tuple[list[MLModel], list[Finding]]:
    """Every MLmodel the project has (configured, else discovered) that loads, and a finding for each that does not."""
    models, problems = [], []
    for path in discover(index, config):
        try:
            models.append(load(index, path))
        except MLModelError as exc:
            problems.append(Finding(message=f"{exc.path}: {exc.message}", path=exc.path, line=exc.line))
    return models, problems


def load(index: ProjectIndex, path: str) -> MLModel:
    """Parse one MLmodel file; raises MLModelError (naming the file and line) when it cannot be used."""
    from checker.project.index import InputError

    if path not in index.files:
        raise MLModelError(f"{path} does not exist", path)
    try:
        docs = index.yaml(path)
    except InputError as exc:
        raise MLModelError(exc.problem.message, path, exc.problem.line) from None
    doc = docs[0] if docs else None
    if not isinstance(doc, dict):
        raise MLModelError("an MLmodel file must be a YAML mapping", path, 1)
    return _model(path, doc)


def _model(path: str, doc: dict[str, Any]) -> MLModel:
    signature: Any = doc.get("signature") if isinstance(doc.get("signature"), dict) else {}
    line = getattr(doc, "key_pos", {}).get("signature", (None,))[0]
    metadata = doc.get("metadata")
    return MLModel(
        path=path,
        run_id=_text(doc.get("run_id")),
        model_uuid=_text(doc.get("model_uuid")),
        utc_time_created=_text(doc.get("utc_time_created")),
        metadata=dict(metadata) if isinstance(metadata, dict) else {},
        inputs=_fields(signature.get("inputs"), path, line),
        outputs=_fields(signature.get("outputs"), path, line),
        has_signature=bool(signature.get("inputs")),
        signature_line=line,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _fields(raw: Any, path: str, line: int | None) -> tuple[SignatureField, ...]:
    if raw in (None, "", "null"):
        return ()
    try:
        specs = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise MLModelError(f"signature is not valid JSON: {exc.msg}", path, line) from None
    except RecursionError:
        raise MLModelError("signature is nested too deeply to read", path, line) from None
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise MLModelError("signature inputs/outputs must be a JSON list of objects", path, line)
    try:
        return tuple(_field(spec) for spec in specs)
    except _TooDeep:
        raise MLModelError(f"signature array `items` nested deeper than {MAX_ITEMS_DEPTH} levels", path, line) from None


MAX_ITEMS_DEPTH = 32  # arrays of arrays of …: real signatures nest a few levels


class _TooDeep(Exception):
    pass


def _field(spec: dict[str, Any], depth: int = MAX_ITEMS_DEPTH) -> SignatureField:
    name = _text(spec.get("name"))
    required = spec.get("required", True) is not False
    if spec.get("type") == "tensor":
        tensor: Any = spec.get("tensor-spec") if isinstance(spec.get("tensor-spec"), dict) else {}
        shape = tensor.get("shape")
        dims = tuple(int(d) for d in shape) if isinstance(shape, list) and all(isinstance(d, int) for d in shape) else None
        return SignatureField(name=name, kind="tensor", type=str(tensor.get("dtype", "")), required=required, shape=dims)
    items = spec.get("items")
    if isinstance(items, dict) and depth == 0:
        raise _TooDeep
    element = _field(items, depth - 1) if isinstance(items, dict) else None
    return SignatureField(name=name, kind="column", type=str(spec.get("type", "")), required=required, items=element)
