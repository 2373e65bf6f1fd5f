"""Breaking changes between two OpenAPI specs (SPEC §7 "breaking change (API005)", oasdiff's ERR level).

Requests: a new required parameter or property, a type or format change, an enum value removed, a
constraint tightened, a media type removed. Responses: a property removed (required or optional), a 2xx
status removed, a type or format change, a property no longer required, a media type removed. Anywhere: a
path or operation removed, unless it was deprecated and its `x-sunset` date has passed. Everything a client
may simply ignore (new optional inputs, new endpoints, new response properties, removed error statuses, a
request type that only widens) is not reported.

Paths are compared by their template shape, so a renamed path parameter is the same parameter; a `writeOnly`
property is not part of a response; an `additionalProperties` schema (a map's values) is compared like `items`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from checker.project.openapi import HTTP_METHODS, Located, Operation, Spec


class ChangeKind(StrEnum):
    PATH_REMOVED = "path-removed"
    OPERATION_REMOVED = "operation-removed"
    PARAMETER_ADDED_REQUIRED = "request-parameter-added-required"
    PARAMETER_BECAME_REQUIRED = "request-parameter-became-required"
    BODY_BECAME_REQUIRED = "request-body-became-required"
    PROPERTY_ADDED_REQUIRED = "request-property-added-required"
    PROPERTY_BECAME_REQUIRED = "request-property-became-required"
    REQUEST_TYPE_CHANGED = "request-type-changed"
    REQUEST_FORMAT_CHANGED = "request-format-changed"
    REQUEST_ENUM_NARROWED = "request-enum-value-removed"
    REQUEST_CONSTRAINT_TIGHTENED = "request-constraint-tightened"
    REQUEST_MEDIA_TYPE_REMOVED = "request-media-type-removed"
    RESPONSE_PROPERTY_REMOVED = "response-property-removed"
    RESPONSE_SUCCESS_STATUS_REMOVED = "response-success-status-removed"
    RESPONSE_TYPE_CHANGED = "response-type-changed"
    RESPONSE_FORMAT_CHANGED = "response-format-changed"
    RESPONSE_PROPERTY_NO_LONGER_REQUIRED = "response-property-no-longer-required"
    RESPONSE_MEDIA_TYPE_REMOVED = "response-media-type-removed"


_REJECTED = "requests of existing clients that do not send it are rejected"
WHY: dict[ChangeKind, str] = {
    ChangeKind.PATH_REMOVED: "clients calling it get 404 Not Found",
    ChangeKind.OPERATION_REMOVED: "clients calling it get 404/405",
    ChangeKind.PARAMETER_ADDED_REQUIRED: _REJECTED,
    ChangeKind.PARAMETER_BECAME_REQUIRED: _REJECTED,
    ChangeKind.BODY_BECAME_REQUIRED: "requests of existing clients that send no body are rejected",
    ChangeKind.PROPERTY_ADDED_REQUIRED: _REJECTED,
    ChangeKind.PROPERTY_BECAME_REQUIRED: _REJECTED,
    ChangeKind.REQUEST_TYPE_CHANGED: "values existing clients send no longer validate",
    ChangeKind.REQUEST_FORMAT_CHANGED: "values existing clients send may no longer validate",
    ChangeKind.REQUEST_ENUM_NARROWED: "clients sending a removed value are rejected",
    ChangeKind.REQUEST_CONSTRAINT_TIGHTENED: "values that were valid before are now rejected",
    ChangeKind.REQUEST_MEDIA_TYPE_REMOVED: "clients sending this content type get 415 Unsupported Media Type",
    ChangeKind.RESPONSE_PROPERTY_REMOVED: "clients reading the property find it missing",
    ChangeKind.RESPONSE_SUCCESS_STATUS_REMOVED: "clients expecting this status treat the new one as an error",
    ChangeKind.RESPONSE_TYPE_CHANGED: "clients parse the value as the old type",
    ChangeKind.RESPONSE_FORMAT_CHANGED: "clients parse the value in the old format",
    ChangeKind.RESPONSE_PROPERTY_NO_LONGER_REQUIRED: "clients relying on its presence fail when it is missing",
    ChangeKind.RESPONSE_MEDIA_TYPE_REMOVED: "clients asking for this content type get 406 or another body",
}
REMOVALS = frozenset({ChangeKind.PATH_REMOVED, ChangeKind.OPERATION_REMOVED, ChangeKind.RESPONSE_PROPERTY_REMOVED,
                      ChangeKind.RESPONSE_SUCCESS_STATUS_REMOVED, ChangeKind.REQUEST_MEDIA_TYPE_REMOVED,
                      ChangeKind.RESPONSE_MEDIA_TYPE_REMOVED})  # fmt: skip

# Format changes that only widen what a request accepts (the reverse narrows a response harmlessly).
_WIDER_FORMAT = {("int32", "int64"), ("float", "double")}
_UPPER_BOUNDS = ("maxLength", "maximum", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minimum", "minItems", "minProperties")


class SpecLocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    line: int | None = None
    revision: str | None = None  # the git revision the file was read at, when not the working tree

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}@{self.revision}" if self.revision else where


class Change(BaseModel):
    """One breaking change: what changed, where (pointer and both sides), and why clients break."""

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    message: str
    pointer: str
    old: SpecLocation | None = None
    new: SpecLocation | None = None

    @property
    def why(self) -> str:
        return WHY[self.kind]

    @property
    def is_removal(self) -> bool:
        return self.kind in REMOVALS

    @property
    def location(self) -> SpecLocation | None:
        """Where to look: the old spec for a removal, the new one otherwise."""
        return (self.old or self.new) if self.is_removal else (self.new or self.old)


def diff(old: Spec, new: Spec, today: date | None = None) -> list[Change]:
    """Every breaking change from `old` to `new`, in document order of the old spec."""
    differ = _Differ(old, new, today or date.today())
    differ.compare_paths()
    return differ.changes


# --- schemas as the diff sees them -------------------------------------------------------------------


@dataclass
class SchemaView:
    at: Located
    types: frozenset[str] = frozenset()
    format: str | None = None
    enum: list[Any] | None = None
    required: set[str] = field(default_factory=set)
    properties: dict[str, Located] = field(default_factory=dict)
    items: Located | None = None
    additional: Located | None = None  # an `additionalProperties` schema: the type of a map's values
    keywords: dict[str, Any] = field(default_factory=dict)


def schema_view(spec: Spec, at: Located, depth: int = 0) -> SchemaView:
    """A schema with its `allOf` parts merged (properties, required, type), `$ref`s followed."""
    node = at.node if isinstance(at.node, dict) else {}
    view = SchemaView(at, _types(node), _str(node.get("format")), _enum(node.get("enum")), keywords=dict(node))
    required = node.get("required")
    view.required = {str(r) for r in required} if isinstance(required, list) else set()
    view.properties = dict(spec.items(spec.child(at, "properties")))
    view.items = spec.child(at, "items")
    view.additional = _schema_child(spec, at, "additionalProperties")
    parts = spec.child(at, "allOf")
    for index in range(len(parts.node) if parts and isinstance(parts.node, list) and depth < 8 else 0):
        part = spec.child(parts, index)
        if part is not None:
            _merge(view, schema_view(spec, part, depth + 1))
    return view


def _merge(view: SchemaView, part: SchemaView) -> None:
    view.types = view.types or part.types
    view.format = view.format or part.format
    view.required |= part.required
    for name, prop in part.properties.items():
        view.properties.setdefault(name, prop)
    view.items = view.items or part.items
    view.additional = view.additional or part.additional


def _schema_child(spec: Spec, at: Located, key: str) -> Located | None:
    """A sub-schema; `additionalProperties: true/false` is a flag, not a schema to compare."""
    child = spec.child(at, key)
    return child if child is not None and isinstance(child.node, dict) else None


def _types(node: dict[str, Any]) -> frozenset[str]:
    value = node.get("type")
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    return frozenset({str(value)}) if isinstance(value, str) else frozenset()


def _str(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def _enum(value: Any) -> list[Any] | None:
    return list(value) if isinstance(value, list) else None


def _accepts(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Does a schema typed `wide` accept every value of a schema typed `narrow`? (number takes integer)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


# --- the walk ---------------------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: Spec, new: Spec, today: date) -> None:
        self.old, self.new, self.today = old, new, today
        self.changes: list[Change] = []
        self._seen: set[tuple[int, int, str]] = set()

    def add(self, kind: ChangeKind, message: str, old: Located | None, new: Located | None) -> None:
        anchor = old if kind in REMOVALS else (new or old)
        self.changes.append(Change(kind=kind, message=message, pointer=(anchor.pointer if anchor else "") or "/",
                                   old=self._loc(self.old, old), new=self._loc(self.new, new)))  # fmt: skip

    @staticmethod
    def _loc(spec: Spec, at: Located | None) -> SpecLocation | None:
        return SpecLocation(file=at.file, line=at.line, revision=spec.source.revision) if at else None

    # paths and operations

    def compare_paths(self) -> None:
        new_paths = {_template(p): (p, item) for p, item in self.new.items(self.new.child(self.new.top(), "paths"))}
        new_anchor = self.new.child(self.new.top(), "paths") or self.new.top()
        for path, item in self.old.items(self.old.child(self.old.top(), "paths")):
            match = new_paths.get(_template(path))
            if match is None:
                if not self._sunset(list(self.old.items(item))):
                    self.add(ChangeKind.PATH_REMOVED, f"path {path} was removed", item, new_anchor)
                continue
            self._compare_path_item(path, item, *match)

    def _compare_path_item(self, path: str, old_item: Located, new_path: str, new_item: Located) -> None:
        new_ops = {op.method: op for op in _operations(self.new, new_path, new_item)}
        for op in _operations(self.old, path, old_item):
            if op.method in new_ops:
                self._compare_operation(op, new_ops[op.method])
            elif not self._sunset([(op.method, op.at)]):
                self.add(ChangeKind.OPERATION_REMOVED, f"operation {op.label} was removed", op.at, new_item)

    def _sunset(self, operations: list[tuple[str, Located]]) -> bool:
        """Were all these operations deprecated with an `x-sunset` date that has passed?"""
        ops = [at.node for _, at in operations if isinstance(at.node, dict)]
        return bool(ops) and all(op.get("deprecated") is True and _past(op.get("x-sunset"), self.today) for op in ops)

    def _compare_operation(self, old: Operation, new: Operation) -> None:
        self._compare_parameters(old, new)
        self._compare_request_body(old, new)
        self._compare_responses(old, new)

    # requests

    def _compare_parameters(self, old: Operation, new: Operation) -> None:
        old_params = _parameters(self.old, old)
        renamed = _renamed_path_parameters(old.path, new.path)
        for key, param in _parameters(self.new, new).items():
            where, name = key
            required = param.node.get("required") is True
            previous = old_params.get((where, renamed.get(name, name)) if where == "path" else key)
            subject = f"{new.label}: {where} parameter '{name}'"
            if previous is None:
                if required:
                    self.add(ChangeKind.PARAMETER_ADDED_REQUIRED, f"{subject} was added as required", None, param)
                continue
            if required and previous.node.get("required") is not True:
                self.add(ChangeKind.PARAMETER_BECAME_REQUIRED, f"{subject} became required", previous, param)
            old_schema, new_schema = _parameter_schema(self.old, previous), _parameter_schema(self.new, param)
            if old_schema and new_schema:
                self._compare_schema(old_schema, new_schema, subject, request=True)

    def _compare_request_body(self, old: Operation, new: Operation) -> None:
        old_body, new_body = request_body(self.old, old), request_body(self.new, new)
        if new_body is None:
            return
        subject = f"{new.label}: request body"
        if new_body.required and not (old_body and old_body.required):
            change = "became required" if old_body else "was added as required"
            self.add(ChangeKind.BODY_BECAME_REQUIRED, f"{subject} {change}", old_body.at if old_body else None,
                     new_body.at)  # fmt: skip
        if old_body is None:
            return
        for media, old_schema in old_body.media.items():
            if media not in new_body.media:
                self.add(ChangeKind.REQUEST_MEDIA_TYPE_REMOVED, f"{subject}: media type {media} was removed",
                         _media_object(self.old, old_body.at, media) or old_schema, new_body.at)  # fmt: skip
            elif old_schema.node is not None and new_body.media[media].node is not None:
                self._compare_schema(old_schema, new_body.media[media], f"{subject} ({media})", request=True)

    # responses

    def _compare_responses(self, old: Operation, new: Operation) -> None:
        new_responses = dict(self.new.items(self.new.child(new.at, "responses")))
        new_anchor = self.new.child(new.at, "responses") or new.at
        for status, old_response in self.old.items(self.old.child(old.at, "responses")):
            new_response = new_responses.get(status)
            if new_response is None:
                if status.startswith("2"):
                    self.add(ChangeKind.RESPONSE_SUCCESS_STATUS_REMOVED, f"{old.label}: success response {status} "
                             "was removed", old_response, new_anchor)  # fmt: skip
                continue
            self._compare_response(f"{new.label}: response {status}", old, new, old_response, new_response)

    def _compare_response(self, subject: str, old_op: Operation, new_op: Operation, old: Located, new: Located) -> None:
        old_media = response_media(self.old, old_op, old)
        new_media = response_media(self.new, new_op, new)
        for media, old_schema in old_media.items():
            if media not in new_media:
                self.add(ChangeKind.RESPONSE_MEDIA_TYPE_REMOVED, f"{subject}: media type {media} was removed",
                         _media_object(self.old, old, media) or old_schema, new)  # fmt: skip
            elif old_schema.node is not None and new_media[media].node is not None:
                self._compare_schema(old_schema, new_media[media], f"{subject} ({media})", request=False)

    # schemas

    def _compare_schema(self, old_at: Located, new_at: Located, subject: str, request: bool) -> None:
        key = (id(old_at.node), id(new_at.node), f"{request}{subject}")
        if key in self._seen or subject.count(" property ") > 32:
            return  # recursive schemas: each pair of nodes is compared once per context
        self._seen.add(key)
        old, new = schema_view(self.old, old_at), schema_view(self.new, new_at)
        self._compare_type(old, new, subject, request)
        if request:
            self._compare_enum(old, new, subject)
            self._compare_constraints(old, new, subject)
        self._compare_properties(old, new, subject, request)
        if old.items is not None and new.items is not None:
            self._compare_schema(old.items, new.items, f"{subject} items", request)
        if old.additional is not None and new.additional is not None:
            self._compare_schema(old.additional, new.additional, f"{subject} values (additionalProperties)", request)

    def _compare_type(self, old: SchemaView, new: SchemaView, subject: str, request: bool) -> None:
        if old.types and new.types and not (_accepts(new.types, old.types) if request else _accepts(old.types, new.types)):
            kind = ChangeKind.REQUEST_TYPE_CHANGED if request else ChangeKind.RESPONSE_TYPE_CHANGED
            self.add(kind, f"{subject}: type changed from {_show(old.types)} to {_show(new.types)}", old.at, new.at)
            return  # the format of another type is no separate change
        if old.format != new.format and _format_breaks(old.format, new.format, request):
            kind = ChangeKind.REQUEST_FORMAT_CHANGED if request else ChangeKind.RESPONSE_FORMAT_CHANGED
            self.add(kind, f"{subject}: format changed from {old.format or '(none)'} to {new.format or '(none)'}",
                     old.at, new.at)  # fmt: skip

    def _compare_enum(self, old: SchemaView, new: SchemaView, subject: str) -> None:
        if new.enum is None:
            return
        removed = [v for v in old.enum if v not in new.enum] if old.enum is not None else None
        if removed is None:
            message = f"{subject}: now restricted to the values {new.enum}"
        elif removed:
            message = f"{subject}: enum value(s) {removed} removed"
        else:
            return
        self.add(ChangeKind.REQUEST_ENUM_NARROWED, message, old.at, new.at)

    def _compare_constraints(self, old: SchemaView, new: SchemaView, subject: str) -> None:
        for keyword, before, after in _tightened(old.keywords, new.keywords):
            self.add(ChangeKind.REQUEST_CONSTRAINT_TIGHTENED,
                     f"{subject}: {keyword} tightened from {before if before is not None else '(none)'} to {after}",
                     old.at, new.at)  # fmt: skip

    def _compare_properties(self, old: SchemaView, new: SchemaView, subject: str, request: bool) -> None:
        if not request:
            self._compare_response_properties(old, new, subject)
            return
        for name, new_prop in new.properties.items():
            old_prop = old.properties.get(name)
            label = f"{subject} property '{name}'"
            if old_prop is None:
                if request and name in new.required and not _read_only(new_prop):
                    self.add(ChangeKind.PROPERTY_ADDED_REQUIRED, f"{label} was added as required", old.at, new_prop)
                continue
            if request and name in new.required and name not in old.required and not _read_only(new_prop):
                self.add(ChangeKind.PROPERTY_BECAME_REQUIRED, f"{label} became required", old_prop, new_prop)
            self._compare_schema(old_prop, new_prop, label, request)

    def _compare_response_properties(self, old: SchemaView, new: SchemaView, subject: str) -> None:
        """Only what a response carries: a `writeOnly` property is never sent, so it is not compared, and a
        property that became `writeOnly` is gone from the response."""
        for name, old_prop in old.properties.items():
            if _write_only(old_prop):
                continue
            label = f"{subject} property '{name}'"
            new_prop = new.properties.get(name)
            if new_prop is None or _write_only(new_prop):
                gone = "was removed" if new_prop is None else "became writeOnly (no longer in the response)"
                self.add(ChangeKind.RESPONSE_PROPERTY_REMOVED, f"{label} {gone}", old_prop, new_prop or new.at)
                continue
            if name in old.required and name not in new.required:
                self.add(ChangeKind.RESPONSE_PROPERTY_NO_LONGER_REQUIRED, f"{label} is no longer required",
                         old_prop, new_prop)  # fmt: skip
            self._compare_schema(old_prop, new_prop, label, request=False)


# --- helpers ----------------------------------------------------------------------------------------


_PATH_PARAMETER = re.compile(r"\{([^}/]*)\}")


def _template(path: str) -> str:
    """`/items/{id}` and `/items/{item_id}` are the same path to a client."""
    return _PATH_PARAMETER.sub("{}", path.rstrip("/") or "/")


def _renamed_path_parameters(old_path: str, new_path: str) -> dict[str, str]:
    """New path parameter name -> old one, by position in the template (`{item_id}` was `{id}`)."""
    return dict(zip(_PATH_PARAMETER.findall(new_path), _PATH_PARAMETER.findall(old_path)))


def _operations(spec: Spec, path: str, item: Located) -> list[Operation]:
    return [Operation(path, method, at, item) for method, at in spec.items(item)
            if method in HTTP_METHODS and isinstance(at.node, dict)]  # fmt: skip


def _past(value: Any, today: date) -> bool:
    if isinstance(value, datetime):
        return value.date() < today
    if isinstance(value, date):
        return value < today
    try:
        return date.fromisoformat(str(value)[:10]) < today
    except ValueError:
        return False


@dataclass
class RequestBody:
    at: Located
    required: bool
    media: dict[str, Located]


def _parameters(spec: Spec, op: Operation) -> dict[tuple[str, str], Located]:
    """Path-item and operation parameters by (in, name), the operation's winning; body parameters left out."""
    found: dict[tuple[str, str], Located] = {}
    for owner in (op.path_item, op.at):
        params = spec.child(owner, "parameters")
        for index in range(len(params.node) if params and isinstance(params.node, list) else 0):
            param = spec.child(params, index)
            if param is not None and isinstance(param.node, dict) and param.node.get("in") not in ("body", None):
                found[(str(param.node["in"]), str(param.node.get("name")))] = param
    return found


def _parameter_schema(spec: Spec, param: Located) -> Located | None:
    """OpenAPI 3 parameters have a `schema`; Swagger 2.0 parameters carry the schema keywords themselves."""
    return param if spec.is_swagger2 else spec.child(param, "schema")


def request_body(spec: Spec, op: Operation) -> RequestBody | None:
    if spec.is_swagger2:
        return _swagger_body(spec, op)
    body = spec.child(op.at, "requestBody")
    if body is None or not isinstance(body.node, dict):
        return None
    return RequestBody(body, body.node.get("required") is True, _content(spec, body))


def _swagger_body(spec: Spec, op: Operation) -> RequestBody | None:
    params = spec.child(op.at, "parameters")
    for index in range(len(params.node) if params and isinstance(params.node, list) else 0):
        param = spec.child(params, index)
        if param is not None and isinstance(param.node, dict) and param.node.get("in") == "body":
            schema = spec.child(param, "schema") or param
            return RequestBody(param, param.node.get("required") is True, dict.fromkeys(_media_types(spec, op, "consumes"), schema))
    return None


def response_media(spec: Spec, op: Operation, response: Located) -> dict[str, Located]:
    if spec.is_swagger2:
        schema = spec.child(response, "schema")
        return dict.fromkeys(_media_types(spec, op, "produces"), schema) if schema else {}
    return _content(spec, response)


def _content(spec: Spec, owner: Located) -> dict[str, Located]:
    """Media type -> schema (the media type object itself when it has no schema)."""
    return {media: spec.child(obj, "schema") or Located(obj.file, None, obj.pointer, obj.line)
            for media, obj in spec.items(spec.child(owner, "content"))}  # fmt: skip


def _media_object(spec: Spec, owner: Located, media: str) -> Located | None:
    """The media type entry itself (OpenAPI 3), to point at the line that was removed."""
    return spec.child(spec.child(owner, "content"), media)


def _media_types(spec: Spec, op: Operation, key: str) -> list[str]:
    value = op.at.node.get(key, spec.root.get(key))
    return [str(v) for v in value] if isinstance(value, list) and value else ["application/json"]


def _format_breaks(old: str | None, new: str | None, request: bool) -> bool:
    if request:  # a request may drop or widen a format, not add or change one
        return new is not None and (old, new) not in _WIDER_FORMAT
    return old is not None and (new, old) not in _WIDER_FORMAT and new != old


def _tightened(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    for keyword in _UPPER_BOUNDS + _LOWER_BOUNDS + ("exclusiveMaximum", "exclusiveMinimum"):
        before, after = old.get(keyword), new.get(keyword)
        if isinstance(after, bool):  # OpenAPI 3.0 style boolean exclusive bounds
            if after and before is not True:
                yield keyword, before, after
        elif _is_number(after) and (before is None or not _is_number(before) or _stricter(keyword, before, after)):
            yield keyword, before, after
    for keyword in ("pattern", "multipleOf"):
        if new.get(keyword) is not None and new.get(keyword) != old.get(keyword):
            yield keyword, old.get(keyword), new.get(keyword)
    if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
        yield "uniqueItems", old.get("uniqueItems"), True
    if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
        yield "additionalProperties", old.get("additionalProperties"), False


def _stricter(keyword: str, before: Any, after: Any) -> bool:
    upper = keyword in _UPPER_BOUNDS or keyword == "exclusiveMaximum"
    return bool(after < before) if upper else bool(after > before)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _read_only(prop: Located) -> bool:
    return isinstance(prop.node, dict) and prop.node.get("readOnly") is True


def _write_only(prop: Located) -> bool:
    return isinstance(prop.node, dict) and prop.node.get("writeOnly") is True


def _show(types: frozenset[str]) -> str:
    return "|".join(sorted(types))
