"""Load rule packs, reporting every problem at once as `file:line:col: field.path: message`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from pydantic import ValidationError

from checker.messages import schema_problem, short
from checker.checks.registry import Registry, default_registry
from checker.model import Category, Severity
from checker.packs.model import AllChecks, AnyChecks, CheckNode, NotCheck, Rule, TypedCheck, leaves
from checker.packs.schema import build_schema
from checker.yamlpos import (
    MAX_BYTES,
    MAX_NODES,
    PathPart,
    PosDict,
    YamlError,
    coercion_hint,
    duplicate_keys,
    format_path,
    key_position,
    load_one,
    read_text,
)

# A pack nests a handful of levels (rules, a rule, its check, a few all/any/not); the cap keeps the
# recursive JSON Schema validation and check building far from Python's recursion limit.
PACK_MAX_DEPTH = 64

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


# Keyed by id() but holding the registry too, so a freed registry's id cannot be reused for another.
_validators: dict[int, tuple[Registry, Any]] = {}


def _validator(registry: Registry) -> Any:
    """One compiled validator per registry: the schema depends on which check types exist."""
    if id(registry) not in _validators:
        from jsonschema import Draft202012Validator
        from referencing import Registry as Resources

        # jsonschema fetches an unknown http(s) `$ref` by default; a check type's schema must be self-contained.
        offline = Resources(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
        _validators[id(registry)] = (registry, Draft202012Validator(build_schema(registry), registry=offline))
    return _validators[id(registry)][1]


def _refuse_retrieval(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(uri)


@dataclass(frozen=True)
class RuleId:
    """Where a rule id is written, for duplicate detection across files (even in rules that have errors)."""

    id: str
    file: str
    line: int
    column: int
    path: str

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class _FileResult:
    rules: list[Rule] = field(default_factory=list)
    ids: list[RuleId] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_packs(
    files: Iterable[Path],
    registry: Registry | None = None,
    display_root: Path | None = None,
    reserved: Mapping[str, str] | None = None,
    trusted: Iterable[Path] = (),
    limits: ReadLimits | None = None,
) -> list[Rule]:
    """All rules of `files`, or PackError listing every problem in every file.

    `reserved` maps ids that the packs may not define (the built-ins, when validating user packs) to
    where they are defined. `trusted` files (the built-in packs, schema-checked by the test suite) skip
    the JSON Schema pass, which keeps jsonschema off the start-up path of a run without user packs, and
    their check parameters are built when a run first evaluates them, so a run imports only the check
    types it uses.
    """
    registry = registry or default_registry()
    trusted_files = {p.resolve() for p in trusted}
    result = _FileResult()
    for file in files:
        is_trusted = file.resolve() in trusted_files
        source = _Source(_display(file, display_root), is_trusted, ReadLimits() if is_trusted else limits or ReadLimits())
        found = _load_file(file, registry, source)
        result.rules += found.rules
        result.ids += found.ids
        result.problems += found.problems
    problems = result.problems + _duplicate_ids(result.ids, reserved or {})
    if problems:
        raise PackError(problems)
    return result.rules


def _display(file: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return file.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(file)


@dataclass(frozen=True)
class ReadLimits:
    """Caps on reading one pack file (a pack named by a project's config is untrusted input)."""

    max_bytes: int = MAX_BYTES
    max_nodes: int = MAX_NODES


@dataclass(frozen=True)
class _Source:
    name: str  # as shown to users
    trusted: bool
    limits: ReadLimits


def _load_file(file: Path, registry: Registry, source: _Source) -> _FileResult:
    name = source.name
    stage = "(file)"
    try:
        text = read_text(file, source.limits.max_bytes)
        stage = "(yaml)"
        doc = load_one(text, max_nodes=source.limits.max_nodes, max_depth=PACK_MAX_DEPTH)
    except OSError as exc:
        return _FileResult(problems=[Problem(name, 1, 1, stage, f"cannot read rule pack: {exc.strerror or exc}")])
    except YamlError as exc:
        return _FileResult(problems=[Problem(name, exc.line or 1, exc.column or 1, stage, exc.message)])
    problems = _emptiness(doc, name)
    if problems:
        return _FileResult(problems=problems)
    problems = _duplicate_keys(doc, name)
    if not source.trusted:
        problems += _schema_problems(doc, registry, name)
    rules, build_problems = _build_rules(doc, registry, name, problems, validate=not source.trusted)
    return _FileResult(rules, _rule_ids(doc, name), problems + build_problems)


def _emptiness(doc: Any, name: str) -> list[Problem]:
    """A pack that is not a mapping has nothing to validate. An empty file or a bare `rules:` is almost
    always a mistake (a truncated file, every rule commented
    out by accident); `rules: []` says "no rules" on purpose and is accepted."""
    if doc is None:
        return [Problem(name, 1, 1, "(root)", "the rule pack is empty: expected `pack:` and `rules:` "
                        "(write `rules: []` for a pack that defines no rules)")]  # fmt: skip
    if not isinstance(doc, dict):
        return [Problem(name, 1, 1, "(root)", f"a rule pack is a mapping with `pack:` and `rules:`, not {_kind(doc)}")]
    if "rules" in doc and doc["rules"] is None:
        line, col = key_position(doc, ("rules",)) or (1, 1)
        return [Problem(name, line, col, "rules", "`rules:` has no value: list the rules under it, "
                        "or write `rules: []` for a pack that defines none")]  # fmt: skip
    return []


def _rule_list(doc: Any) -> list[Any]:
    rules = doc.get("rules") if isinstance(doc, dict) else None
    return rules if isinstance(rules, list) else []


def _rule_ids(doc: Any, name: str) -> list[RuleId]:
    found = []
    for i, raw in enumerate(_rule_list(doc)):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            line, column = key_position(doc, ("rules", i, "id")) or (1, 1)
            found.append(RuleId(raw["id"], name, line, column, format_path(("rules", i, "id"))))
    return found


def _kind(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"a single value ({short(value)})"


def _duplicate_keys(doc: Any, name: str) -> list[Problem]:
    """YAML keeps the last of two equal keys; a pack never silently loses the first."""
    return [
        Problem(name, line, col, format_path(path), duplicate_key_message(first))
        for path, (line, col), first in duplicate_keys(doc)
    ]


def duplicate_key_message(first: tuple[int, int]) -> str:
    return f"duplicate key (first written at line {first[0]}, column {first[1]})"


def _schema_problems(doc: Any, registry: Registry, name: str) -> list[Problem]:
    from referencing.exceptions import Unresolvable

    validator = _validator(registry)
    problems: list[Problem] = []
    try:
        for error in validator.iter_errors(doc):
            for cause in _most_relevant(error):
                problems += _describe(cause, doc, name)
    except Unresolvable as exc:  # a plugin's schema names a remote `$ref`: never fetched
        message = f"the rule-pack schema refers to {str(exc.ref)!r}, which is never fetched: a check type's schema must be self-contained"
        problems.append(Problem(name, 1, 1, "(schema)", message))
    return _without_typo_echoes(problems)


def _most_relevant(error: Any) -> list[Any]:
    """For anyOf/oneOf failures, the errors of the branch that best explains the problem.

    The branch whose keys fit the instance (no unknown or missing key at the instance itself) is the one
    the author meant: `{path: a, op: greater}` is a condition leaf with a bad `op`, not an `all` missing.
    """
    from jsonschema.exceptions import best_match

    if not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [errors for errors in branches.values() if not any(_misfit(e) for e in errors)]
    if len(fitting) == 1:
        return [cause for sub in fitting[0] for cause in _most_relevant(sub)]
    return _most_relevant(best_match(error.context))


def _misfit(error: Any) -> bool:
    """An error that says the instance is not of this branch's shape at all."""
    return not error.relative_path and error.validator in _SHAPE_VALIDATORS


_SHAPE_VALIDATORS = ("additionalProperties", "required", "type", "const", "enum")


def _without_typo_echoes(problems: list[Problem]) -> list[Problem]:
    """`sevrity: high` is one mistake: keep "unknown key (did you mean 'severity'?)", drop "severity missing"."""
    meant = {
        (p.file, p.path.rsplit(".", 1)[0] + "." + p.message.split("'")[1])
        for p in problems if p.message.startswith("unknown key (did you mean")
    }  # fmt: skip
    return [p for p in problems if not (p.message == "required key is missing" and (p.file, p.path) in meant)]


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
    hint = coercion_hint(doc, path) if error.validator in _TYPE_VALIDATORS else None
    message = _message(error) + (f" {hint}" if hint else "")
    return [Problem(name, line, col, format_path(path), message)]


_TYPE_VALIDATORS = ("type", "enum", "const", "pattern", "minLength")


def _unknown_key(doc: Any, name: str, path: tuple[PathPart, ...], key: str, allowed: list[str]) -> Problem:
    line, col = key_position(doc, (*path, key)) or (1, 1)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(allowed)})"
    return Problem(name, line, col, format_path((*path, key)), f"unknown key{hint}")


def _message(error: Any) -> str:
    return schema_problem(error)


def _build_rules(
    doc: Any, registry: Registry, name: str, known: list[Problem], validate: bool = True
) -> tuple[list[Rule], list[Problem]]:
    """Rules without schema problems, and the problems only building finds (regexes, parameters).

    Checks are built even for rules with other problems, so that one run reports everything. Without
    `validate` (trusted packs) check parameters are left to be built on first use.
    """
    pack = doc.get("pack") if isinstance(doc, dict) else None
    pack_name = str(pack.get("name", "")) if isinstance(pack, dict) else ""
    builder = _Builder(registry, doc, name, validate)
    rules: list[Rule] = []
    problems: list[Problem] = []
    for i, raw in enumerate(_rule_list(doc)):
        prefix = format_path(("rules", i))
        buildable = isinstance(raw, PosDict) and isinstance(raw.get("check"), PosDict)
        if not buildable or _within(known, f"{prefix}.check"):
            continue
        try:
            check = _build_check(raw["check"], builder, ("rules", i, "check"))
        except _CheckProblems as exc:
            problems += exc.problems
            continue
        if validate:
            problems += _param_problems(raw, check, doc, name, ("rules", i))
        if not _within(known + problems, prefix):
            line, column = key_position(doc, ("rules", i, "id")) or (1, 1)
            rules.append(_rule(raw, check, pack_name, f"{name}:{line}:{column}"))
    return rules, problems


def _within(problems: list[Problem], prefix: str) -> bool:
    return any(p.path == prefix or p.path.startswith((f"{prefix}.", f"{prefix}[")) for p in problems)


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


@dataclass(frozen=True)
class _Builder:
    """What building a pack file's check trees needs; `validate` builds parameters now (user packs)."""

    registry: Registry
    doc: Any
    file: str
    validate: bool


def _build_check(raw: PosDict, builder: _Builder, path: tuple[PathPart, ...]) -> CheckNode:
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        children = _build_children(raw[key], builder, (*path, key))
        return AllChecks(children) if key == "all" else AnyChecks(children)
    if "not" in raw:
        return NotCheck(_build_check(raw["not"], builder, (*path, "not")))
    check_type = raw.get("type")
    if not isinstance(check_type, str) or check_type not in builder.registry:  # trusted packs skip the schema
        line, col = key_position(builder.doc, (*path, "type")) or (1, 1)
        message = f"unknown check type {check_type!r}"
        raise _CheckProblems([Problem(builder.file, line, col, format_path((*path, "type")), message)])
    leaf = TypedCheck(type=check_type, raw={k: _plain(v) for k, v in raw.items() if k != "type"},
                      registry=builder.registry)  # fmt: skip
    if builder.validate:
        try:
            leaf.params  # noqa: B018 - builds and caches the parameters, or raises with every error
        except ValidationError as exc:
            raise _CheckProblems(_pydantic_problems(exc.errors(), builder.doc, builder.file, path)) from None
    return leaf


def _build_children(raw: list[Any], builder: _Builder, path: tuple[PathPart, ...]) -> tuple[CheckNode, ...]:
    """Every child, or the problems of all failing children together."""
    children: list[CheckNode] = []
    problems: list[Problem] = []
    for j, child in enumerate(raw):
        try:
            children.append(_build_check(child, builder, (*path, j)))
        except _CheckProblems as exc:
            problems += exc.problems
    if problems:
        raise _CheckProblems(problems)
    return tuple(children)


def _pydantic_problems(errors: list[Any], doc: Any, name: str, path: tuple[PathPart, ...]) -> list[Problem]:
    """Errors of the union branch that fits, each once.

    The schema has already checked shapes, so what pydantic adds are value errors (a regex RE2 refuses);
    for a union it also reports every branch that does not fit, which only adds noise.
    """
    meaningful = [e for e in errors if e["type"] not in _MISFIT_TYPES] or errors
    return sorted({_pydantic_problem(err, doc, name, path) for err in meaningful})


_MISFIT_TYPES = {"missing", "extra_forbidden", "model_type", "dict_type", "model_attributes_type"}


def _pydantic_problem(err: Any, doc: Any, name: str, path: tuple[PathPart, ...]) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p in _UNION_TAGS)))
    line, col = key_position(doc, (*path, *loc)) or (1, 1)
    message = str(err["msg"]).removeprefix("Value error, ")
    hint = coercion_hint(doc, (*path, *loc)) if str(err["type"]).endswith(("_type", "enum", "literal_error")) else None
    return Problem(name, line, col, format_path((*path, *loc)), message + (f" {hint}" if hint else ""))


_UNION_TAGS = {"Leaf", "AllOf", "AnyOf", "NotOf", "EachOf", "SomeOf", "str", "list[union[str,int]]"}


def _param_problems(raw: PosDict, check: CheckNode, doc: Any, name: str, path: tuple[PathPart, ...]) -> list[Problem]:
    """A rule's overridable `params` must each be a parameter of one of its checks."""
    declared = raw.get("params", {})
    if not isinstance(declared, dict):
        return []  # the schema reports the wrong type
    accepted = {field for leaf in leaves(check) for field in type(leaf.params).model_fields}
    problems = []
    for key in declared:
        if key not in accepted:
            line, col = key_position(doc, (*path, "params", key)) or (1, 1)
            known = ", ".join(sorted(accepted))
            message = f"no check of this rule takes a parameter {key!r} (its checks take: {known})"
            problems.append(Problem(name, line, col, format_path((*path, "params", key)), message))
    return problems


def _duplicate_ids(ids: list[RuleId], reserved: Mapping[str, str]) -> list[Problem]:
    first: dict[str, RuleId] = {}
    problems = []
    for rule_id in ids:
        if rule_id.id in reserved:
            message = f"duplicate rule id {rule_id.id!r} (a built-in rule, {reserved[rule_id.id]})"
        elif rule_id.id in first:
            message = f"duplicate rule id {rule_id.id!r} (first defined at {first[rule_id.id].source})"
        else:
            first[rule_id.id] = rule_id
            continue
        problems.append(Problem(rule_id.file, rule_id.line, rule_id.column, rule_id.path, message))
    return problems


def _plain(value: Any) -> Any:
    """Strip position bookkeeping so values compare and serialise as ordinary data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
