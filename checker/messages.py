"""Validation problems in the checker's own words.

jsonschema and pydantic reword their messages between releases; a user's error line (and the tests that pin
it) must not change with them. So the text is built here from the stable parts of an error — which keyword
failed, its value, the offending instance — and the library's own message is only quoted where no wording
of ours fits. Imports nothing heavy: callers pass the library's error objects in.
"""

from __future__ import annotations

import reprlib
from typing import Any

SHORT = 80  # characters of an offending value shown in a message
OWN_ERROR_TYPE = "readiness_"  # prefix of the PydanticCustomError types our validators raise: their text is ours


def short(value: Any) -> str:
    shortener = reprlib.Repr()
    shortener.maxlevel, shortener.maxstring, shortener.maxother = 2, SHORT, SHORT
    return shortener.repr(value)


def quoted(library: str, text: str) -> str:
    """A library's own words, after ours: one line, bounded."""
    line = " ".join(str(text).split())
    return f"({library}: {line[:200]})"


# --- jsonschema ------------------------------------------------------------------------------------------

def schema_problem(error: Any) -> str:
    """A `jsonschema.ValidationError` (also openapi-spec-validator's) as one sentence of ours."""
    keyword, expected, value = error.validator, error.validator_value, error.instance
    words = _SCHEMA_WORDS.get(str(keyword))
    if words is not None:
        try:
            return words(value, expected)
        except (TypeError, ValueError, KeyError, IndexError):  # an unusual schema value: say it plainly below
            pass
    return f"does not satisfy the schema's {keyword!r} constraint {quoted('jsonschema', error.message)}"


def _types(expected: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return ", ".join(repr(name) for name in names)


def _required(value: Any, expected: Any) -> str:
    missing = [key for key in expected if isinstance(value, dict) and key not in value]
    return f"{(missing or expected)[0]!r} is a required property"


def _additional(value: Any, expected: Any) -> str:
    return f"unexpected properties in {short(value)}"


_SCHEMA_WORDS: dict[str, Any] = {
    "type": lambda v, e: f"{short(v)} is not of type {_types(e)}",
    "required": _required,
    "enum": lambda v, e: f"{short(v)} is not one of {', '.join(repr(x) for x in e)}",
    "const": lambda v, e: f"{short(v)} is not {e!r}",
    "pattern": lambda v, e: f"{short(v)} does not match {e!r}",
    "format": lambda v, e: f"{short(v)} is not a valid {e!r}",
    "minimum": lambda v, e: f"{short(v)} is less than the minimum of {e!r}",
    "maximum": lambda v, e: f"{short(v)} is greater than the maximum of {e!r}",
    "exclusiveMinimum": lambda v, e: f"{short(v)} is not greater than {e!r}",
    "exclusiveMaximum": lambda v, e: f"{short(v)} is not less than {e!r}",
    "minLength": lambda v, e: f"{short(v)} must not be empty" if e == 1 else f"{short(v)} is shorter than {e} characters",
    "maxLength": lambda v, e: f"{short(v)} is longer than {e} characters",
    "minItems": lambda v, e: f"{short(v)} must not be empty" if e == 1 else f"{short(v)} has fewer than {e} items",
    "maxItems": lambda v, e: f"{short(v)} has more than {e} items",
    "uniqueItems": lambda v, e: f"{short(v)} has repeated items",
    "minProperties": lambda v, e: f"{short(v)} has fewer than {e} properties",
    "maxProperties": lambda v, e: f"{short(v)} has more than {e} properties",
    "additionalProperties": _additional,
    "unevaluatedProperties": _additional,
    "propertyNames": lambda v, e: f"a property name of {short(v)} is not allowed",
    "oneOf": lambda v, e: f"{short(v)} matches none (or more than one) of the allowed forms",
    "anyOf": lambda v, e: f"{short(v)} matches none of the allowed forms",
    "not": lambda v, e: f"{short(v)} has a form that is not allowed here",
    "multipleOf": lambda v, e: f"{short(v)} is not a multiple of {e!r}",
}


# --- pydantic --------------------------------------------------------------------------------------------

def pydantic_problem(err: dict[str, Any]) -> str:
    """One entry of `ValidationError.errors()` as a sentence of ours; our own validators' words are kept."""
    kind, value, ctx = str(err.get("type", "")), err.get("input"), err.get("ctx") or {}
    if kind in ("value_error", "assertion_error") or kind.startswith(OWN_ERROR_TYPE):  # our validators' own words
        return str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    words = _PYDANTIC_WORDS.get(kind)
    if words is not None:
        return words(value, ctx)
    return f"{short(value)} is not valid here {quoted('pydantic', str(err.get('msg', kind)))}"


def _bound(word: str, key: str) -> Any:
    return lambda v, c: f"{short(v)} must be {word} {c.get(key)!r}"


_PYDANTIC_WORDS: dict[str, Any] = {
    "string_type": lambda v, c: f"{short(v)} is not of type 'string'",
    "int_type": lambda v, c: f"{short(v)} is not of type 'integer'",
    "int_parsing": lambda v, c: f"{short(v)} is not of type 'integer'",
    "int_from_float": lambda v, c: f"{short(v)} is not of type 'integer'",
    "float_type": lambda v, c: f"{short(v)} is not of type 'number'",
    "float_parsing": lambda v, c: f"{short(v)} is not of type 'number'",
    "bool_type": lambda v, c: f"{short(v)} is not of type 'boolean'",
    "bool_parsing": lambda v, c: f"{short(v)} is not of type 'boolean'",
    "list_type": lambda v, c: f"{short(v)} is not of type 'list'",
    "dict_type": lambda v, c: f"{short(v)} is not of type 'mapping'",
    "model_type": lambda v, c: f"{short(v)} is not of type 'mapping'",
    "model_attributes_type": lambda v, c: f"{short(v)} is not of type 'mapping'",
    "date_type": lambda v, c: f"{short(v)} is not a date (YYYY-MM-DD)",
    "date_parsing": lambda v, c: f"{short(v)} is not a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": lambda v, c: f"{short(v)} is not a date (YYYY-MM-DD)",
    "greater_than": _bound("greater than", "gt"),
    "greater_than_equal": _bound("at least", "ge"),
    "less_than": _bound("less than", "lt"),
    "less_than_equal": _bound("at most", "le"),
    "too_short": lambda v, c: f"{short(v)} has fewer than {c.get('min_length')} items",
    "too_long": lambda v, c: f"{short(v)} has more than {c.get('max_length')} items",
    "string_too_short": lambda v, c: f"{short(v)} is shorter than {c.get('min_length')} characters",
    "string_too_long": lambda v, c: f"{short(v)} is longer than {c.get('max_length')} characters",
    "string_pattern_mismatch": lambda v, c: f"{short(v)} does not match {c.get('pattern')!r}",
    "finite_number": lambda v, c: f"{short(v)} is not a finite number",
}
