"""Conditions over structured documents: `{path, op, value}` leaves combined with all/any/not, and the
quantifiers `each` / `some` over the entries of a mapping or list (`resources.limits` keys like `*/gpu`,
`tolerations`). Inside a quantifier, `$key` and `$value` name the entry and `$parent` the enclosing subject.

A failed condition explains itself (which path, what was found, what was expected) and says which path
to point the finding at, so the engine can report file:line without each rule writing messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Mapping, Sequence, Union

from pydantic import Field, ValidationInfo, field_validator

from checker.checks.base import Params

Op = Literal[
    "exists", "absent", "==", "!=", "in", "not_in", "matches", "not_matches",
    "contains", "not_contains", ">", ">=", "<", "<=",
]  # fmt: skip

PathPart = str | int
_MISSING = object()
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class Leaf(Params):
    """Holds when the value at `path` satisfies `op` (with `value`); `default` stands in for a missing value."""

    path: str | list[str | int] = Field(description="dotted path (`spec.template.spec`) or a list of keys")
    op: Op = "exists"
    value: Any = None
    value_path: str | list[str | int] | None = Field(
        default=None, description="compare with the value at this path instead (falls back to `value`)"
    )
    default: Any = None
    expected: str | None = Field(
        default=None, description="what a failure says was expected, in words (instead of the operator and value)"
    )

    @field_validator("value")
    @classmethod
    def _pattern_is_linear_time(cls, value: Any, info: ValidationInfo) -> Any:
        # A field validator (not a model one) so the error points at `value`; `op` is validated before it.
        if info.data.get("op") in ("matches", "not_matches"):
            from checker.checks.regex import validate

            problem = validate(str(value))
            if problem:
                raise ValueError(problem)
        return value


class AllOf(Params):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Params):
    any: list[Condition] = Field(min_length=1)


class NotOf(Params):
    not_: Condition = Field(alias="not")


class Quantifier(Params):
    """The entries at `path` (a mapping's values or a list's items) whose key matches `key`."""

    path: str | list[str | int] = Field(description="the mapping or list whose entries are judged")
    key: str | None = Field(default=None, description="only entries whose key (or list index) matches this regex")
    where: Condition | None = Field(default=None, description="only entries where this holds")
    assert_: Condition | None = Field(
        default=None, alias="assert", description="judged on each entry: `$key`, `$value`, `$parent`, its fields"
    )

    @field_validator("key")
    @classmethod
    def _key_is_linear_time(cls, value: str | None) -> str | None:
        from checker.checks.regex import validate

        problem = validate(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value


class EachOf(Params):
    """Holds when every entry satisfies `assert` (and when there is none)."""

    each: Quantifier


class SomeOf(Params):
    """Holds when at least one entry satisfies `assert` (or, without `assert`, exists)."""

    some: Quantifier


Condition = Annotated[Union[Leaf, AllOf, AnyOf, NotOf, EachOf, SomeOf], Field(union_mode="smart")]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
Quantifier.model_rebuild()
EachOf.model_rebuild()
SomeOf.model_rebuild()


def parse_path(path: str | Sequence[PathPart]) -> tuple[PathPart, ...]:
    if not isinstance(path, str):
        return tuple(path)
    parts: list[PathPart] = []
    for name, index in _SEGMENT.findall(path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def resolve(root: Any, path: Sequence[PathPart]) -> Any:
    """The value at `path`, or the `_MISSING` sentinel."""
    node = root
    for part in path:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            return _MISSING
    return node


@dataclass(frozen=True)
class Failure:
    """Why a condition did not hold, and the path the finding should point at."""

    explanation: str
    path: tuple[PathPart, ...] = ()


def evaluate(condition: Condition, subject: Any) -> Failure | None:
    """None when the condition holds on `subject`, else the reason it does not."""
    if isinstance(condition, AllOf):
        for child in condition.all:
            failure = evaluate(child, subject)
            if failure:
                return failure
        return None
    if isinstance(condition, AnyOf):
        failures = [evaluate(child, subject) for child in condition.any]
        if any(f is None for f in failures):
            return None
        found = [f for f in failures if f]
        return Failure("none of: " + "; ".join(f.explanation for f in found), found[0].path)
    if isinstance(condition, NotOf):
        if evaluate(condition.not_, subject) is None:
            return Failure(f"must not hold: {describe(condition.not_)}", _first_path(condition.not_))
        return None
    if isinstance(condition, EachOf):
        return _evaluate_each(condition.each, subject)
    if isinstance(condition, SomeOf):
        return _evaluate_some(condition.some, subject)
    return _evaluate_leaf(condition, subject)


def _entries(quantifier: Quantifier, subject: Any) -> list[tuple[PathPart, dict[str, Any]]]:
    """(key, view) of each entry the quantifier ranges over; a missing or scalar node has none."""
    from checker.checks.regex import search

    node = resolve(subject, parse_path(quantifier.path))
    pairs = list(node.items()) if isinstance(node, Mapping) else list(enumerate(node)) if isinstance(node, list) else []
    found = []
    for key, value in pairs:
        if quantifier.key is None or search(quantifier.key, str(key)):
            fields = dict(value) if isinstance(value, Mapping) else {}
            view = {**fields, "$key": key, "$value": value, "$parent": subject}
            if quantifier.where is None or evaluate(quantifier.where, view) is None:
                found.append((key, view))
    return found


def _evaluate_each(quantifier: Quantifier, subject: Any) -> Failure | None:
    if quantifier.assert_ is None:
        return None
    base = parse_path(quantifier.path)
    for key, view in _entries(quantifier, subject):
        failure = evaluate(quantifier.assert_, view)
        if failure:
            return _in_entry(failure, (*base, key))
    return None


def _evaluate_some(quantifier: Quantifier, subject: Any) -> Failure | None:
    entries = _entries(quantifier, subject)
    if any(quantifier.assert_ is None or evaluate(quantifier.assert_, view) is None for _, view in entries):
        return None
    return Failure(_describe_quantifier("has no entry", quantifier), _outer(parse_path(quantifier.path)))


def _in_entry(failure: Failure, entry: tuple[PathPart, ...]) -> Failure:
    """An entry's failure as seen from the enclosing subject: paths and words name the entry itself."""
    path = failure.path
    if path[:1] == ("$parent",):
        located = path[1:]
    elif path[:1] in (("$value",), ("$key",)):
        located = (*entry, *path[1:])
    else:
        located = (*entry, *path)
    words = _entry_words(failure.explanation, _dotted(entry))
    if path and not str(path[0]).startswith("$"):  # `value is …` of env[1] reads `env[1].value is …`
        inner = _dotted(path)
        words = _dotted(located) + words[len(inner):] if words.startswith(inner) else f"{_dotted(entry)}: {words}"
    return Failure(words, located)


def _outer(path: tuple[PathPart, ...]) -> tuple[PathPart, ...]:
    return path[1:] if path[:1] == ("$parent",) else path


def _entry_words(text: str, entry: str) -> str:
    return text.replace("$parent.", "").replace("$value", entry).replace("$key", f"the key of {entry}")


def _describe_quantifier(verb: str, quantifier: Quantifier) -> str:
    text = f"{_dotted(_outer(parse_path(quantifier.path)))} {verb}"
    if quantifier.key is not None:
        text += f" with a key matching {quantifier.key!r}"
    if quantifier.where is not None:
        text += " among those where " + _entry_words(describe(quantifier.where), "it")
    if quantifier.assert_ is not None:
        text += " where " + _entry_words(describe(quantifier.assert_), "it")
    return text


def _evaluate_leaf(leaf: Leaf, subject: Any) -> Failure | None:
    path = parse_path(leaf.path)
    actual = resolve(subject, path)
    if actual is _MISSING and leaf.default is not None:
        actual = leaf.default
    expected = leaf.value
    if leaf.value_path is not None:
        other = resolve(subject, parse_path(leaf.value_path))
        expected = leaf.value if other is _MISSING else other
    if _holds(leaf.op, actual, expected):
        return None
    return Failure(_explain(leaf, path, actual, expected), path)


def _holds(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        return actual is not _MISSING and actual is not None
    if op == "absent":
        return actual is _MISSING or actual is None
    if actual is _MISSING:
        return op in ("!=", "not_in", "not_matches", "not_contains")
    return _compare(op, actual, expected)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op in ("==", "!="):
        return _same(actual, expected) == (op == "==")
    if op == "in":
        return _contains(expected or [], actual)
    if op == "not_in":
        return not _contains(expected or [], actual)
    if op in ("matches", "not_matches"):
        from checker.checks.regex import search

        found = isinstance(actual, (str, int, float)) and search(str(expected), str(actual))
        return bool(found) == (op == "matches")
    if op in ("contains", "not_contains"):
        return _contains(actual, expected) == (op == "contains")
    return _order(op, actual, expected)


def _same(a: Any, b: Any) -> bool:
    # YAML `true` must not equal 1: compare booleans only with booleans.
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _contains(container: Any, item: Any) -> bool:
    """`item in container` for document values: never a TypeError (None in a string, a list as a key)."""
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, (list, dict)):
        return any(_same(element, item) for element in container)
    return False


def _order(op: str, actual: Any, expected: Any) -> bool:
    numbers = [v for v in (actual, expected) if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numbers) < 2:
        return False  # only numbers are ordered: a string or a boolean is never `> 2`
    return {">": actual > expected, ">=": actual >= expected, "<": actual < expected, "<=": actual <= expected}[op]


def _explain(leaf: Leaf, path: Sequence[PathPart], actual: Any, expected: Any) -> str:
    name = _dotted(path)
    if leaf.op == "exists":
        return f"{name} is not set"
    show = _show_masked if _names_a_secret(path) else _show  # `env.DB_PASSWORD is set to …` never shows it
    if leaf.op == "absent":
        return f"{name} is set to {show(actual)}"
    shown = "not set" if actual is _MISSING else show(actual)
    if leaf.expected is not None:
        return f"{name} is {shown} (expected {leaf.expected})"
    against = f"{_dotted(parse_path(leaf.value_path))} = {_show(expected)}" if leaf.value_path else _show(expected)
    return f"{name} is {shown} (expected {leaf.op} {against})"


def describe(condition: Condition) -> str:
    if isinstance(condition, AllOf):
        return " and ".join(describe(c) for c in condition.all)
    if isinstance(condition, AnyOf):
        return " or ".join(describe(c) for c in condition.any)
    if isinstance(condition, NotOf):
        return f"not ({describe(condition.not_)})"
    if isinstance(condition, EachOf):
        return _describe_quantifier("has only entries", condition.each)
    if isinstance(condition, SomeOf):
        return _describe_quantifier("has an entry", condition.some)
    suffix = "" if condition.op in ("exists", "absent") else f" {_show(condition.value)}"
    return f"{_dotted(parse_path(condition.path))} {condition.op}{suffix}"


def _first_path(condition: Condition) -> tuple[PathPart, ...]:
    if isinstance(condition, Leaf):
        return parse_path(condition.path)
    if isinstance(condition, NotOf):
        return _first_path(condition.not_)
    if isinstance(condition, (EachOf, SomeOf)):
        quantifier = condition.each if isinstance(condition, EachOf) else condition.some
        return _outer(parse_path(quantifier.path))
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return _first_path(children[0])


def _dotted(path: Sequence[PathPart]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _names_a_secret(path: Sequence[PathPart]) -> bool:
    from checker.checks.secret_names import is_secret_name

    return any(isinstance(part, str) and is_secret_name(part) for part in path)


def _show_masked(value: Any) -> str:
    """A value under a secret-named key, masked; flags and numbers (`automountServiceAccountToken: true`) are
    no secret and stay readable."""
    from checker.checks.secret_names import mask

    if value is None or isinstance(value, (bool, int, float)):
        return _show(value)
    return repr(mask(value if isinstance(value, str) else str(value)))


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, (list, dict)):
        text = str(list(value) if isinstance(value, list) else dict(value))
    return text if len(text) <= 80 else text[:77] + "..."
