"""The JSON Schema of rule pack files, assembled from the registered check types' parameter models.

Check definitions are discriminated with if/then on `type`, so a validator reports an error inside the
one branch that applies instead of "not valid under any of the given schemas".
"""

from __future__ import annotations

import copy
from typing import Any

from checker.checks.registry import Registry
from checker.model import Category, Severity

SCHEMA_ID = "https://readiness-checker.dev/schemas/rule-pack.schema.json"
COMBINATORS = ("all", "any", "not")
RULE_ID_PATTERN = "^[A-Za-z][A-Za-z0-9_.-]*$"

_TEXT = {"type": "string", "minLength": 1}


def build_schema(registry: Registry) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    names = []
    for check in registry:
        names.append(check.name)
        defs[f"check_{check.name}"] = _check_type_schema(check.name, check.params, defs)
    defs["check"] = _check_schema(names)
    defs["rule"] = _rule_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "readiness rule pack",
        "type": "object",
        "additionalProperties": False,
        "required": ["pack", "rules"],
        "properties": {
            "pack": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_.-]*$"},
                    "version": {"type": ["string", "integer"]},
                    "description": {"type": "string"},
                },
            },
            "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
        },
        "$defs": dict(sorted(defs.items())),
    }


def _check_type_schema(name: str, params: type, defs: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(params.model_json_schema(ref_template="#/$defs/{model}"))  # type: ignore[attr-defined]
    for def_name, definition in schema.pop("$defs", {}).items():
        if defs.setdefault(def_name, definition) != definition:
            raise ValueError(f"two check types define different schemas named {def_name!r}")
    schema["properties"] = {"type": {"const": name}, **schema.get("properties", {})}
    schema["required"] = ["type", *schema.get("required", [])]
    schema["additionalProperties"] = False
    schema.pop("title", None)
    return schema


def _check_schema(names: list[str]) -> dict[str, Any]:
    check_list = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/check"}}
    combinator = {
        "all": {"properties": {"all": check_list}, "additionalProperties": False},
        "any": {"properties": {"any": check_list}, "additionalProperties": False},
        "not": {"properties": {"not": {"$ref": "#/$defs/check"}}, "additionalProperties": False},
    }
    branches: list[dict[str, Any]] = [
        {"if": {"required": [key]}, "then": combinator[key]} for key in COMBINATORS
    ]
    branches.append(
        {
            "if": {"not": {"anyOf": [{"required": [key]} for key in COMBINATORS]}},
            "then": {"required": ["type"], "properties": {"type": {"enum": names}}},
        }
    )
    branches += [
        {"if": {"required": ["type"], "properties": {"type": {"const": name}}}, "then": {"$ref": f"#/$defs/check_{name}"}}
        for name in names
    ]
    return {"type": "object", "allOf": branches}


def _rule_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "category", "severity", "description", "rationale", "remediation", "check"],
        "properties": {
            "id": {"type": "string", "pattern": RULE_ID_PATTERN},
            "title": _TEXT,
            "category": {"enum": [c.value for c in Category]},
            "severity": {"enum": [s.value for s in Severity]},
            "description": _TEXT,
            "rationale": _TEXT,
            "remediation": _TEXT,
            "check": {"$ref": "#/$defs/check"},
            "message": {"type": "string", "description": "finding message prefix; {subject} is replaced"},
            "params": {"type": "object", "description": "parameters a project may override, with defaults"},
            "waivable": {"type": "boolean"},
            "enabled": {"type": "boolean"},
            "inputs": {"type": "array", "items": {"type": "string"}, "description": "what the rule reads"},
            "references": {"type": "array", "items": {"type": "string"}},
        },
    }
