"""Load rule packs, reporting every problem at once as `file:line:col: field.path: message`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from checker.checks.registry import Registry, default_registry
from checker.model import Category, Severity
from checker.packs.model import AllChecks, AnyChecks, CheckNode, NotCheck, Rule, TypedCheck, leaves
from checker.packs.schema import build_schema
from checker.yamlpos import PathPart, PosDict, PosList, YamlError, format_path, key_position, load_one

_EXTRA_KEYS = re.compile(r"\('(.+)' (?:was|were) unexpected\)")


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class PackError(Exception):
    """One or more rule packs are invalid; `problems` holds every one of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


_validators: dict[int, Any] = {}


def _validator(registry: Registry) -> Any:
    """One compiled validator per registry: the schema depends on which check types exist."""
    if id(registry) not in _validators:
        from jsonschema import Draft202012Validator

        _validators[id(registry)] = Draft202012Validator(build_schema(registry))
    return _validators[id(registry)]


def load_packs(files: Iterable[Path], registry: Registry | None = None, display_root: Path | None = None) -> list[Rule]:
    """All rules of `files`, or PackError listing every problem in every file."""
    registry = registry or default_registry()
    rules: list[Rule] = []
    problems: list[Problem] = []
    for file in files:
        loaded, found = _load_file(file, registry, _display(file, display_root))
        rules += loaded
        problems += found
    problems += _duplicate_ids(rules)
    if problems:
        raise PackError(problems)
    return rules


def _display(file: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(file)


def _load_file(file: Path, registry: Registry, name: str) -> tuple[list[Rule], list[Problem]]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, 1, 1, "(file)", f"cannot read rule pack: {exc}")]
    try:
        doc = load_one(text)
    except YamlError as exc:
        return [], [Problem(name, exc.line or 1, exc.column or 1, "(yaml)", exc.message)]
    problems = _duplicate_keys(doc, name, ()) + _schema_problems(doc, registry, name)
    if problems:
        return [], problems
    return _build_rules(doc, registry, name)


def _duplicate_keys(node: Any, name: str, path: tuple[PathPart, ...]) -> list[Problem]:
    found: list[Problem] = []
    if isinstance(node, PosDict):
        for key, (line, col) in node.duplicates:
            found.append(Problem(name, line, col, format_path((*path, key)), "duplicate key"))
        for key, value in node.items():
            found += _duplicate_keys(value, name, (*path, key))
    elif isinstance(node, PosList):
        for i, value in enumerate(node):
            found += _duplicate_keys(value, name, (*path, i))
    return found


def _schema_problems(doc: Any, registry: Registry, name: str) -> list[Problem]:
    validator = _validator(registry)
    problems: list[Problem] = []
    for error in validator.iter_errors(doc):
        problems += _describe(_most_relevant(error), doc, name)
    return problems


def _most_relevant(error: Any) -> Any:
    """For anyOf/oneOf failures, descend to the branch error that best explains the problem."""
    from jsonschema.exceptions import best_match

    while error.context:
        error = best_match(error.context)
    return error


def _describe(error: Any, doc: Any, name: str) -> list[Problem]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        match = _EXTRA_KEYS.search(error.message)
        extra = [k for k in error.instance if k not in allowed] if match else []
        return [_unknown_key(doc, name, path, key, allowed) for key in extra]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        line, col = key_position(doc, path) or (1, 1)
        return [Problem(name, line, col, format_path((*path, missing)), "required key is missing")]
    line, col = key_position(doc, path) or (1, 1)
    return [Problem(name, line, col, format_path(path), _message(error))]


def _unknown_key(doc: Any, name: str, path: tuple[PathPart, ...], key: str, allowed: list[str]) -> Problem:
    line, col = key_position(doc, (*path, key)) or (1, 1)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
    return Problem(name, line, col, format_path((*path, key)), f"unknown key{hint}")


def _message(error: Any) -> str:
    if error.validator == "enum":
        options = ", ".join(repr(v) for v in error.validator_value)
        return f"{error.instance!r} is not one of {options}"
    return str(error.message)


def _build_rules(doc: PosDict, registry: Registry, name: str) -> tuple[list[Rule], list[Problem]]:
    pack_name = str(doc["pack"]["name"])
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc["rules"]):
        path: tuple[PathPart, ...] = ("rules", i, "check")
        try:
            check = _build_check(raw["check"], registry, doc, name, path)
        except _CheckProblems as exc:
            problems += exc.problems
            continue
        problems += _param_problems(raw, check, doc, name, ("rules", i))
        line, column = key_position(doc, ("rules", i, "id")) or (1, 1)
        rules.append(_rule(raw, check, pack_name, f"{name}:{line}:{column}"))
    return rules, problems


def _rule(raw: PosDict, check: CheckNode, pack: str, source: str) -> Rule:
    return Rule(
        id=raw["id"],
        title=raw["title"],
        category=Category(raw["category"]),
        severity=Severity(raw["severity"]),
        description=raw["description"].strip(),
        rationale=raw["rationale"].strip(),
        remediation=raw["remediation"].strip(),
        check=check,
        raw_check=_plain(raw["check"]),
        source=source,
        pack=pack,
        waivable=raw.get("waivable", True),
        enabled=raw.get("enabled", True),
        message=raw.get("message"),
        params=dict(_plain(raw.get("params", {}))),
        inputs=tuple(raw.get("inputs", ())),
        references=tuple(raw.get("references", ())),
    )


class _CheckProblems(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def _build_check(raw: PosDict, registry: Registry, doc: Any, name: str, path: tuple[PathPart, ...]) -> CheckNode:
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        children = tuple(_build_check(c, registry, doc, name, (*path, key, j)) for j, c in enumerate(raw[key]))
        return AllChecks(children) if key == "all" else AnyChecks(children)
    if "not" in raw:
        return NotCheck(_build_check(raw["not"], registry, doc, name, (*path, "not")))
    check_type = registry.get(raw["type"])
    try:
        params = check_type.params.model_validate({k: _plain(v) for k, v in raw.items() if k != "type"})
    except ValidationError as exc:
        raise _CheckProblems([_pydantic_problem(err, doc, name, path) for err in exc.errors()]) from None
    return TypedCheck(type=raw["type"], params=params)


def _pydantic_problem(err: Any, doc: Any, name: str, path: tuple[PathPart, ...]) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p in _UNION_TAGS)))
    line, col = key_position(doc, (*path, *loc)) or (1, 1)
    return Problem(name, line, col, format_path((*path, *loc)), err["msg"])


_UNION_TAGS = {"Leaf", "AllOf", "AnyOf", "NotOf", "str", "list[union[str,int]]"}


def _param_problems(raw: PosDict, check: CheckNode, doc: Any, name: str, path: tuple[PathPart, ...]) -> list[Problem]:
    """A rule's overridable `params` must each be a parameter of one of its checks."""
    accepted = {field for leaf in leaves(check) for field in type(leaf.params).model_fields}
    problems = []
    for key in raw.get("params", {}):
        if key not in accepted:
            line, col = key_position(doc, (*path, "params", key)) or (1, 1)
            problems.append(Problem(name, line, col, format_path((*path, "params", key)), "no check of this rule takes this parameter"))
    return problems


def _duplicate_ids(rules: list[Rule]) -> list[Problem]:
    first: dict[str, Rule] = {}
    problems = []
    for rule in rules:
        if rule.id in first:
            file, line, column = rule.source.rsplit(":", 2)
            where = first[rule.id].source
            message = f"duplicate rule id {rule.id!r} (first defined at {where})"
            problems.append(Problem(file, int(line), int(column), "id", message))
        else:
            first[rule.id] = rule
    return problems


def _plain(value: Any) -> Any:
    """Strip position bookkeeping so values compare and serialise as ordinary data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
