"""Is a spec valid? `$ref`s checked by bundling, then openapi-spec-validator, each error mapped to file:line.

The validator is given a *bundled* copy of the spec: every `$ref` replaced by (a copy of) its target, so it
needs no file or network access (and is given no handlers to fetch any: a URL `$ref` is a problem of the
spec, never followed), and every copied node remembers the file and line it came from. A
recursive schema is cut at its second occurrence (legal OpenAPI, nothing to report); a broken `$ref` or a
`$ref` chain that loops is a problem at the line of the `$ref`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from checker.messages import quoted, schema_problem
from checker.project.openapi import Located, Spec, SpecError, SpecProblem, escape
from checker.yamlpos import PosDict, PosList

MAX_BUNDLE_NODES = 200_000  # nodes of the spec with every `$ref` inlined (`$ref` bombs stop here)
MAX_ERRORS = 20
# openapi-spec-validator's semantic errors name the operation in their text, not in their path.
_OPERATION_IN_TEXT = re.compile(r"for '(\w+)' (?:operation )?in '([^']+)'")


class _Node(PosDict):
    __slots__ = ("file",)
    file: str


class _Items(PosList):
    __slots__ = ("file",)
    file: str


class _Bundler:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.budget = MAX_BUNDLE_NODES
        self.problems: dict[str, SpecProblem] = {}

    def copy(self, file: str, node: Any, stack: frozenset[tuple[str, int]]) -> Any:
        self.budget -= 1
        if self.budget < 0:
            message = f"the spec expands to more than {MAX_BUNDLE_NODES:,} nodes with its $refs inlined; not validated"
            self.problems.setdefault("budget", SpecProblem(message, self.spec.path, _line_of(self.spec.root)))
            return {}
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                return self._inline(file, node, stack)
            return self._mapping(file, node, stack)
        if isinstance(node, list):
            out = _Items(getattr(node, "pos", (0, 0)))
            out.file, out.item_pos = file, list(getattr(node, "item_pos", []))
            out.extend(self.copy(file, item, stack) for item in node)
            return out
        return node

    def _mapping(self, file: str, node: dict[Any, Any], stack: frozenset[tuple[str, int]]) -> _Node:
        out = _Node(getattr(node, "pos", (0, 0)))
        out.file = file
        out.key_pos = dict(getattr(node, "key_pos", {}))
        out.value_pos = dict(getattr(node, "value_pos", {}))
        for key, value in node.items():
            out[key] = self.copy(file, value, stack)
        return out

    def _inline(self, file: str, node: dict[Any, Any], stack: frozenset[tuple[str, int]]) -> Any:
        ref_pos = getattr(node, "key_pos", {}).get("$ref")
        try:
            target = self.spec.deref(Located(file, node, "", ref_pos[0] if ref_pos else None))
        except SpecError as exc:
            problem = SpecProblem(exc.message, exc.path or file, exc.line)
            self.problems.setdefault(exc.key, problem)
            return {}
        key = (target.file, id(target.node))
        if key in stack:
            return {}  # a recursive schema: legal, expanded once
        return self.copy(target.file, target.node, stack | {key})


def _line_of(node: Any) -> int:
    pos = getattr(node, "pos", None)
    return pos[0] if pos and pos[0] else 1


def ref_problems(spec: Spec) -> tuple[Any, list[SpecProblem]]:
    """The bundled document and every broken or circular `$ref` reachable from the spec."""
    bundler = _Bundler(spec)
    bundle = bundler.copy(spec.path, spec.root, frozenset())
    return bundle, list(bundler.problems.values())


def validate(spec: Spec) -> list[SpecProblem]:
    """Every problem of the spec: unresolvable `$ref`s first, then the validator's errors."""
    try:
        bundle, problems = ref_problems(spec)
    except RecursionError:
        return [SpecProblem("the spec nests too deeply to check", spec.path, 1)]
    if problems:
        return problems  # the validator would only repeat them as type errors of the empty stand-ins
    return _validator_problems(spec, bundle)


def _validator_problems(spec: Spec, bundle: Any) -> list[SpecProblem]:
    from jsonschema_path import SchemaPath

    validator_class = _validator_for(spec.version)
    if validator_class is None:
        return [SpecProblem(f"unsupported spec version {spec.version!r} (expected 2.0, 3.0.x or 3.1.x)", spec.path,
                            _version_line(spec))]  # fmt: skip
    validator = validator_class(SchemaPath.from_dict(bundle, handlers={}))
    problems: dict[str, SpecProblem] = {}
    try:
        for error in validator.iter_errors():
            problem = _problem(spec, bundle, error)
            problems.setdefault(problem.message, problem)
            if len(problems) >= MAX_ERRORS:
                break
    except RecursionError:
        problems["recursion"] = SpecProblem("the spec nests too deeply to validate", spec.path, 1)
    except (KeyError, TypeError, AttributeError, ValueError, AssertionError) as exc:
        # The validator's semantic pass assumes the shape its schema pass checks; on a document of another
        # shape (a path item that is a string) it raises instead of reporting. The schema errors met so far
        # say what is wrong; without any, the crash itself is the finding.
        if not problems:
            why = f"{type(exc).__name__}: {exc}"
            problems["crash"] = SpecProblem(f"the spec cannot be validated: its structure is not OpenAPI ({why})", spec.path, 1)
    return list(problems.values())


def _validator_for(version: str) -> Any:
    import openapi_spec_validator as osv

    if version == "2.0":
        return osv.OpenAPIV2SpecValidator
    if version.startswith("3.0"):
        return osv.OpenAPIV30SpecValidator
    if version.startswith("3.1"):
        return osv.OpenAPIV31SpecValidator
    return None


def _version_line(spec: Spec) -> int | None:
    key = "swagger" if spec.is_swagger2 else "openapi"
    pos = getattr(spec.root, "key_pos", {}).get(key)
    return pos[0] if pos else None


def _problem(spec: Spec, bundle: Any, error: Any) -> SpecProblem:
    error = _deepest(error)
    path = list(error.absolute_path)
    match = _OPERATION_IN_TEXT.search(error.message)
    if not path and match:
        path = ["paths", match.group(2), match.group(1)]
    file, line = locate(bundle, path, spec.path)
    pointer = "".join(f"/{escape(p)}" for p in path)
    return SpecProblem(_shorten(_own_words(error)), file, line, pointer)


def _own_words(error: Any) -> str:
    """Schema errors in our words; the validator's own checks (unique operationIds, path parameters) have no
    schema keyword, so their text is quoted after ours."""
    if isinstance(getattr(error, "validator", None), str):
        return schema_problem(error)
    return f"not a valid OpenAPI document {quoted('openapi-spec-validator', error.message)}"


def _deepest(error: Any) -> Any:
    """The most specific of a `oneOf`/`anyOf` failure's sub-errors: the one deepest in the document."""
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def locate(bundle: Any, path: Iterable[Any], default_file: str) -> tuple[str, int | None]:
    """File and line of the bundled node at `path` (its deepest existing ancestor)."""
    node, file, line = bundle, default_file, 1
    for part in path:
        if isinstance(node, _Node) and part in node:
            file, pos = node.file, node.key_pos.get(part)
            line = pos[0] if pos else line
            node = node[part]
        elif isinstance(node, _Items) and isinstance(part, int) and part < len(node):
            file = node.file
            line = node.item_pos[part][0] if part < len(node.item_pos) else line
            node = node[part]
        else:
            break
    return file, line


def _shorten(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"
