"""The expectation suites a project declares: GX suite JSON files and inline `expectations:` lists.

Every expectation remembers where it was written (file and line), so a failure points at its contract.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.project import classify as kinds
from checker.project.index import InputError
from checker.yamlpos import position_of

if TYPE_CHECKING:
    from checker.config import DatasetConfig
    from checker.project.index import ProjectIndex


MAX_NESTING = 32  # levels of lists/objects inside one expectation's kwargs or meta
_NON_FINITE = re.compile(r"(?<![\w\"])(-?Infinity|NaN)(?![\w\"])")


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]
    path: str | None  # the suite file or the config file
    line: int | None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.path and self.line else (self.path or "the config")


@dataclass(frozen=True)
class Suite:
    dataset: DatasetConfig
    name: str
    expectations: tuple[ExpectationSpec, ...]


class SuiteError(Exception):
    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line or 1}: {message}")
        self.path = path
        self.line = line
        self.message = message


def declared_suites(index: ProjectIndex, datasets: list[tuple[DatasetConfig, tuple[Any, ...]]]) -> list[Suite]:
    """One suite per dataset that has a suite file and/or inline expectations (`datasets`: with config keys)."""
    suites = []
    for dataset, key in datasets:
        specs = _from_file(index, dataset.suite) if dataset.suite else []
        specs += _inline(index, dataset, key)
        if specs:
            suites.append(Suite(dataset, _suite_name(index, dataset), tuple(specs)))
    return suites


def _suite_name(index: ProjectIndex, dataset: DatasetConfig) -> str:
    if dataset.suite:
        doc = index.json(dataset.suite)
        if isinstance(doc, dict) and isinstance(doc.get("name"), str):
            return str(doc["name"])
    return f"{dataset.path} (inline)"


def _from_file(index: ProjectIndex, path: str) -> list[ExpectationSpec]:
    try:
        doc = index.json(path)
    except InputError as exc:
        raise SuiteError(path, exc.problem.line, exc.problem.message) from None
    _refuse_non_finite(index.text(path), path)
    items = doc.get("expectations") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise SuiteError(path, 1, "not a Great Expectations suite: expected an object with an `expectations` list")
    return [_spec(item, path, _line(doc, ("expectations", i)), f"expectations[{i}]") for i, item in enumerate(items)]


def _refuse_non_finite(text: str, path: str) -> None:
    """`NaN` and `Infinity` are not JSON (Python's reader accepts them): a bound of NaN would make every
    value unexpected, so the suite is refused where the constant is written."""

    def reject(constant: str) -> None:
        raise ValueError(constant)

    try:
        json.loads(text, parse_constant=reject)
    except ValueError as exc:
        match = _NON_FINITE.search(text)
        line = text.count("\n", 0, match.start()) + 1 if match else None
        raise SuiteError(path, line, f"{exc} is not a JSON number; write a finite bound or leave the key out") from None


def _spec(item: Any, path: str, line: int | None, where: str) -> ExpectationSpec:
    if not isinstance(item, dict):
        raise SuiteError(path, line, f"{where}: an expectation must be an object with `type` and `kwargs`")
    # GX 0.x suites name the type `expectation_type`; both spell the same expectation.
    name = item.get("type", item.get("expectation_type"))
    kwargs, meta = item.get("kwargs", {}), item.get("meta") or {}
    if not isinstance(name, str) or not isinstance(kwargs, dict) or not isinstance(meta, dict):
        raise SuiteError(path, line, f"{where}: an expectation needs a `type` (text) and `kwargs` (an object)")
    return ExpectationSpec(name, _plain_within(kwargs, path, line, where), _plain_within(meta, path, line, where), path, line)


def _inline(index: ProjectIndex, dataset: DatasetConfig, key: tuple[Any, ...]) -> list[ExpectationSpec]:
    config_path, doc = _config_doc(index)
    specs = []
    for i, expectation in enumerate(dataset.expectations):
        line = _line(doc, (*key, "expectations", i)) if doc is not None else None
        where = f"expectations[{i}]"
        kwargs, meta = (_plain_within(v, config_path or "the config", line, where) for v in (expectation.kwargs, expectation.meta))
        specs.append(ExpectationSpec(expectation.type, kwargs, meta, config_path, line))
    return specs


def _config_doc(index: ProjectIndex) -> tuple[str | None, Any]:
    configs = sorted(f.path for f in index.of_kind(kinds.CONFIG))
    if not configs:
        return None, None
    try:
        docs = index.yaml(configs[0])
    except InputError:
        return configs[0], None
    return configs[0], docs[0] if docs else None


def _line(doc: Any, path: tuple[Any, ...]) -> int | None:
    position = position_of(doc, path)
    return position[0] if position and position[0] > 0 else None


def _plain_within(value: Any, path: str, line: int | None, where: str) -> Any:
    try:
        return _plain(value, MAX_NESTING)
    except _Unusable as exc:
        raise SuiteError(path, line, f"{where}: {exc}") from None


class _Unusable(Exception):
    pass


def _plain(value: Any, depth: int) -> Any:
    """Positioned YAML/JSON containers as plain dicts and lists, which GX serialises without surprises.
    Depth is bounded: real expectation arguments are shallow, and GX copies them recursively."""
    if depth < 0:
        raise _Unusable(f"arguments nested deeper than {MAX_NESTING} levels")
    if isinstance(value, float) and not math.isfinite(value):  # YAML's .nan / .inf
        raise _Unusable(f"{value} is not a usable argument; write a finite number or leave the key out")
    if isinstance(value, dict):
        return {str(k): _plain(v, depth - 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth - 1) for v in value]
    return value
